import type { ApprovalAnswer } from "../../backend";
import type { ApprovalItem } from "../../bindings/ApprovalItem";
import { Badge, Empty } from "../../components/Status";
import { formatTime } from "../../lib/time";
import { timeLeft } from "./logic";

/** Requests waiting for a person, with Approve and Refuse. */
export function PendingList({
  items,
  now,
  busy,
  onAnswer,
}: {
  items: ApprovalItem[];
  now: number;
  busy: string | null;
  onAnswer: (id: string, answer: ApprovalAnswer) => void;
}) {
  if (items.length === 0) return <Empty>Nothing is waiting for your approval.</Empty>;
  return (
    <ul className="approvals">
      {items.map((a) => {
        const left = timeLeft(a, now);
        return (
          <li key={a.id} className="card approval" data-testid={`approval-${a.id}`}>
            <div className="approval-head">
              <Badge tone={a.kind === "plan" ? "info" : "warn"}>{a.kind === "plan" ? "plan" : `rule ${a.rule ?? ""}`}</Badge>
              <strong>{a.agent}</strong> <span className="muted">session {a.session}</span>
              <span className={`time-left ${left.urgent ? "urgent" : ""}`}>{left.text}</span>
            </div>
            <p className="what">{a.what}</p>
            <p>
              <span className="muted">Why the SOP asks: </span>
              {a.reason}
            </p>
            <p className="muted small">Asked at {formatTime(Number(a.requested_ms))}</p>
            <div className="actions">
              <button type="button" data-testid={`approve-${a.id}`} disabled={busy !== null || left.expired} onClick={() => onAnswer(a.id, "approve")}>
                {busy === a.id ? "Sending…" : "Approve"}
              </button>
              <button type="button" className="danger" data-testid={`refuse-${a.id}`} disabled={busy !== null || left.expired} onClick={() => onAnswer(a.id, "refuse")}>
                Refuse
              </button>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
