import type { Lease } from "../../bindings/Lease";
import type { SessionInfo } from "../../bindings/SessionInfo";
import type { SessionPhase } from "../../bindings/SessionPhase";

/** One row of the sessions table: SOP phase and coordination facts together. */
export interface SessionRow {
  agent: string;
  session: string;
  phase: string | null;
  /** Evidence the next phase still needs. */
  missing: string[];
  leases: number;
  /** Newest activity, ms since the epoch. */
  lastMs: number | null;
  /** Known to coordination as live (not ended). */
  live: boolean;
  cwd: string | null;
  locked: boolean;
}

const key = (agent: string, session: string) => `${agent}\u0000${session}`;

/**
 * Joins the SOP's sessions, coordination's sessions and leases by
 * (agent, session); newest activity first.
 */
export function mergeSessions(phases: SessionPhase[], infos: SessionInfo[], leases: Lease[]): SessionRow[] {
  const rows = new Map<string, SessionRow>();
  const row = (agent: string, session: string): SessionRow => {
    const k = key(agent, session);
    let r = rows.get(k);
    if (!r) {
      r = { agent, session, phase: null, missing: [], leases: 0, lastMs: null, live: false, cwd: null, locked: false };
      rows.set(k, r);
    }
    return r;
  };
  const later = (a: number | null, b: number) => (a === null || b > a ? b : a);
  for (const p of phases) {
    const r = row(p.agent, p.session);
    r.phase = p.phase;
    r.missing = p.next?.missing ?? [];
    r.lastMs = later(r.lastMs, Number(p.updated_ms));
    r.cwd = r.cwd ?? p.state.cwd;
    r.locked = Boolean(p.state.locked);
  }
  for (const s of infos) {
    const r = row(s.agent, s.session);
    // The SOP's phase is authoritative; coordination's is what the hook last reported.
    r.phase = r.phase ?? s.phase;
    r.lastMs = later(r.lastMs, Number(s.last_seen_ms));
    r.live = s.ended_ms === null;
    r.cwd = r.cwd ?? s.cwd;
  }
  for (const l of leases) row(l.agent, l.session).leases += 1;
  return [...rows.values()].sort((a, b) => (b.lastMs ?? 0) - (a.lastMs ?? 0) || a.agent.localeCompare(b.agent));
}
