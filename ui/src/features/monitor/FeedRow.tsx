import { memo } from "react";
import { formatTime } from "../../lib/time";
import { describePayload, type FeedItem } from "./feedItem";

// Payloads are parsed only for rows on screen, once per record.
const described = new WeakMap<FeedItem, string>();
function describe(it: FeedItem): string {
  let d = described.get(it);
  if (d === undefined) {
    d = describePayload(it.record.payload);
    described.set(it, d);
  }
  return d;
}

/** One fixed-height row of the live feed. */
export const FeedRow = memo(function FeedRow({
  item,
  index,
  count,
  height,
  selected,
  onSelect,
}: {
  item: FeedItem;
  index: number;
  count: number;
  height: number;
  selected: boolean;
  onSelect: (index: number) => void;
}) {
  const cls = ["feed-row", item.violation ? "violation" : "", selected ? "selected" : ""].join(" ");
  return (
    <div
      role="listitem"
      aria-setsize={count}
      aria-posinset={index + 1}
      aria-selected={selected}
      className={cls}
      style={{ height }}
      data-testid="feed-row"
      data-seq={item.seq}
      onClick={() => onSelect(index)}
    >
      <span className="c-time">{formatTime(item.tsMs)}</span>
      <span className="c-seq">#{item.seq}</span>
      <span className="c-agent">{item.agent}</span>
      <span className="c-session" title={item.session}>
        {item.session.slice(0, 8)}
      </span>
      <span className="c-kind">{item.kind}</span>
      <span className={`c-sev sev-${item.severity}`}>{item.severity}</span>
      <span className={`c-action act-${item.action ?? "none"}`}>
        {item.action ?? ""}
        {item.observed ? " (observed)" : ""}
      </span>
      <span className="c-rule">{item.rule ?? ""}</span>
      <span className="c-what">{describe(item)}</span>
    </div>
  );
});
