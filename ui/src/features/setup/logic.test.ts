import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { SetupReport } from "../../bindings/SetupReport";
import { agentState, applyVerdict, capabilityFacts, driftedAgents, selectionFor } from "./logic";

const caps = { hooks: true, events: [], can_block: true, on_failure: "closed", approval: null, notes: [], unseen: [] } as const;

function agent(over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    detection: { agent: "claude", installed: true, confidence: "high", reasons: ["binary /usr/bin/claude"], config_dir: "/h/.claude" },
    configured: true,
    hooks: "active",
    drift: [],
    symlinks: [],
    capabilities: { ...caps, events: [], notes: [], unseen: [] },
    approval: null,
    off: [],
    hook_bins: [],
    ...over,
  };
}

describe("selectionFor", () => {
  it("says detected when the choice is exactly the detected agents", () => {
    expect(selectionFor(["codex", "claude"], ["claude", "codex"])).toBe("detected");
    expect(selectionFor(["claude"], ["claude", "codex"])).toEqual({ only: ["claude"] });
    expect(selectionFor(["gemini", "claude"], ["claude"])).toEqual({ only: ["claude", "gemini"] });
  });
});

describe("capabilityFacts", () => {
  it("says whether it blocks, how it fails and what approval it needs", () => {
    const f = capabilityFacts({ ...caps, events: [], notes: [], unseen: [], on_failure: "open", approval: "trust the project in Codex" });
    expect(f.map((x) => x.text)).toEqual([
      "Can block a tool call before it runs.",
      "Fails open: if the hook crashes or times out, the call goes ahead.",
      "Needs your approval: trust the project in Codex",
    ]);
    expect(capabilityFacts({ ...caps, events: [], notes: [], unseen: [], hooks: false })[0].tone).toBe("warn");
  });
});

describe("agentState", () => {
  it("names the most pressing state", () => {
    expect(agentState(agent()).label).toBe("set up");
    expect(agentState(agent({ configured: false })).label).toBe("not set up");
    expect(agentState(agent({ drift: [{ path: "/a", reason: "edited" }] })).label).toBe("drifted (1 file)");
    expect(agentState(agent({ off: [{ path: "/s", line: 1, what: "disableAllHooks: true" }] })).tone).toBe("fail");
    expect(agentState(agent({ hooks: "awaiting_approval" })).label).toContain("approve");
    expect(driftedAgents([agent({ drift: [{ path: "/a", reason: "x" }] }), agent()])).toEqual(["claude"]);
  });
});

describe("applyVerdict", () => {
  const report = (over: Partial<SetupReport>): SetupReport => ({
    command: "setup",
    agents: ["claude"],
    dry_run: false,
    generation: 3 as unknown as bigint,
    changes: [],
    notices: [],
    skipped: [],
    approvals: [],
    unverified: [],
    ...over,
  });
  it("is verified when nothing remains different", () => {
    const change = { path: "/p", agents: [], kind: "hooks", action: "update", reason: "r", diff: "" } as const;
    expect(applyVerdict(report({ changes: [{ ...change, agents: [] }] }))).toEqual({ verified: true, headline: "Applied and verified 1 change(s) as apply #3." });
    expect(applyVerdict(report({ unverified: ["/p differs"] })).verified).toBe(false);
  });
});
