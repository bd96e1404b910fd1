import { formatTime } from "../../lib/time";
import { columnBars, niceMax } from "./chartMath";
import type { MinuteCount } from "./stats";

const W = 320;
const H = 100;

/** Events per minute over the last minutes, as bars. */
export function EventsChart({ series }: { series: MinuteCount[] }) {
  const max = niceMax(Math.max(0, ...series.map((s) => s.count)));
  const bars = columnBars(
    series.map((s) => s.count),
    W,
    H,
    max,
  );
  const total = series.reduce((a, s) => a + s.count, 0);
  const first = series[0];
  const last = series[series.length - 1];
  return (
    <figure className="chart">
      <figcaption>Events per minute</figcaption>
      <svg viewBox={`0 -12 ${W} ${H + 28}`} role="img" aria-label={`${total} events in the last ${series.length} minutes, at most ${Math.max(0, ...series.map((s) => s.count))} in a minute`}>
        <line x1={0} x2={W} y1={H} y2={H} className="axis" />
        <text x={0} y={-2} className="tick">
          {max}
        </text>
        {bars.map((b, i) => (
          <rect key={series[i].minute} x={b.x} y={b.y} width={b.width} height={b.height} className="bar">
            <title>{`${formatTime(series[i].minute)}: ${series[i].count}`}</title>
          </rect>
        ))}
        {first && (
          <text x={0} y={H + 14} className="tick">
            {formatTime(first.minute).slice(0, 5)}
          </text>
        )}
        {last && (
          <text x={W} y={H + 14} className="tick" textAnchor="end">
            {formatTime(last.minute).slice(0, 5)}
          </text>
        )}
      </svg>
    </figure>
  );
}
