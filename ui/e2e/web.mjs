// End to end in a real browser: Debian's chromium driven by playwright-core
// against a real `uas serve` on a temporary home (the fixture agent
// configs) with a signed loopback registry.
//
//   node ui/e2e/web.mjs --uas /path/to/uas [--out DIR]
//
// It runs the setup wizard and checks the agent files on disk, installs a
// skill from the marketplace and finds it in ~/.claude/skills, emits hook
// events from child processes and sees them live (measuring hook -> visible
// latency), approves a pending plan and sees the phase advance, refuses
// another and sees the gate stay closed, and screenshots every screen.

import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const UAS = path.resolve(opt("--uas", ""));
if (!fs.existsSync(UAS)) throw new Error(`--uas ${UAS}: no such binary`);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = path.resolve(opt("--out", path.join(ROOT, "target/e2e")));
fs.mkdirSync(OUT, { recursive: true });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "uas-e2e-"));
const HOME = path.join(tmp, "home");
const env = {
  PATH: "/usr/bin:/bin",
  HOME,
  // A cargo build may be under test locally; the installed one in CI.
  UAS_DEV: "1",
  USER: "e2e",
};
const children = [];
const cleanup = () => {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {}
  }
};
process.on("exit", cleanup);

function uas(argv, input) {
  const r = spawnSync(UAS, argv, { env, input, encoding: "utf8" });
  if (r.error) throw r.error;
  return r;
}
function ok(argv, input) {
  const r = uas(argv, input);
  if (r.status !== 0) throw new Error(`uas ${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}

/** Starts a long-running uas and resolves with its first stdout line. */
function startLine(argv) {
  return new Promise((resolve, reject) => {
    const c = spawn(UAS, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(c);
    let buf = "";
    let err = "";
    c.stderr.on("data", (d) => (err += d));
    c.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve({ child: c, line: buf.slice(0, nl), rest: () => buf });
    });
    c.on("exit", (code) =>
      setTimeout(() => reject(new Error(`uas ${argv.join(" ")} exited ${code}: ${err}`)), 100),
    );
  });
}

// ---- the machine: fixture agents, a signed registry on loopback ----
fs.cpSync(path.join(ROOT, "crates/uas-testsupport/fixtures/home"), HOME, { recursive: true });
const key = path.join(tmp, "signing.key");
const pub = JSON.parse(ok(["--json", "registry", "keygen", "--out", key])).public_key;
const SKILL = "release-notes";
const src = path.join(tmp, "src", SKILL, "1.2.0");
fs.mkdirSync(path.join(src, "scripts"), { recursive: true });
fs.writeFileSync(
  path.join(src, "SKILL.md"),
  `---\nname: ${SKILL}\ndescription: Writes release notes from the git log. Use when a release is cut.\nlicense: MIT\nuser-invocable: true\nmetadata:\n  version: "1.2.0"\n  author: e2e\n---\n# Release notes\n\nRun \`scripts/notes.sh\` and **review** the output.\n\n- groups commits\n- links issues\n`,
);
fs.writeFileSync(path.join(src, "scripts/notes.sh"), "#!/bin/sh\ngit log --oneline\n");
// As skills are published in the wild: a binary asset, an extra frontmatter
// key (above), and a second skill whose description is over the spec's limit.
const ASSET = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 255, 254]);
fs.writeFileSync(path.join(src, "scripts/logo.png"), ASSET);
const wordy = path.join(tmp, "src", "wordy", "0.3.0");
fs.mkdirSync(wordy, { recursive: true });
fs.writeFileSync(
  path.join(wordy, "SKILL.md"),
  `---\nname: wordy\ndescription: ${"A very thorough description. ".repeat(40).trim()}\nmetadata:\n  version: "0.3.0"\n---\nbody\n`,
);
const registry = path.join(tmp, "registry");
ok(["registry", "build", path.join(tmp, "src"), "--key", key, "--out", registry]);
const reg = await startLine(["registry", "serve", registry, "--port", "0"]);
const regUrl = reg.line.trim().split(" ").pop();
ok(["init"]);
const configFile = path.join(HOME, ".agent/config.toml");
// The plan gate needs a person: approvals come from the ui.
const sop = fs
  .readFileSync(path.join(ROOT, "crates/uas-sop/src/default.toml"), "utf8")
  .replace('enter = ["plan"]\n', 'enter = ["plan"]\napproval = "human"\n');
fs.writeFileSync(path.join(HOME, ".agent/sop/reviewed.toml"), sop);
fs.writeFileSync(
  configFile,
  `[sop]\nactive = "reviewed"\n\n[skills]\ntrusted_keys = ["${pub}"]\n\n[[skills.registries]]\nname = "loopback"\nurl = "${regUrl}"\n`,
);

// ---- the service ----
const served = await startLine(["serve", "--port", "0"]);
const serveOut = await new Promise((r) => setTimeout(() => r(served.rest()), 200));
const open = serveOut.split("\n").find((l) => l.startsWith("Open: "))?.slice(6).trim();
check(open && open.includes("#token="), "uas serve prints the address with its token");
const base = open.split("#")[0];
const token = open.split("#token=")[1];

const api = async (p, init = {}) => {
  const r = await fetch(base + p.replace(/^\//, ""), {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: r.status, body: await r.json().catch(() => null) };
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const shot = async (name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });
const screen = async (name) => {
  await page.getByTestId(`nav-${name}`).click();
  await page.waitForFunction((n) => location.hash.startsWith(`#/${n}`), name);
  await page.waitForTimeout(300);
};

try {
  await page.goto(open);
  await page.waitForSelector("nav", { timeout: 15000 });
  const paint = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { dcl: nav?.domContentLoadedEventEnd ?? 0, fcp: fcp?.startTime ?? 0, now: performance.now() };
  });
  console.log(
    `# first render: DOMContentLoaded ${paint.dcl.toFixed(0)} ms, first contentful paint ${paint.fcp.toFixed(0)} ms, sidebar in the DOM by ${paint.now.toFixed(0)} ms`,
  );
  check((await page.title()) === "Universal Agent", "the page title is the product's");
  check(!page.url().includes("token="), "the token is taken out of the address bar");

  // ---- setup wizard: plan (nothing written), apply (files change) ----
  const settings = path.join(HOME, ".claude/settings.json");
  const before = fs.readFileSync(settings, "utf8");
  await screen("setup");
  await shot("01-setup");
  await page.getByTestId("plan-button").click();
  await page.waitForSelector("text=settings.json", { timeout: 30000 });
  await shot("02-setup-review");
  check(fs.readFileSync(settings, "utf8") === before, "reviewing the plan writes nothing");
  await page.getByTestId("apply-button").click();
  await page.waitForFunction(
    (f) => document.body.innerText.toLowerCase().includes("verified"),
    null,
    { timeout: 30000 },
  );
  await shot("03-setup-applied");
  check(fs.readFileSync(settings, "utf8").includes("hook claude"), "apply wrote uas's hooks into ~/.claude/settings.json");

  // ---- marketplace: install a skill, find it in ~/.claude/skills ----
  await screen("marketplace");
  await page.getByTestId(`skill-card-${SKILL}`).waitFor({ timeout: 20000 });
  const wordyCard = await page.getByTestId("skill-card-wordy").innerText();
  check(/over the Agent Skills limit/.test(wordyCard), "a description over the limit is a warning on its card, and the registry still lists it");
  await shot("04-marketplace");
  await page.getByTestId(`skill-card-${SKILL}`).click();
  await page.waitForSelector("text=review", { timeout: 20000 });
  await shot("05-skill-page");
  await page.getByTestId("install-button").click();
  const installed = path.join(HOME, ".claude/skills", SKILL, "SKILL.md");
  const t0 = Date.now();
  while (!fs.existsSync(installed) && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 100));
  check(fs.existsSync(installed), `the installed skill is in ~/.claude/skills/${SKILL}`);
  const asset = path.join(HOME, ".claude/skills", SKILL, "scripts/logo.png");
  while (!fs.existsSync(asset) && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 100));
  check(fs.readFileSync(asset).equals(ASSET), "its binary asset arrived byte for byte");
  await page.waitForTimeout(500);
  await shot("06-skill-installed");

  // ---- live monitor: hook events from child processes appear live ----
  await screen("monitor");
  await page.waitForTimeout(800);
  const project = path.join(HOME, "project");
  fs.mkdirSync(project, { recursive: true });
  const hook = (session, event, tool) => {
    const input = { session_id: session, hook_event_name: event, cwd: project };
    if (tool) Object.assign(input, { tool_name: tool[0], tool_input: tool[1] });
    return uas(["hook", "claude", event], JSON.stringify(input));
  };
  // Baseline in the same run: the hook process alone (spawn to exit). The
  // difference is what the service and the page add.
  const latencies = [];
  const hookOnly = [];
  for (let i = 0; i < 40; i++) {
    const head = (await api("/api/audit?limit=1")).body.records[0]?.seq ?? 0;
    const start = performance.now();
    hook(`live-${i}`, "UserPromptSubmit");
    const exited = performance.now();
    await page.waitForSelector(`[data-testid=feed-row][data-seq="${head + 1}"]`, { timeout: 10000 });
    latencies.push(performance.now() - start);
    hookOnly.push(exited - start);
  }
  const pct = (xs, p) => {
    const v = [...xs].sort((a, b) => a - b);
    return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
  };
  const added = latencies.map((l, i) => l - hookOnly[i]);
  console.log(
    `# hook spawn -> row visible: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms; ` +
      `baseline hook process alone: p50 ${pct(hookOnly, 50).toFixed(1)} ms, p99 ${pct(hookOnly, 99).toFixed(1)} ms; ` +
      `hook exit -> row visible: p50 ${pct(added, 50).toFixed(1)} ms, p99 ${pct(added, 99).toFixed(1)} ms (n=${latencies.length})`,
  );
  check(true, "40 hook events from child processes appeared live in the feed");
  // 1,000 events/s for 10 s (100 per transaction every 100 ms, the way a
  // busy team's hooks arrive), while the page counts its frames.
  await page.evaluate(() => {
    window.__frames = [];
    const tick = (t) => {
      window.__frames.push(t);
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const loadedNow = () =>
    page.evaluate(() => Number((document.body.innerText.match(/([\d,]+) loaded/)?.[1] ?? "0").replace(/,/g, "")));
  const loadedBefore = await loadedNow();
  const flood = [];
  const floodStart = performance.now();
  for (let i = 0; i < 100; i++) {
    const due = floodStart + i * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    flood.push(
      new Promise((resolve) => {
        const c = spawn(UAS, ["audit", "append-synthetic", "--count", "100", "--batch", "100", "--session", `flood-${i}`], {
          env,
          stdio: "ignore",
        });
        c.on("exit", resolve);
      }),
    );
  }
  await Promise.all(flood);
  const floodSecs = (performance.now() - floodStart) / 1000;
  const caughtUp = performance.now();
  while ((await loadedNow()) < loadedBefore + 10000 && performance.now() - caughtUp < 30000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const behind = ((performance.now() - caughtUp) / 1000).toFixed(1);
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    const f = window.__frames;
    const gaps = f.slice(1).map((t, i) => t - f[i]);
    return {
      frames: f.length,
      secs: (f[f.length - 1] - f[0]) / 1000,
      long: gaps.filter((g) => g > 50).length,
      worst: Math.max(...gaps),
    };
  });
  const shown = (await loadedNow()) - loadedBefore;
  console.log(
    `# feed at ${(10000 / floodSecs).toFixed(0)} events/s for ${floodSecs.toFixed(1)} s: ${frames.frames} frames in ${frames.secs.toFixed(1)} s ` +
      `(${(frames.frames / frames.secs).toFixed(0)} fps), ${frames.long} frames over 50 ms (dropped: at least 2 refreshes missed), worst ${frames.worst.toFixed(0)} ms; the page had all ${shown} ${behind} s after the last write`,
  );
  check(shown >= 10000, "every one of the 10,000 flood events reached the page");
  await page.waitForTimeout(1500);
  const rows = await page.locator("[data-testid=feed-row]").count();
  check(rows < 200, `the feed stays virtual under load (${rows} rows in the DOM)`);
  // A violation shows highlighted.
  const denied = hook("live-0", "PreToolUse", ["Write", { file_path: path.join(project, "x.rs"), content: "x" }]);
  check(denied.status === 2, "an edit before the plan is denied");
  await page.waitForTimeout(600);
  await shot("07-monitor");

  // ---- approvals: approve one plan (phase advances), refuse another ----
  const planFor = (session) => {
    hook(session, "UserPromptSubmit");
    const plan = path.join(project, "PLAN.md");
    const write = ["Write", { file_path: plan, content: "1. do it\n" }];
    hook(session, "PreToolUse", write);
    fs.writeFileSync(plan, "1. do it\n");
    hook(session, "PostToolUse", write);
  };
  planFor("rev-yes");
  planFor("rev-no");
  await screen("approvals");
  await page.getByTestId("approve-plan:claude:rev-yes").waitFor({ timeout: 15000 });
  await shot("08-approvals");
  const phase = async (s) =>
    (await api("/api/sop/sessions")).body.find((x) => x.session === s)?.phase;
  const phaseBefore = await phase("rev-yes");
  await page.getByTestId("approve-plan:claude:rev-yes").click();
  await page.waitForTimeout(800);
  const phaseAfter = await phase("rev-yes");
  check(phaseBefore !== phaseAfter, `approving the plan advanced the phase (${phaseBefore} -> ${phaseAfter})`);
  const edit = ["Write", { file_path: path.join(project, "main.rs"), content: "fn main() {}\n" }];
  check(hook("rev-yes", "PreToolUse", edit).status === 0, "after approval the edit is allowed");
  await page.getByTestId("refuse-plan:claude:rev-no").click();
  await page.waitForTimeout(800);
  check(hook("rev-no", "PreToolUse", edit).status === 2, "after a refusal the gate stays closed (edit denied)");
  await page.waitForSelector("text=refused", { timeout: 10000 });
  const history = (await api("/api/approvals")).body.history.map((h) => `${h.id} ${h.state}`);
  check(
    history.includes("plan:claude:rev-yes approved") && history.includes("plan:claude:rev-no refused"),
    `both answers are in the history (${history.join(", ")})`,
  );
  await shot("09-approvals-answered");

  // ---- SOP and health screens ----
  await screen("sop");
  await page.waitForSelector("text=implement", { timeout: 10000 });
  await shot("10-sop");
  await screen("health");
  await page.waitForTimeout(800);
  await shot("11-health");

  check(consoleErrors.length === 0, `no page errors (${consoleErrors.join("; ")})`);
  console.log(`screenshots in ${OUT}`);
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(e);
  if (consoleErrors.length) console.error(`page errors: ${consoleErrors.join("; ")}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
}
