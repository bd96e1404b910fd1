//! `#[tauri::command]`s: thin bindings over `uas_api::App`.

use crate::DesktopState;
use uas_api::{
    AgentSelection, ApiError, App, DoctorReport, ErrorDto, InitReport, SetupOptions, SetupReport,
    StatusReport,
};

/// Runs a facade call on the blocking pool: the facade is synchronous
/// (files, SQLite), and the async runtime's threads must not wait on it.
async fn blocking<T: Send + 'static>(
    state: &DesktopState,
    call: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ErrorDto> {
    let app = state.app.clone();
    tauri::async_runtime::spawn_blocking(move || call(&app).map_err(|e| e.to_dto()))
        .await
        .map_err(|e| ErrorDto {
            code: "internal".into(),
            message: format!("the call did not finish: {e}"),
        })?
}

/// The doctor report (read-only).
#[tauri::command]
pub(crate) async fn doctor(
    state: tauri::State<'_, DesktopState>,
) -> Result<DoctorReport, ErrorDto> {
    blocking(&state, |app| Ok(app.doctor())).await
}

/// Creates the home (same as `uas init`).
#[tauri::command]
pub(crate) async fn init(state: tauri::State<'_, DesktopState>) -> Result<InitReport, ErrorDto> {
    blocking(&state, App::init).await
}

/// Per-agent status: detected, set up, drift (same as `uas status`).
#[tauri::command]
pub(crate) async fn status(
    state: tauri::State<'_, DesktopState>,
) -> Result<StatusReport, ErrorDto> {
    blocking(&state, App::status).await
}

/// One-click setup of every detected agent (same as `uas setup --yes`);
/// with `dry_run` only the plan is returned.
#[tauri::command]
pub(crate) async fn setup_agents(
    state: tauri::State<'_, DesktopState>,
    dry_run: bool,
) -> Result<SetupReport, ErrorDto> {
    let opts = SetupOptions {
        agents: AgentSelection::Detected,
        dry_run,
        project: None,
        partial: false,
        failpoints: uas_api::ApplyFailpoints::default(),
    };
    blocking(&state, move |app| app.setup(&opts)).await
}

/// A command that is one facade call with no arguments.
macro_rules! simple {
    ($($name:ident -> $ty:ty = $call:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` (see docs/api.md).")]
        #[tauri::command]
        pub(crate) async fn $name(state: tauri::State<'_, DesktopState>) -> Result<$ty, ErrorDto> {
            blocking(&state, $call).await
        }
    )*};
}

simple! {
    health -> uas_api::HealthReport = |a: &App| Ok(a.health());
    generations -> Vec<uas_api::GenerationDto> = |a: &App| Ok(a.setup_generations());
    installed_skills -> Vec<uas_api::InstalledSkillDto> = |a: &App| a.skill_list(false);
    sop -> uas_api::SopView = App::sop_view;
    sop_sessions -> Vec<uas_api::SessionPhase> = |a: &App| a.sop_sessions(None);
    coord_sessions -> Vec<uas_api::SessionInfo> = |a: &App| a.coord_sessions(false);
    leases -> Vec<uas_api::Lease> = |a: &App| a.leases(None);
    locks -> Vec<uas_api::LockGrant> = App::locks;
    audit_verify -> uas_api::VerifyReport = App::audit_verify;
    approvals -> uas_api::ApprovalsView = App::approvals;
}

fn options(agents: AgentSelection, dry_run: bool) -> SetupOptions {
    SetupOptions {
        agents,
        dry_run,
        project: None,
        partial: false,
        failpoints: uas_api::ApplyFailpoints::default(),
    }
}

/// What setup would change, with diffs; writes nothing.
#[tauri::command]
pub(crate) async fn plan(
    state: tauri::State<'_, DesktopState>,
    agents: AgentSelection,
) -> Result<SetupReport, ErrorDto> {
    blocking(&state, move |a| a.setup(&options(agents, true))).await
}

/// Setup of `agents`.
#[tauri::command]
pub(crate) async fn apply(
    state: tauri::State<'_, DesktopState>,
    agents: AgentSelection,
) -> Result<SetupReport, ErrorDto> {
    blocking(&state, move |a| a.setup(&options(agents, false))).await
}

/// Repair of `agents`.
#[tauri::command]
pub(crate) async fn repair(
    state: tauri::State<'_, DesktopState>,
    agents: AgentSelection,
) -> Result<SetupReport, ErrorDto> {
    blocking(&state, move |a| a.repair(&options(agents, false))).await
}

/// Uninstall of `agents`.
#[tauri::command]
pub(crate) async fn uninstall(
    state: tauri::State<'_, DesktopState>,
    agents: AgentSelection,
) -> Result<SetupReport, ErrorDto> {
    blocking(&state, move |a| a.uninstall(&options(agents, false))).await
}

/// Undo an apply (the newest, or down to `generation`).
#[tauri::command]
pub(crate) async fn rollback(
    state: tauri::State<'_, DesktopState>,
    generation: Option<u64>,
) -> Result<uas_api::RollbackReport, ErrorDto> {
    blocking(&state, move |a| a.rollback_setup(false, generation)).await
}

/// The marketplace.
#[tauri::command]
pub(crate) async fn market(
    state: tauri::State<'_, DesktopState>,
    query: Option<String>,
) -> Result<Vec<uas_api::MarketSkill>, ErrorDto> {
    blocking(&state, move |a| a.market(query.as_deref().unwrap_or(""))).await
}

/// One skill's page.
#[tauri::command]
pub(crate) async fn skill(
    state: tauri::State<'_, DesktopState>,
    name: String,
) -> Result<uas_api::SkillPage, ErrorDto> {
    blocking(&state, move |a| a.skill_page(&name)).await
}

/// Install `request` (`name` or `name@req`).
#[tauri::command]
pub(crate) async fn skill_install(
    state: tauri::State<'_, DesktopState>,
    request: String,
) -> Result<uas_api::SkillsReport, ErrorDto> {
    blocking(&state, move |a| {
        a.skill_install(&[request], &uas_api::SkillOptions::default(), &mut |_| {})
    })
    .await
}

/// Update one skill, or all.
#[tauri::command]
pub(crate) async fn skill_update(
    state: tauri::State<'_, DesktopState>,
    name: Option<String>,
) -> Result<uas_api::SkillsReport, ErrorDto> {
    let names: Vec<String> = name.into_iter().collect();
    blocking(&state, move |a| {
        a.skill_update(&names, &uas_api::SkillOptions::default(), &mut |_| {})
    })
    .await
}

/// Roll a skill back.
#[tauri::command]
pub(crate) async fn skill_rollback(
    state: tauri::State<'_, DesktopState>,
    name: String,
) -> Result<uas_api::SkillsReport, ErrorDto> {
    blocking(&state, move |a| {
        a.skill_rollback(&name, None, &uas_api::SkillOptions::default())
    })
    .await
}

/// Remove a skill.
#[tauri::command]
pub(crate) async fn skill_remove(
    state: tauri::State<'_, DesktopState>,
    name: String,
) -> Result<uas_api::SkillsReport, ErrorDto> {
    blocking(&state, move |a| {
        a.skill_remove(&name, &uas_api::SkillOptions::default())
    })
    .await
}

/// Observe or enforce, for every agent (a person at the window).
#[tauri::command]
pub(crate) async fn set_mode(
    state: tauri::State<'_, DesktopState>,
    mode: uas_api::Mode,
) -> Result<uas_api::ModeReport, ErrorDto> {
    blocking(&state, move |a| {
        a.set_sop_mode(mode, None, &desktop_person())
    })
    .await
}

/// A page of the audit log.
#[tauri::command]
pub(crate) async fn audit(
    state: tauri::State<'_, DesktopState>,
    query: uas_api::AuditQuery,
) -> Result<uas_api::AuditPage, ErrorDto> {
    blocking(&state, move |a| a.audit_query(&query)).await
}

/// Answer an approval request (a person at the window).
#[tauri::command]
pub(crate) async fn answer_approval(
    state: tauri::State<'_, DesktopState>,
    id: String,
    answer: uas_api::Answer,
) -> Result<uas_api::ApprovalItem, ErrorDto> {
    blocking(&state, move |a| {
        a.answer_approval(&id, answer, &desktop_person())
    })
    .await
}

fn desktop_person() -> uas_api::ApprovalMethod {
    crate::actions::person("desktop")
}

/// The settings screen: launch at login, do-not-disturb, where secrets
/// live, who runs the duties.
#[tauri::command]
pub(crate) async fn desktop_settings(
    state: tauri::State<'_, DesktopState>,
) -> Result<uas_api::DesktopSettings, ErrorDto> {
    Ok(crate::actions::settings(&state))
}

/// Turns launch at login on or off.
#[tauri::command]
pub(crate) async fn set_start_at_login<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, DesktopState>,
    on: bool,
) -> Result<uas_api::DesktopSettings, ErrorDto> {
    let s = crate::actions::set_autostart(&state, on).map_err(|e| e.to_dto())?;
    crate::actions::redraw(&app);
    Ok(s)
}

/// Turns do-not-disturb on or off.
#[tauri::command]
pub(crate) async fn set_do_not_disturb<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, DesktopState>,
    on: bool,
) -> Result<uas_api::DesktopSettings, ErrorDto> {
    let s = crate::actions::set_dnd(&state, on).map_err(|e| e.to_dto())?;
    crate::actions::redraw(&app);
    Ok(s)
}

/// What the tray shows (for the ui and tests).
#[tauri::command]
pub(crate) async fn tray_state(
    state: tauri::State<'_, DesktopState>,
) -> Result<Option<uas_api::TraySnapshot>, ErrorDto> {
    Ok(state
        .drawn
        .lock()
        .ok()
        .and_then(|d| d.as_ref().map(|(snap, _)| snap.clone())))
}

/// Streams audit records after `since` to the window as `uas://live`
/// events; a later call replaces the stream (the ui calls it again after
/// it reconnects).
#[tauri::command]
pub(crate) async fn live_since<R: tauri::Runtime>(
    window: tauri::Window<R>,
    state: tauri::State<'_, DesktopState>,
    since: Option<u64>,
) -> Result<(), ErrorDto> {
    use std::sync::atomic::Ordering;
    use tauri::Emitter;
    let generation = state.live.fetch_add(1, Ordering::SeqCst) + 1;
    let live = std::sync::Arc::clone(&state.live);
    let mut follow = blocking(&state, move |a| a.audit_follow(since, Default::default())).await?;
    std::thread::spawn(move || {
        while live.load(Ordering::SeqCst) == generation {
            let Ok(batch) = follow.next(std::time::Duration::from_millis(500)) else {
                return;
            };
            for record in batch {
                let m = serde_json::json!({"type": "event", "record": record});
                if window.emit("uas://live", m).is_err() {
                    return;
                }
            }
        }
    });
    Ok(())
}
