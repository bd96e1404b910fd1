//! One adapter per AI coding agent. For now: finding out which agents are
//! installed ([`detect`]); rendering, hook registration and repair build on it.

pub mod detect;

pub use detect::{Confidence, Detection, ProbeEnv, detect, detect_all};
