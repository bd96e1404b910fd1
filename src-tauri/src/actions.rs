//! What the tray, notifications and settings commands do; each is a call
//! into `uas-api` (or the autostart entry) plus a tray redraw.

use crate::DesktopState;
use crate::alerts::Click;
use tauri::{AppHandle, Manager, Runtime};
use uas_api::{Answer, ApiError, ApprovalMethod, DesktopSettings, Mode};

/// Who acts: a person at this desktop, and through what.
pub fn person(method: &str) -> ApprovalMethod {
    ApprovalMethod {
        method: method.into(),
        user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
        tty: None,
    }
}

/// The settings screen's view.
pub fn settings(state: &DesktopState) -> DesktopSettings {
    let (secrets, secrets_in_keyring) = state.app.secrets_location();
    let start_at_login = state.autostart.as_ref().is_some_and(|a| a.enabled());
    DesktopSettings {
        start_at_login,
        autostart_entry: state
            .autostart
            .as_ref()
            .filter(|_| start_at_login)
            .map(|a| a.entry().display().to_string()),
        do_not_disturb: state.book.lock().is_ok_and(|b| b.planner.dnd()),
        secrets,
        secrets_in_keyring,
        duties: state.duties.lock().map(|d| d.clone()).unwrap_or_default(),
    }
}

/// Turns launch at login on or off.
pub fn set_autostart(state: &DesktopState, on: bool) -> Result<DesktopSettings, ApiError> {
    let a = state.autostart.as_ref().ok_or_else(|| {
        ApiError::Invalid("start at login is not available (no home folder or program path)".into())
    })?;
    a.set(on).map_err(|e| ApiError::Invalid(e.to_string()))?;
    Ok(settings(state))
}

/// Turns do-not-disturb on or off (kept in the preferences).
pub fn set_dnd(state: &DesktopState, on: bool) -> Result<DesktopSettings, ApiError> {
    if let Ok(mut b) = state.book.lock() {
        b.planner.set_dnd(on);
    }
    let mut prefs = state.app.desktop_prefs();
    prefs.do_not_disturb = on;
    state.app.save_desktop_prefs(&prefs)?;
    Ok(settings(state))
}

/// The tray's Start at login checkbox.
pub fn toggle_autostart<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DesktopState>();
    let on = state.autostart.as_ref().is_some_and(|a| a.enabled());
    if let Err(e) = set_autostart(&state, !on) {
        tracing::warn!("{e}");
        notice(app, "Start at login was not changed", &e.to_string());
    }
    redraw(app);
}

/// The tray's Do not disturb checkbox.
pub fn toggle_dnd<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DesktopState>();
    let on = state.book.lock().is_ok_and(|b| b.planner.dnd());
    if let Err(e) = set_dnd(&state, !on) {
        tracing::warn!("{e}");
    }
    redraw(app);
}

/// The tray's Resume enforcement (pausing asks for a confirmation in the
/// window; resuming is always safe).
pub fn resume_enforcement<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    std::thread::spawn(move || {
        let state = app.state::<DesktopState>();
        if let Err(e) = state
            .app
            .set_sop_mode(Mode::Enforce, None, &person("desktop-tray"))
        {
            tracing::warn!("cannot resume enforcement: {e}");
            notice(&app, "Enforcement was not resumed", &e.to_string());
        }
        redraw(&app);
    });
}

/// A click on a notification.
pub fn clicked<R: Runtime>(app: &AppHandle<R>, click: Click) {
    match click {
        Click::Open(route) => crate::show_window(app, Some(&route)),
        Click::Answer { id, approve } => {
            let state = app.state::<DesktopState>();
            let answer = if approve {
                Answer::Approve
            } else {
                Answer::Refuse
            };
            match state
                .app
                .answer_approval(&id, answer, &person("desktop-notification"))
            {
                Ok(item) => tracing::info!("{id}: {:?} from a notification", item.state),
                Err(e) => notice(app, "The answer was not recorded", &e.to_string()),
            }
            redraw(app);
        }
    }
}

fn notice<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let state = app.state::<DesktopState>();
    if let Some(n) = state.notifier.get() {
        n.notice(title, body, "#/settings");
    }
}

/// Redraws the tray now (off the caller's thread: a menu handler runs on
/// the main thread, and the snapshot reads the store).
pub fn redraw<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    std::thread::spawn(move || {
        let state = handle.state::<DesktopState>();
        if let Some(n) = state.notifier.get() {
            crate::follow::refresh(&handle, &state.app, n);
        }
    });
}
