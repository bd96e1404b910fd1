import { useState } from "react";
import type { Backend } from "../../backend";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { SetupReport } from "../../bindings/SetupReport";
import { Changes } from "../../components/Changes";
import { Confirm } from "../../components/Confirm";
import { ErrorBanner } from "../../components/Status";

/** Removes exactly what uas added to the agents that are set up. */
export function UninstallPanel({ backend, agents, onChanged }: { backend: Backend; agents: AgentStatus[]; onChanged: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [done, setDone] = useState<SetupReport | null>(null);
  const configured = agents.filter((a) => a.configured).map((a) => a.detection.agent);

  const run = () => {
    setBusy(true);
    setError(null);
    backend
      .uninstall({ only: configured })
      .then((r) => {
        setDone(r);
        setAsking(false);
        onChanged();
      }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="card" aria-labelledby="uninstall-h">
      <h2 id="uninstall-h">Uninstall</h2>
      {error && <ErrorBanner error={error} />}
      {done && (
        <>
          <p className="banner ok" role="status">
            Removed uas from {done.agents.join(", ") || "no agent"}: {done.changes.length} file(s) changed. Undo it above if that was a mistake.
          </p>
          <Changes changes={done.changes} />
        </>
      )}
      {asking ? (
        <Confirm confirmLabel="Uninstall" danger busy={busy} onConfirm={run} onCancel={() => setAsking(false)} testId="uninstall-confirm">
          Remove the instructions, hooks and skills uas added for {configured.join(", ")}? Your own edits to those files are kept. The SOP is no longer enforced for them.
        </Confirm>
      ) : (
        <button type="button" className="danger" disabled={configured.length === 0} onClick={() => setAsking(true)} data-testid="uninstall-button">
          {configured.length === 0 ? "No agent is set up" : `Uninstall from ${configured.join(", ")}…`}
        </button>
      )}
    </section>
  );
}
