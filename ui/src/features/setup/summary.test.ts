import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../bindings/AgentStatus";
import { setupSummary } from "./summary";

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
      agents: [agent("claude", true, true), agent("codex", true, false), agent("cursor", true, true, 1), agent("gemini", false, false)],
    });
    expect(s.pending).toEqual(["codex", "cursor"]);
    expect(s.headline).toBe("2 of 3 detected agent(s) need setup: codex, cursor.");
  });

  it("says when everything is set up, and when nothing is installed", () => {
    expect(setupSummary({ drifted: false, interrupted: [], agents: [agent("claude", true, true)] }).headline).toBe("All 1 detected agent(s) are set up.");
    expect(setupSummary({ drifted: false, interrupted: [], agents: [agent("claude", false, false)] }).headline).toBe("No agents found on this machine.");
  });
});
