#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! `uas-desktop`: see `lib.rs`.
fn main() {
    uas_desktop::run()
}
