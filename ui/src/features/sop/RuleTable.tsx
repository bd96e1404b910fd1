import type { RuleView } from "../../bindings/RuleView";
import { GridTable } from "../../components/GridTable";
import { Badge } from "../../components/Status";
import { actionTone } from "./logic";

/** The SOP's rules, in order of evaluation. */
export function RuleTable({ rules }: { rules: RuleView[] }) {
  if (rules.length === 0) return <p className="empty">This SOP has no rules: every call is allowed.</p>;
  return (
    <GridTable columns={["Rule", "Action", "Matches", "Requires", "Reason"]} className="rules">
      {rules.map((r) => (
        <tr key={r.id}>
          <td>
            <code>{r.id}</code>
          </td>
          <td>
            <Badge tone={actionTone(r.action)}>{r.action}</Badge>
            <div className="muted small">
              {r.severity}
              {r.violation ? ` · ${r.violation}` : ""}
            </div>
          </td>
          <td>{r.matches}</td>
          <td>{r.requires.length > 0 ? r.requires.join(", ") : <span className="muted">—</span>}</td>
          <td>{r.reason}</td>
        </tr>
      ))}
    </GridTable>
  );
}
