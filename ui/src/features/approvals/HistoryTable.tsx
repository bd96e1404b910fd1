import type { ApprovalItem } from "../../bindings/ApprovalItem";
import { GridTable } from "../../components/GridTable";
import { Badge, Empty } from "../../components/Status";
import { formatDateTime } from "../../lib/time";

const TONE = { approved: "ok", refused: "fail", expired: "neutral", pending: "warn" } as const;

/** Answered and expired requests, newest first. */
export function HistoryTable({ items }: { items: ApprovalItem[] }) {
  if (items.length === 0) return <Empty>No request has been answered yet.</Empty>;
  const sorted = [...items].sort((a, b) => Number(b.answered_ms ?? b.requested_ms) - Number(a.answered_ms ?? a.requested_ms));
  return (
    <GridTable columns={["Answer", "Agent", "Session", "What", "By", "When"]}>
      {sorted.map((a) => (
        <tr key={a.id}>
          <td>
            <Badge tone={TONE[a.state]}>{a.state}</Badge>
          </td>
          <td>{a.agent}</td>
          <td>{a.session}</td>
          <td>{a.what}</td>
          <td>{a.answered_by ?? "—"}</td>
          <td>{formatDateTime(Number(a.answered_ms ?? a.requested_ms))}</td>
        </tr>
      ))}
    </GridTable>
  );
}
