#!/usr/bin/env bash
# Debian package journey on this machine (root or sudo needed):
#   1. the .deb holds /usr/bin/uas, /usr/bin/uas-desktop, the .desktop entry
#      and icons;
#   2. `dpkg -i`, then `uas init` + `uas setup` on a temporary home: Claude's
#      hooks run /usr/bin/uas, and the hook denies a write before a plan;
#   3. `dpkg -r`: what `uas status` and `uas doctor` (any remaining uas: the
#      debug build here) say then, and what the agent's hook call does.
# Usage: tests/deb.sh path/to/universal-agent.deb
set -euo pipefail
deb=$(realpath "${1:?usage: $0 path/to/package.deb}")
root=$(cd "$(dirname "$0")/.." && pwd)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { printf 'deb test FAILED: %s\n' "$*" >&2; exit 1; }
pkg=$(dpkg-deb -f "$deb" Package)
# The uas that remains after dpkg -r (the debug build here; before HOME moves).
remaining=$("$root/x" target-dir)/debug/uas
work=$(mktemp -d)
cleanup() {
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && as_root dpkg -r "$pkg" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
[ -e /usr/bin/uas ] && ! dpkg -S /usr/bin/uas >/dev/null 2>&1 && fail "/usr/bin/uas exists and belongs to no package; not touching it"

echo "-- 1. $deb ($(du -k "$deb" | cut -f1) KiB, package $pkg $(dpkg-deb -f "$deb" Version))"
dpkg-deb -c "$deb" | grep -o 'usr/.*' > "$work/contents"
for f in usr/bin/uas usr/bin/uas-desktop; do grep -qx "$f" "$work/contents" || fail "$f not in the package"; done
grep -q '^usr/share/applications/.*\.desktop$' "$work/contents" || fail "no .desktop entry"
grep -q '^usr/share/icons/hicolor/.*\.png$' "$work/contents" || fail "no icons"
grep -E 'bin/|\.desktop|icons/.*png' "$work/contents" | sed 's/^/   /'

echo "-- 2. dpkg -i, init and setup on a temporary home"
as_root dpkg -i "$deb" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
home="$work/home"; mkdir -p "$home/.claude" "$home/project"
export HOME="$home"
/usr/bin/uas --version | sed 's/^/   /'
/usr/bin/uas --version | grep -qx "installed at /usr/bin/uas" || fail "--version of the package"
/usr/bin/uas init > /dev/null
/usr/bin/uas setup --agent claude --yes > "$work/setup.log" 2>&1 || { cat "$work/setup.log"; fail "uas setup"; }
cmd=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(h["command"] for g in s["hooks"]["PreToolUse"] for h in g["hooks"] if " hook claude " in h["command"]))' "$home/.claude/settings.json")
[ "$cmd" = "/usr/bin/uas hook claude PreToolUse" ] || fail "hook command is '$cmd'"
event=$(printf '{"session_id":"s-deb","cwd":"%s/project","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"%s/project/x.txt","content":"hi"}}' "$home" "$home")
hook() { printf '%s' "$event" | env -i HOME="$home" PATH=/usr/bin:/bin /bin/sh -c "$cmd"; }
set +e; hook 2> "$work/deny.err"; code=$?; set -e
[ "$code" = 2 ] || { cat "$work/deny.err"; fail "hook from the package exited $code, not 2"; }
echo "   hooks run $cmd; a write before a plan is denied (exit 2)"
/usr/bin/uas doctor > "$work/doctor.log" 2>&1 || { cat "$work/doctor.log"; fail "doctor after a package install"; }

echo "-- 3. dpkg -r"
as_root dpkg -r "$pkg" > /dev/null
[ ! -e /usr/bin/uas ] || fail "/usr/bin/uas still there"
set +e; "$remaining" status > "$work/status.log" 2>&1; "$remaining" doctor > "$work/doctor.log" 2>&1; dcode=$?
hook 2> "$work/gone.err"; gone=$?; set -e
echo "   uas status (the remaining debug build) says:"; grep -E "^claude|ENFORCEMENT|hooks:" "$work/status.log" | sed 's/^/     /'
grep -q "ENFORCEMENT OFF: its hooks run /usr/bin/uas, which does not exist" "$work/status.log" || fail "status does not report enforcement off"
[ "$dcode" != 0 ] || fail "doctor passed with the hooks' binary gone"
echo "   uas doctor: exit $dcode: $(grep -m1 'hooks:claude\|does not exist' "$work/doctor.log")"
echo "   the hook command now exits $gone ($(head -c 100 "$work/gone.err")); Claude Code treats that as a non-blocking hook error and runs the tool (tests/agents: scenario missing)"
[ "$gone" = 127 ] || fail "hook command after removal exited $gone"
echo "deb test passed"
