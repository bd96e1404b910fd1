import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { SetupReport } from "../../bindings/SetupReport";
import { LiveHub } from "../../live/hub";
import { fakeBackend } from "../../test/fakeBackend";
import { AgentStatusList } from "./AgentStatusList";
import { ApplyResult } from "./ApplyResult";
import { PlanReview } from "./PlanReview";
import { SetupWizard } from "./SetupWizard";

function agent(name: AgentStatus["detection"]["agent"], installed: boolean, over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    detection: { agent: name, installed, confidence: installed ? "high" : "none", reasons: installed ? [`binary /usr/bin/${name}`] : [], config_dir: `/h/.${name}` },
    configured: false,
    hooks: "absent",
    drift: [],
    symlinks: [],
    capabilities: { hooks: true, events: [], can_block: true, on_failure: "open", approval: name === "codex" ? "trust the folder in Codex" : null, notes: [], unseen: [] },
    approval: null,
    off: [],
    hook_bins: [],
    ...over,
  };
}

const report = (over: Partial<SetupReport> = {}): SetupReport => ({
  command: "setup",
  agents: ["claude"],
  dry_run: true,
  generation: null,
  changes: [
    {
      path: "/h/.claude/settings.json",
      agents: ["claude"],
      kind: "hooks",
      action: "update",
      reason: "register the uas hooks",
      diff: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n {\n-}\n+\"hooks\": {}\n",
    },
  ],
  notices: [],
  skipped: [],
  approvals: [],
  unverified: [],
  ...over,
});

describe("SetupWizard", () => {
  it("starts with detected agents checked, their evidence and capabilities, and a plan button", () => {
    const html = renderToStaticMarkup(<SetupWizard backend={fakeBackend()} hub={new LiveHub()} agents={[agent("claude", true), agent("codex", true), agent("gemini", false)]} onApplied={() => {}} />);
    expect(html).toContain('data-testid="plan-button"');
    expect(html).toContain("Found: binary /usr/bin/claude");
    expect(html).toContain("Fails open");
    expect(html).toContain("Needs your approval: trust the folder in Codex");
    expect(html).toMatch(/id="pick-claude" type="checkbox" checked=""/);
    expect(html).not.toMatch(/id="pick-gemini" type="checkbox" checked=""/);
    expect(html).toContain("Not found on this machine (1)");
  });
});

describe("PlanReview", () => {
  it("shows each file with action, reason and a colored diff, and says nothing is written yet", () => {
    const html = renderToStaticMarkup(<PlanReview plan={report()} />);
    expect(html).toContain("Nothing is written until you click Apply");
    expect(html).toContain("register the uas hooks");
    expect(html).toContain('class="dl add"');
    expect(html).toContain('class="dl del"');
    expect(html).toContain(">update<");
  });
});

describe("ApplyResult", () => {
  it("says verified when nothing is left different, and lists approvals to give", () => {
    const html = renderToStaticMarkup(
      <ApplyResult result={report({ dry_run: false, generation: 4 as unknown as bigint, approvals: [{ agent: "codex", message: "run codex and trust the hooks" }] })} />,
    );
    expect(html).toContain("Applied and verified 1 change(s) as apply #4.");
    expect(html).toContain("run codex and trust the hooks");
  });

  it("lists what remains different", () => {
    const html = renderToStaticMarkup(<ApplyResult result={report({ dry_run: false, unverified: ["/h/.claude/settings.json still differs"] })} />);
    expect(html).toContain('class="banner fail"');
    expect(html).toContain("still differs");
  });
});

describe("AgentStatusList", () => {
  it("shows drift detail with a repair button per drifted agent and one for all", () => {
    const drifted = agent("claude", true, { configured: true, hooks: "active", drift: [{ path: "/h/.claude/CLAUDE.md", reason: "edited by hand" }] });
    const html = renderToStaticMarkup(<AgentStatusList backend={fakeBackend()} agents={[drifted, agent("codex", true, { configured: true, hooks: "active" })]} onChanged={() => {}} />);
    expect(html).toContain("edited by hand");
    expect(html).toContain('data-testid="repair-button"');
    expect(html).toContain('data-testid="repair-button-claude"');
    expect(html).not.toContain('data-testid="repair-button-codex"');
  });
});
