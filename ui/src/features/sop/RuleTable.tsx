import type { RuleView } from "../../bindings/RuleView";
import { Badge } from "../../components/Status";
import { actionTone } from "./logic";

/** The SOP's rules, in order of evaluation. */
export function RuleTable({ rules }: { rules: RuleView[] }) {
  if (rules.length === 0) return <p className="empty">This SOP has no rules: every call is allowed.</p>;
  return (
    <div className="table-wrap">
      <table className="grid rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Action</th>
            <th scope="col">Matches</th>
            <th scope="col">Requires</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}
