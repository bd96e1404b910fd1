import { describe, expect, it } from "vitest";
import type { SkillPage } from "../../bindings/SkillPage";
import type { SkillVersionDto } from "../../bindings/SkillVersionDto";
import { availableActions, compareVersions, formatSize, installRequest, newestVersion } from "./logic";

const v = (version: string, yanked = false): SkillVersionDto => ({ version, description: "", dependencies: [], signed_by: null, yanked, size: 10 });
const page = (installed: string | null, versions: SkillVersionDto[]): SkillPage => ({
  name: "pdf",
  registry: "main",
  description: "",
  installed,
  versions,
  skill_md: null,
  dependencies: [],
  dependents: [],
  files: [],
  agents: [],
});

describe("versions", () => {
  it("compares semver, pre-releases before releases", () => {
    expect(compareVersions("1.10.0", "1.9.9")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0-beta.2", "1.0.0-beta.10")).toBeLessThan(0);
    expect(compareVersions("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(compareVersions("2.0.0+build", "2.0.0")).toBe(0);
  });

  it("picks the newest non-yanked version", () => {
    expect(newestVersion([v("1.0.0"), v("1.2.0", true), v("1.1.0")])?.version).toBe("1.1.0");
    expect(newestVersion([])).toBeNull();
  });

  it("pins an install to a chosen version", () => {
    expect(installRequest("pdf", null)).toBe("pdf");
    expect(installRequest("pdf", "1.2.0")).toBe("pdf@=1.2.0");
  });

  it("offers install, or update/rollback/remove once installed", () => {
    expect(availableActions(page(null, [v("1.0.0")]))).toEqual(["install"]);
    expect(availableActions(page("1.0.0", [v("1.1.0"), v("1.0.0")]))).toEqual(["update", "rollback", "remove"]);
    expect(availableActions(page("1.1.0", [v("1.1.0")]))).toEqual(["rollback", "remove"]);
  });

  it("formats sizes", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(12_345)).toBe("12.3 kB");
  });
});
