import { niceMax } from "./chartMath";

const W = 320;
const ROW = 18;
const LABEL = 120;

/** Violations per rule, largest first, as horizontal bars. */
export function ViolationsChart({ rules }: { rules: { name: string; count: number }[] }) {
  const max = niceMax(Math.max(0, ...rules.map((r) => r.count)));
  const h = Math.max(1, rules.length) * ROW;
  return (
    <figure className="chart">
      <figcaption>Violations by rule</figcaption>
      {rules.length === 0 ? (
        <p className="muted">No violations in the loaded events.</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={rules.map((r) => `${r.name}: ${r.count}`).join(", ")}>
          {rules.map((r, i) => {
            const w = ((W - LABEL - 40) * r.count) / max;
            return (
              <g key={r.name} transform={`translate(0 ${i * ROW})`}>
                <text x={LABEL - 6} y={ROW - 5} textAnchor="end" className="tick">
                  {r.name.length > 18 ? `${r.name.slice(0, 17)}…` : r.name}
                </text>
                <rect x={LABEL} y={3} width={Math.max(1, w)} height={ROW - 6} className="bar violation">
                  <title>{`${r.name}: ${r.count}`}</title>
                </rect>
                <text x={LABEL + w + 4} y={ROW - 5} className="tick">
                  {r.count}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
