//! Core types every other Universal Agent crate shares: where things live
//! ([`Home`]), the user's configuration ([`Config`]), the agents we know
//! ([`AgentId`]) and the one way we write files ([`fsx::write_atomic`]).
//!
//! Nothing here reads the process environment: callers resolve paths once at
//! the edge (the CLI's `main`, the desktop's setup) and pass them in, so tests
//! can build a temporary home without touching the real one.

pub mod agent;
pub mod ancestry;
pub mod config;
pub mod event;
pub mod fsx;
pub mod install;
pub mod launch;
pub mod oplock;
pub mod paths;
pub mod service;

pub use agent::AgentId;
pub use config::{Config, ConfigError};
pub use event::{AgentEvent, EventKind, Subagent, ToolCall, ToolClass, ToolOutcome, now_ms, utc};
pub use launch::LaunchOff;
pub use paths::{Home, HomeError};
