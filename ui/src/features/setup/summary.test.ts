import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { EnforcementMode } from "../../bindings/EnforcementMode";
import type { GuardReport } from "../../bindings/GuardReport";
import { setupSummary } from "./summary";

const guard: GuardReport = { baseline_ms: null, baseline_by: null, watched: 0, changed: [], locked: [] };
const enforce: EnforcementMode = { global: { mode: "enforce", since_ms: 0n, by: "" }, agents: {} };

function agent(name: AgentStatus["detection"]["agent"], installed: boolean, configured: boolean, drift = 0): AgentStatus {
  return {
    detection: { agent: name, installed, confidence: installed ? "high" : "none", reasons: [], config_dir: `/h/.${name}` },
    configured,
    hooks: configured ? "active" : "absent",
    drift: Array.from({ length: drift }, () => ({ path: "/h/x", reason: "edited" })),
    symlinks: [],
    capabilities: { hooks: true, events: [], can_block: true, on_failure: "open", approval: null, notes: [], unseen: [] },
    approval: null,
    off: [],
    hook_bins: [],
  };
}

describe("setupSummary", () => {
  it("lists detected agents that are not set up or drifted", () => {
    const s = setupSummary({
      drifted: true,
      interrupted: [],
      guard,
      mode: enforce,
      agents: [agent("claude", true, true), agent("codex", true, false), agent("cursor", true, true, 1), agent("gemini", false, false)],
    });
    expect(s.pending).toEqual(["codex", "cursor"]);
    expect(s.headline).toBe("2 of 3 detected agent(s) need setup: codex, cursor.");
  });

  it("says when everything is set up, and when nothing is installed", () => {
    expect(setupSummary({ drifted: false, interrupted: [], guard, mode: enforce, agents: [agent("claude", true, true)] }).headline).toBe("All 1 detected agent(s) are set up.");
    expect(setupSummary({ drifted: false, interrupted: [], guard, mode: enforce, agents: [agent("claude", false, false)] }).headline).toBe("No agents found on this machine.");
  });

  it("puts locked sessions first", () => {
    const locked = {
      ...guard,
      locked: [{ agent: "claude", session: "s1", lock: { reason: "a protected file changed outside uas", files: ["/h/.claude/settings.json"], seq: 9n, at_ms: 0n } }],
    };
    const s = setupSummary({ drifted: false, interrupted: [], guard: locked, mode: enforce, agents: [agent("claude", true, true)] });
    expect(s.headline).toBe("1 agent session(s) locked: a protected file changed outside uas. Run `uas status`.");
  });

  it("says when enforcement is paused, and for which agents", () => {
    const mode: EnforcementMode = { ...enforce, agents: { codex: { mode: "observe", since_ms: 1n, by: "ann" } } };
    const s = setupSummary({ drifted: false, interrupted: [], guard, mode, agents: [agent("claude", true, true)] });
    expect(s.headline).toBe("Enforcement is paused for codex: denials are recorded, not enforced. Run `uas sop mode enforce` to resume.");
  });

  it("says when a setting of the agent switches its hooks off", () => {
    const gemini = { ...agent("gemini", true, true), off: [{ path: "/h/.gemini/settings.json", line: 3, what: "hooksConfig.enabled: false" }] };
    const s = setupSummary({ drifted: false, interrupted: [], guard, mode: enforce, agents: [agent("claude", true, true), gemini] });
    expect(s.headline).toBe("Enforcement is OFF for gemini: a setting of the agent switches its hooks off. Run `uas status`.");
  });
});
