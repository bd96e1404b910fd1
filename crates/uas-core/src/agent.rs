//! The AI coding agents Universal Agent knows how to set up and supervise.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One supported agent. The string form (`claude`, `codex`, …) is what users
/// type on the command line, what config files contain and what hooks pass.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum AgentId {
    /// Anthropic Claude Code.
    Claude,
    /// OpenAI Codex CLI.
    Codex,
    /// Google Antigravity CLI (`agy`), successor of Gemini CLI for individuals.
    Antigravity,
    /// Google Gemini CLI (legacy / enterprise).
    Gemini,
    /// OpenCode.
    Opencode,
    /// Cursor (editor and `cursor-agent`).
    Cursor,
    /// GitHub Copilot CLI.
    Copilot,
    /// Qwen Code (`qwen`).
    Qwen,
    /// Augment's Auggie CLI.
    Auggie,
    /// Factory Droid.
    Droid,
    /// Kilo Code's CLI (`kilo`).
    Kilo,
    /// Cline's CLI.
    Cline,
    /// Windsurf's Cascade.
    Windsurf,
}

impl AgentId {
    /// Every agent, in the order we show them.
    pub const ALL: [AgentId; 13] = [
        AgentId::Claude,
        AgentId::Codex,
        AgentId::Antigravity,
        AgentId::Gemini,
        AgentId::Opencode,
        AgentId::Cursor,
        AgentId::Copilot,
        AgentId::Qwen,
        AgentId::Auggie,
        AgentId::Droid,
        AgentId::Kilo,
        AgentId::Cline,
        AgentId::Windsurf,
    ];

    /// The short id used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentId::Claude => "claude",
            AgentId::Codex => "codex",
            AgentId::Antigravity => "antigravity",
            AgentId::Gemini => "gemini",
            AgentId::Opencode => "opencode",
            AgentId::Cursor => "cursor",
            AgentId::Copilot => "copilot",
            AgentId::Qwen => "qwen",
            AgentId::Auggie => "auggie",
            AgentId::Droid => "droid",
            AgentId::Kilo => "kilo",
            AgentId::Cline => "cline",
            AgentId::Windsurf => "windsurf",
        }
    }

    /// The product name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            AgentId::Claude => "Claude Code",
            AgentId::Codex => "Codex CLI",
            AgentId::Antigravity => "Antigravity CLI",
            AgentId::Gemini => "Gemini CLI",
            AgentId::Opencode => "OpenCode",
            AgentId::Cursor => "Cursor",
            AgentId::Copilot => "GitHub Copilot CLI",
            AgentId::Qwen => "Qwen Code",
            AgentId::Auggie => "Auggie (Augment CLI)",
            AgentId::Droid => "Factory Droid",
            AgentId::Kilo => "Kilo Code CLI",
            AgentId::Cline => "Cline CLI",
            AgentId::Windsurf => "Windsurf (Cascade)",
        }
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An agent id that is not one of [`AgentId::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown agent `{given}`; known agents: {}", known_list())]
pub struct UnknownAgent {
    /// What the user typed.
    pub given: String,
}

fn known_list() -> String {
    AgentId::ALL.map(AgentId::as_str).join(", ")
}

impl FromStr for AgentId {
    type Err = UnknownAgent;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgentId::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAgent {
                given: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_round_trips_through_its_string_form() {
        for agent in AgentId::ALL {
            assert_eq!(agent.as_str().parse::<AgentId>().ok(), Some(agent));
        }
    }

    #[test]
    fn unknown_agent_error_lists_the_known_ones() {
        let err = "vim".parse::<AgentId>().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("`vim`") && e.contains("copilot")));
    }
}
