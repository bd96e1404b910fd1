//! Whether an agent is set up: what its files show (our hooks, plugin or
//! block), or the apply history when someone removed all of that.

use crate::paths::AgentPaths;
use crate::{ProbeEnv, block, hookjson};
use uas_core::AgentId;

/// True when uas set the agent up and has not uninstalled it since, by the
/// apply history. Unlike [`is_configured`] this survives someone removing
/// every uas entry from the agent's files, which is then reported as drift.
pub fn set_up_by_history(agent: AgentId, history: &crate::history::History) -> bool {
    history
        .last_command_for(agent)
        .is_some_and(|c| c != crate::history::ApplyCommand::Uninstall)
}

/// The agent's own event names our hooks are registered for in its user-level
/// hook file (empty when the file is missing or unreadable).
pub fn registered_events(agent: AgentId, probe: &ProbeEnv) -> Vec<String> {
    let paths = AgentPaths::new(agent, probe);
    let (Some(h), Some(f)) = (paths.spec.hooks.as_ref(), paths.hook_file()) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(&f) else {
        return Vec::new();
    };
    hookjson::parse_object(&f, &text)
        .map(|root| {
            let mut events: Vec<String> = hookjson::ours(&root, h.shape)
                .into_iter()
                .map(|(e, _)| e)
                .collect();
            events.dedup();
            events
        })
        .unwrap_or_default()
}

/// Whether any of our artifacts for `agent` is on disk (hooks, plugin, block).
pub fn is_configured(agent: AgentId, probe: &ProbeEnv) -> bool {
    let paths = AgentPaths::new(agent, probe);
    let hooks = paths
        .spec
        .hooks
        .as_ref()
        .zip(paths.hook_file())
        .is_some_and(|(h, f)| {
            std::fs::read_to_string(&f)
                .ok()
                .and_then(|t| hookjson::parse_object(&f, &t).ok())
                .is_some_and(|root| !hookjson::ours(&root, h.shape).is_empty())
        });
    let owned = paths.owned_file().is_some_and(|f| {
        std::fs::read_to_string(f)
            .is_ok_and(|t| crate::agents::OWNED_MARKERS.iter().any(|m| t.contains(m)))
    });
    let block = paths.instructions().is_some_and(|f| {
        // Bytes: a CLAUDE.md in Latin-1 with our block is still set up.
        std::fs::read(f).is_ok_and(|t| matches!(block::find_bytes(&t), Ok(Some(_))))
    });
    hooks || owned || (block && paths.spec.hooks.is_none() && paths.spec.owned_file.is_none())
}
