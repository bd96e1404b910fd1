import { describe, expect, it } from "vitest";
import type { Lease } from "../../bindings/Lease";
import type { SessionInfo } from "../../bindings/SessionInfo";
import type { SessionPhase } from "../../bindings/SessionPhase";
import { mergeSessions } from "./sessions";

const phase = (agent: string, session: string, p: string, updated: number): SessionPhase =>
  ({
    phase: p,
    phase_index: 1,
    next: { phase: "review", missing: ["tests_pass"] },
    agent,
    session,
    state: { cwd: "/w", evidence: [], last_edit_seq: 0, last_test_pass_seq: 0, events: 1, denied: 0, tool_events: 0, quiet_prompts: 0 },
    updated_ms: updated,
    unreadable: null,
  }) as unknown as SessionPhase;

const info = (agent: string, session: string, last: number, ended: number | null = null): SessionInfo => ({
  started_ms: 0,
  last_seen_ms: last,
  expires_ms: last + 1000,
  ended_ms: ended,
  agent,
  session,
  host: "h",
  pid: null,
  cwd: "/c",
  repo: null,
  phase: "coord-phase",
});

const lease = (agent: string, session: string): Lease => ({ key: { repo: "r", path: "a" }, agent, session, host: "h", since_ms: 0, expires_ms: 0 });

describe("mergeSessions", () => {
  it("joins phases, coordination sessions and leases by agent and session, newest first", () => {
    const rows = mergeSessions(
      [phase("claude", "s1", "implement", 100), phase("codex", "s2", "plan", 50)],
      [info("claude", "s1", 300), info("cursor", "s3", 200, 250)],
      [lease("claude", "s1"), lease("claude", "s1"), lease("cursor", "s3")],
    );
    expect(rows.map((r) => [r.agent, r.phase, r.leases, r.lastMs, r.live])).toEqual([
      ["claude", "implement", 2, 300, true],
      ["cursor", "coord-phase", 1, 200, false],
      ["codex", "plan", 0, 50, false],
    ]);
    expect(rows[0].missing).toEqual(["tests_pass"]);
  });
});
