#!/usr/bin/env python3
"""Real agents against uas: Claude Code, Codex, Gemini CLI, OpenCode,
Copilot CLI, Qwen Code, Auggie (against a local stand-in for Augment's
service), Factory Droid, Kilo Code's CLI and Cline's CLI, each run in a private network namespace with a scripted model
server, in a fresh temporary home set up by the real `uas setup`.

Usage: tests/agents/e2e.py [--agent A]... [--scenario S]... [--uas PATH]
Scenarios: deny, allow, tamper, malformed, uninstall, subagent (Claude,
Codex and Copilot: n/a for the others), concurrent (two Claude Code
sessions at once in one project: the second one's write of the first
one's file is denied), missing (the hook binary is gone: does the agent run
the tool anyway? compared with what `uas detect` says of the agent). Prints a table (agent, version, scenario, result,
seconds) and exits 1 if any failed.
A missing agent package or a missing `unshare` is a failure, not a skip.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PORT = 18080  # free by construction: the namespace is private

AGENTS = {
    "claude": ("@anthropic-ai/claude-code", "2.1.197", "claude"),
    "codex": ("@openai/codex", "0.169.0", "codex"),
    "gemini": ("@google/gemini-cli", "0.61.0", "gemini"),
    "opencode": ("opencode-ai", "1.18.33", "opencode"),
    "copilot": ("@github/copilot", "1.0.102", "copilot"),
    "qwen": ("@qwen-code/qwen-code", "0.24.4", "qwen"),
    "auggie": ("@augmentcode/auggie", "0.36.0", "auggie"),
    "droid": ("@factory/cli", "0.225.1", "droid"),
    # 7.8.1 (npm's latest) has no Linux binary package.
    "kilo": ("@kilocode/cli", "7.7.7", "kilo"),
    "cline": ("cline", "3.0.65", "cline"),
}
# Installed beside them: Droid's wrapper 0.225.1 runs this binary (the
# registry has no 0.225.1 build of it).
EXTRA_PACKAGES = [("@factory/cli-linux-x64", "0.225.2")]
OPENCODE_PLUGIN = ("@opencode-ai/plugin", "1.18.33")
SCENARIOS = ["deny", "allow", "tamper", "malformed", "uninstall", "subagent", "missing", "concurrent"]
# Scenarios only some agents can run; the others get "n/a" in the table.
ONLY = {"subagent": {"claude", "codex", "copilot"}, "concurrent": {"claude"}}
PROMPT = "Create the file hello.txt containing hello"
SUBAGENT_PROMPT = "Subagent task: create the file hello.txt containing hello"
# Every Claude Code 2.1.197 hook event that does not replace a built-in
# action (WorktreeCreate would) or wait for input (Elicitation).
CLAUDE_RECORDED_EVENTS = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "PermissionDenied", "Notification", "SubagentStart", "SubagentStop", "TaskCreated", "TaskCompleted", "Stop", "StopFailure", "SessionEnd"]
# Codex 0.169.0 and Copilot CLI 1.0.102: the events uas registers.
CODEX_RECORDED_EVENTS = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "SubagentStart", "SubagentStop", "PreCompact", "Stop", "SessionEnd"]
COPILOT_RECORDED_EVENTS = ["sessionStart", "userPromptSubmitted", "preToolUse", "permissionRequest", "postToolUse", "postToolUseFailure", "subagentStart", "subagentStop", "preCompact", "agentStop", "errorOccurred", "sessionEnd"]


def netns():
    """`unshare -n`; as a normal user inside a user namespace too (`-r`)."""
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-r", "-n"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def install(cache):
    """npm-installs the pinned agents once into `cache` (reused after)."""
    cache.mkdir(parents=True, exist_ok=True)
    pinned = [(p, v) for p, v, _ in AGENTS.values()] + EXTRA_PACKAGES
    want = [f"{p}@{v}" for p, v in pinned]
    have_ok = True
    for pkg, ver in pinned:
        pj = cache / "node_modules" / pkg / "package.json"
        if not pj.exists() or json.loads(pj.read_text()).get("version") != ver:
            have_ok = False
    if not have_ok:
        print(f"installing agents into {cache} (once)", file=sys.stderr)
        if not (cache / "package.json").exists():
            (cache / "package.json").write_text('{"name":"uas-e2e-agents","private":true}\n')
        r = run(["npm", "install", "--save-exact", "--no-audit", "--no-fund", "--loglevel=error", *want], cwd=cache)
        if r.returncode != 0:
            sys.exit(f"npm install of the agents failed:\n{r.stderr}")
    plug = cache / "opencode-plugin"
    pj = plug / "node_modules" / OPENCODE_PLUGIN[0] / "package.json"
    if not pj.exists() or json.loads(pj.read_text()).get("version") != OPENCODE_PLUGIN[1]:
        plug.mkdir(parents=True, exist_ok=True)
        (plug / "package.json").write_text('{"dependencies":{}}\n')
        r = run(["npm", "install", "--save-exact", "--no-audit", "--no-fund", "--loglevel=error", f"{OPENCODE_PLUGIN[0]}@{OPENCODE_PLUGIN[1]}"], cwd=plug)
        if r.returncode != 0:
            sys.exit(f"npm install of {OPENCODE_PLUGIN[0]} failed:\n{r.stderr}")
    return cache / "node_modules" / ".bin"


class Home:
    """A fresh temporary machine: HOME, XDG dirs, a project, the uas home."""

    def __init__(self, root, agent, uas, agent_bin):
        self.root = Path(root)
        self.agent = agent
        self.uas = uas
        self.home = self.root / "home"
        self.project = self.home / "project"
        self.project.mkdir(parents=True)
        self.marker = self.root / "user-hook-fired"
        self.recorded = self.root / "recorded-hooks"
        node_dir = str(Path(shutil.which("node") or "/usr/bin/node").parent)
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local/state"),
            "CODEX_HOME": str(self.home / ".codex"),
            "COPILOT_HOME": str(self.home / ".copilot"),
            "PATH": f"{agent_bin}:{node_dir}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
        }

    @property
    def agent_home(self):
        return self.home / ".agent"

    def uas_run(self, *args):
        return run([self.uas, *args], env=self.env, cwd=self.project)

    def events(self):
        r = self.uas_run("audit", "export", "--format", "jsonl")
        if r.returncode != 0:
            return []
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def user_hook_command(h):
    return f"sh -c 'cat >/dev/null; echo fired >> {h.marker}'"


def recorder_command(h, event):
    """A user hook that keeps each stdin in its own file, named so that
    sorting gives the firing order, and ending in the event's name (Copilot
    does not name the event on stdin)."""
    return f"sh -c 'cat > {h.recorded}/$(date +%s%N)-$$-{event}.json'"


def recorded(h):
    """(event name, what the agent sent) in firing order."""
    return [(f.stem.rsplit("-", 1)[1], json.loads(f.read_text())) for f in sorted(h.recorded.iterdir())]


def opencode_style_config(schema):
    """OpenCode's (and Kilo's) config pointing at the scripted server."""
    return {
        "$schema": schema,
        "provider": {"mock": {"npm": "@ai-sdk/openai-compatible", "name": "Mock", "options": {"baseURL": f"http://127.0.0.1:{PORT}/v1", "apiKey": "x"}, "models": {"mock-model": {"name": "Mock", "tool_call": True}}}},
        "model": "mock/mock-model",
        "small_model": "mock/mock-model",
        "permission": {"edit": "allow", "bash": "allow"},
        "autoupdate": False,
    }


def user_audit_plugin(h, config_dir):
    """The user's own OpenCode-API plugin (uninstall must keep it)."""
    (config_dir / "plugins").mkdir()
    (config_dir / "plugins/user-audit.js").write_text(
        "import { appendFileSync } from 'node:fs';\n"
        "export const UserAudit = async () => ({\n"
        "  'tool.execute.before': async () => { appendFileSync(%s, 'fired\\n'); },\n"
        "});\n" % json.dumps(str(h.marker))
    )


def write_agent_config(h, with_user_hook, record=False):
    """What the recipe needs to point each agent at the scripted server
    (and, for the uninstall scenario, the user's own hook; for `record`, a
    user hook on every event that keeps what the agent sent), written
    before `uas setup` so setup merges into it like on a real machine."""
    base = f"http://127.0.0.1:{PORT}"
    a = h.agent
    if a == "claude":
        s = {}
        if with_user_hook:
            s["hooks"] = {"PreToolUse": [{"matcher": "", "hooks": [{"type": "command", "command": user_hook_command(h)}]}]}
        if record:
            h.recorded.mkdir()
            s["hooks"] = {e: [{"matcher": "", "hooks": [{"type": "command", "command": recorder_command(h, e)}]}] for e in CLAUDE_RECORDED_EVENTS}
        (h.home / ".claude").mkdir(parents=True)
        (h.home / ".claude/settings.json").write_text(json.dumps(s, indent=2) + "\n")
    elif a == "gemini":
        s = {
            "security": {"auth": {"selectedType": "gemini-api-key"}},
            "telemetry": {"enabled": False},
            "privacy": {"usageStatisticsEnabled": False},
            "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
        }
        if with_user_hook:
            s["hooks"] = {"BeforeTool": [{"matcher": "", "hooks": [{"type": "command", "command": user_hook_command(h), "timeout": 10000}]}]}
        (h.home / ".gemini").mkdir(parents=True)
        (h.home / ".gemini/settings.json").write_text(json.dumps(s, indent=2) + "\n")
    elif a == "codex":
        d = h.home / ".codex"
        d.mkdir(parents=True)
        # Codex 0.169.0 offers spawn_agent (in its `collaboration` tool
        # namespace) only with multi-agent v2 on; the deprecated v1
        # (`multi_agent`, on by default) offers no agent tool to `codex exec`.
        features = "multi_agent_v2 = true\n" if getattr(h, "scenario", None) == "subagent" else ""
        (d / "config.toml").write_text(
            f"""model = "gpt-5.5"
model_provider = "mock"
check_for_update_on_startup = false

[model_providers.mock]
name = "mock"
base_url = "{base}/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
request_max_retries = 0
stream_max_retries = 0

[features]
plugins = false
{features}
[analytics]
enabled = false

[feedback]
enabled = false
"""
        )
        if with_user_hook:
            (d / "hooks.json").write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": "", "hooks": [{"type": "command", "command": user_hook_command(h)}]}]}}, indent=2) + "\n")
        if record:
            h.recorded.mkdir()
            (d / "hooks.json").write_text(json.dumps({"hooks": {e: [{"matcher": "", "hooks": [{"type": "command", "command": recorder_command(h, e)}]}] for e in CODEX_RECORDED_EVENTS}}, indent=2) + "\n")
    elif a == "opencode":
        d = h.home / ".config/opencode"
        d.mkdir(parents=True)
        cfg = opencode_style_config("https://opencode.ai/config.json")
        (d / "opencode.json").write_text(json.dumps(cfg, indent=2) + "\n")
        plug = CACHE / "agents" / "opencode-plugin"
        shutil.copy(plug / "package.json", d / "package.json")
        shutil.copy(plug / "package-lock.json", d / "package-lock.json")
        shutil.copytree(plug / "node_modules", d / "node_modules", symlinks=True)
        if with_user_hook:
            user_audit_plugin(h, d)
    elif a == "copilot":
        d = h.home / ".copilot"
        d.mkdir(parents=True)
        s = {}
        if with_user_hook:
            s["hooks"] = {"preToolUse": [{"type": "command", "bash": user_hook_command(h), "timeoutSec": 10}]}
        if record:
            h.recorded.mkdir()
            s["hooks"] = {e: [{"type": "command", "bash": recorder_command(h, e), "timeoutSec": 10}] for e in COPILOT_RECORDED_EVENTS}
        (d / "settings.json").write_text(json.dumps(s, indent=2) + "\n")
    else:
        write_config_of_new_agents(h, with_user_hook)


def write_config_of_new_agents(h, with_user_hook):
    """Qwen Code and Auggie (their settings file is their hook file, in
    Claude's shape)."""
    user = {"PreToolUse": [{"matcher": "", "hooks": [{"type": "command", "command": user_hook_command(h)}]}]}
    if h.agent == "cline":
        # Cline keeps its provider in ~/.cline/data/settings/providers.json.
        r = run([*netns(), "cline", "auth", "-p", "openai-compatible", "-k", "dummy", "-m", "mock-model", "-b", f"http://127.0.0.1:{PORT}/v1"], env=cline_env(h), cwd=h.project)
        check(r.returncode == 0, f"cline auth failed: {r.stdout} {r.stderr}")
        if with_user_hook:
            d = h.home / ".cline/plugins"
            d.mkdir(parents=True, exist_ok=True)
            (d / "user-audit.js").write_text(
                "import { appendFileSync } from 'node:fs';\n"
                "export default { name: 'user-audit', manifest: { capabilities: ['hooks'] }, hooks: {\n"
                "  beforeTool: async () => { appendFileSync(%s, 'fired\\n'); return undefined; },\n"
                "} };\n" % json.dumps(str(h.marker))
            )
        return
    if h.agent == "kilo":
        d = h.home / ".config/kilo"
        d.mkdir(parents=True)
        (d / "kilo.json").write_text(json.dumps(opencode_style_config("https://app.kilo.ai/config.json"), indent=2) + "\n")
        if with_user_hook:
            user_audit_plugin(h, d)
        return
    if h.agent == "droid":
        d = h.home / ".factory"
        d.mkdir(parents=True)
        s = {"customModels": [{"model": "claude-sonnet-4-5", "displayName": "Mock", "provider": "anthropic", "baseUrl": f"http://127.0.0.1:{PORT}", "apiKey": "dummy", "maxOutputTokens": 4096}]}
        (d / "settings.json").write_text(json.dumps(s, indent=2) + "\n")
        if with_user_hook:
            # hooks.json: the event map at the top level, beside its switches.
            (d / "hooks.json").write_text(json.dumps({"hooksDisabled": False, **user}, indent=2) + "\n")
        return
    if h.agent == "qwen":
        s = {
            "security": {"auth": {"selectedType": "openai"}},
            "model": {"name": "mock-model"},
            "telemetry": {"enabled": False},
            "privacy": {"usageStatisticsEnabled": False},
            "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
        }
        d = h.home / ".qwen"
    else:
        s = {}
        d = h.home / ".augment"
    if with_user_hook:
        s["hooks"] = user
    d.mkdir(parents=True)
    (d / "settings.json").write_text(json.dumps(s, indent=2) + "\n")


def cline_env(h):
    """Cline without its background hub process (it outlives the CLI)."""
    return dict(h.env, USER="user", CLINE_SESSION_BACKEND_MODE="local", CLINE_NO_AUTO_UPDATE="1")


def agent_command(h, prompt):
    base = f"http://127.0.0.1:{PORT}"
    a = h.agent
    env = dict(h.env)
    if a == "claude":
        env.update(ANTHROPIC_BASE_URL=base, ANTHROPIC_API_KEY="dummy", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_TELEMETRY="1", DISABLE_ERROR_REPORTING="1", DISABLE_AUTOUPDATER="1")
        argv = ["claude", "-p", prompt, "--output-format", "json", "--permission-mode", "acceptEdits"]
    elif a == "gemini":
        env.update(GOOGLE_GEMINI_BASE_URL=base, GEMINI_API_KEY="dummy", GEMINI_CLI_TRUST_WORKSPACE="true", NO_BROWSER="1")
        argv = ["gemini", "-p", prompt, "-m", "gemini-2.5-flash", "--output-format", "json", "--yolo"]
    elif a == "codex":
        env.update(MOCK_API_KEY="x")
        argv = ["codex", "exec", "--skip-git-repo-check", "--json", "-s", "danger-full-access"]
        if TRUST_BYPASS:
            argv.append("--dangerously-bypass-hook-trust")
        argv.append(prompt)
    elif a == "opencode":
        env.update(OPENCODE_DISABLE_AUTOUPDATE="1", OPENCODE_DISABLE_MODELS_FETCH="1", OPENCODE_DISABLE_DEFAULT_PLUGINS="1", OPENCODE_DISABLE_LSP_DOWNLOAD="1", OPENCODE_DISABLE_SHARE="1", npm_config_offline="true", npm_config_fetch_retries="0")
        argv = ["opencode", "run", prompt]
    elif a == "qwen":
        env.update(OPENAI_API_KEY="dummy", OPENAI_BASE_URL=f"{base}/v1", OPENAI_MODEL="mock-model")
        argv = ["qwen", prompt, "--yolo", "--output-format", "json", "--auth-type", "openai", "-m", "mock-model"]
    elif a == "cline":
        env = cline_env(h)
        argv = ["cline", "--json", prompt]
    elif a == "droid":
        env.update(FACTORY_AIRGAP_ENABLED="true")
        argv = ["droid", "exec", "--auto", "low", "-m", "custom:claude-sonnet-4-5", "-o", "json", prompt]
    elif a == "kilo":
        env.update(KILO_DISABLE_AUTOUPDATE="1", KILO_DISABLE_MODELS_FETCH="1", KILO_DISABLE_DEFAULT_PLUGINS="1", KILO_DISABLE_LSP_DOWNLOAD="1", KILO_DISABLE_SHARE="1", KILO_TELEMETRY_LEVEL="off", npm_config_offline="true", npm_config_fetch_retries="0")
        argv = ["kilo", "run", "--format", "json", prompt]
    elif a == "auggie":
        # Auggie's "session" names the service; plain http on loopback is accepted.
        env.update(AUGMENT_SESSION_AUTH=json.dumps({"accessToken": "dummy", "tenantURL": f"{base}/", "scopes": ["email"]}), AUGMENT_DISABLE_AUTO_UPDATE="1")
        argv = ["auggie", "--print", prompt, "--output-format", "json"]
    elif a == "copilot":
        env.update(COPILOT_OFFLINE="true", COPILOT_AUTO_UPDATE="false", COPILOT_PROVIDER_BASE_URL=f"{base}/v1", COPILOT_PROVIDER_API_KEY="x", COPILOT_PROVIDER_TYPE="openai", COPILOT_PROVIDER_WIRE_API="completions", COPILOT_MODEL="gpt-5.4")
        argv = ["copilot", "-p", prompt, "--allow-all-tools", "--no-auto-update", "--disable-client-telemetry"]
    return argv, env


def run_agent(h, calls, tag, extra_args=()):
    """Runs the agent and the scripted server together under `unshare -n`."""
    spec = h.root / f"{tag}-spec.json"
    argv, env = agent_command(h, PROMPT)
    argv = [*argv, *extra_args]
    spec.write_text(json.dumps({"agent": h.agent, "calls": calls, "argv": argv, "env": env, "cwd": str(h.project), "log": str(h.root / f"{tag}-requests.jsonl"), "out": str(h.root / f"{tag}-agent.json"), "port": PORT}))
    r = run([*netns(), "--", "sh", "-c", 'ip link set lo up && exec "$0" "$1" --inner "$2"', sys.executable, str(Path(__file__).resolve()), str(spec)])
    if r.returncode != 0:
        raise AssertionError(f"namespace runner failed ({r.returncode}): {r.stderr[-2000:]}")
    out = json.loads((h.root / f"{tag}-agent.json").read_text())
    log = h.root / f"{tag}-requests.jsonl"
    requests = [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []
    return out, requests


def inner(spec_path):
    sys.path.insert(0, str(HERE))
    import model_server

    spec = json.loads(Path(spec_path).read_text())
    calls = [tuple(c) for c in spec["calls"]]
    server = model_server.Server(spec["agent"], calls, spec["log"], spec["port"])
    t0 = time.time()
    try:
        p = subprocess.run(spec["argv"], env=spec["env"], cwd=spec["cwd"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
        result = {"code": p.returncode, "stdout": p.stdout[-20000:], "stderr": p.stderr[-20000:]}
    except subprocess.TimeoutExpired as e:
        result = {"code": None, "stdout": str(e.stdout)[-5000:], "stderr": "TIMEOUT " + str(e.stderr)[-5000:]}
    result["seconds"] = time.time() - t0
    Path(spec["out"]).write_text(json.dumps(result))


# ---------------------------------------------------------------- scenarios

def decisions(events):
    out = []
    for e in events:
        d = json.loads(e["decision"]) if e.get("decision") else {}
        out.append((e, d))
    return out


def denied(events):
    return [(e, d) for e, d in decisions(events) if d.get("action") == "deny"]


def requests_text(requests):
    return "\n".join(json.dumps(r.get("body", {})) for r in requests)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def verify_ok(h):
    r = h.uas_run("--json", "audit", "verify")
    v = json.loads(r.stdout or "{}")
    check(v.get("ok") is True, f"uas audit verify failed: {r.stdout} {r.stderr}")


def recording_uas(h):
    """With --record DIR: a copy of uas that setup registers, replaced after
    setup by a script that keeps each stdin as DIR/<agent>/<scenario>/
    NNN-<event>.json and then runs the real uas on it."""
    copy = h.root / "rec-bin" / "uas"
    copy.parent.mkdir()
    shutil.copy2(h.uas, copy)
    return copy


def start_recording(h, copy):
    out = RECORD / h.agent / h.scenario
    out.mkdir(parents=True, exist_ok=True)
    copy.unlink()
    copy.write_text(
        "#!/bin/sh\n"
        f"f={out}/$(date +%s%N)-$3.json\n"
        'cat > "$f"\n'
        f'exec {h.uas} "$@" < "$f"\n'
    )
    copy.chmod(0o755)


def finish_recording(h):
    """Numbers the recorded inputs in firing order and rewrites the temp
    home to /home/user (one JSON document per file, pretty-printed)."""
    out = RECORD / h.agent / h.scenario
    for i, f in enumerate(sorted(p for p in out.iterdir() if p.name[0].isdigit() and len(p.name.split("-", 1)[0]) > 12), 1):
        text = f.read_text()
        for real, shown in [(str(h.home), "/home/user"), (str(h.home).replace("/", "-"), "-home-user"), (str(h.home).lstrip("/"), "home/user"), (str(h.root), "/var/tmp/e2e")]:
            text = text.replace(real, shown)
        try:
            text = json.dumps(json.loads(text), indent=2) + "\n"
        except ValueError:
            pass
        (out / f"{i:03}-{f.name.split('-', 1)[1]}").write_text(text)
        f.unlink()


def setup(h, with_user_hook=False, record=False, uas=None):
    write_agent_config(h, with_user_hook, record)
    recorder = None
    if RECORD and uas is None and h.scenario in ("deny", "allow"):
        recorder = uas = str(recording_uas(h))
    uas = uas or h.uas
    r = run([uas, "init"], env=h.env, cwd=h.project)
    check(r.returncode == 0, f"uas init failed: {r.stdout}\n{r.stderr}")
    if h.agent == "codex":
        # One-click trust through `codex app-server` (offline, so it runs in
        # a private network namespace too); the user's own hook in the
        # uninstall scenario is trusted the same way a user would.
        r = run([*netns(), uas, "setup", "--agent", "codex", "--yes", "--trust-codex-hooks"], env=h.env, cwd=h.project)
    else:
        r = run([uas, "setup", "--agent", h.agent, "--yes"], env=h.env, cwd=h.project)
    check(r.returncode == 0, f"uas setup failed: {r.stdout}\n{r.stderr}")
    if recorder:
        start_recording(h, Path(recorder))


def scenario_deny(h):
    setup(h)
    target = h.project / "hello.txt"
    out, reqs = run_agent(h, [("write", str(target), "hello")], "deny")
    check(not target.exists(), "the denied file was written")
    ev = h.events()
    kinds = {e["kind"] for e in ev}
    check("session_start" in kinds, f"no session start audited: {sorted(kinds)}")
    d = denied(ev)
    check(d, f"no denied attempt audited; agent said: {out['stderr'][-800:]}")
    e, dec = d[0]
    check(dec.get("rule", "").startswith("plan-before") and dec.get("phase"), f"deny without rule/phase: {dec}")
    check("No plan is recorded" in requests_text(reqs), "the agent did not pass our reason to the model")
    if h.agent in ("claude", "codex", "gemini", "qwen", "droid"):
        # These accept session-start context: the model is told the phase.
        check("Universal Agent SOP `default` is enforced" in requests_text(reqs), "the SOP brief did not reach the model")
    verify_ok(h)


def scenario_allow(h):
    setup(h)
    plan, target = h.project / "PLAN.md", h.project / "hello.txt"
    out, reqs = run_agent(h, [("write", str(plan), "1. write hello.txt"), ("write", str(target), "hello")], "allow")
    check(plan.exists(), f"the plan was not written; agent: {out['stderr'][-800:]}")
    check(target.exists(), f"the write after the plan was not allowed; denies: {[d for _, d in denied(h.events())]}")
    posts = [e for e in h.events() if e["kind"] == "post_tool" and "hello.txt" in e["payload"]]
    check(posts, "the post-tool event of the allowed write was not audited")
    check(not denied(h.events()), f"unexpected deny: {denied(h.events())}")
    verify_ok(h)


TAMPER_TARGETS = {
    # Inside the uas home.
    "claude": ".agent/sop/override.toml",
    # The agent's own (project-level) hook configuration: agents that refuse
    # paths outside the workspace before any hook runs get this one.
    "gemini": "project/.gemini/settings.json",
    "codex": "project/.codex/hooks.json",
    "opencode": "project/.opencode/plugins/override.js",
    "copilot": "project/.github/hooks/override.json",
    "qwen": "project/.qwen/settings.json",
    "auggie": "project/.augment/settings.json",
    "droid": "project/.factory/hooks.json",
    "kilo": "project/.kilo/plugins/override.js",
    "cline": "project/.cline/plugins/override.js",
}


def scenario_tamper(h):
    setup(h)
    sop = h.agent_home / "sop"
    before = {p.name: p.read_bytes() for p in sop.iterdir()}
    # A new file (agents refuse to overwrite a file they have not read,
    # before any hook runs).
    target = h.home / TAMPER_TARGETS[h.agent]
    out, reqs = run_agent(h, [("write", str(target), '{"hooks": {}}')], "tamper")
    check(not target.exists(), f"{target} was written")
    check({p.name: p.read_bytes() for p in sop.iterdir()} == before, "the uas home was changed")
    d = [(e, dec) for e, dec in denied(h.events()) if dec.get("violation") == "tamper"]
    check(d, f"no tamper violation audited; agent: {out['stderr'][-800:]}")
    check(d[0][0]["severity"] == "critical", f"tamper not critical: {d[0][0]}")
    verify_ok(h)


def scenario_malformed(h):
    setup(h)
    out, reqs = run_agent(h, [("malformed", "unknown_tool"), ("malformed", "broken_json")], "malformed")
    check(out["code"] is not None, "the agent hung")
    # The agent's own error handling went on: the model got results back.
    seen = max((r.get("reply", {}).get("results_seen", 0) for r in reqs if r.get("method") == "POST"), default=0)
    check(seen >= 1, f"the agent never reported the malformed call back to the model: {out['stderr'][-800:]}")
    text = out["stdout"] + out["stderr"]
    check("panicked" not in text, f"a hook panicked: {text[-1500:]}")
    ev = h.events()
    check(any(e["kind"] == "session_start" for e in ev) or h.agent == "opencode", "hooks did not run at all")
    # Whatever reached our hook is audited (tool name recorded), nothing crashed.
    verify_ok(h)
    h.malformed_seen = sorted({json.loads(e["payload"]).get("tool", {}).get("name", e["kind"]) for e in ev if e["kind"] in ("pre_tool", "post_tool", "malformed")})


def trust_user_codex_hook(h, needle="user-hook-fired"):
    """What a user does in Codex's /hooks for their own hook (the hooks
    whose command contains `needle`)."""
    reqs = "\n".join(json.dumps(r) for r in [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"clientInfo": {"name": "e2e", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "hooks/list", "params": {"cwds": [str(h.home)]}},
    ]) + "\n"
    p = subprocess.Popen([*netns(), "codex", "app-server"], env=h.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    p.stdin.write(reqs)
    p.stdin.flush()
    listed = None
    for line in p.stdout:
        v = json.loads(line)
        if v.get("id") == 2:
            listed = v
            break
    p.kill()
    p.wait()
    hooks = [x for d in listed["result"]["data"] for x in d["hooks"] if needle in x["command"]]
    check(hooks, "codex does not list the user's hook")
    with open(h.home / ".codex/config.toml", "a") as f:
        for x in hooks:
            f.write(f'\n[hooks.state."{x["key"]}"]\ntrusted_hash = "{x["currentHash"]}"\n')


def scenario_uninstall(h):
    setup(h, with_user_hook=True)
    if h.agent == "codex":
        trust_user_codex_hook(h)
    r = h.uas_run("uninstall", "--agent", h.agent, "--yes")
    check(r.returncode == 0, f"uninstall failed: {r.stderr}")
    for f in h.home.rglob("*"):
        if f.is_file() and f.suffix in (".json", ".js", ".toml") and "node_modules" not in f.parts and ".agent" not in f.parts:
            check("uas hook" not in f.read_text(errors="ignore") and "uas:managed" not in f.read_text(errors="ignore"), f"uas left in {f}")
    n_before = len(h.events())
    target = h.project / "hello.txt"
    out, reqs = run_agent(h, [("write", str(target), "hello")], "uninstall")
    check(target.exists(), f"without uas the write should go through; agent: {out['stderr'][-800:]}")
    check(h.marker.exists(), "the user's own hook did not fire")
    check(len(h.events()) == n_before, "a uas hook still ran after uninstall")


# Per agent: the tool the main conversation starts the subagent with (as
# the model calls it), the subagent's write tool, the main conversation's
# calls after it, the subagent's type, the hook event names, and the stdin
# fields that carry the session, the tool and the subagent.
SUBAGENT = {
    # Claude Code 2.1.197: `Agent` runs the subagent to its end.
    "claude": {"spawn": "Agent", "write": "Write", "after": [], "type": "general-purpose",
               "events": ("SessionStart", "PreToolUse", "SubagentStart", "SubagentStop"),
               "session": "session_id", "parent": "session_id", "tool": "tool_name", "id": "agent_id", "kind": "agent_type", "spawn_hook_tool": "Agent"},
    # Codex 0.169.0 with multi-agent v2: `collaboration.spawn_agent` returns at
    # once, `wait_agent` waits for the child; its hooks name the tool
    # `collaborationspawn_agent` (namespace and name run together).
    "codex": {"spawn": "spawn_agent", "write": "apply_patch", "after": [("wait_subagent",)], "type": "default",
              "events": ("SessionStart", "PreToolUse", "SubagentStart", "SubagentStop"),
              "session": "session_id", "parent": "session_id", "tool": "tool_name", "id": "agent_id", "kind": "agent_type", "spawn_hook_tool": "collaborationspawn_agent"},
    # Copilot CLI 1.0.102: `task` with mode "sync"; with a BYOK provider only
    # `bash` writes files. The subagent's own hooks (userPromptSubmitted,
    # preToolUse, agentStop) carry `sessionId` = its `agentId`, and the
    # parent's session as `parentAgentId`; subagentStart/subagentStop carry
    # the parent's `sessionId`.
    "copilot": {"spawn": "task", "write": "bash", "after": [], "type": "general-purpose",
                "events": ("sessionStart", "preToolUse", "subagentStart", "subagentStop"),
                "session": "sessionId", "parent": "parentAgentId", "tool": "toolName", "id": "agentId", "kind": "agentType", "spawn_hook_tool": "task"},
}


def scenario_subagent(h):
    """The main conversation starts a subagent (Claude's `Agent`, Codex's
    `spawn_agent`, Copilot's `task`) and the subagent writes before any plan
    exists. The subagent's tool calls go through the same pre-tool hooks and
    are denied; SubagentStart and SubagentStop fire, and uas records both
    with the subagent's id, as it does on the subagent's tool calls. Claude
    and Codex send the subagent's calls in the parent's session, with
    `agent_id`/`agent_type` added. If a later agent stops sending subagent
    calls to the hooks, this fails."""
    spec = SUBAGENT[h.agent]
    ev_start, ev_pre, ev_sub_start, ev_sub_stop = spec["events"]
    setup(h, record=True)
    if h.agent == "codex":
        trust_user_codex_hook(h, needle=str(h.recorded))
    target = h.project / "hello.txt"
    out, reqs = run_agent(h, [("subagent", SUBAGENT_PROMPT, [("write", str(target), "hello")]), *spec["after"]], "subagent")
    posts = [r for r in reqs if r.get("method") == "POST"]
    main_calls = [r["reply"]["tool"] for r in posts if r["reply"].get("conversation") == "main"]
    check(spec["spawn"] in main_calls, f"the main conversation was never offered the {spec['spawn']} tool: {main_calls}")
    sub = [r for r in posts if r["reply"].get("conversation") == "subagent"]
    check(any(r["reply"]["tool"] == spec["write"] for r in sub), f"no subagent conversation reached the model; agent: {out['stdout'][-800:]} {out['stderr'][-800:]}")
    check(not target.exists(), "the subagent's write before a plan went through")
    ev = h.events()
    starts = [e for e in ev if e["kind"] == "session_start"]
    check(len(starts) == 1, f"expected one session start, got {len(starts)}")
    d = [(e, dec) for e, dec in denied(ev) if e["kind"] == "pre_tool" and str(target) in e["payload"]]
    check(d, f"the subagent's {spec['write']} was not denied by uas's hook; decisions: {[dec for _, dec in decisions(ev)]}")
    e, dec = d[0]
    check(dec.get("rule", "").startswith("plan-before"), f"deny without the plan rule: {dec}")
    check("No plan is recorded" in requests_text(sub), "the subagent's model did not get our reason")
    # What the agent sent on stdin (the recorder user hook).
    rec = recorded(h)
    by_event = {}
    for name, r in rec:
        by_event.setdefault(name, []).append(r)
    parent = by_event[ev_start][0][spec["session"]]
    writes = [r for r in by_event.get(ev_pre, []) if r.get(spec["tool"]) == spec["write"] and str(target) in json.dumps(r)]
    check(writes, f"no {ev_pre} for the subagent's {spec['write']}; events: {[n for n, _ in rec]}")
    w = writes[0]
    sub_id = w.get(spec["id"])
    check(sub_id and w.get(spec["kind"]) == spec["type"], f"the subagent's {ev_pre} lacks {spec['id']}/{spec['kind']}: {sorted(w)}")
    check(w.get(spec["parent"]) == parent, f"the subagent's {ev_pre} does not name the parent's session in {spec['parent']}: {w.get(spec['parent'])} (parent {parent})")
    check(e["session"] == starts[0]["session"], f"the subagent's call was audited under another session: {e['session']} vs {starts[0]['session']} (the agent sent {spec['session']} {w.get(spec['session'])}, {spec['parent']} {w.get(spec['parent'])})")
    for name in (ev_sub_start, ev_sub_stop):
        check(any(r.get(spec["id"]) == sub_id for r in by_event.get(name, [])), f"{name} did not fire for agent {sub_id}")
    for kind in ("subagent_start", "subagent_stop"):
        got = [x for x in ev if x["kind"] == kind and json.loads(x["payload"]).get("subagent", {}).get("id") == sub_id]
        check(got, f"uas recorded no {kind} for agent {sub_id}: {sorted({x['kind'] for x in ev})}")
    check(json.loads(e["payload"]).get("subagent", {}).get("id") == sub_id, f"the denied call does not name its subagent: {e['payload'][:400]}")
    own = [r for r in by_event[ev_pre] if r.get(spec["tool"]) == spec["spawn_hook_tool"]]
    check(own, f"no {ev_pre} for the parent's {spec['spawn']} call")
    h.note = f"subagent {spec['write']} denied in the parent session; its {ev_pre} adds {sorted(set(w) - set(own[0]))}"


def scenario_missing(h):
    """Set up with a copy of uas, then delete the copy: every hook command
    now fails to start (exit 127). Whether the agent runs the write anyway
    is what it does when our hook crashes; `uas detect` must say the same
    (its `on_failure`), so a changed agent fails here."""
    copy = h.root / "bin" / "uas"
    copy.parent.mkdir()
    shutil.copy2(h.uas, copy)
    setup(h, uas=str(copy))
    copy.unlink()
    target = h.project / "hello.txt"
    out, reqs = run_agent(h, [("write", str(target), "hello")], "missing")
    observed = "open" if target.exists() else "closed"
    r = h.uas_run("--json", "detect")
    claimed = next(a["capabilities"]["on_failure"] for a in json.loads(r.stdout) if a["detection"]["agent"] == h.agent)
    check(observed == claimed, f"with the hook binary missing the agent fails {observed}, but uas says {claimed}; agent: {out['stderr'][-600:]}")
    check(out["code"] is not None, "the agent hung")
    h.note = f"hook binary missing: fails {observed} (exit {out['code']})"


def holds(h, name):
    """Whether some session holds a lease on a file called `name`."""
    r = h.uas_run("--json", "lease", "list")
    try:
        return any(l["key"]["path"].endswith(name) for l in json.loads(r.stdout or "[]"))
    except ValueError:
        return False


def scenario_concurrent(h):
    """Two real Claude Code sessions in one project at the same time. The
    first plans, writes hello.txt and then waits (a shell loop) until the
    second has finished; the second plans in its own plan file and tries to
    write hello.txt too: uas denies it, naming the first session, the
    denial reaches the second model, and the first session's file stays."""
    setup(h)
    (h.project / ".uas").mkdir()
    target = h.project / "hello.txt"
    gate = h.root / "second-done"
    wait = f"i=0; while [ ! -e {gate} ] && [ $i -lt 1500 ]; do sleep 0.1; i=$((i+1)); done; echo waited"
    first = [("write", str(h.project / "PLAN.md"), "1. write hello.txt"), ("write", str(target), "from the first session"), ("shell", wait)]
    second = [("write", str(h.project / ".uas" / "plan.md"), "1. write hello.txt"), ("read", str(target)), ("write", str(target), "from the second session")]
    done = {}
    runner = threading.Thread(target=lambda: done.update(first=run_agent(h, first, "first", ["--allowedTools", "Bash"])))
    runner.start()
    try:
        deadline = time.time() + 150
        while time.time() < deadline and runner.is_alive() and not holds(h, "hello.txt"):
            time.sleep(0.2)
        check(holds(h, "hello.txt"), f"the first session never leased hello.txt: {h.uas_run('lease', 'list').stdout}")
        out, reqs = run_agent(h, second, "second")
    finally:
        gate.touch()
        runner.join(timeout=240)
    check("first" in done, "the first session did not finish")
    check(target.read_text() == "from the first session", f"hello.txt was overwritten: {target.read_text()!r}")
    leases = [(e, d) for e, d in denied(h.events()) if d.get("rule") == "coordination.lease"]
    check(leases, f"no lease denial audited; denies: {[d for _, d in denied(h.events())]}; second agent: {out['stderr'][-600:]}")
    check("is being edited by claude session" in requests_text(reqs), "the lease denial did not reach the second model")
    sessions = {e["session"] for e, _ in leases}
    check(len(sessions) == 1, f"denials in several sessions: {sessions}")
    r = h.uas_run("--json", "lease", "list")
    check(json.loads(r.stdout or "[]") == [], f"leases outlived both sessions: {r.stdout}")
    verify_ok(h)


RUNNERS = {
    "deny": scenario_deny,
    "allow": scenario_allow,
    "tamper": scenario_tamper,
    "malformed": scenario_malformed,
    "uninstall": scenario_uninstall,
    "subagent": scenario_subagent,
    "missing": scenario_missing,
    "concurrent": scenario_concurrent,
}


def main():
    global CACHE, TRUST_BYPASS, RECORD
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agent", action="append", choices=list(AGENTS))
    ap.add_argument("--scenario", action="append", choices=SCENARIOS)
    ap.add_argument("--uas", default=str(ROOT / "target/debug/uas"))
    ap.add_argument("--cache", default=os.environ.get("UAS_E2E_CACHE", str(Path.home() / ".cache/uas-e2e")))
    ap.add_argument("--keep", action="store_true", help="keep the temporary homes")
    ap.add_argument("--record", metavar="DIR", help="keep what each agent sent uas in the deny and allow scenarios, as DIR/<agent>/<scenario>/NNN-<event>.json (to refresh the fixtures of crates/uas-hook/tests)")
    ap.add_argument("--inner", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        return inner(args.inner)
    CACHE = Path(args.cache)
    RECORD = Path(args.record).resolve() if args.record else None
    TRUST_BYPASS = False
    if not shutil.which("unshare"):
        sys.exit("unshare not found (util-linux): the real-agent tests need a private network namespace")
    uas = str(Path(args.uas).resolve())
    if not Path(uas).exists():
        sys.exit(f"{uas} not found: build it first (cargo build -p uas-cli)")
    agent_bin = install(CACHE / "agents")
    rows, failed = [], 0
    # Codex refuses a CODEX_HOME under /tmp, so homes live in /var/tmp.
    work = Path(tempfile.mkdtemp(prefix="uas-e2e-", dir="/var/tmp"))
    for agent in args.agent or list(AGENTS):
        version = AGENTS[agent][1]
        exe = agent_bin / AGENTS[agent][2]
        for sc in args.scenario or SCENARIOS:
            t0 = time.time()
            if agent not in ONLY.get(sc, AGENTS):
                rows.append((agent, version, sc, "n/a", 0.0, ""))
                continue
            root = work / f"{agent}-{sc}"
            root.mkdir()
            h = Home(root, agent, uas, agent_bin)
            h.scenario = sc
            try:
                check(exe.exists(), f"agent binary {exe} missing")
                RUNNERS[sc](h)
                if RECORD and sc in ("deny", "allow"):
                    finish_recording(h)
                for e in h.events():
                    us = json.loads(e["payload"]).get("hook_us")
                    if us is not None:
                        HOOK_US.setdefault(agent, []).append(us)
                result, note = "pass", getattr(h, "note", getattr(h, "malformed_seen", ""))
            except AssertionError as e:
                failed += 1
                result, note = "FAIL", str(e)
            rows.append((agent, version, sc, result, time.time() - t0, note))
            print(f"{agent:<9} {sc:<10} {result} {time.time() - t0:5.1f}s {note if result != 'pass' else ''}", file=sys.stderr, flush=True)
    print(f"\n{'agent':<9} {'version':<9} {'scenario':<10} {'result':<6} {'seconds':>7}")
    for agent, version, sc, result, secs, note in rows:
        extra = f"  {note}" if note and result == "pass" else ""
        print(f"{agent:<9} {version:<9} {sc:<10} {result:<6} {secs:7.1f}{extra}")
    print("\nhook decision time inside the real runs (read event -> decided, from the audit log's hook_us):")
    for agent, us in HOOK_US.items():
        us = sorted(us)
        print(f"  {agent:<9} {len(us):3} events  p50 {us[len(us) // 2] / 1000:.2f} ms  p99 {us[min(len(us) - 1, int(len(us) * 0.99))] / 1000:.2f} ms")
    ran = sum(1 for r in rows if r[3] != "n/a")
    na = f", {len(rows) - ran} n/a" if ran < len(rows) else ""
    print(f"\n{ran - failed}/{ran} passed{na}; homes in {work}" if args.keep else f"\n{ran - failed}/{ran} passed{na}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


CACHE = None
RECORD = None
TRUST_BYPASS = True
HOOK_US = {}

if __name__ == "__main__":
    sys.exit(main() or 0)
