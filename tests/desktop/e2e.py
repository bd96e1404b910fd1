#!/usr/bin/env python3
"""The desktop app end to end, on a temporary home, under Xvfb with a session
bus, a real notification daemon (dunst) and a StatusNotifier watcher:

  1. it starts hidden (as at login) and its tray item appears (cold start to tray);
  2. with no OS keyring in the session it says once where the secrets are;
  3. a hook from a child process that the SOP denies becomes a notification
     with agent, rule, session and what to do (hook exit -> Notify, < 1 s),
     the tray's icon, title and Recent violations change;
  4. a flood of denials gives at most the burst of pop-ups and one summary;
  5. an `ask` rule's request becomes a notification whose Approve action
     (chosen in dunst's own menu) lets the waiting hook through, and whose
     Refuse action denies it;
  6. Start at login in the tray menu writes the XDG autostart entry into the
     temporary home, and unticking removes it;
  7. a second launch exits and shows the first one's window;
  8. after idling it reports memory (PSS of the app and its WebKit processes)
     and CPU; Quit releases serve.lock; with a `uas serve` already running the
     app leaves the duties to it.

    tests/desktop/e2e.py --app path/to/uas-desktop --uas path/to/uas [--out DIR] [--idle S]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

if not os.environ.get('UAS_DESKTOP_E2E_INNER'):
    os.environ['UAS_DESKTOP_E2E_INNER'] = '1'
    os.execvp('xvfb-run', ['xvfb-run', '-a', '-s', '-screen 0 1280x800x24', 'dbus-run-session', '--',
                           sys.executable, *sys.argv])

from dbus_session import (NotificationLog, invoke_action, menu_click, menu_find, menu_layout,  # noqa: E402
                          screenshot, sni_items, sni_props, start_dunst, start_sni_watcher)

ap = argparse.ArgumentParser()
ap.add_argument('--app', required=True)
ap.add_argument('--uas', required=True)
ap.add_argument('--out', default=None)
ap.add_argument('--idle', type=float, default=20.0, help='seconds of idling before memory and CPU are read')
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix='uas-desktop-e2e-')
out = args.out or os.path.join(tmp, 'out')
os.makedirs(out, exist_ok=True)
# The app runs the `uas` beside it: copy both out of any build folder.
bindir = os.path.join(tmp, 'bin')
os.makedirs(bindir)
APP = shutil.copy(args.app, os.path.join(bindir, 'uas-desktop'))
UAS = shutil.copy(args.uas, os.path.join(bindir, 'uas'))
HOME = os.path.join(tmp, 'home')
os.makedirs(HOME)
env = dict(os.environ, HOME=HOME, UAS_HOME=os.path.join(HOME, '.agent'), XDG_CONFIG_HOME=os.path.join(HOME, '.config'),
           XDG_DATA_HOME=os.path.join(HOME, '.local/share'), XDG_CACHE_HOME=os.path.join(HOME, '.cache'),
           NO_AT_BRIDGE='1', WEBKIT_DISABLE_COMPOSITING_MODE='1', RUST_LOG='info,uas_desktop=debug', PATH='/usr/bin:/bin')
env.pop('CLAUDECODE', None)
failures = []


def check(cond, what):
    print(('ok: ' if cond else 'FAIL: ') + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def must(cond, what):
    if not check(cond, what):
        finish()


def uas(*a, stdin=None):
    return subprocess.run([UAS, *a], input=stdin, capture_output=True, text=True, env=env, timeout=60)


def wait(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


project = os.path.join(HOME, 'project')
os.makedirs(project)
# A detected Claude Code (its folder), for the tray's Agents menu.
os.makedirs(os.path.join(HOME, '.claude'))
with open(os.path.join(HOME, '.claude/CLAUDE.md'), 'w') as f:
    f.write('# my rules\n')


def hook_input(session, event, tool=None):
    i = {'session_id': session, 'hook_event_name': event, 'cwd': project}
    if tool:
        i.update(tool_name=tool[0], tool_input=tool[1])
    return json.dumps(i)


def hook(session, event, tool=None):
    return uas('hook', 'claude', event, stdin=hook_input(session, event, tool))


def ended(p, timeout):
    """Waits for `p` to exit (killed after `timeout`); its exit code."""
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return p.returncode


def hook_bg(session, event, tool=None):
    p = subprocess.Popen([UAS, 'hook', 'claude', event], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    p.stdin.write(hook_input(session, event, tool))
    p.stdin.close()
    return p


def bash(command):
    return ('Bash', {'command': command})


# ---- a home with an SOP that denies force pushes and asks a person about pushes ----
# Written before `uas init`, as a person's own files: init keeps them and
# takes them as the protected baseline (edits after it would be tamper).
scratch = os.path.join(tmp, 'scratch')
os.makedirs(scratch)
must(subprocess.run([UAS, 'init'], env=dict(env, HOME=scratch, UAS_HOME=os.path.join(scratch, '.agent')),
                    capture_output=True).returncode == 0, 'uas init (a scratch home, for the default config)')
text = open(os.path.join(scratch, '.agent/config.toml')).read()
must('active = "default"' in text, 'the default config names the default SOP')
os.makedirs(os.path.join(HOME, '.agent/sop'))
with open(os.path.join(HOME, '.agent/config.toml'), 'w') as f:
    f.write(text.replace('active = "default"', 'active = "desktop"', 1))
with open(os.path.join(HOME, '.agent/sop/desktop.toml'), 'w') as f:
    f.write('name = "desktop"\n[[phases]]\nid = "work"\n\n'
            '[[rules]]\nid = "no-force-push"\nwhen = { tool = "shell", command = ["git push --force*"] }\n'
            'action = "deny"\nreason = "force pushes rewrite shared history"\n\n'
            '[[rules]]\nid = "deploy-needs-a-person"\nwhen = { tool = "shell", command = ["make deploy*"] }\n'
            'action = "ask"\ntimeout_s = 2\nreason = "deploys need a person"\n\n'
            '[[rules]]\nid = "push-needs-a-person"\nwhen = { tool = "shell", command = ["git push*"] }\n'
            'action = "ask"\ntimeout_s = 60\nreason = "pushing needs a person\'s approval"\n')
must(uas('init').returncode == 0, 'uas init keeps them')
check(hook('warmup', 'PreToolUse', bash('git push --force origin main')).returncode == 2,
      'the SOP denies a force push (no app running yet)')

notes = NotificationLog()
dunst = start_dunst(tmp)
watcher = start_sni_watcher()
app_log = open(os.path.join(tmp, 'app.log'), 'w')
procs = []


def start_app(*extra):
    p = subprocess.Popen([APP, *extra], env=env, stdout=app_log, stderr=app_log)
    procs.append(p)
    return p


def finish():
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in (dunst, watcher):
        p.terminate()
    notes.stop()
    if failures:
        app_log.flush()
        print('---- app log ----')
        print(open(os.path.join(tmp, 'app.log')).read()[-6000:])
        print(f'{len(failures)} desktop check(s) failed: {failures}')
        sys.exit(1)
    print('desktop end to end: all checks passed')
    sys.exit(0)


# ---- 0. an agent cannot start the app (it answers approvals) ----
agent_dir = os.path.join(tmp, 'agent')
os.makedirs(agent_dir)
fake_claude = shutil.copy('/bin/sh', os.path.join(agent_dir, 'claude'))
r = subprocess.run([fake_claude, '-c', f"'{APP}' --hidden; exit $?"], env=env, capture_output=True, text=True,
                   timeout=60)
check(r.returncode == 2 and 'started by an AI agent' in r.stderr,
      f'started by an agent, the app refuses (exit {r.returncode})')
tail = uas('audit', 'tail', '--json').stdout
check('"tamper"' in tail and 'uas-desktop' in tail, 'and the attempt is recorded as tamper')

# ---- a first start before the home exists: the app takes the duties once Setup made it ----
fresh = os.path.join(tmp, 'fresh')
os.makedirs(fresh)
fresh_env = dict(env, HOME=fresh, UAS_HOME=os.path.join(fresh, '.agent'), XDG_CONFIG_HOME=os.path.join(fresh, '.config'))
early = subprocess.Popen([APP, '--hidden'], env=fresh_env, stdout=app_log, stderr=app_log)
procs.append(early)
check(wait(lambda: sni_items(), 60), 'on a home not set up yet the app starts in the tray')
subprocess.run([UAS, 'init'], env=fresh_env, capture_output=True, check=True)
lock_of = os.path.join(fresh, '.agent/serve.lock')
check(wait(lambda: os.path.exists(lock_of) and 'uas-desktop' in open(lock_of).read(), 15),
      'once the home exists the app holds serve.lock and runs the duties')
early.terminate()
ended(early, 15)
check(wait(lambda: not sni_items(), 15), 'its tray item is gone after it ends')

# ---- 1. start hidden; the tray item appears ----
t0 = time.monotonic()
app = start_app('--hidden')
items = wait(lambda: sni_items() or (app.poll() is not None and ['exited']), 60)
must(items and items != ['exited'], 'the tray item registers with the StatusNotifier watcher')
cold = time.monotonic() - t0
item = items[0]


def props():
    return sni_props(item)


def label():
    return props().get('XAyatanaLabel', '')


must(wait(lambda: 'enforcing' in label(), 30), f'the tray title says the state ({label()!r})')
print(f'# cold start to tray: {cold * 1000:.0f} ms (to the drawn state: {(time.monotonic() - t0) * 1000:.0f} ms)')


def click(what):
    """Clicks the tray menu item labelled `what` (menu ids change when it is redrawn: retried)."""
    for _ in range(5):
        node = menu_find(menu_layout(item), what)
        if not node:
            return False
        try:
            menu_click(item, node['id'])
            return True
        except RuntimeError:
            time.sleep(0.2)
    return False


def visible_windows():
    r = subprocess.run(['xdotool', 'search', '--onlyvisible', '--name', '^Universal Agent$'],
                       capture_output=True, text=True)
    return r.stdout.split()


def close_window(wid):
    """What a window manager's close button does: WM_DELETE_WINDOW to the window (libX11 by ctypes)."""
    import ctypes
    x = ctypes.cdll.LoadLibrary('libX11.so.6')
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]

    class ClientMessage(ctypes.Structure):
        _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong), ('send_event', ctypes.c_int),
                    ('display', ctypes.c_void_p), ('window', ctypes.c_ulong), ('message_type', ctypes.c_ulong),
                    ('format', ctypes.c_int), ('data', ctypes.c_long * 5), ('pad', ctypes.c_long * 12)]
    d = x.XOpenDisplay(None)
    ev = ClientMessage(type=33, send_event=1, display=d, window=int(wid), format=32,
                       message_type=x.XInternAtom(d, b'WM_PROTOCOLS', 0))
    ev.data[0] = x.XInternAtom(d, b'WM_DELETE_WINDOW', 0)
    x.XSendEvent(d, int(wid), 0, 0, ctypes.byref(ev))
    x.XFlush(d)
    x.XCloseDisplay(d)


def geometry(wid):
    r = subprocess.run(['xdotool', 'getwindowgeometry', '--shell', wid], capture_output=True, text=True).stdout
    g = dict(line.split('=', 1) for line in r.split() if '=' in line)
    return int(g.get('WIDTH', 0)), int(g.get('HEIGHT', 0))


check(not visible_windows(), 'started with --hidden: no window on screen')
check(os.path.exists(os.path.join(HOME, '.agent/serve.lock')) and
      'uas-desktop' in open(os.path.join(HOME, '.agent/serve.lock')).read(),
      'the app holds serve.lock (it runs the duties)')

# ---- 2. no keyring in this session: said once, with where ----
key = notes.wait_for(lambda n: n['summary'] == 'No OS keyring', timeout=10)
check(key and 'file ' in key['body'], f'no OS keyring: told where the secrets are ({key and key["body"][:90]!r})')


def pixels(path):
    return subprocess.run(['convert', path, '-resize', '64x64!', 'rgba:-'], capture_output=True).stdout


def icon_is(state):
    p = props()
    return p.get('IconName') and pixels(p['IconName']) == pixels(os.path.join(ROOT, f'icons/tray/{state}.png'))


check(wait(lambda: icon_is('ok'), 10), f'the tray icon is the "ok" picture ({label()!r})')

# ---- 3. a denied call becomes a notification, and the tray changes ----
t_hook = time.monotonic()
denied = hook('sess-deny-1', 'PreToolUse', bash('git push --force origin main'))
t_exit = time.monotonic()
check(denied.returncode == 2, 'the hook denies the force push')
note = notes.wait_for(lambda n: n['summary'].startswith('Denied (claude)'), timeout=10)
must(note, 'a notification for the denial was delivered (seen on the bus)')
latency = note['t'] - t_hook
print(f'# hook spawn -> notification on the bus: {latency * 1000:.0f} ms (the hook process alone: {(t_exit - t_hook) * 1000:.0f} ms)')
check(latency < 1.0, f'hook -> notification under 1 s ({latency * 1000:.0f} ms)')
check('no-force-push' in note['summary'] and 'force pushes rewrite shared history' in note['body']
      and 'Session sess-den' in note['body'] and 'Open the event' in note['body'],
      f'it says the agent, rule, what and what to do ({note["summary"]!r} / {note["body"]!r})')
check(note['app_name'] == 'Universal Agent', 'the notification is from Universal Agent')
check(wait(lambda: 'new violations' in label(), 10), f'the tray title counts it ({label()!r})')
check(wait(lambda: icon_is('violations'), 10), 'the tray icon turned to "violations"')
layout = menu_layout(item)
recent = [n for n in layout['children'] if n['label'].startswith('Recent violations')]
check(recent and '1 new' in recent[0]['label'] and
      any('Denied (claude): no-force-push' in k['label'] for k in recent[0]['children']),
      'the tray menu lists it under Recent violations')

# ---- 4. a flood: at most 3 pop-ups, then one summary ----
before = len([n for n in notes.notes if n['summary'].startswith('Denied')])
spawned = {}
for i in range(30):
    spawned.setdefault(f'flood-{i % 3}', time.monotonic())
    hook(f'flood-{i % 3}', 'PreToolUse', bash('git push --force origin flood'))
for session, t in spawned.items():
    n = next((n for n in notes.notes if f'Session {session}' in n['body']), None)
    if n:
        print(f'# hook spawn -> notification ({session}): {(n["t"] - t) * 1000:.0f} ms')
summary = notes.wait_for(lambda n: 'violations in the last few seconds' in n['summary'], timeout=25)
popups = len([n for n in notes.notes if n['summary'].startswith('Denied')]) - before
check(popups <= 3, f'30 denials gave {popups} single pop-ups (burst 3)')
check(summary and 'no-force-push' in summary['body'], f'and one summary: {summary and summary["summary"]!r}')

# Clicking a violation's notification opens the window at its event.
invoke_action('Open')
check(wait(visible_windows, 20), 'clicking a notification opens the window')
time.sleep(1.5)
screenshot(os.path.join(out, 'desktop-from-notification.png'))
close_window(visible_windows()[0])
check(wait(lambda: not visible_windows(), 10), 'closed again (the app stays in the tray)')

# ---- 5. an approval request answered from the notification ----
waiting = hook_bg('sess-ask', 'PreToolUse', bash('git push origin main'))
ask = notes.wait_for(lambda n: n['summary'].startswith('Approve?'), timeout=10)
must(ask, 'the approval request became a notification')
check(('approve', 'Approve') in ask['actions'] and ('refuse', 'Refuse') in ask['actions'],
      f'with Approve and Refuse buttons ({ask["actions"]})')
invoke_action('Approve')
ended(waiting, 10)
err_ = waiting.stderr.read()
check(waiting.returncode == 0, f'Approve in the notification let the waiting hook through (exit {waiting.returncode}, {err_.strip()[:120]!r})')
refused = hook_bg('sess-ask-2', 'PreToolUse', bash('git push origin release'))
ask2 = notes.wait_for(lambda n: n['summary'].startswith('Approve?') and n is not ask, timeout=10)
must(ask2, 'a second request, a second notification')
# A hostile program on the bus forges the server's "approve" signal for
# every notification id: the app takes actions from the server only.
for nid in range(1, 80):
    subprocess.run(['gdbus', 'emit', '--session', '--object-path', '/org/freedesktop/Notifications', '--signal',
                    'org.freedesktop.Notifications.ActionInvoked', str(nid), 'approve'], capture_output=True)
time.sleep(1)
check(refused.poll() is None, 'forged ActionInvoked("approve") signals from another program approve nothing')
app_log.flush()
check(wait(lambda: 'ignored a notification signal' in open(os.path.join(tmp, 'app.log')).read(), 5),
      'the forged signals reached the app, which ignored them (the sender is not the notification server)')
invoke_action('refuse')
check(ended(refused, 10) == 2, f'Refuse in the notification denied it (exit {refused.returncode})')

# A request nobody answers lapses: its notification is taken down.
lapsing = hook_bg('sess-lapse', 'PreToolUse', bash('make deploy'))
check(notes.wait_for(lambda n: n['summary'].startswith('Approve? deploy-needs-a-person'), timeout=10),
      'a request that will lapse is notified')
lapsing.wait(timeout=15)
check(lapsing.returncode == 2, 'nobody answered: denied')
check(notes.wait_for(lambda x: x['member'] == 'NotificationClosed' and x['args'][1] == 3, timeout=10, signals=True),
      'and the app closed its notification (CloseNotification)')

# ---- 6. Start at login from the tray menu ----
entry = os.path.join(HOME, '.config/autostart/uas-desktop.desktop')
check(not os.path.exists(entry), 'no autostart entry before')
must(click('Start at login'), 'the tray menu has Start at login (clicked)')
def entry_text():
    try:
        return open(entry).read()
    except OSError:
        return ''


check(wait(lambda: os.path.exists(entry), 10), 'ticking Start at login writes the XDG autostart entry')
check(wait(lambda: f'Exec={APP} --hidden' in entry_text(), 5), f'which starts this program hidden ({entry_text()!r})')
check(wait(lambda: (menu_find(menu_layout(item), 'Start at login') or {}).get('toggle-state') == 1, 10),
      'and the menu shows it ticked')
click('Start at login')
check(wait(lambda: not os.path.exists(entry), 10), 'unticking removes the entry')
check(os.path.isdir(os.path.dirname(entry)) and os.listdir(os.path.dirname(entry)) == [],
      'and leaves nothing else behind')

# ---- 7. a second launch shows the first one's window ----
second = start_app()
check(ended(second, 30) == 0, f'a second launch exits (code {second.returncode})')
check(wait(visible_windows, 20), 'and the first instance shows its window')
check(app.poll() is None, 'the first instance still runs')
time.sleep(2)  # let WebKit paint before the screenshot
screenshot(os.path.join(out, 'desktop-window.png'))
check(wait(lambda: 'new violations' not in label(), 10), 'opening the window acknowledges the violations')

# The tray's links open the window where they point (looked at in the screenshots).
recent = [n for n in menu_layout(item)['children'] if n['label'].startswith('Recent violations')]
first = recent[0]['children'][0]['label'] if recent and recent[0]['children'] else ''
check(click(first), f'clicking a recent violation in the tray ({first!r})')
time.sleep(1.5)
screenshot(os.path.join(out, 'desktop-event.png'))
check(click('Pause enforcement…'), 'Pause enforcement… opens the confirmation')
time.sleep(1.5)
screenshot(os.path.join(out, 'desktop-pause.png'))
check('paused' not in label(), 'nothing is paused before the person confirms')

# ---- the tray menu as the StatusNotifier host sees it ----
layout = menu_layout(item)


def dump(node, depth=0):
    lines = []
    for k in node['children']:
        if k['type'] == 'separator':
            lines.append('  ' * depth + '----')
            continue
        mark = {1: '[x] ', 0: '[ ] '}.get(k['toggle-state'], '') if k['toggle-type'] else ''
        lines.append('  ' * depth + mark + k['label'].replace('_', '') + ('' if k['enabled'] else '  (disabled)'))
        lines += dump(k, depth + 1)
    return lines


menu_text = '\n'.join(dump(layout))
print('# tray menu:\n' + '\n'.join('#   ' + line for line in menu_text.splitlines()))
for want in ('Open Universal Agent', 'Pending approvals (0)', 'Agents', 'Claude Code: not set up',
             'Pause enforcement…', 'Start at login', 'Do not disturb', 'Quit'):
    check(want in menu_text, f'tray menu has "{want}"')
with open(os.path.join(out, 'tray-menu.txt'), 'w') as f:
    f.write(menu_text + '\n')

# ---- do not disturb: no pop-ups, the tray still counts ----
check(click('Do not disturb'), 'ticking Do not disturb')
check(wait(lambda: (menu_find(menu_layout(item), 'Do not disturb') or {}).get('toggle-state') == 1, 10),
      'the menu shows it ticked')
seen = len(notes.notes)
check(hook('sess-dnd', 'PreToolUse', bash('git push --force origin dnd')).returncode == 2, 'a denial while DND')
check(wait(lambda: 'new violations' in label(), 10), f'the tray still counts it ({label()!r})')
time.sleep(1)
check(len(notes.notes) == seen, 'and no notification popped up')
check(json.load(open(os.path.join(HOME, '.agent/desktop.json')))['do_not_disturb'] is True,
      'do not disturb is kept for the next start')
click('Do not disturb')
check(wait(lambda: (menu_find(menu_layout(item), 'Do not disturb') or {}).get('toggle-state') == 0, 10),
      'unticked again')

# ---- 8. idle: memory and CPU, with the window and in the tray ----
time.sleep(args.idle)


def tree(pid):
    kids = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [q for k in kids for q in tree(int(k))]


def pss_kb(pid):
    try:
        for line in open(f'/proc/{pid}/smaps_rollup'):
            if line.startswith('Pss:'):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total


pids = tree(app.pid)
t1, c1 = time.monotonic(), cpu_ticks(pids)
time.sleep(10)
t2, c2 = time.monotonic(), cpu_ticks(pids)
hz = os.sysconf('SC_CLK_TCK')
cpu = (c2 - c1) / hz / (t2 - t1) * 100
pss = sum(pss_kb(p) for p in pids) / 1024
print(f'# idle with the window, after {args.idle:.0f} s: PSS {pss:.0f} MiB over {len(pids)} processes; CPU {cpu:.2f}% over 10 s')
check(cpu < 2, f'idle CPU with the window about 0% ({cpu:.2f}%)')

# Closing the window (as a window manager's close button does) keeps the
# app in the tray, without a webview; its size is remembered.
wid = visible_windows()[0]
subprocess.run(['xdotool', 'windowsize', wid, '820', '560'], check=True)
check(wait(lambda: geometry(wid) == (820, 560), 5), f'the window resized to 820x560 ({geometry(wid)})')
time.sleep(0.5)
close_window(wid)
check(wait(lambda: not visible_windows(), 10), 'closing the window takes it off the screen')
check(app.poll() is None and bool(sni_items()), 'and the app stays in the tray')
def comms():
    out = []
    for q in tree(app.pid):
        try:
            out.append(open(f'/proc/{q}/comm').read().strip())
        except OSError:
            pass
    return out


check(wait(lambda: not any(c.startswith('WebKitWebProces') for c in comms()), 10),
      f'and without a web page process ({comms()})')
time.sleep(args.idle)
pids = tree(app.pid)
t1, c1 = time.monotonic(), cpu_ticks(pids)
time.sleep(10)
t2, c2 = time.monotonic(), cpu_ticks(pids)
tray_cpu = (c2 - c1) / hz / (t2 - t1) * 100
tray_pss = sum(pss_kb(p) for p in pids) / 1024
print(f'# idle in the tray, after {args.idle:.0f} s: PSS {tray_pss:.0f} MiB over {len(pids)} processes; CPU {tray_cpu:.2f}% over 10 s')
check(tray_pss < 250, f'idle memory in the tray under 250 MB ({tray_pss:.0f} MiB; with the window {pss:.0f} MiB)')
check(tray_cpu < 1, f'idle CPU in the tray about 0% ({tray_cpu:.2f}%)')
state_file = os.path.join(HOME, '.config/dev.universal-agent.desktop/.window-state.json')
check(os.path.exists(state_file) and '"width": 820' in open(state_file).read().replace('":', '": ').replace('  ', ' '),
      'the window\'s size was saved when it closed')
second = start_app()
second.wait(timeout=30)
shown = wait(visible_windows, 20)
check(shown and geometry(shown[0]) == (820, 560), f'reopened at the size it had ({shown and geometry(shown[0])})')

# ---- Quit; then a running `uas serve` keeps the duties ----
click('Quit')
check(ended(app, 15) == 0, f'Quit from the tray ends the app (code {app.returncode})')
# Violations while the app is closed are summarized once at the next start.
for i in range(4):
    hook(f'closed-{i}', 'PreToolUse', bash('git push --force origin closed'))
serve = subprocess.Popen([UAS, 'serve', '--port', '0'], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
procs.append(serve)
check('serving' in (serve.stdout.readline() or ''), 'uas serve starts (and takes serve.lock)')
app_log.flush()
mark = os.path.getsize(os.path.join(tmp, 'app.log'))
again = start_app('--hidden')
line = wait(lambda: 'leaves the duties' in open(os.path.join(tmp, 'app.log')).read()[mark:] or
            'only shows them' in open(os.path.join(tmp, 'app.log')).read()[mark:], 30)
check(line, 'with uas serve running, the app leaves the duties to it')
closed = notes.wait_for(lambda n: 'while Universal Agent was closed' in n['summary'], timeout=20)
check(closed and closed['summary'].startswith('4 violations'),
      f'the 4 violations while it was closed are summarized once ({closed and closed["summary"]!r})')
check(wait(lambda: any(i != item for i in sni_items()), 20) is not None, 'the second start has a tray item too')
finish()
