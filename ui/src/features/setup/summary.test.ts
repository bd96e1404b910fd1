import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { GuardReport } from "../../bindings/GuardReport";
import { setupSummary } from "./summary";

const guard: GuardReport = { baseline_ms: null, baseline_by: null, watched: 0, changed: [], locked: [] };

function agent(name: AgentStatus["detection"]["agent"], installed: boolean, configured: boolean, drift = 0): AgentStatus {
  return {
    detection: { agent: name, installed, confidence: installed ? "high" : "none", reasons: [], config_dir: `/h/.${name}` },
    configured,
    hooks: configured ? "active" : "absent",
    drift: Array.from({ length: drift }, () => ({ path: "/h/x", reason: "edited" })),
    symlinks: [],
    capabilities: { hooks: true, events: [], can_block: true, on_failure: "open", approval: null, notes: [] },
    approval: null,
  };
}

describe("setupSummary", () => {
  it("lists detected agents that are not set up or drifted", () => {
    const s = setupSummary({
      drifted: true,
      interrupted: [],
      guard,
      agents: [agent("claude", true, true), agent("codex", true, false), agent("cursor", true, true, 1), agent("gemini", false, false)],
    });
    expect(s.pending).toEqual(["codex", "cursor"]);
    expect(s.headline).toBe("2 of 3 detected agent(s) need setup: codex, cursor.");
  });

  it("says when everything is set up, and when nothing is installed", () => {
    expect(setupSummary({ drifted: false, interrupted: [], guard, agents: [agent("claude", true, true)] }).headline).toBe("All 1 detected agent(s) are set up.");
    expect(setupSummary({ drifted: false, interrupted: [], guard, agents: [agent("claude", false, false)] }).headline).toBe("No agents found on this machine.");
  });

  it("puts locked sessions first", () => {
    const locked = {
      ...guard,
      locked: [{ agent: "claude", session: "s1", lock: { reason: "a protected file changed outside uas", files: ["/h/.claude/settings.json"], seq: 9n, at_ms: 0n } }],
    };
    const s = setupSummary({ drifted: false, interrupted: [], guard: locked, agents: [agent("claude", true, true)] });
    expect(s.headline).toBe("1 agent session(s) locked: a protected file changed outside uas. Run `uas status`.");
  });
});
