import { describe, expect, it } from "vitest";
import type { DoctorReport } from "../../bindings/DoctorReport";
import { summarize } from "./summary";

function report(overrides: Partial<DoctorReport> = {}): DoctorReport {
  return {
    version: "0.1.0",
    home: "/h/.agent",
    healthy: true,
    checks: [{ id: "home", status: "ok", summary: "fine", fix: null }],
    agents: [
      { agent: "claude", installed: true, confidence: "high", reasons: ["binary"], config_dir: "/h/.claude" },
      { agent: "codex", installed: false, confidence: "none", reasons: [], config_dir: "/h/.codex" },
    ],
    ...overrides,
  };
}

describe("summarize", () => {
  it("counts installed agents when healthy", () => {
    expect(summarize(report())).toEqual({ headline: "Healthy — 1 of 2 agents found.", needsInit: false });
  });

  it("names failed checks and offers init when a fix says so", () => {
    const s = summarize(
      report({
        healthy: false,
        checks: [
          { id: "home", status: "fail", summary: "missing", fix: "run `uas init`" },
          { id: "config", status: "warn", summary: "defaults", fix: null },
        ],
      }),
    );
    expect(s.headline).toBe("1 problem(s): home — 1 of 2 agents found.");
    expect(s.needsInit).toBe(true);
  });
});
