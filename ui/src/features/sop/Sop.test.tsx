import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { EnforcementMode } from "../../bindings/EnforcementMode";
import { fakeBackend } from "../../test/fakeBackend";
import { ModeToggle } from "./ModeToggle";
import { PhaseList } from "./PhaseList";
import { RuleTable } from "./RuleTable";

describe("SOP screen parts", () => {
  it("shows phase gates and marks human approval", () => {
    const html = renderToStaticMarkup(
      <PhaseList
        phases={[
          { id: "plan", summary: "write a plan", enter: [], enter_described: [], approval: "agent" },
          { id: "implement", summary: "do it", enter: ["plan"], enter_described: ["a plan file exists"], approval: "human" },
        ]}
      />,
    );
    expect(html).toContain("a plan file exists");
    expect(html).toContain("needs human approval");
    expect(html).toContain("Every session starts here.");
  });

  it("lists rules with action badges", () => {
    const html = renderToStaticMarkup(
      <RuleTable rules={[{ id: "no-push", action: "deny", matches: "shell `git push`", requires: ["tests_pass"], severity: "error", violation: "sop", reason: "push after tests" }]} />,
    );
    expect(html).toContain('<span class="badge fail">deny</span>');
    expect(html).toContain("tests_pass");
  });

  it("offers a mode switch as a toggle", () => {
    const mode = { global: { mode: "enforce", since_ms: 0, by: "ann" }, agents: {} } as unknown as EnforcementMode;
    const html = renderToStaticMarkup(<ModeToggle backend={fakeBackend()} mode={mode} onChanged={() => {}} />);
    expect(html).toContain('role="switch" aria-checked="true"');
    expect(html).toContain("switch to observe");
  });
});
