import type { SetupReport } from "../../bindings/SetupReport";
import { Changes } from "../../components/Changes";
import { ReportNotes } from "./ReportNotes";

/** Step 2: what apply would write, file by file, before anything is written. */
export function PlanReview({ plan }: { plan: SetupReport }) {
  const n = plan.changes.length;
  return (
    <div>
      <p>
        {n === 0
          ? `Nothing to change for ${plan.agents.join(", ") || "these agents"}: their files already match.`
          : `${n} file(s) would change for ${plan.agents.join(", ")}. Nothing is written until you click Apply.`}
      </p>
      <Changes changes={plan.changes} open={n <= 3} />
      <ReportNotes report={plan} />
    </div>
  );
}
