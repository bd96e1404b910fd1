import { useCallback, useState, useSyncExternalStore } from "react";
import { VirtualList } from "../../components/VirtualList";
import { FeedFilters } from "./FeedFilters";
import { FeedRow } from "./FeedRow";
import type { FeedStore } from "./feedStore";
import type { FeedFilter } from "./filter";
import { JumpToSeq } from "./JumpToSeq";
import { RecordDetail } from "./RecordDetail";

const ROW = 28;

/** The virtualized live feed with filters, pause, jump-to-seq and the selected record. */
export function Feed({ feed }: { feed: FeedStore }) {
  useSyncExternalStore(feed.subscribe, feed.version, feed.version);
  const [follow, setFollow] = useState(true);
  // Selection by seq: row indices shift as old records leave the ring.
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<{ index: number } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const count = feed.viewLength;
  const selectedIndex = selectedSeq === null ? null : feed.indexOfSeq(selectedSeq);
  const selectedItem = selectedIndex === null ? undefined : feed.viewAt(selectedIndex);

  const select = useCallback((i: number) => setSelectedSeq(feed.viewAt(i)?.seq ?? null), [feed]);

  const jump = (seq: number) => {
    const i = feed.indexOfSeq(seq);
    if (i === null) {
      const oldest = feed.oldestSeq();
      setNote(
        oldest !== null && seq < oldest
          ? `Event #${seq} is older than the loaded events (oldest: #${oldest}).`
          : feed.lastSeq !== null && seq > feed.lastSeq
            ? `Event #${seq} has not happened yet (newest: #${feed.lastSeq}).`
            : `Event #${seq} is hidden by the filters.`,
      );
      return;
    }
    setNote(null);
    setFollow(false);
    setSelectedSeq(seq);
    setScrollTo({ index: i });
  };

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
      {note && (
        <p className="banner warn" role="status">
          {note}
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
      {selectedItem && <RecordDetail item={selectedItem} onClose={() => setSelectedSeq(null)} />}
    </section>
  );
}
