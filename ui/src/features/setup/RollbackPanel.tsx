import { useState } from "react";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { GenerationDto } from "../../bindings/GenerationDto";
import type { RollbackReport } from "../../bindings/RollbackReport";
import { Confirm } from "../../components/Confirm";
import { Badge, Empty, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { formatDateTime } from "../../lib/time";

/** What the user is about to undo: the newest apply (null) or every apply after one. */
type Target = { to: number | null; text: string };

/** The recorded applies, and undoing them. */
export function RollbackPanel({ backend, version, onChanged }: { backend: Backend; version: number; onChanged: () => void }) {
  const gens = useLoad(() => backend.generations(), [backend, version]);
  const [target, setTarget] = useState<Target | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [done, setDone] = useState<RollbackReport | null>(null);

  const run = (t: Target) => {
    setBusy(true);
    setError(null);
    backend
      .rollback(t.to)
      .then((r) => {
        setDone(r);
        setTarget(null);
        gens.reload();
        onChanged();
      }, setError)
      .finally(() => setBusy(false));
  };

  // Newest first.
  const list = [...(gens.data ?? [])].sort((a, b) => Number(b.generation) - Number(a.generation));
  const live = list.filter((g) => !g.rolled_back);
  return (
    <section className="card" aria-labelledby="rollback-h">
      <h2 id="rollback-h">Undo setup</h2>
      {gens.state === "loading" && <Loading what="the applies" />}
      {gens.state === "failed" && <ErrorBanner error={gens.error} onRetry={gens.reload} />}
      {error && <ErrorBanner error={error} />}
      {done && (
        <p className="banner ok" role="status">
          {done.undone.length === 0 ? "Nothing was left to undo." : `Undid ${done.undone.map((u) => `#${Number(u.generation)} (${u.command}, ${u.restored.length} file(s))`).join(", ")}.`}
        </p>
      )}
      {gens.data && list.length === 0 && <Empty>No setup has been applied yet, so there is nothing to undo.</Empty>}
      {live.length > 0 && !target && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setTarget({ to: null, text: `Undo apply #${Number(live[0].generation)} (${live[0].command}), restoring the files it changed?` })}>
            Undo the newest apply
          </button>
        </div>
      )}
      {target && (
        <Confirm confirmLabel="Undo" danger busy={busy} onConfirm={() => run(target)} onCancel={() => setTarget(null)}>
          {target.text}
        </Confirm>
      )}
      {list.length > 0 && (
        <table className="grid">
          <caption className="sr-only">Recorded applies, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Agents</th>
              <th scope="col">Files</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <GenerationRow key={Number(g.generation)} g={g} newest={g === live[0]} onReturn={setTarget} disabled={busy || target !== null} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GenerationRow({ g, newest, onReturn, disabled }: { g: GenerationDto; newest: boolean; onReturn: (t: Target) => void; disabled: boolean }) {
  const n = Number(g.generation);
  return (
    <tr className={g.rolled_back ? "muted" : undefined}>
      <td>{n}</td>
      <td>{formatDateTime(Number(g.started) * 1000)}</td>
      <td>{g.command}</td>
      <td>{g.agents.join(", ")}</td>
      <td>{g.paths}</td>
      <td>{g.rolled_back ? <Badge tone="neutral">undone</Badge> : g.complete ? <Badge tone="ok">applied</Badge> : <Badge tone="fail">interrupted</Badge>}</td>
      <td>
        {!g.rolled_back && !newest && (
          <button type="button" className="small secondary" disabled={disabled} onClick={() => onReturn({ to: n, text: `Undo every apply after #${n}, returning the files to how #${n} left them?` })}>
            Return to this
          </button>
        )}
      </td>
    </tr>
  );
}
