import type { Backend } from "../../backend";
import type { LiveHub } from "../../live/hub";
import { useLiveStatus } from "../../live/useLive";
import { LiveIndicator } from "../../app/LiveIndicator";
import { ChainStatus } from "./ChainStatus";
import { Feed } from "./Feed";
import type { FeedStore } from "./feedStore";
import { NO_FILTER } from "./filter";
import { Overview } from "./Overview";
import { SessionsTable } from "./SessionsTable";

/** Live monitor: compliance, charts, the chain, the feed and the sessions. */
export function MonitorView({ backend, hub, feed }: { backend: Backend; hub: LiveHub; feed: FeedStore }) {
  const status = useLiveStatus(hub);
  return (
    <>
      <div className="title-row">
        <h1 tabIndex={-1}>Live monitor</h1>
        <LiveIndicator status={status} />
      </div>
      <Overview feed={feed} />
      <ChainStatus backend={backend} />
      <Feed feed={feed} />
      <SessionsTable backend={backend} hub={hub} onFilter={(agent, session) => feed.setFilter({ ...NO_FILTER, agent, session })} />
    </>
  );
}
