//! The tray icon: its picture says the state (ok, new violations, pending
//! approvals, degraded, enforcement paused), its tooltip (and on Linux its
//! title) the counts, and its menu: Open, Pending approvals (n), Recent
//! violations, Agents, Pause enforcement…, Start at login, Do not disturb,
//! Quit. [`draw`] rebuilds it from a [`uas_api::TraySnapshot`].

use crate::DesktopState;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use uas_api::{TrayLevel, TraySnapshot};

const TRAY: &str = "main";
const OPEN: &str = "open";
const APPROVALS: &str = "approvals";
const PAUSE: &str = "pause";
const RESUME: &str = "resume";
const AUTOSTART: &str = "autostart";
const DND: &str = "dnd";
const QUIT: &str = "quit";
const VIOLATION: &str = "violation:";
const AGENT: &str = "agent:";

/// The icon for a state.
fn icon(level: TrayLevel) -> tauri::Result<Image<'static>> {
    let bytes: &'static [u8] = match level {
        TrayLevel::Ok => include_bytes!("../../icons/tray/ok.png"),
        TrayLevel::Violations => include_bytes!("../../icons/tray/violations.png"),
        TrayLevel::Approvals => include_bytes!("../../icons/tray/approvals.png"),
        TrayLevel::Degraded => include_bytes!("../../icons/tray/degraded.png"),
        TrayLevel::Paused => include_bytes!("../../icons/tray/paused.png"),
    };
    Image::from_bytes(bytes)
}

/// Adds the tray icon (state "ok" until the follower draws the real one).
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Universal Agent", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    TrayIconBuilder::with_id(TRAY)
        .tooltip("Universal Agent")
        .icon(icon(TrayLevel::Ok)?)
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Redraws icon, tooltip and menu.
/// Nothing is redrawn when nothing changed: rebuilding the menu would
/// close it under a person's pointer and renumber its items.
pub fn draw<R: Runtime>(app: &AppHandle<R>, snap: &TraySnapshot) {
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    let state = app.state::<DesktopState>();
    let toggles = (
        state.autostart.as_ref().is_some_and(|a| a.enabled()),
        state.book.lock().is_ok_and(|b| b.planner.dnd()),
    );
    if let Ok(mut last) = state.drawn.lock() {
        if last.as_ref() == Some(&(snap.clone(), toggles)) {
            return;
        }
        *last = Some((snap.clone(), toggles));
    }
    let result = (|| -> tauri::Result<()> {
        tray.set_icon(Some(icon(snap.level)?))?;
        let tip = snap.tooltip();
        tray.set_tooltip(Some(&tip))?;
        // Linux trays show no tooltip from libappindicator: the title is
        // what carries the text there.
        tray.set_title(Some(&tip))?;
        tray.set_menu(Some(menu(app, snap)?))?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!("cannot redraw the tray: {e}");
    }
}

/// A submenu of `(id, label)` items, or one disabled `empty` line.
fn submenu<R: Runtime>(
    app: &AppHandle<R>,
    title: String,
    items: Vec<(String, String)>,
    empty: &str,
) -> tauri::Result<Submenu<R>> {
    let items: Vec<MenuItem<R>> = if items.is_empty() {
        vec![MenuItem::with_id(app, "none", empty, false, None::<&str>)?]
    } else {
        items
            .into_iter()
            .map(|(id, label)| MenuItem::with_id(app, id, label, true, None::<&str>))
            .collect::<tauri::Result<_>>()?
    };
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|m| m as _).collect();
    Submenu::with_items(app, title, true, &refs)
}

fn menu<R: Runtime>(app: &AppHandle<R>, snap: &TraySnapshot) -> tauri::Result<Menu<R>> {
    let state = app.state::<DesktopState>();
    let open = MenuItem::with_id(app, OPEN, "Open Universal Agent", true, None::<&str>)?;
    let approvals = MenuItem::with_id(
        app,
        APPROVALS,
        format!("Pending approvals ({})", snap.pending),
        true,
        None::<&str>,
    )?;
    let recent = snap
        .recent
        .iter()
        .map(|v| {
            let label = if v.seq > 0 {
                format!("#{} {}", v.seq, v.title())
            } else {
                v.title()
            };
            (format!("{VIOLATION}{}", v.seq), label)
        })
        .collect();
    let title = if snap.unseen > 0 {
        format!("Recent violations ({} new)", snap.unseen)
    } else {
        "Recent violations".to_owned()
    };
    let recent_menu = submenu(app, title, recent, "No violations")?;
    let agents = snap
        .agents
        .iter()
        .map(|a| (format!("{AGENT}{}", a.agent), a.line.clone()))
        .collect();
    let agents_menu = submenu(app, "Agents".into(), agents, "No agents detected")?;
    let pause = if snap.paused {
        MenuItem::with_id(app, RESUME, "Resume enforcement", true, None::<&str>)?
    } else {
        MenuItem::with_id(app, PAUSE, "Pause enforcement…", true, None::<&str>)?
    };
    let at_login = state.autostart.as_ref().is_some_and(|a| a.enabled());
    let autostart = CheckMenuItem::with_id(
        app,
        AUTOSTART,
        "Start at login",
        state.autostart.is_some(),
        at_login,
        None::<&str>,
    )?;
    let dnd_on = state.book.lock().is_ok_and(|b| b.planner.dnd());
    let dnd = CheckMenuItem::with_id(app, DND, "Do not disturb", true, dnd_on, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let sep2 = PredefinedMenuItem::separator(app)?;
    Menu::with_items(
        app,
        &[
            &open,
            &approvals,
            &recent_menu,
            &agents_menu,
            &sep,
            &pause,
            &autostart,
            &dnd,
            &sep2,
            &quit,
        ],
    )
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        OPEN => crate::show_window(app, None),
        APPROVALS => crate::show_window(app, Some("#/approvals")),
        PAUSE => crate::show_window(app, Some("#/sop/pause")),
        RESUME => crate::actions::resume_enforcement(app),
        AUTOSTART => crate::actions::toggle_autostart(app),
        DND => crate::actions::toggle_dnd(app),
        QUIT => crate::quit(app),
        _ => {
            if let Some(seq) = id.strip_prefix(VIOLATION) {
                let route = if seq == "0" {
                    "#/health".to_owned()
                } else {
                    format!("#/monitor/{seq}")
                };
                crate::show_window(app, Some(&route));
            } else if id.starts_with(AGENT) {
                crate::show_window(app, Some("#/setup"));
            }
        }
    }
}
