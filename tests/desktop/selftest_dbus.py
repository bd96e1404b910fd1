"""Self-test of dbus_session.py against the real programs (no extra packages).

    python3 tests/desktop/selftest_dbus.py [TRAY COMMAND...]

Re-runs itself under `xvfb-run -a dbus-run-session`. Proves the dunst part with notify-send.
The tray part runs only when a command is given that starts a StatusNotifierItem whose menu has
items "Open window" and a check item "Pause", and that prints "READY", then "CLICKED <label>" /
"TOGGLED <label> <0|1>" lines when they fire (a throwaway AyatanaAppIndicator3 script needing
python3-gi gir1.2-ayatanaappindicator3-0.1 was used; it is not part of the repo).
"""
import json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dbus_session import (NotificationLog, dunst_history, invoke_action, menu_click, menu_find,  # noqa: E402
                          menu_layout, screenshot, sni_items, sni_locate, sni_props, start_dunst,
                          start_sni_watcher)

if not os.environ.get('SELFTEST_INNER'):
    os.environ['SELFTEST_INNER'] = '1'
    os.execvp('xvfb-run', ['xvfb-run', '-a', 'dbus-run-session', '--', sys.executable, *sys.argv])


def notify(*args):
    return subprocess.Popen(['notify-send', '--wait', *args], stdout=subprocess.PIPE, text=True)


tmp = tempfile.mkdtemp()
log = NotificationLog()
dunst = start_dunst(tmp)
# 1+2: an action chosen by label; Notify logged with quotes and newlines intact.
ns = notify('-a', 'selftest', '--action=approve=Approve', '--action=refuse=Refuse', 'Hello "x"',
            'line 1\n   string "fake\nend')
n = log.wait_for(lambda n: n['summary'] == 'Hello "x"')
assert n['actions'] == [('approve', 'Approve'), ('refuse', 'Refuse')] and n['body'].endswith('fake\nend'), n
print('ok: Notify logged', {k: n[k] for k in ('app_name', 'summary', 'body', 'actions', 'hints')})
print('ok: dunst menu line', invoke_action('Approve'))
assert ns.communicate(timeout=10)[0].strip() == 'approve'
s = log.wait_for(lambda s: s['member'] == 'ActionInvoked', signals=True)
print('ok: notify-send printed approve; signal', s['member'], s['args'])
# by key, with a second note on screen
ns = notify('--action=approve=Approve', '--action=refuse=Refuse', 'Second', 'b')
log.wait_for(lambda n: n['summary'] == 'Second')
invoke_action('refuse')
assert ns.communicate(timeout=10)[0].strip() == 'refuse'
# `dunstctl action 0` = default action: the sole action of a one-action note
ns = notify('--action=only=Only', 'Third', 'c')
log.wait_for(lambda n: n['summary'] == 'Third')
time.sleep(0.3)  # displayed, not just received
subprocess.run(['dunstctl', 'action', '0'], check=True)
assert ns.communicate(timeout=10)[0].strip() == 'only'
time.sleep(0.5)
hist = [h['summary'] for h in dunst_history()]
assert {'Hello "x"', 'Second', 'Third'} <= set(hist), hist
print('ok: by key -> refuse; dunstctl action 0 -> only; history:', hist)

# 3-5: watcher, item, properties, menu, clicks
watcher = start_sni_watcher()
if len(sys.argv) > 1:
    tray = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True, env=dict(os.environ, NO_AT_BRIDGE='1'))

    def said(*words):
        return next(line.strip() for line in tray.stdout if line.startswith(words))

    said('READY')
    end = time.monotonic() + 20
    while not sni_items() and time.monotonic() < end:
        time.sleep(0.2)
    item = sni_items()[0]
    print('ok: items', sni_items(), '->', sni_locate(item))
    print('ok: props', sni_props(item))
    tree = menu_layout(item)
    print('ok: layout', json.dumps(tree))
    for label in ('Open window', 'Pause'):
        menu_click(item, menu_find(tree, label)['id'])
        print('ok: click', label, '->', said('CLICKED', 'TOGGLED'))
    state = menu_find(menu_layout(item), 'Pause')['toggle-state']
    assert state == 1 - menu_find(tree, 'Pause')['toggle-state'], state
    print('ok: Pause toggle-state now', state)
    tray.terminate()
# 6
print('ok: screenshot', screenshot(os.path.join(tmp, 'screen.png')))
dunst.terminate()
watcher.terminate()
log.stop()
print('selftest ok')
