//! Who really called. Cursor runs the hooks of Claude's settings files too
//! (its "third-party hooks": `~/.claude/settings.json`,
//! `.claude/settings.json`, `.claude/settings.local.json`), so with both
//! agents set up every Cursor event also starts `uas hook claude <Event>`
//! with a Cursor-shaped payload. Read as Claude's, that payload has no
//! `session_id` and Cursor's tool names, and the answer would be in the
//! wrong protocol; recorded twice, the log would show a phantom Claude
//! session.
//!
//! So a Claude hook call from Cursor is decided as Cursor's event and
//! answered in Cursor's protocol. When Cursor's own hook file also registers
//! our hook for the event, that call is the one recorded and this one only
//! answers (the same decision, from the same session state).

use serde_json::Value;
use uas_core::AgentId;
use uas_providers::ProbeEnv;

/// Keys only Cursor's hook payloads carry.
const CURSOR_KEYS: &[&str] = &[
    "cursor_version",
    "conversation_id",
    "generation_id",
    "workspace_roots",
];

/// A Claude hook call that Cursor made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorViaClaude {
    /// Cursor's own name of the event (`preToolUse`).
    pub event: String,
    /// Cursor's own hook file registers our hook for this event, so that
    /// call records it and this one must not.
    pub duplicate: bool,
    /// What told us (for the audit record).
    pub evidence: String,
}

/// Cursor's event for a Claude event name (Cursor's third-party mapping).
pub fn cursor_event_for(claude_event: &str) -> Option<&'static str> {
    Some(match claude_event {
        "PreToolUse" => "preToolUse",
        "PostToolUse" => "postToolUse",
        "PostToolUseFailure" => "postToolUseFailure",
        "UserPromptSubmit" => "beforeSubmitPrompt",
        "SessionStart" => "sessionStart",
        "SessionEnd" => "sessionEnd",
        "Stop" => "stop",
        "SubagentStart" => "subagentStart",
        "SubagentStop" => "subagentStop",
        "PreCompact" => "preCompact",
        _ => return None,
    })
}

/// Whether this `uas hook claude <event>` call came from Cursor: a payload
/// key only Cursor sends, or (for a payload without Claude's own
/// `permission_mode`) the `CURSOR_VERSION` Cursor sets for hook commands.
/// `CURSOR_TRACE_ID` is not evidence: Claude Code started in Cursor's
/// terminal inherits it.
pub fn cursor_via_claude(
    agent: AgentId,
    event_name: &str,
    input: &[u8],
    probe: &ProbeEnv,
) -> Option<CursorViaClaude> {
    if agent != AgentId::Claude {
        return None;
    }
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let v: Value = serde_json::from_slice(input).ok()?;
    let obj = v.as_object()?;
    let evidence = match CURSOR_KEYS.iter().find(|k| obj.contains_key(**k)) {
        Some(k) => format!("payload key `{k}`"),
        None if !obj.contains_key("permission_mode") && probe.var("CURSOR_VERSION").is_some() => {
            "CURSOR_VERSION in the hook's environment".to_owned()
        }
        None => return None,
    };
    let event = obj
        .get("hook_event_name")
        .and_then(Value::as_str)
        .filter(|e| e.starts_with(|c: char| c.is_ascii_lowercase()))
        .map(str::to_owned)
        .or_else(|| cursor_event_for(event_name).map(str::to_owned))
        .unwrap_or_else(|| event_name.to_owned());
    let duplicate =
        uas_providers::configured::registered_events(AgentId::Cursor, probe).contains(&event);
    Some(CursorViaClaude {
        event,
        duplicate,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn probe(home: PathBuf, vars: &[(&str, &str)]) -> ProbeEnv {
        ProbeEnv::new(
            home,
            None,
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn claude_payloads_stay_claude_even_inside_a_cursor_terminal() {
        let p = probe(
            "/nonexistent".into(),
            &[("CURSOR_TRACE_ID", "t"), ("CURSOR_AGENT", "1")],
        );
        let claude = br#"{"session_id":"s","transcript_path":"/t","cwd":"/p","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{}}"#;
        assert_eq!(
            cursor_via_claude(AgentId::Claude, "PreToolUse", claude, &p),
            None
        );
        let p = probe("/nonexistent".into(), &[("CURSOR_VERSION", "2.4")]);
        assert_eq!(
            cursor_via_claude(AgentId::Claude, "PreToolUse", claude, &p),
            None,
            "Claude's own permission_mode wins over the environment"
        );
    }

    #[test]
    fn cursor_payloads_are_recognised_and_mapped_to_cursor_events() {
        let p = probe("/nonexistent".into(), &[]);
        let cursor = br#"{"conversation_id":"c","generation_id":"g","hook_event_name":"preToolUse","tool_name":"Shell","tool_input":{"command":"ls"}}"#;
        let got = cursor_via_claude(AgentId::Claude, "PreToolUse", cursor, &p).expect("cursor");
        assert_eq!(got.event, "preToolUse");
        assert!(!got.duplicate);
        assert!(got.evidence.contains("conversation_id"), "{}", got.evidence);
        // Without a camelCase event name, Claude's name is mapped.
        let bare = br#"{"cursor_version":"2.4","prompt":"hi"}"#;
        let got = cursor_via_claude(AgentId::Claude, "UserPromptSubmit", bare, &p).expect("c");
        assert_eq!(got.event, "beforeSubmitPrompt");
        // Other agents' hooks are never redirected.
        assert_eq!(
            cursor_via_claude(AgentId::Codex, "PreToolUse", cursor, &p),
            None
        );
    }

    #[test]
    fn a_registered_cursor_hook_makes_the_claude_call_a_duplicate() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join(".cursor")).expect("mkdir");
        std::fs::write(
            dir.path().join(".cursor/hooks.json"),
            r#"{"version":1,"hooks":{"preToolUse":[{"command":"/usr/bin/uas hook cursor preToolUse","failClosed":true}],"stop":[{"command":"./mine.sh"}]}}"#,
        )
        .expect("write");
        let p = probe(dir.path().to_owned(), &[]);
        let pre = br#"{"conversation_id":"c","hook_event_name":"preToolUse","tool_name":"Shell"}"#;
        assert!(
            cursor_via_claude(AgentId::Claude, "PreToolUse", pre, &p)
                .expect("cursor")
                .duplicate
        );
        // `stop` has only the user's own hook: this call is the record.
        let stop = br#"{"conversation_id":"c","hook_event_name":"stop"}"#;
        assert!(
            !cursor_via_claude(AgentId::Claude, "Stop", stop, &p)
                .expect("cursor")
                .duplicate
        );
    }
}
