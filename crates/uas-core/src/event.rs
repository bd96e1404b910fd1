//! The one event type every agent's hook input is normalized into.
//!
//! Each agent sends its own JSON (Claude's `PreToolUse`, Copilot's
//! `preToolUse`, OpenCode's `tool.execute.before`, …); `uas-hook` turns it
//! into an [`AgentEvent`] so the SOP engine and the audit log see one shape.

use crate::AgentId;
use serde::{Deserialize, Serialize};

/// What happened, in agent-neutral terms: the one event enum (each agent's
/// module in `uas-providers` maps its own event names onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    /// A session started (or resumed).
    SessionStart,
    /// The user submitted a prompt.
    Prompt,
    /// A tool is about to run; the answer can block it.
    PreTool,
    /// A tool ran.
    PostTool,
    /// The agent finished a turn.
    Stop,
    /// The session ended.
    SessionEnd,
    /// The agent asks whether a tool may run (its permission dialog or
    /// rules); the answer can refuse it.
    Permission,
    /// A subagent is about to start.
    SubagentStart,
    /// A subagent finished.
    SubagentStop,
    /// The conversation is about to be compacted (the session brief may
    /// drop out of the model's context).
    Compact,
    /// The agent noticed a change of its settings mid-session; the answer
    /// can keep the change out of the session.
    ConfigChange,
    /// The agent reports an error that ended a turn (API failure, …).
    AgentError,
    /// An event we record but do not interpret.
    Other,
}

impl EventKind {
    /// The snake_case name used in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionStart => "session_start",
            Self::Prompt => "prompt",
            Self::PreTool => "pre_tool",
            Self::PostTool => "post_tool",
            Self::Stop => "stop",
            Self::SessionEnd => "session_end",
            Self::Permission => "permission",
            Self::SubagentStart => "subagent_start",
            Self::SubagentStop => "subagent_stop",
            Self::Compact => "compact",
            Self::ConfigChange => "config_change",
            Self::AgentError => "agent_error",
            Self::Other => "other",
        }
    }
}

/// What a tool does to the world, as far as the SOP cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ToolClass {
    /// Creates, changes or deletes files (Write, Edit, apply_patch, write_file, …).
    Write,
    /// Runs a shell command.
    Shell,
    /// Reads or searches (Read, Grep, view, read_file, web fetch, …).
    Read,
    /// Anything else (MCP tools, todo lists, …).
    Other,
}

/// A tool call, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ToolCall {
    /// The agent's own tool name (`Write`, `apply_patch`, `write_file`, `bash`).
    pub name: String,
    /// What kind of tool it is.
    pub class: ToolClass,
    /// Absolute paths the call writes (for `Write`) or names (others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// The shell command, for `Shell`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// How a tool call ended, from a post-tool event (observed, never claimed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ToolOutcome {
    /// `Some(true)` when the agent reported success, `None` when it didn't say.
    pub success: Option<bool>,
    /// The exit code of a shell command, when the agent reports one.
    pub exit_code: Option<i32>,
}

/// One hook call, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AgentEvent {
    /// The agent that called.
    pub agent: AgentId,
    /// The agent's session id (`unknown` when it sent none).
    pub session: String,
    /// The session's working directory, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// The agent-neutral kind.
    pub kind: EventKind,
    /// The agent's own event name (`PreToolUse`, `preToolUse`, `BeforeTool`).
    pub agent_event: String,
    /// The tool call, for pre/post tool events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<ToolCall>,
    /// The tool's arguments as the agent sent them.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub tool_input: serde_json::Value,
    /// How the tool call ended, for post-tool events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ToolOutcome>,
    /// The agent's own timestamp in ms since the epoch, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_ts_ms: Option<i64>,
    /// When `uas hook` received the event, in ms since the epoch.
    pub received_ms: i64,
    /// The subagent that acted, when the agent says (Claude's and Codex's
    /// `agent_id`/`agent_type`, Copilot's `agentId`/`agentName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subagent: Option<Subagent>,
    /// What a lifecycle event said, for the record (a settings change's
    /// source and file, an error's message, a compaction's trigger).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub detail: serde_json::Value,
}

/// A subagent inside a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Subagent {
    /// The agent's id for the subagent, when it sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its type or name (`Explore`, `general-purpose`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-12-02 08:01:33 UTC` from Unix seconds (civil-from-days, Howard Hinnant).
pub fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
