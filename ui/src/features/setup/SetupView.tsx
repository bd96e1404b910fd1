import { useCallback, useEffect, useState } from "react";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { SetupReport } from "../../bindings/SetupReport";
import type { StatusReport } from "../../bindings/StatusReport";
import { setupSummary } from "./summary";

/** One-click setup of every detected agent, with per-agent status. */
export function SetupView({ backend }: { backend: Backend }) {
  const [status, setStatus] = useState<StatusReport | null>(null);
  const [result, setResult] = useState<SetupReport | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    backend.status().then(setStatus, setError);
  }, [backend]);
  useEffect(refresh, [refresh]);

  const setup = () => {
    setBusy(true);
    setError(null);
    backend
      .setupAgents(false)
      .then(setResult, setError)
      .finally(() => {
        setBusy(false);
        refresh();
      });
  };

  if (!status) return error ? <p className="banner fail">{error.message}</p> : null;
  const summary = setupSummary(status);
  return (
    <section>
      <h2>Agents</h2>
      <p>{summary.headline}</p>
      {summary.pending.length > 0 && (
        <button onClick={setup} disabled={busy}>
          {busy ? "Setting up agents…" : `Set up ${summary.pending.length} agent(s)`}
        </button>
      )}
      {error && <p className="banner fail">{error.message}</p>}
      {result && (
        <p className="banner ok">
          Changed {result.changes.length} file(s)
          {result.generation !== null ? ` (apply #${result.generation}; undo with uas rollback-setup)` : ""}.
        </p>
      )}
      {result?.approvals.map((a) => (
        <p key={a.agent} className="fix">
          {a.agent}: {a.message}
        </p>
      ))}
      <table className="agents">
        <tbody>
          {status.agents.map((a) => (
            <tr key={a.detection.agent} className={a.detection.installed ? "installed" : "absent"}>
              <td>{a.detection.agent}</td>
              <td>
                {!a.detection.installed
                  ? "not found"
                  : !a.configured
                    ? "not set up"
                    : a.drift.length > 0
                      ? `drifted (${a.drift.length})`
                      : a.hooks === "awaiting_approval"
                        ? "set up, approve hooks in the agent"
                        : "set up"}
              </td>
              <td>{a.detection.reasons.join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
