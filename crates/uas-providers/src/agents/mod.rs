//! What each agent reads and where: one module per agent, each a small
//! [`AgentSpec`] that the generic planner turns into file changes.

mod antigravity;
mod auggie;
mod claude;
mod cline;
mod codex;
mod copilot;
mod cursor;
mod droid;
mod gemini;
mod kilo;
mod opencode;
mod qwen;
mod windsurf;

pub use opencode::installed_major as opencode_major;

mod protocol;

pub use protocol::{Answer, Verdict};

use crate::hookjson::HookShape;
use serde::Serialize;
use serde_json::{Map, Value};
use uas_core::{AgentId, EventKind};

/// One of an agent's own hook event names and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventName {
    /// The agent's name (`PreToolUse`, `preToolUse`, `BeforeTool`, …).
    pub name: &'static str,
    /// The agent-neutral kind.
    pub kind: EventKind,
    /// A post-tool event that reports a failed tool.
    pub failure: bool,
    /// Whether setup registers our hook for it (others are names the agent
    /// may still send us, e.g. through another agent's hook file).
    pub register: bool,
    /// Whether our answer can refuse what the event announces (a pre-tool
    /// event always can; a permission request, settings change or
    /// subagent start where the agent lets a hook say no).
    pub blocks: bool,
}

/// A registered event (pre-tool events block, others do not).
pub(crate) const fn on(kind: EventKind, name: &'static str) -> EventName {
    EventName {
        name,
        kind,
        failure: false,
        register: true,
        blocks: matches!(kind, EventKind::PreTool),
    }
}

/// A registered event whose answer can refuse what it announces.
pub(crate) const fn on_blocking(kind: EventKind, name: &'static str) -> EventName {
    EventName {
        name,
        kind,
        failure: false,
        register: true,
        blocks: true,
    }
}

/// A registered post-tool event that reports failed tools.
pub(crate) const fn on_failure(name: &'static str) -> EventName {
    EventName {
        name,
        kind: EventKind::PostTool,
        failure: true,
        register: true,
        blocks: false,
    }
}

/// A name the agent may send that setup does not register.
pub(crate) const fn known(kind: EventKind, name: &'static str) -> EventName {
    EventName {
        name,
        kind,
        failure: false,
        register: false,
        blocks: matches!(kind, EventKind::PreTool),
    }
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
    pub events: Vec<EventKind>,
    /// Whether a pre-tool hook can block the tool.
    pub can_block: bool,
    /// What happens when our hook fails.
    pub on_failure: FailureMode,
    /// What the user must do before the agent runs our hooks, if anything.
    pub approval: Option<String>,
    /// Confidence notes for facts not verified against the agent itself.
    pub notes: Vec<String>,
    /// What the agent does without our hooks seeing it.
    pub unseen: Vec<String>,
}

/// Where hooks go for one agent.
#[derive(Debug, Clone)]
pub struct HookFile {
    /// The JSON file (relative to the agent's config dir).
    pub file: &'static str,
    /// Layout of the file.
    pub shape: HookShape,
    /// Builds one entry for `command` at the agent's event.
    pub entry: fn(command: &str, event: &str) -> serde_json::Value,
    /// Keys the file needs at the top level when we create it (`version`).
    pub required_root: &'static [(&'static str, i64)],
}

/// Renders a generated file from the path of the uas binary.
pub type RenderOwned = fn(uas_bin: &str) -> String;

/// How to find an agent on a machine and know we run inside it.
#[derive(Debug, Clone, Copy)]
pub struct Presence {
    /// Its binaries, looked for on `PATH`.
    pub binaries: &'static [&'static str],
    /// Env vars set inside the agent's tool processes.
    pub inside_vars: &'static [&'static str],
    /// Env var that moves the config dir, if any.
    pub dir_var: Option<&'static str>,
    /// Config dir relative to the user's home.
    pub default_dir: &'static str,
    /// A file inside the config dir that only exists once the agent was used.
    pub marker_file: Option<&'static str>,
}

/// How the agent is started with its hooks off (besides moving its config
/// dir or `HOME`): flags as `F`, `F V` or `F !V` (see `uas_sop::LaunchOff`),
/// and variables that do it when set.
#[derive(Debug, Clone, Copy, Default)]
pub struct LaunchFlags {
    /// Command-line flags.
    pub flags: &'static [&'static str],
    /// Environment variables.
    pub vars: &'static [&'static str],
}

/// Everything the planner needs to know about one agent.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    /// Which agent.
    pub agent: AgentId,
    /// Where it lives and how it shows itself.
    pub presence: Presence,
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
    /// Every event name the agent sends us, registered or not.
    pub events: &'static [EventName],
    /// Rewrites the agent's own stdin JSON into the common shape the
    /// normalizer reads (`session_id`, `cwd`, `tool_name`, `tool_input`, …).
    pub adapt_stdin: fn(&mut Map<String, Value>),
    /// Whether a post-tool event says the tool succeeded (`None`: it does
    /// not say), from the event and its tool response.
    pub tool_success: fn(event: &Value, response: Option<&Value>) -> Option<bool>,
    /// The answer in the agent's protocol.
    pub answer: fn(EventKind, Verdict<'_>, brief: Option<&str>) -> Answer,
    /// The settings in its config dir that switch its hooks off (read
    /// only: `status` and `doctor` report them).
    pub off_switches: fn(dir: &std::path::Path) -> Vec<crate::offswitch::OffSwitch>,
    /// The system-wide (managed) settings that switch its hooks off, read
    /// under `root` (`/` on a real machine).
    pub managed_off: fn(root: &std::path::Path) -> Vec<crate::offswitch::OffSwitch>,
    /// How it is started without our hooks.
    pub launch_off: LaunchFlags,
    /// The folder in a project where the agent reads settings that can
    /// switch its hooks off there (the same file names `off_switches` reads
    /// in its config dir): `.claude`, `.gemini`, …
    pub project_settings: Option<&'static str>,
    /// Files in a project that can add or disable this agent's hooks
    /// (globs relative to the project root, `*` for any folder above).
    pub project_hook_files: &'static [&'static str],
    /// More user-level files (relative to the config dir) that can change
    /// or disable its hooks, besides the hook file.
    pub protected_files: &'static [&'static str],
}

/// Per-agent facts behind [`Capabilities`] (the events come from
/// [`AgentSpec::events`]).
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
    /// What the agent does that no hook of ours sees (tools it does not
    /// send, modes that load no user hooks), per version where known.
    pub unseen: &'static [&'static str],
}

impl AgentSpec {
    /// Capabilities for `uas detect` / `uas status`, derived from the
    /// event table so the event list is written once per agent.
    pub fn capabilities(&self) -> Capabilities {
        let mut events: Vec<EventKind> = Vec::new();
        for e in self.registered() {
            if !events.contains(&e.kind) {
                events.push(e.kind);
            }
        }
        Capabilities {
            hooks: !events.is_empty(),
            events,
            can_block: self.facts.can_block,
            on_failure: self.facts.on_failure,
            approval: self.facts.approval.map(str::to_owned),
            notes: vec![self.facts.note.to_owned()],
            unseen: self.facts.unseen.iter().map(|u| (*u).to_owned()).collect(),
        }
    }

    /// The events setup registers, in table order.
    pub fn registered(&self) -> impl Iterator<Item = &'static EventName> {
        self.events.iter().filter(|e| e.register)
    }

    /// What `name` means for this agent, when it is one of its events.
    pub fn event(&self, name: &str) -> Option<&'static EventName> {
        self.events.iter().find(|e| e.name == name)
    }
}

/// No rewriting: the agent already sends the common shape.
pub(crate) fn stdin_as_is(_: &mut Map<String, Value>) {}

/// `cwd` from the first of `workspace_roots` (Cursor, Auggie), when the
/// event has none.
pub(crate) fn cwd_from_roots(v: &mut Map<String, Value>) {
    if v.get("cwd")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(root) = v
            .get("workspace_roots")
            .and_then(|w| w.get(0))
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
    {
        let root = root.to_owned();
        v.insert("cwd".into(), Value::String(root));
    }
}

/// `session_id` from the agent's own `key`, when the event has none.
pub(crate) fn session_from(v: &mut Map<String, Value>, key: &str) {
    if !v.contains_key("session_id")
        && let Some(id) = v.get(key).cloned()
    {
        v.insert("session_id".into(), id);
    }
}

/// The agent does not say whether a tool succeeded.
pub(crate) fn success_unknown(_: &Value, _: Option<&Value>) -> Option<bool> {
    None
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
        AgentId::Qwen => qwen::spec(),
        AgentId::Auggie => auggie::spec(),
        AgentId::Droid => droid::spec(),
        AgentId::Kilo => kilo::spec(),
        AgentId::Cline => cline::spec(),
        AgentId::Windsurf => windsurf::spec(),
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
