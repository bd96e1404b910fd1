//! `#[tauri::command]`s: thin bindings over `uas_api::App`.

use crate::DesktopState;
use uas_api::{
    AgentSelection, DoctorReport, ErrorDto, InitReport, SetupOptions, SetupReport, StatusReport,
};

/// The doctor report (read-only).
#[tauri::command]
pub(crate) async fn doctor(
    state: tauri::State<'_, DesktopState>,
) -> Result<DoctorReport, ErrorDto> {
    Ok(state.app.doctor())
}

/// Creates the home (same as `uas init`).
#[tauri::command]
pub(crate) async fn init(state: tauri::State<'_, DesktopState>) -> Result<InitReport, ErrorDto> {
    state.app.init().map_err(|e| e.to_dto())
}

/// Per-agent status: detected, set up, drift (same as `uas status`).
#[tauri::command]
pub(crate) async fn status(
    state: tauri::State<'_, DesktopState>,
) -> Result<StatusReport, ErrorDto> {
    state.app.status().map_err(|e| e.to_dto())
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
        failpoints: uas_api::ApplyFailpoints::default(),
    };
    state.app.setup(&opts).map_err(|e| e.to_dto())
}
