import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { SkillPage } from "../../bindings/SkillPage";
import { LiveHub } from "../../live/hub";
import { fakeBackend } from "../../test/fakeBackend";
import { SkillActions } from "./SkillActions";
import { SkillCard } from "./SkillCard";
import { SkillsReportView } from "./SkillsReportView";

const page: SkillPage = {
  name: "pdf",
  registry: "main",
  description: "PDFs",
  installed: null,
  versions: [
    { version: "1.1.0", description: "", dependencies: [], signed_by: "k1", yanked: false, size: 100 },
    { version: "1.0.0", description: "", dependencies: [], signed_by: null, yanked: false, size: 90 },
  ],
  skill_md: "# PDF",
  dependencies: [],
  dependents: [],
  files: ["SKILL.md"],
  agents: ["claude"],
};

describe("SkillCard", () => {
  it("links to the skill page with badges, agents and warnings", () => {
    const html = renderToStaticMarkup(
      <SkillCard skill={{ name: "pdf", description: "Edit PDFs", version: "1.1.0", registry: "main", installed: "1.0.0", outdated: true, agents: ["claude", "codex"], warnings: ["unsigned"] }} />,
    );
    expect(html).toContain('data-testid="skill-card-pdf"');
    expect(html).toContain('href="#/marketplace/pdf"');
    expect(html).toContain("Installed 1.0.0");
    expect(html).toContain("Update available");
    expect(html).toContain("reaches claude, codex");
    expect(html).toContain("unsigned");
  });
});

describe("SkillActions", () => {
  it("offers install with a version choice when not installed", () => {
    const html = renderToStaticMarkup(<SkillActions backend={fakeBackend()} hub={new LiveHub()} page={page} onChanged={() => {}} />);
    expect(html).toContain('data-testid="install-button"');
    expect(html).not.toContain("remove-button");
    expect(html).toContain('<option value="1.0.0">1.0.0</option>');
  });

  it("offers update, rollback and remove once installed", () => {
    const html = renderToStaticMarkup(<SkillActions backend={fakeBackend()} hub={new LiveHub()} page={{ ...page, installed: "1.0.0" }} onChanged={() => {}} />);
    expect(html).toContain('data-testid="update-button"');
    expect(html).toContain('data-testid="rollback-button"');
    expect(html).toContain('data-testid="remove-button"');
    expect(html).not.toContain('data-testid="install-button"');
  });
});

describe("SkillsReportView", () => {
  it("shows version changes and the files written into agents' folders", () => {
    const html = renderToStaticMarkup(
      <SkillsReportView
        report={{
          command: "install",
          dry_run: false,
          changes: [{ name: "pdf", from: null, to: "1.1.0" }],
          downloaded: ["pdf 1.1.0"],
          notices: [],
          materialized: {
            command: "setup",
            agents: ["claude"],
            dry_run: false,
            generation: null,
            changes: [{ path: "/h/.claude/skills/pdf", agents: ["claude"], kind: "skill", action: "create", reason: "link the skill", diff: "" }],
            notices: [],
            skipped: [],
            approvals: [],
            unverified: [],
          },
        }}
      />,
    );
    expect(html).toContain("pdf — → 1.1.0");
    expect(html).toContain("/h/.claude/skills/pdf");
    expect(html).toContain("link the skill");
  });
});
