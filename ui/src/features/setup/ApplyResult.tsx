import { useEffect, useRef } from "react";
import type { SetupReport } from "../../bindings/SetupReport";
import { Changes } from "../../components/Changes";
import { applyVerdict } from "./logic";
import { ReportNotes } from "./ReportNotes";

/** Step 3: what apply wrote, and whether the files now verify. */
export function ApplyResult({ result }: { result: SetupReport }) {
  const v = applyVerdict(result);
  // Apply is pressed at the bottom of a long review: bring the verdict into view.
  const verdict = useRef<HTMLParagraphElement>(null);
  // (A block body: newer browsers' scrollIntoView returns a promise, which
  // React would take for the effect's cleanup function.)
  useEffect(() => {
    verdict.current?.scrollIntoView?.({ block: "nearest" });
  }, [result]);
  return (
    <div>
      <p ref={verdict} className={`banner ${v.verified ? "ok" : "fail"}`} data-testid="apply-verdict" role="status">
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
