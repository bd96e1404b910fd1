import type { AgentId } from "../../bindings/AgentId";
import type { AgentStatus } from "../../bindings/AgentStatus";
import { Badge } from "../../components/Status";
import { agentState, capabilityFacts } from "./logic";

/** Step 1: the agents found on this machine, with evidence and what their hooks can do. */
export function AgentPicker({
  agents,
  chosen,
  onToggle,
}: {
  agents: AgentStatus[];
  chosen: readonly AgentId[];
  onToggle: (agent: AgentId, on: boolean) => void;
}) {
  const found = agents.filter((a) => a.detection.installed);
  const missing = agents.filter((a) => !a.detection.installed);
  return (
    <div>
      {found.length === 0 && <p className="empty">No coding agents were found on this machine. You can still choose one below to prepare its files.</p>}
      <ul className="agent-cards">
        {found.map((a) => (
          <AgentChoice key={a.detection.agent} a={a} checked={chosen.includes(a.detection.agent)} onToggle={onToggle} />
        ))}
      </ul>
      {missing.length > 0 && (
        <details className="more">
          <summary>Not found on this machine ({missing.length})</summary>
          <ul className="agent-cards">
            {missing.map((a) => (
              <AgentChoice key={a.detection.agent} a={a} checked={chosen.includes(a.detection.agent)} onToggle={onToggle} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function AgentChoice({ a, checked, onToggle }: { a: AgentStatus; checked: boolean; onToggle: (agent: AgentId, on: boolean) => void }) {
  const id = `pick-${a.detection.agent}`;
  const state = agentState(a);
  return (
    <li className="agent-card">
      <div className="agent-head">
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onToggle(a.detection.agent, e.target.checked)} />
        <label htmlFor={id}>
          <strong>{a.detection.agent}</strong>
        </label>
        <Badge tone={state.tone}>{state.label}</Badge>
        {a.detection.installed && <span className="muted">confidence {a.detection.confidence}</span>}
      </div>
      <div className="evidence">
        {a.detection.reasons.length > 0 ? `Found: ${a.detection.reasons.join("; ")}` : `Looked in ${a.detection.config_dir}`}
      </div>
      <ul className="facts">
        {capabilityFacts(a.capabilities).map((f) => (
          <li key={f.text} className={f.tone}>
            {f.text}
          </li>
        ))}
        {a.capabilities.unseen.map((u) => (
          <li key={u} className="warn">
            Not seen by uas: {u}
          </li>
        ))}
      </ul>
    </li>
  );
}
