#!/usr/bin/env bash
# Install journey, as a user does it, on this checkout:
#   1. `./x setup` with a temporary HOME whose path has a space and a
#      temporary UAS_BIN_DIR (CARGO_TARGET_DIR set, as many Rust users have
#      it): uas and uas-desktop are installed there, init and doctor ran;
#   2. `uas setup` with the installed uas: every hook command and plugin of
#      every set-up agent runs the installed binary, quoted, never target/;
#   3. the cargo target folder gone (`cargo clean`): the hook Claude runs
#      still answers, through a shell with a PATH that holds no uas, and
#      denies a write before a plan;
#   4. upgrade while 4 processes run hooks in a loop: no hook call fails;
#   5. `uas setup` from the cargo build folder without --dev is refused.
# Usage: tests/install.sh   (after the release and debug builds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
target=$("$root/x" target-dir)
aside="$target.cargo-clean-$$"
cleanup() {
  [ -d "$aside" ] && mv "$aside" "$target"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { printf 'install test FAILED: %s\n' "$*" >&2; exit 1; }

home="$work/home with space"
bin="$work/my bin"
mkdir -p "$home/project" "$home/.claude" "$home/.codex" "$home/.gemini" "$home/.config/opencode"
printf '# my rules\n' > "$home/.claude/CLAUDE.md"
# Only the user's home moves: cargo, rustup and npm keep their own folders.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
export npm_config_cache=${npm_config_cache:-$HOME/.npm}
export CARGO_TARGET_DIR=$target

echo "-- 1. ./x setup (HOME=$home, UAS_BIN_DIR=$bin)"
start=$(date +%s%N)
HOME="$home" UAS_BIN_DIR="$bin" PATH="$PATH" ./x setup > "$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; fail "./x setup"; }
echo "   ./x setup took $((($(date +%s%N) - start) / 1000000)) ms"
for b in uas uas-desktop; do [ -x "$bin/$b" ] || fail "$bin/$b not installed"; done
[ -f "$home/.agent/config.toml" ] || fail "uas init did not run from the installed uas"
grep -q "is not on your PATH" "$work/setup.log" || fail "no PATH advice for $bin"
version=$("$bin/uas" --version)
echo "$version" | sed 's/^/   /'
echo "$version" | grep -qF "installed at $bin/uas" || fail "--version does not say where it is installed"

export HOME="$home"
uas="$bin/uas"
echo "-- 2. uas setup with the installed uas"
"$uas" setup --agent claude --agent codex --agent gemini --agent opencode --yes > "$work/agents.log" 2>&1 ||
  { cat "$work/agents.log"; fail "uas setup"; }
python3 - "$home" "$bin/uas" <<'PY' || fail "a hook does not run the installed uas"
import os, re, sys
home, want = sys.argv[1], sys.argv[2]
seen = 0
for d, _, names in os.walk(home):
    if "/.agent" in d:
        continue
    for n in names:
        p = os.path.join(d, n)
        try:
            text = open(p, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        quoted = "'" + want + "'"
        for m in re.finditer(r" hook (claude|codex|gemini|opencode) ", text):
            seen += 1
            before = text[: m.start()]
            ok = before.endswith(quoted) or before.endswith("${UAS}")
            if not ok:
                sys.exit(f"{p}: hook command not running {quoted}: ...{before[-80:]}")
        if "/target/" in text and " hook " in text:
            sys.exit(f"{p} mentions a cargo target folder")
        if "opencode" in p and "plugin" in p and want not in text.replace("\\/", "/"):
            sys.exit(f"{p}: plugin does not run {want}")
if seen < 4:
    sys.exit(f"only {seen} hook commands found")
print(f"   {seen} hook commands, all running '{want}'")
PY

cmd=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(h["command"] for g in s["hooks"]["PreToolUse"] for h in g["hooks"] if " hook claude " in h["command"]))' "$home/.claude/settings.json")
write_event=$(printf '{"session_id":"s-install","cwd":"%s/project","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"%s/project/x.txt","content":"hi"}}' "$home" "$home")
read_event=$(printf '{"session_id":"s-load","cwd":"%s/project","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"%s/project/README.md"}}' "$home" "$home")
hook() { printf '%s' "$1" | env -i HOME="$home" PATH=/nonexistent /bin/sh -c "$cmd"; }

echo "-- hook latency of the installed uas beside /bin/true (figures only; scripts/bench-audit is the benchmark)"
python3 - "$home" "$cmd" "$read_event" <<'PY'
import os, subprocess, sys, time
home, cmd, event = sys.argv[1], sys.argv[2], sys.argv[3].encode()
env = {"HOME": home, "PATH": "/usr/bin:/bin"}
prog = ["/bin/sh", "-c", "exec " + cmd]
cases = {"sh -c /bin/true": ["/bin/sh", "-c", "exec /bin/true"], "sh -c installed uas hook": prog}
times = {k: [] for k in cases}
for i in range(110):
    for name, argv in cases.items():
        t = time.perf_counter_ns()
        subprocess.run(argv, input=event, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 10:
            times[name].append((time.perf_counter_ns() - t) / 1e6)
for name, v in times.items():
    v.sort()
    print(f"   {name:28} p50 {v[50]:.2f} ms  p99 {v[98]:.2f} ms")
PY

echo "-- 3. the cargo target folder gone"
mv "$target" "$aside"
set +e; hook "$write_event" 2> "$work/deny.err"; code=$?; set -e
mv "$aside" "$target"
[ "$code" = 2 ] || { cat "$work/deny.err"; fail "hook after cargo clean exited $code, not 2 (deny)"; }
grep -qi plan "$work/deny.err" || fail "the denial does not name the missing plan"
echo "   denied a write before a plan with $target moved away: $(head -c 120 "$work/deny.err")"

echo "-- 4. upgrade while 4 processes run hooks"
stop="$work/stop"
for w in 1 2 3 4; do
  (
    n=0; bad=0
    while [ ! -e "$stop" ]; do
      out=$(hook "$read_event" 2>&1) || { bad=$((bad + 1)); echo "$out" >> "$work/fail.$w"; }
      n=$((n + 1))
    done
    echo "$n $bad" > "$work/worker.$w"
  ) &
done
for i in $(seq 1 20); do
  if [ $((i % 2)) = 0 ]; then src=$target/release; else src=$target/debug; fi
  # uas-desktop is not rebuilt in debug here; only uas changes.
  tmp=$(mktemp "$bin/.uas.XXXXXX"); cp "$src/uas" "$tmp"; chmod 755 "$tmp"; mv -f "$tmp" "$bin/uas"
done
scripts/install-bins "$target/release" "$bin"
touch "$stop"; wait
calls=0; failed=0
for w in 1 2 3 4; do read -r n b < "$work/worker.$w"; calls=$((calls + n)); failed=$((failed + b)); done
echo "   $calls hook calls during 21 upgrades, $failed failed"
[ "$failed" = 0 ] || { cat "$work"/fail.* | head -20; fail "hook calls failed during the upgrade"; }
[ "$calls" -ge 4 ] || fail "the workers ran no hooks"

echo "-- 5. setup from the cargo build folder"
set +e; "$target/debug/uas" setup --agent claude --yes > "$work/dev.log" 2>&1; code=$?; set -e
[ "$code" != 0 ] || fail "setup from $target/debug was not refused"
grep -q -- "--dev" "$work/dev.log" || fail "the refusal does not mention --dev"
echo "   refused: $(head -c 160 "$work/dev.log")"
echo "install test passed"
