import type { Backend } from "../../backend";
import { ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { ModeToggle } from "./ModeToggle";
import { PhaseList } from "./PhaseList";
import { RuleTable } from "./RuleTable";

/** The active SOP: mode, phases with their gates, rules. */
export function SopScreen({ backend }: { backend: Backend }) {
  const sop = useLoad(() => backend.sop(), [backend]);
  if (!sop.data) {
    return (
      <>
        <h1 tabIndex={-1}>SOP</h1>
        {sop.state === "failed" ? <ErrorBanner error={sop.error} onRetry={sop.reload} /> : <Loading what="the SOP" />}
      </>
    );
  }
  const s = sop.data;
  return (
    <>
      <h1 tabIndex={-1}>SOP: {s.name}</h1>
      <p className="lead">{s.description}</p>
      <p className="muted">{s.source ? `From ${s.source}.` : "The built-in SOP."}</p>
      <ModeToggle backend={backend} mode={s.mode} onChanged={sop.reload} />
      <section aria-labelledby="phases-h">
        <h2 id="phases-h">Phases</h2>
        <PhaseList phases={s.phases} />
      </section>
      <section aria-labelledby="rules-h">
        <h2 id="rules-h">Rules</h2>
        <RuleTable rules={s.rules} />
      </section>
      <section className="card" aria-labelledby="evidence-h">
        <h2 id="evidence-h">Evidence sources</h2>
        <p>
          <span className="muted">Plan files: </span>
          {s.plan_files.length > 0 ? s.plan_files.map((f) => <code key={f}>{f} </code>) : "none"}
        </p>
        <p>
          <span className="muted">Test commands: </span>
          {s.test_commands.length > 0 ? s.test_commands.map((c) => <code key={c}>{c} </code>) : "none"}
        </p>
      </section>
    </>
  );
}
