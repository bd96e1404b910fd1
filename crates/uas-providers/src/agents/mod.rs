//! What each agent reads and where: one module per agent, each a small
//! [`AgentSpec`] that the generic planner turns into file changes.

mod antigravity;
mod claude;
mod codex;
mod copilot;
mod cursor;
mod gemini;
mod opencode;

pub use opencode::installed_major as opencode_major;

use crate::hookjson::HookShape;
use serde::Serialize;
use uas_core::AgentId;

/// The normalized events we register, mapped to each agent's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HookEvent {
    /// A session begins.
    SessionStart,
    /// A session ends.
    SessionEnd,
    /// Before a tool runs (the one that can block).
    PreToolUse,
    /// After a tool ran.
    PostToolUse,
    /// The user submitted a prompt.
    PromptSubmit,
    /// The agent finished its turn.
    Stop,
}

/// How the agent treats a hook that crashes or times out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FailureMode {
    /// The tool runs anyway.
    Open,
    /// The tool is blocked.
    Closed,
}

/// What an agent can do with our hooks (shown by `uas detect`/`status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Capabilities {
    /// Whether the agent runs hooks at all.
    pub hooks: bool,
    /// Which normalized events we register.
    pub events: Vec<HookEvent>,
    /// Whether a pre-tool hook can block the tool.
    pub can_block: bool,
    /// What happens when our hook fails.
    pub on_failure: FailureMode,
    /// What the user must do before the agent runs our hooks, if anything.
    pub approval: Option<String>,
    /// Confidence notes for facts not verified against the agent itself.
    pub notes: Vec<String>,
}

/// Where hooks go for one agent.
#[derive(Debug, Clone)]
pub struct HookFile {
    /// The JSON file (relative to the agent's config dir).
    pub file: &'static str,
    /// Layout of the file.
    pub shape: HookShape,
    /// (normalized event, the agent's event name).
    pub events: &'static [(HookEvent, &'static str)],
    /// Builds one entry for `command` at the agent's event.
    pub entry: fn(command: &str, event: &str) -> serde_json::Value,
    /// Keys the file needs at the top level when we create it (`version`).
    pub required_root: &'static [(&'static str, i64)],
}

/// Renders a generated file from the path of the uas binary.
pub type RenderOwned = fn(uas_bin: &str) -> String;

/// Everything the planner needs to know about one agent.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    /// Which agent.
    pub agent: AgentId,
    /// User-level instruction file, relative to the config dir.
    pub instructions: Option<&'static str>,
    /// Instruction file in a project, relative to the project root.
    pub project_instructions: Option<&'static str>,
    /// Skills folder, relative to the config dir.
    pub skills: &'static str,
    /// JSON hook registration, if the agent has hook files.
    pub hooks: Option<HookFile>,
    /// A generated file we own whole (OpenCode's plugin): path relative to
    /// the config dir and a renderer taking the uas command.
    pub owned_file: Option<(&'static str, RenderOwned)>,
    /// What the agent does with hooks, beyond what the hook file says.
    pub facts: Facts,
}

/// Per-agent facts behind [`Capabilities`]; the events come from the hook
/// file (or `plugin_events` for an agent hooked through a generated plugin).
#[derive(Debug, Clone)]
pub struct Facts {
    /// Whether a pre-tool hook can block the tool.
    pub can_block: bool,
    /// What happens when our hook fails.
    pub on_failure: FailureMode,
    /// What the user must do before the agent runs our hooks, if anything.
    pub approval: Option<&'static str>,
    /// How sure we are, and of what.
    pub note: &'static str,
    /// Events a generated plugin handles (agents without a hook file).
    pub plugin_events: &'static [HookEvent],
}

impl AgentSpec {
    /// Capabilities for `uas detect` / `uas status`, derived from the hook
    /// file so the event list is written once per agent.
    pub fn capabilities(&self) -> Capabilities {
        let mut events: Vec<HookEvent> = match &self.hooks {
            Some(h) => h.events.iter().map(|(e, _)| *e).collect(),
            None => self.facts.plugin_events.to_vec(),
        };
        // Two agent events can share a kind (Antigravity's PostInvocation
        // and Stop).
        let mut seen = Vec::new();
        events.retain(|e| {
            let new = !seen.contains(e);
            seen.push(*e);
            new
        });
        Capabilities {
            hooks: !events.is_empty(),
            events,
            can_block: self.facts.can_block,
            on_failure: self.facts.on_failure,
            approval: self.facts.approval.map(str::to_owned),
            notes: vec![self.facts.note.to_owned()],
        }
    }
}

/// The spec of `agent`.
pub fn spec(agent: AgentId) -> AgentSpec {
    match agent {
        AgentId::Claude => claude::spec(),
        AgentId::Codex => codex::spec(),
        AgentId::Antigravity => antigravity::spec(),
        AgentId::Gemini => gemini::spec(),
        AgentId::Opencode => opencode::spec(),
        AgentId::Cursor => cursor::spec(),
        AgentId::Copilot => copilot::spec(),
    }
}

/// Claude-shaped entry: `{hooks:[{type:"command", command, timeout}]}`
/// with a timeout in seconds.
pub(crate) fn grouped_entry_seconds(command: &str, _event: &str) -> serde_json::Value {
    serde_json::json!({"hooks": [{"type": "command", "command": command, "timeout": 10}]})
}

/// Markers that identify a generated file as ours (first lines of the file).
pub const OWNED_MARKERS: &[&str] = &[opencode::PLUGIN_MARKER, CURSOR_RULE_MARKER];

/// Marker line of the Cursor project rule we generate.
pub const CURSOR_RULE_MARKER: &str = "<!-- uas:managed cursor rule -->";

/// The Cursor project rule (`.cursor/rules/universal-agent.mdc`) for `body`.
pub fn cursor_rule(body: &str) -> String {
    format!(
        "---\ndescription: Universal instructions shared by every agent (generated by uas; edit ~/.agent/instructions)\nalwaysApply: true\n---\n{CURSOR_RULE_MARKER}\n{}",
        crate::block::normalized_body(body)
    )
}
