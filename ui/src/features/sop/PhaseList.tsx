import type { PhaseView } from "../../bindings/PhaseView";
import { Badge } from "../../components/Status";

/** The SOP's phases in order, with what it takes to enter each. */
export function PhaseList({ phases }: { phases: PhaseView[] }) {
  if (phases.length === 0) return <p className="empty">This SOP has no phases.</p>;
  return (
    <ol className="phases">
      {phases.map((p, i) => (
        <li key={p.id} className="card phase">
          <div className="phase-head">
            <span className="phase-n">{i + 1}</span>
            <strong>{p.id}</strong>
            {p.approval === "human" && (
              <Badge tone="warn" title="A person must approve before this phase starts">
                needs human approval
              </Badge>
            )}
          </div>
          <p>{p.summary}</p>
          {p.enter.length > 0 ? (
            <div>
              <span className="muted">To enter:</span>
              <ul className="gates">
                {p.enter.map((e, j) => (
                  <li key={e}>
                    {p.enter_described[j] ?? e} <code className="muted">{e}</code>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="muted">{i === 0 ? "Every session starts here." : "No evidence needed to enter."}</p>
          )}
        </li>
      ))}
    </ol>
  );
}
