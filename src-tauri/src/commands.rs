//! `#[tauri::command]`s: thin bindings over `uas_api::App`.

use crate::DesktopState;
use uas_api::{DoctorReport, ErrorDto, InitReport};

/// The doctor report (read-only).
#[tauri::command]
pub(crate) async fn doctor(
    state: tauri::State<'_, DesktopState>,
) -> Result<DoctorReport, ErrorDto> {
    Ok(state.app.doctor().await)
}

/// Creates the home (same as `uas init`).
#[tauri::command]
pub(crate) async fn init(state: tauri::State<'_, DesktopState>) -> Result<InitReport, ErrorDto> {
    state.app.init().await.map_err(|e| e.to_dto())
}
