//! `uas hook <agent> <event>`: the process every agent starts on its hook
//! events. It reads the agent's JSON on stdin, normalizes it into one
//! [`uas_core::AgentEvent`], asks the SOP engine for a decision, appends the
//! event and the decision to the audit log in one transaction (with the
//! session's SOP state), and answers in the agent's own protocol.
//!
//! It always answers: when the database is locked past `[hooks] budget_ms`
//! or broken, `[hooks] on_error` decides (by default: deny only what a deny
//! rule would deny without session state) and the event is spooled for the
//! next writer. Unreadable input is recorded as a `malformed` event.
//!
//! Each event is also the session's heartbeat for coordination
//! ([`coordination`]): edits take file leases, and another session's edit
//! of a leased file is denied naming the holder.

pub mod approvals;
mod ask;
pub mod caller;
pub mod coordination;
pub mod guard;
mod lease_watch;
mod lifecycle;
pub mod normalize;
pub mod respond;
pub mod run;
pub mod sessions;
pub mod workspace;
mod workspace_watch;

pub use respond::Response;
pub use run::{HookEnv, Outcome, run};
