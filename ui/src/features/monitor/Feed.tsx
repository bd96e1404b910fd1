import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { Record } from "../../bindings/Record";
import { VirtualList } from "../../components/VirtualList";
import { FeedFilters } from "./FeedFilters";
import { toFeedItem, type FeedItem } from "./feedItem";
import { FeedRow } from "./FeedRow";
import type { FeedStore } from "./feedStore";
import { NO_FILTER, type FeedFilter } from "./filter";
import { jumpNote, locate, reached, type Jump } from "./jump";
import { JumpToSeq } from "./JumpToSeq";
import { RecordDetail } from "./RecordDetail";

const ROW = 28;

/** An event the feed does not hold, read from the audit log: undefined while reading, null when absent. */
type Lookup = { seq: number; item: FeedItem | null | undefined };

/**
 * The virtualized live feed with filters, pause, jump-to-seq and the selected record.
 * - `target`: an event to go to (from `#/monitor/<seq>`); each new value jumps
 *   there, waiting for it if it has not arrived yet. `onTargetDone` is told
 *   once the jump has landed (found, or said why not).
 * - `loadRecord`: reads an event the feed no longer holds from the audit log.
 */
export function Feed({
  feed,
  target = null,
  onTargetDone,
  loadRecord,
}: {
  feed: FeedStore;
  target?: number | null;
  onTargetDone?: () => void;
  loadRecord?: (seq: number) => Promise<Record | null>;
}) {
  const version = useSyncExternalStore(feed.subscribe, feed.version, feed.version);
  // A target already loaded is selected from the first paint.
  const [start] = useState(() => (target === null ? null : feed.indexOfSeq(target)));
  const [follow, setFollow] = useState(start === null);
  // Selection by seq: row indices shift as old records leave the ring.
  const [selectedSeq, setSelectedSeq] = useState<number | null>(start === null ? null : target);
  const [scrollTo, setScrollTo] = useState<{ index: number } | null>(start === null ? null : { index: start });
  const [missed, setMissed] = useState<Exclude<Jump, { kind: "found" }> | null>(null);
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const [lookup, setLookup] = useState<Lookup | null>(null);
  const count = feed.viewLength;
  const selectedIndex = selectedSeq === null ? null : feed.indexOfSeq(selectedSeq);
  const selectedItem = selectedIndex === null ? undefined : feed.viewAt(selectedIndex);
  const shown = selectedItem ?? lookup?.item ?? undefined;

  const select = useCallback(
    (i: number) => {
      setSelectedSeq(feed.viewAt(i)?.seq ?? null);
      setLookup(null);
    },
    [feed],
  );

  /**
   * Goes to event `seq`. `fromAddress`: the address asked; if the event
   * has not arrived yet, go when it does, and tell onTargetDone once landed.
   */
  const jump = (seq: number, fromAddress = false) => {
    const j = locate(feed, seq);
    const wait = fromAddress && j.kind === "later";
    setLookup(null);
    setWaitingFor(wait ? seq : null);
    if (fromAddress && !wait) onTargetDone?.();
    if (j.kind !== "found") {
      setMissed(j);
      if (j.kind === "unloaded" && loadRecord) {
        setSelectedSeq(null);
        setLookup({ seq, item: undefined });
        // A late answer for an earlier jump is dropped.
        const answer = (item: FeedItem | null) => setLookup((l) => (l?.seq === seq ? { seq, item } : l));
        loadRecord(seq).then(
          (r) => answer(r && toFeedItem(r)),
          () => answer(null),
        );
      }
      return;
    }
    setMissed(null);
    setFollow(false);
    setSelectedSeq(seq);
    setScrollTo({ index: j.index });
  };

  // The address names an event: go there, now and whenever it changes.
  useEffect(() => {
    if (target !== null) jump(target, true);
    else setWaitingFor(null);
  }, [target]);

  // The awaited event may have come in.
  useEffect(() => {
    if (waitingFor !== null && reached(feed, waitingFor)) jump(waitingFor, true);
  }, [version, waitingFor]);

  const setFilter = (f: FeedFilter) => feed.setFilter(f);

  return (
    <section className="card feed" aria-labelledby="feed-h">
      <div className="feed-head">
        <h2 id="feed-h">Events</h2>
        <span className="muted" aria-live="off">
          {count.toLocaleString()} shown of {feed.loaded.toLocaleString()} loaded
        </span>
        <button type="button" className="secondary small" aria-pressed={feed.paused} onClick={() => feed.setPaused(!feed.paused)} data-testid="pause-button">
          {feed.paused ? `Resume (${feed.heldCount.toLocaleString()} new)` : "Pause"}
        </button>
        {!follow && (
          <button type="button" className="secondary small" onClick={() => setFollow(true)}>
            Jump to newest
          </button>
        )}
        <JumpToSeq onJump={jump} />
      </div>
      <FeedFilters filter={feed.filter} onChange={setFilter} agents={feed.agents.values()} sessions={feed.sessions.values()} kinds={feed.kinds.values()} />
      {missed && (
        <p className="banner warn" role="status">
          {jumpNote(missed, waitingFor === missed.seq)}
          {lookup?.seq === missed.seq && <LookupNote lookup={lookup} />}
          {missed.kind === "hidden" && (
            <button
              type="button"
              className="secondary small"
              onClick={() => {
                feed.setFilter(NO_FILTER);
                jump(missed.seq);
              }}
            >
              Clear filters
            </button>
          )}
        </p>
      )}
      {feed.lagged && (
        <p className="banner warn" role="status">
          Catching up: the feed is behind the log (at #{feed.lastSeq ?? feed.lagged.from}, newest #{feed.lagged.head}).
        </p>
      )}
      <div className="feed-cols" aria-hidden="true">
        <span className="c-time">time</span>
        <span className="c-seq">seq</span>
        <span className="c-agent">agent</span>
        <span className="c-session">session</span>
        <span className="c-kind">kind</span>
        <span className="c-sev">severity</span>
        <span className="c-action">decision</span>
        <span className="c-rule">rule</span>
        <span className="c-what">what</span>
      </div>
      {count === 0 ? (
        <p className="empty">{feed.loaded === 0 ? "No events yet. They appear here as agents work." : "No loaded event matches the filters."}</p>
      ) : (
        <VirtualList
          count={count}
          rowHeight={ROW}
          follow={follow && !feed.paused}
          onFollowChange={setFollow}
          scrollTo={scrollTo}
          shifted={feed.viewShifted}
          selected={selectedIndex}
          onSelect={select}
          label="Audit events, oldest first"
          renderRow={(i) => {
            const item = feed.viewAt(i);
            return item ? <FeedRow key={item.seq} item={item} index={i} count={count} height={ROW} selected={i === selectedIndex} onSelect={select} /> : null;
          }}
        />
      )}
      {shown && (
        <RecordDetail
          item={shown}
          onClose={() => {
            setSelectedSeq(null);
            setLookup(null);
          }}
        />
      )}
    </section>
  );
}

function LookupNote({ lookup }: { lookup: Lookup }) {
  if (lookup.item === undefined) return <span className="muted"> Reading it from the audit log…</span>;
  return <span>{lookup.item ? " It is shown below, from the audit log." : " The audit log does not have it either."}</span>;
}
