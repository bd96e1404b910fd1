import { useEffect, useRef } from "react";
import { GridTable } from "../../components/GridTable";
import type { Backend } from "../../backend";
import { Empty, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import type { LiveHub } from "../../live/hub";
import { useLive } from "../../live/useLive";
import { formatAgo, formatTime } from "../../lib/time";
import { mergeSessions } from "./sessions";
import { useNow } from "./useNow";

/** Sessions with their SOP phase, leases and last activity; follows coordination changes. */
export function SessionsTable({ backend, hub, onFilter }: { backend: Backend; hub: LiveHub; onFilter: (agent: string, session: string) => void }) {
  const rows = useLoad(
    () => Promise.all([backend.sopSessions(), backend.coordSessions(), backend.leases()]).then(([p, s, l]) => mergeSessions(p, s, l)),
    [backend],
  );
  const now = useNow(5000);
  // Coordination changes reload the table, at most every 2 s.
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLive(hub, (batch) => {
    if (!batch.some((m) => m.type === "coord") || timer.current) return;
    const wait = Math.max(0, last.current + 2000 - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      rows.reload();
    }, wait);
  });
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  // A slow refresh too: sessions also expire without any event.
  useEffect(() => {
    const t = setInterval(rows.reload, 30_000);
    return () => clearInterval(t);
  }, [rows.reload]);

  return (
    <section className="card" aria-labelledby="sessions-h">
      <h2 id="sessions-h">Sessions</h2>
      {rows.state === "failed" && <ErrorBanner error={rows.error} onRetry={rows.reload} />}
      {!rows.data && rows.state === "loading" && <Loading what="sessions" />}
      {rows.data && rows.data.length === 0 && <Empty>No agent session has been seen yet.</Empty>}
      {rows.data && rows.data.length > 0 && (
        <GridTable columns={["Agent", "Session", "Phase", "Leases", "Last activity", "State"]}>
          {rows.data.map((r) => (
            <tr key={`${r.agent}/${r.session}`}>
              <td>{r.agent}</td>
              <td>
                <button type="button" className="link" title={`Show only this session's events (${r.session})`} onClick={() => onFilter(r.agent, r.session)}>
                  {r.session.length > 14 ? `${r.session.slice(0, 14)}…` : r.session}
                </button>
              </td>
              <td>
                {r.phase ?? "—"}
                {r.missing.length > 0 && <div className="muted small">next needs {r.missing.join(", ")}</div>}
              </td>
              <td>{r.leases}</td>
              <td>{r.lastMs === null ? "—" : <span title={formatTime(r.lastMs)}>{formatAgo(r.lastMs, now)}</span>}</td>
              <td>{r.locked ? <span className="badge fail">locked</span> : r.live ? <span className="badge ok">live</span> : <span className="badge neutral">ended</span>}</td>
            </tr>
          ))}
        </GridTable>
      )}
    </section>
  );
}
