import { useState } from "react";
import type { Backend } from "../../backend";
import type { AgentId } from "../../bindings/AgentId";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { SetupReport } from "../../bindings/SetupReport";
import { Changes } from "../../components/Changes";
import { Badge, ErrorBanner } from "../../components/Status";
import { agentState, driftedAgents } from "./logic";

/** Per-agent status with drift detail, and Repair for drifted agents. */
export function AgentStatusList({ backend, agents, onChanged }: { backend: Backend; agents: AgentStatus[]; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [repaired, setRepaired] = useState<SetupReport | null>(null);
  const drifted = driftedAgents(agents);

  const repair = (which: AgentId[], key: string) => {
    setBusy(key);
    setError(null);
    backend
      .repair({ only: which })
      .then((r) => {
        setRepaired(r);
        onChanged();
      }, setError)
      .finally(() => setBusy(null));
  };

  const shown = agents.filter((a) => a.detection.installed || a.configured);
  return (
    <section className="card" aria-labelledby="agents-h">
      <h2 id="agents-h">Agents</h2>
      <div className="actions">
        <button type="button" data-testid="repair-button" disabled={busy !== null || drifted.length === 0} onClick={() => repair(drifted, "all")}>
          {busy === "all" ? "Repairing…" : drifted.length === 0 ? "Nothing to repair" : `Repair ${drifted.join(", ")}`}
        </button>
      </div>
      {error && <ErrorBanner error={error} />}
      {repaired && (
        <div className="banner ok" role="status">
          Repaired: {repaired.changes.length} file(s) rewritten{repaired.unverified.length > 0 ? `, ${repaired.unverified.length} still differ` : ""}.
        </div>
      )}
      {repaired && repaired.changes.length > 0 && <Changes changes={repaired.changes} />}
      {shown.length === 0 ? (
        <p className="empty">No agent is installed or set up yet.</p>
      ) : (
        <ul className="status-list">
          {shown.map((a) => (
            <AgentRow key={a.detection.agent} a={a} busy={busy} onRepair={() => repair([a.detection.agent], a.detection.agent)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AgentRow({ a, busy, onRepair }: { a: AgentStatus; busy: string | null; onRepair: () => void }) {
  const state = agentState(a);
  const name = a.detection.agent;
  return (
    <li>
      <div className="agent-head">
        <strong>{name}</strong> <Badge tone={state.tone}>{state.label}</Badge>
        {a.drift.length > 0 && (
          <button type="button" className="small" data-testid={`repair-button-${name}`} disabled={busy !== null} onClick={onRepair}>
            {busy === name ? "Repairing…" : "Repair"}
          </button>
        )}
      </div>
      {a.drift.length > 0 && (
        <ul className="detail">
          {a.drift.map((d) => (
            <li key={d.path}>
              <code>{d.path}</code>: {d.reason}
            </li>
          ))}
        </ul>
      )}
      {a.off.length > 0 && (
        <ul className="detail fail">
          {a.off.map((o) => (
            <li key={`${o.path}:${o.what}`}>
              Hooks switched off by <code>{o.what}</code> in <code>{o.path}</code>
              {o.line !== null ? ` line ${o.line}` : ""}
            </li>
          ))}
        </ul>
      )}
      {a.hook_bins
        .filter((h) => h.problem)
        .map((h) => (
          <p key={h.path} className="detail fail">
            Hook program <code>{h.path}</code> {h.problem}: enforcement is off.
          </p>
        ))}
      {a.approval && <p className="detail warn">To do: {a.approval}</p>}
    </li>
  );
}
