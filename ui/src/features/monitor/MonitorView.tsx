import type { Backend } from "../../backend";
import type { LiveHub } from "../../live/hub";
import { useLiveStatus } from "../../live/useLive";
import { LiveIndicator } from "../../app/LiveIndicator";
import { routeHref } from "../../app/route";
import { replaceHash } from "../../app/useHashRoute";
import { ChainStatus } from "./ChainStatus";
import { Feed } from "./Feed";
import type { FeedStore } from "./feedStore";
import { NO_FILTER } from "./filter";
import { auditRecord } from "./jump";
import { Overview } from "./Overview";
import { SessionsTable } from "./SessionsTable";

/**
 * Live monitor: compliance, charts, the chain, the feed and the sessions.
 * `seq` (from `#/monitor/<seq>`, e.g. a desktop notification) selects that
 * event; the address then becomes `#/monitor`, so the same one can come again.
 */
export function MonitorView({ backend, hub, feed, seq = null }: { backend: Backend; hub: LiveHub; feed: FeedStore; seq?: number | null }) {
  const status = useLiveStatus(hub);
  return (
    <>
      <div className="title-row">
        <h1 tabIndex={-1}>Live monitor</h1>
        <LiveIndicator status={status} />
      </div>
      <Overview feed={feed} />
      <ChainStatus backend={backend} />
      <Feed feed={feed} target={seq} onTargetDone={() => replaceHash(routeHref("monitor"))} loadRecord={(n) => auditRecord(backend, n)} />
      <SessionsTable backend={backend} hub={hub} onFilter={(agent, session) => feed.setFilter({ ...NO_FILTER, agent, session })} />
    </>
  );
}
