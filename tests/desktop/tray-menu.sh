#!/usr/bin/env bash
# A picture of the real tray menu: with no StatusNotifier watcher the tray
# (libayatana-appindicator) falls back to an XEmbed icon, which Debian's
# `trayer` panel shows; a click on it opens the GTK menu. Proves the menu
# opens from the icon and saves tray-menu.png for people to look at.
# Usage: tests/desktop/tray-menu.sh path/to/uas-desktop path/to/uas OUT_DIR
set -euo pipefail
app=$(realpath "$1") uas=$(realpath "$2") out=$(realpath -m "$3")
mkdir -p "$out"
if [ -z "${UAS_TRAY_INNER:-}" ]; then
  UAS_TRAY_INNER=1 exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$app" "$uas" "$out"
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work/home" UAS_HOME="$work/home/.agent" XDG_CONFIG_HOME="$work/home/.config" NO_AT_BRIDGE=1
mkdir -p "$HOME/.claude"
"$uas" init >/dev/null
# No notice about the keyring over the picture.
printf '{"told_no_keyring": true}\n' >"$UAS_HOME/desktop.json"
trayer --edge top --align right --widthtype pixel --width 200 --height 32 --transparent false --tint 0x333333 &
sleep 1
"$app" --hidden >"$work/app.log" 2>&1 &
# Light pixels under the panel: the menu (the screen is black elsewhere).
light() {
  import -window root "$work/s.png"
  convert "$work/s.png" -crop 300x280+980+34 -colorspace gray -threshold 80% -format '%[fx:mean*w*h]' info:
}
for _ in $(seq 50); do
  import -window root "$work/s.png"
  # The icon's accent colour at the right end of the panel.
  n=$(convert "$work/s.png" -crop 60x32+1220+0 -fill black +opaque '#4f46e5' -fill white -opaque '#4f46e5' -format '%[fx:mean*w*h]' info:)
  [ "${n%.*}" -gt 50 ] && break
  sleep 0.2
done
[ "${n%.*}" -gt 50 ] || { echo "FAIL: no tray icon in the panel"; cat "$work/app.log"; exit 1; }
echo "ok: the tray icon is in the panel"
before=$(light)
xdotool mousemove 1265 16 click 1
for _ in $(seq 25); do
  after=$(light)
  [ "${after%.*}" -gt $(( ${before%.*} + 20000 )) ] && break
  sleep 0.2
done
[ "${after%.*}" -gt $(( ${before%.*} + 20000 )) ] || { echo "FAIL: clicking the icon opened no menu"; exit 1; }
import -window root "$work/s.png"
convert "$work/s.png" -crop 420x300+860+0 "$out/tray-menu.png"
echo "ok: clicking the icon opens its menu ($out/tray-menu.png)"
