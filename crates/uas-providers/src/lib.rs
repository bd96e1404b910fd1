//! One adapter per AI coding agent (`agents/`), and the generic machinery
//! that turns them into file changes: detection, the managed-block editor,
//! the JSON hook merger, skill materialization, the planner, apply with
//! backups and rollback, and symlink-farm migration.

pub mod agents;
pub mod apply;
pub mod block;
pub mod codex_trust;
pub mod configured;
pub mod detect;
pub mod guard;
pub mod history;
pub mod hookjson;
pub mod migrate;
pub mod offswitch;
mod overlay;
pub mod paths;
pub mod plan;
pub mod skills;

pub use detect::{Confidence, Detection, ProbeEnv, detect, detect_all};
