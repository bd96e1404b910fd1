import { describe, expect, it } from "vitest";
import type { EnforcementMode } from "../../bindings/EnforcementMode";
import { actionTone, modeSummary, switchConsequence } from "./logic";

describe("sop logic", () => {
  it("lists agents whose mode differs from the home-wide one", () => {
    const m = {
      global: { mode: "enforce", since_ms: 0, by: "" },
      agents: { codex: { mode: "observe", since_ms: 1, by: "ann" }, claude: { mode: "enforce", since_ms: 1, by: "ann" } },
    } as unknown as EnforcementMode;
    expect(modeSummary(m)).toEqual({ global: "enforce", overrides: [{ agent: "codex", mode: "observe", by: "ann" }] });
  });

  it("colors actions and explains a switch", () => {
    expect(["allow", "warn", "deny", "ask", "x"].map(actionTone)).toEqual(["ok", "warn", "fail", "info", "neutral"]);
    expect(switchConsequence("observe")).toContain("nothing is blocked");
  });
});
