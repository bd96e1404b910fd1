import type { Backend } from "../../backend";
import { ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { isPaused, modeSummary } from "./logic";
import { ModeToggle } from "./ModeToggle";
import { PauseConfirm } from "./PauseConfirm";
import { PhaseList } from "./PhaseList";
import { RuleTable } from "./RuleTable";

/**
 * The active SOP: mode, phases with their gates, rules. `pausing`
 * (`#/sop/pause`) first asks to pause enforcement; either answer returns
 * to `#/sop`, a pause reloads the SOP to show it.
 */
export function SopScreen({ backend, pausing = false }: { backend: Backend; pausing?: boolean }) {
  const sop = useLoad(() => backend.sop(), [backend]);
  // The heading and the question keep their place while the SOP loads.
  const head = (
    <>
      <h1 tabIndex={-1}>{sop.data ? `SOP: ${sop.data.name}` : "SOP"}</h1>
      {pausing && (
        <PauseConfirm
          backend={backend}
          alreadyPaused={sop.data !== null && isPaused(sop.data.mode) && modeSummary(sop.data.mode).overrides.length === 0}
          onPaused={sop.reload}
        />
      )}
    </>
  );
  if (!sop.data) {
    return (
      <>
        {head}
        {sop.state === "failed" ? <ErrorBanner error={sop.error} onRetry={sop.reload} /> : <Loading what="the SOP" />}
      </>
    );
  }
  const s = sop.data;
  return (
    <>
      {head}
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
