import type { ChangeDto } from "../bindings/ChangeDto";
import { Badge, Empty } from "./Status";
import { DiffStat, DiffView } from "./DiffView";

const TONE = { create: "ok", update: "info", delete: "fail" } as const;

/** File changes (planned or applied): action, reason, agents and the diff. */
export function Changes({ changes, open = false }: { changes: ChangeDto[]; open?: boolean }) {
  if (changes.length === 0) return <Empty>No file changes.</Empty>;
  return (
    <ul className="changes">
      {changes.map((c, i) => (
        // The same path can appear for two agents: the index keeps keys unique.
        <li key={`${i}:${c.path}`}>
          <details open={open}>
            <summary>
              <Badge tone={TONE[c.action]}>{c.action}</Badge> <code className="path">{c.path}</code> <DiffStat diff={c.diff} />
              <div className="reason">
                {c.reason}
                {c.agents.length > 0 && <span className="muted"> — for {c.agents.join(", ")}</span>}
                <span className="muted"> ({c.kind.replace("_", " ")})</span>
              </div>
            </summary>
            <DiffView diff={c.diff} />
          </details>
        </li>
      ))}
    </ul>
  );
}
