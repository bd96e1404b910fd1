//! The standard operating procedure (SOP): declarative phases, gates and
//! rules, and the engine that turns an agent's tool call into allow, warn
//! or deny.
//!
//! An SOP file (`~/.agent/sop/<name>.toml`, see [`DEFAULT_SOP_TOML`]) lists
//! ordered phases, each with the evidence needed to enter it, and ordered
//! rules matching tool calls by class, name, written path or shell command.
//! Evidence is observed from events (a post-tool event of a test command
//! with exit code 0), never taken from the agent's word. The engine is pure:
//! the caller loads and stores [`SessionState`] (the hook does it in the same
//! database transaction as the audit record).

pub mod analyze;
pub mod commit_gate;
pub mod def;
pub mod engine;
pub mod launch;
pub mod mode;
pub mod shell;

pub use def::{
    ASK_TIMEOUT_S, Action, Approval, Approver, DEFAULT_SOP_TOML, EVIDENCE, Phase, Rule,
    RuleSeverity, Sop, SopError, SopProblem, Violation, describe_evidence,
};
pub use engine::{
    AdvanceError, Approved, AskSpec, Context, Decision, Gate, LOCKED_RULE, Lock, QUIET_PROMPTS,
    SessionState,
};
pub use launch::LaunchOff;
pub use mode::{EnforcementMode, MODE_KEY, Mode, ModeSetting};
