import { useMemo } from "react";
import { diffStats, parseDiff } from "../lib/diff";

const SIGN: { [k: string]: string } = { add: "added", del: "removed" };

/** A unified diff with colored additions and removals and line numbers. */
export function DiffView({ diff }: { diff: string }) {
  const lines = useMemo(() => parseDiff(diff), [diff]);
  if (lines.length === 0) return <p className="muted">No textual difference.</p>;
  const stats = diffStats(lines);
  return (
    <div className="diff" role="region" aria-label={`diff: ${stats.added} line(s) added, ${stats.removed} removed`}>
      <pre>
        {lines.map((l, i) => (
          <div key={i} className={`dl ${l.kind}`} title={SIGN[l.kind]}>
            <span className="ln" aria-hidden="true">
              {l.oldNo ?? ""}
            </span>
            <span className="ln" aria-hidden="true">
              {l.newNo ?? ""}
            </span>
            <span className="tx">{l.text || " "}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}

/** "+3 −1" for a diff. */
export function DiffStat({ diff }: { diff: string }) {
  const s = useMemo(() => diffStats(parseDiff(diff)), [diff]);
  return (
    <span className="diffstat">
      <span className="plus">+{s.added}</span> <span className="minus">−{s.removed}</span>
    </span>
  );
}
