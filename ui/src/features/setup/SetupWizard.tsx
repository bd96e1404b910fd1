import { useState } from "react";
import type { Backend } from "../../backend";
import type { AgentId } from "../../bindings/AgentId";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { SetupReport } from "../../bindings/SetupReport";
import { Progress } from "../../components/Progress";
import { ErrorBanner } from "../../components/Status";
import type { LiveHub } from "../../live/hub";
import { AgentPicker } from "./AgentPicker";
import { ApplyResult } from "./ApplyResult";
import { detectedAgents, selectionFor } from "./logic";
import { PlanReview } from "./PlanReview";

const STEPS = ["Choose agents", "Review changes", "Apply and verify"];

/** Detect → review the plan's diffs → apply and verify. Nothing is written before step 3. */
export function SetupWizard({ backend, hub, agents, onApplied }: { backend: Backend; hub: LiveHub; agents: AgentStatus[]; onApplied: () => void }) {
  const detected = detectedAgents(agents);
  const [chosen, setChosen] = useState<AgentId[]>(detected);
  const [step, setStep] = useState(0);
  const [plan, setPlan] = useState<SetupReport | null>(null);
  const [result, setResult] = useState<SetupReport | null>(null);
  const [busy, setBusy] = useState<"plan" | "apply" | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const selection = selectionFor(chosen, detected);

  const toggle = (agent: AgentId, on: boolean) => {
    setChosen((c) => (on ? [...c.filter((x) => x !== agent), agent] : c.filter((x) => x !== agent)));
    setStep(0);
  };

  const review = () => {
    setBusy("plan");
    setError(null);
    backend
      .plan(selection)
      .then((p) => {
        setPlan(p);
        setStep(1);
      }, setError)
      .finally(() => setBusy(null));
  };

  const apply = () => {
    setBusy("apply");
    setError(null);
    backend
      .apply(selection)
      .then((r) => {
        setResult(r);
        setStep(2);
        onApplied();
      }, setError)
      .finally(() => setBusy(null));
  };

  return (
    <section className="card" aria-labelledby="wizard-h">
      <h2 id="wizard-h">Set up agents</h2>
      <ol className="steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : undefined}>
            {s}
          </li>
        ))}
      </ol>
      {error && <ErrorBanner error={error} />}
      {step === 0 && (
        <>
          <AgentPicker agents={agents} chosen={chosen} onToggle={toggle} />
          <div className="actions">
            <button type="button" data-testid="plan-button" onClick={review} disabled={busy !== null || chosen.length === 0}>
              {busy === "plan" ? "Planning…" : "Review changes"}
            </button>
            {chosen.length === 0 && <span className="muted">Choose at least one agent.</span>}
          </div>
        </>
      )}
      {step === 1 && plan && (
        <>
          <PlanReview plan={plan} />
          <div className="actions">
            <button type="button" data-testid="apply-button" onClick={apply} disabled={busy !== null || plan.changes.length === 0}>
              {busy === "apply" ? "Applying…" : `Apply ${plan.changes.length} change(s)`}
            </button>
            <button type="button" className="secondary" onClick={() => setStep(0)} disabled={busy !== null}>
              Back
            </button>
          </div>
          {/* Any op: setup has no fixed op name in the API; only one apply runs at a time. */}
          <Progress hub={hub} active={busy === "apply"} opPrefix="" label="Applying" />
        </>
      )}
      {step === 2 && result && (
        <>
          <ApplyResult result={result} />
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setStep(0)}>
              Start over
            </button>
          </div>
        </>
      )}
    </section>
  );
}
