import type { SkillPage } from "../../bindings/SkillPage";
import type { SkillVersionDto } from "../../bindings/SkillVersionDto";

/**
 * Compares two semver versions (`1.2.3`, `1.2.3-beta.1`): negative when a
 * is older. Build metadata is ignored; a pre-release sorts before its release.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.trim().replace(/^v/, "").split("+")[0].split(/-(.*)/s);
    return { nums: core.split(".").map((n) => parseInt(n, 10) || 0), pre: pre ?? null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  const xs = x.pre.split(".");
  const ys = y.pre.split(".");
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    if (xs[i] === undefined) return -1;
    if (ys[i] === undefined) return 1;
    const xn = /^\d+$/.test(xs[i]);
    const yn = /^\d+$/.test(ys[i]);
    if (xn && yn) {
      const d = Number(xs[i]) - Number(ys[i]);
      if (d !== 0) return d;
    } else if (xn !== yn) return xn ? -1 : 1;
    else if (xs[i] !== ys[i]) return xs[i] < ys[i] ? -1 : 1;
  }
  return 0;
}

/** The newest version not withdrawn by its publisher. */
export function newestVersion(versions: SkillVersionDto[]): SkillVersionDto | null {
  return versions.filter((v) => !v.yanked).sort((a, b) => compareVersions(b.version, a.version))[0] ?? null;
}

/** What to send to install: the name alone (newest) or pinned to one version. */
export function installRequest(name: string, version: string | null): string {
  return version ? `${name}@=${version}` : name;
}

export type SkillAction = "install" | "update" | "rollback" | "remove";

/** The actions that make sense for a skill as it stands. */
export function availableActions(page: SkillPage): SkillAction[] {
  if (page.installed === null) return ["install"];
  const newest = newestVersion(page.versions);
  const actions: SkillAction[] = [];
  if (newest && compareVersions(newest.version, page.installed) > 0) actions.push("update");
  actions.push("rollback", "remove");
  return actions;
}

/** "12.3 kB" for an archive size. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
