import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { EnforcementMode } from "../../bindings/EnforcementMode";
import type { Mode } from "../../bindings/Mode";
import type { ModeReport } from "../../bindings/ModeReport";
import { fakeBackend } from "../../test/fakeBackend";
import { ModeToggle } from "./ModeToggle";
import { answerPause, PauseConfirm } from "./PauseConfirm";
import { SopScreen } from "./SopView";
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

  it("says plainly when enforcement is paused, with Resume enforcement", () => {
    const mode = { global: { mode: "observe", since_ms: 0, by: "tray" }, agents: {} } as unknown as EnforcementMode;
    const html = renderToStaticMarkup(<ModeToggle backend={fakeBackend()} mode={mode} onChanged={() => {}} />);
    expect(html).toContain('data-testid="enforcement-paused"');
    expect(html).toContain("Enforcement is paused: agents&#x27; calls are allowed and only recorded.");
    expect(html).toMatch(/data-testid="mode-toggle">Resume enforcement</);
    expect(html).not.toContain('role="switch"');
  });
});

describe("Pause enforcement (#/sop/pause)", () => {
  const recorder = () => {
    const modes: Mode[] = [];
    const hrefs: string[] = [];
    const backend = fakeBackend({
      setMode: async (m: Mode) => {
        modes.push(m);
        return { cleared: [], seq: 9 } as unknown as ModeReport;
      },
    });
    return { modes, hrefs, backend, leave: (h: string) => hrefs.push(h) };
  };

  it("asks in a dialog what pausing means", () => {
    const html = renderToStaticMarkup(<PauseConfirm backend={fakeBackend()} alreadyPaused={false} onPaused={() => {}} leave={() => {}} />);
    expect(html).toMatch(/role="alertdialog" aria-label="Pause enforcement" aria-describedby="[^"]+"/);
    expect(html).toContain("Pause enforcement for all agents?");
    expect(html).toContain("allowed and only recorded (observe mode)");
    expect(html).toContain("recorded in the audit log as critical");
    expect(html).toContain('data-testid="pause-confirm"');
    expect(html).toContain('data-testid="pause-cancel"');
    expect(html).not.toContain("already paused");
  });

  it("Confirm sets every agent to observe, then goes to #/sop", async () => {
    const r = recorder();
    await answerPause(r.backend, true, r.leave);
    expect(r.modes).toEqual(["observe"]);
    expect(r.hrefs).toEqual(["#/sop"]);
  });

  it("Cancel goes to #/sop and changes nothing", async () => {
    const r = recorder();
    await answerPause(r.backend, false, r.leave);
    expect(r.modes).toEqual([]);
    expect(r.hrefs).toEqual(["#/sop"]);
  });

  it("a failed pause stays on the question", async () => {
    const hrefs: string[] = [];
    const backend = fakeBackend({ setMode: () => Promise.reject({ code: "io", message: "disk full" }) });
    await expect(answerPause(backend, true, (h) => hrefs.push(h))).rejects.toEqual({ code: "io", message: "disk full" });
    expect(hrefs).toEqual([]);
  });

  it("shows the question on the SOP screen, even before the SOP has loaded", () => {
    const html = renderToStaticMarkup(<SopScreen backend={fakeBackend()} pausing />);
    expect(html).toContain("Pause enforcement for all agents?");
    expect(html).toContain("Loading the SOP");
    expect(renderToStaticMarkup(<SopScreen backend={fakeBackend()} />)).not.toContain("pause-confirm");
  });
});
