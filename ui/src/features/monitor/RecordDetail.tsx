import { formatDateTime } from "../../lib/time";
import type { FeedItem } from "./feedItem";

function pretty(json: string | null): string {
  if (json === null) return "—";
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** The selected record in full. */
export function RecordDetail({ item, onClose }: { item: FeedItem; onClose: () => void }) {
  return (
    <section className="card detail-panel" aria-label={`Event ${item.seq}`}>
      <div className="detail-head">
        <h2>
          Event #{item.seq} {item.violation && <span className="badge fail">violation</span>}
        </h2>
        <button type="button" className="secondary small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="kv">
        <dt>When</dt>
        <dd>{formatDateTime(item.tsMs)}</dd>
        <dt>Agent / session</dt>
        <dd>
          {item.agent} / <code>{item.session}</code>
        </dd>
        <dt>Kind / severity</dt>
        <dd>
          {item.kind} / {item.severity}
        </dd>
        <dt>Hash</dt>
        <dd>
          <code className="hash">{item.record.hash}</code>
        </dd>
      </dl>
      <h3>Decision</h3>
      <pre className="json">{pretty(item.record.decision)}</pre>
      <h3>Event</h3>
      <pre className="json">{pretty(item.record.payload)}</pre>
    </section>
  );
}
