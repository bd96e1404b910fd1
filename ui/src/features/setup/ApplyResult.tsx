import type { SetupReport } from "../../bindings/SetupReport";
import { Changes } from "../../components/Changes";
import { applyVerdict } from "./logic";
import { ReportNotes } from "./ReportNotes";

/** Step 3: what apply wrote, and whether the files now verify. */
export function ApplyResult({ result }: { result: SetupReport }) {
  const v = applyVerdict(result);
  return (
    <div>
      <p className={`banner ${v.verified ? "ok" : "fail"}`} data-testid="apply-verdict">
        {v.headline}
      </p>
      {result.unverified.length > 0 && (
        <ul className="unverified">
          {result.unverified.map((u) => (
            <li key={u}>{u}</li>
          ))}
        </ul>
      )}
      <ReportNotes report={result} />
      {result.changes.length > 0 && (
        <details>
          <summary>Files written ({result.changes.length})</summary>
          <Changes changes={result.changes} />
        </details>
      )}
    </div>
  );
}
