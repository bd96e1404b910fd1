//! The app's follower of the audit feed: every new record goes through
//! [`uas_api::alerts`] (which violations pop up, when a flood becomes one
//! summary), new approval requests become notifications with actions, and
//! the tray is redrawn. It resumes from the last record it saw, so what
//! happened while the app was closed is summarized once on start.
//!
//! No polling of its own: it waits on the feed (woken by every writer's
//! commit) and wakes early only when a held summary is due.

use crate::alerts::Notifier;
use crate::{DesktopState, tray};
use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager, Runtime};
use uas_api::alerts::{Alert, AlertPlanner, AlertPolicy, Violation, ViolationSummary};
use uas_api::{App, HealthStatus};

/// The tray's Recent violations menu holds this many.
const RECENT: usize = 5;
/// The tray is redrawn at most this often under a flood.
const REDRAW: Duration = Duration::from_millis(500);
/// The follower wakes at least this often (to notice a due summary).
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// Prefs (the last record seen) are saved at most this often.
const SAVE: Duration = Duration::from_secs(2);
/// The start-up summary reads at most this many records back.
const CATCH_UP: u64 = 100_000;

/// What the follower knows: violations nobody looked at, the newest few,
/// the requests already notified.
#[derive(Debug, Default)]
pub struct AlertBook {
    /// Violations after the acknowledged record.
    pub unseen: u64,
    /// Newest first.
    pub recent: VecDeque<Violation>,
    /// The acknowledged record (the window was looked at).
    pub acknowledged: u64,
    /// The newest record the follower handled.
    pub position: u64,
    /// Requests already shown.
    pub notified: BTreeSet<String>,
    /// The flood limit and do-not-disturb.
    pub planner: AlertPlanner,
    /// Whether health was last seen down.
    pub down: bool,
}

impl AlertBook {
    /// Counts `v` and keeps it among the recent ones.
    fn note(&mut self, v: &Violation) {
        if v.seq > self.acknowledged {
            self.unseen += 1;
        }
        self.recent.push_front(v.clone());
        self.recent.truncate(RECENT);
    }

    /// A person looked: nothing up to `head` (the log's newest record
    /// then) is new any more.
    pub fn acknowledge(&mut self, head: u64) {
        self.acknowledged = self.position.max(head);
        self.unseen = 0;
    }
}

/// Starts the follower thread (after the notifier is in the state).
pub fn start<R: Runtime>(handle: AppHandle<R>) {
    let _ = std::thread::Builder::new()
        .name("uas-desktop-follow".into())
        .spawn(move || run(&handle));
}

fn run<R: Runtime>(handle: &AppHandle<R>) {
    let state = handle.state::<DesktopState>();
    let Some(notifier) = state.notifier.get() else {
        return;
    };
    let app = state.app.clone();
    // A home not set up yet: draw the tray, then wait for the window's
    // Setup (or `uas init`) to create the database.
    refresh(handle, &app, notifier);
    let mut told = false;
    while let Err(e) = app.audit_head() {
        if !told {
            tracing::info!("no audit log to follow yet ({e}); waiting for it");
            told = true;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    if told {
        // Set up from the window meanwhile: this app can own the duties now.
        state.take_duties();
    }
    let prefs = app.desktop_prefs();
    let head = app.audit_head().unwrap_or(0);
    // A new home, or prefs from another database: start at the head.
    let from = if prefs.last_seen_seq > head {
        head
    } else {
        prefs.last_seen_seq
    };
    let missed = catch_up(&app, from, head);
    if let Ok(mut book) = state.book.lock() {
        book.planner = AlertPlanner::new(AlertPolicy::default());
        book.planner.set_dnd(prefs.do_not_disturb);
        book.acknowledged = prefs.acknowledged_seq.min(head);
        book.position = head;
        for v in missed.iter().rev().take(RECENT).rev() {
            book.note(v);
        }
        book.unseen = missed.iter().filter(|v| v.seq > book.acknowledged).count() as u64;
    }
    if from > 0
        && !prefs.do_not_disturb
        && let Some(s) = ViolationSummary::of(&missed, "while Universal Agent was closed")
    {
        notifier.summary(&s);
    }
    tell_about_keyring(&app, notifier);
    save_position(&app, &state, head);
    refresh(handle, &app, notifier);
    let mut sub = match app.audit_follow(Some(head), Default::default()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot follow the audit log: {e}; no alerts");
            return;
        }
    };
    let mut last_save = Instant::now();
    let mut last_redraw = Instant::now();
    let mut dirty = false;
    loop {
        let wait = state
            .book
            .lock()
            .ok()
            .and_then(|b| b.planner.due_at())
            .map_or(IDLE_WAIT, |due| {
                Duration::from_millis((due - uas_core::now_ms()).clamp(0, 30_000) as u64)
            });
        let wait = if dirty { wait.min(REDRAW) } else { wait };
        let batch = match sub.next(wait) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("audit feed: {e}; retrying");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        let now = uas_core::now_ms();
        let mut shows = Vec::new();
        if let Ok(mut book) = state.book.lock() {
            for r in &batch {
                if let Some(v) = Violation::of(r) {
                    book.note(&v);
                    shows.extend(book.planner.violation(v, now));
                }
                dirty = true;
            }
            book.position = sub.position();
            shows.extend(book.planner.due(now));
        }
        for a in &shows {
            match a {
                Alert::One(v) => notifier.violation(v),
                Alert::Summary(s) => notifier.summary(s),
            }
        }
        if dirty && last_redraw.elapsed() >= REDRAW {
            refresh(handle, &app, notifier);
            last_redraw = Instant::now();
            dirty = false;
        }
        if last_save.elapsed() >= SAVE {
            save_position(&app, &state, sub.position());
            last_save = Instant::now();
        }
    }
}

/// Violations after `from` up to `head` (at most [`CATCH_UP`] records).
fn catch_up(app: &App, from: u64, head: u64) -> Vec<Violation> {
    if from == 0 || head <= from {
        return Vec::new();
    }
    let start = from.max(head.saturating_sub(CATCH_UP));
    let mut out = Vec::new();
    let Ok(mut sub) = app.audit_follow(Some(start), Default::default()) else {
        return out;
    };
    while sub.position() < head {
        match sub.next(Duration::ZERO) {
            Ok(batch) if !batch.is_empty() => {
                out.extend(
                    batch
                        .iter()
                        .filter(|r| r.seq <= head)
                        .filter_map(Violation::of),
                );
            }
            _ => break,
        }
    }
    out
}

/// Redraws the tray, notifies new approval requests and health going down
/// (a broken audit chain, an unreadable database or config).
pub fn refresh<R: Runtime>(handle: &AppHandle<R>, app: &App, notifier: &Notifier) {
    let state = handle.state::<DesktopState>();
    let (unseen, recent) = match state.book.lock() {
        Ok(b) => (b.unseen, b.recent.iter().cloned().collect()),
        Err(_) => (0, Vec::new()),
    };
    // Read once: the tray counts it, notifications show what is new.
    let pending = app.approvals().map(|v| v.pending).unwrap_or_default();
    let snap = match app.tray_snapshot(unseen, recent, pending.len() as u64) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("tray: {e}");
            return;
        }
    };
    let open: BTreeSet<String> = pending.iter().map(|a| a.id.clone()).collect();
    notifier.retire(&open);
    let mut fresh = Vec::new();
    let mut broken_now = None;
    if let Ok(mut book) = state.book.lock() {
        for a in pending {
            if book.notified.insert(a.id.clone()) {
                fresh.push(a);
            }
        }
        // A home not set up yet is said by the window, not by an alert.
        let down = snap.health == HealthStatus::Down && app.home().root().is_dir();
        if down && !book.down {
            broken_now = snap.health_detail.clone();
        }
        book.down = down;
    }
    if !state.book.lock().is_ok_and(|b| b.planner.dnd()) {
        for a in &fresh {
            notifier.approval(a);
        }
    }
    if let Some(why) = broken_now {
        notifier.violation(&Violation::down(&why, uas_core::now_ms()));
    }
    tray::draw(handle, &snap);
}

fn save_position(app: &App, state: &DesktopState, position: u64) {
    let mut prefs = app.desktop_prefs();
    prefs.last_seen_seq = position;
    if let Ok(b) = state.book.lock() {
        prefs.acknowledged_seq = b.acknowledged;
        prefs.do_not_disturb = b.planner.dnd();
    }
    if let Err(e) = app.save_desktop_prefs(&prefs) {
        tracing::warn!("cannot save the desktop preferences: {e}");
    }
}

/// Says once, ever, that secrets are in a file because no keyring answers.
fn tell_about_keyring(app: &App, notifier: &Notifier) {
    let (where_, in_keyring) = app.secrets_location();
    let mut prefs = app.desktop_prefs();
    if in_keyring || prefs.told_no_keyring {
        return;
    }
    notifier.notice(
        "No OS keyring",
        &format!("Universal Agent keeps its secrets in a {where_}. Start a Secret Service (GNOME Keyring, KWallet) to move them there."),
        "#/settings",
    );
    prefs.told_no_keyring = true;
    let _ = app.save_desktop_prefs(&prefs);
}
