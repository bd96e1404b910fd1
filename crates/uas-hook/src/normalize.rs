//! Each agent's hook input -> one [`AgentEvent`].

use serde_json::Value;
use std::path::{Path, PathBuf};
use uas_core::{AgentEvent, AgentId, EventKind, Subagent, ToolCall, ToolClass, ToolOutcome};
use uas_providers::agents::AgentSpec;

/// The input could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// How an agent's own event name is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMeaning {
    /// The agent-neutral kind.
    pub kind: EventKind,
    /// `Some(false)` for a post-tool event that reports a failed tool.
    pub failed: Option<bool>,
    /// False when the name is none of the agent's events: such an event is
    /// decided as a pre-tool write (fail closed), since a name we cannot
    /// read may be the one that runs a tool.
    pub known: bool,
}

/// What `name` means for `agent`, from the agent's module.
pub fn event_kind(agent: AgentId, name: &str) -> EventMeaning {
    match uas_providers::agents::spec(agent).event(name) {
        Some(e) => EventMeaning {
            kind: e.kind,
            failed: e.failure.then_some(false),
            known: true,
        },
        None => EventMeaning {
            kind: EventKind::PreTool,
            failed: None,
            known: false,
        },
    }
}

/// The tool name recorded for a pre-tool event that names no tool; such a
/// call is classed as a write so the deny rules decide it.
pub const UNREADABLE_TOOL: &str = "(unreadable tool)";

/// Tool names by class, compared case-insensitively.
const WRITE_TOOLS: &[&str] = &[
    "write",
    "edit",
    "multiedit",
    "notebookedit",
    "apply_patch",
    "write_file",
    "replace",
    "edit_file",
    "create",
    "create_file",
    "str_replace",
    "str_replace_editor",
    "insert",
    "patch",
    "write_to_file",
    "replace_file_content",
    "multi_replace_file_content",
    "delete_file",
    "search_replace",
    "delete",
    "strreplace",
    "applypatch",
    "save-file",
    "str-replace-editor",
    "remove-files",
    "notebook_edit",
    "editor",
];
const SHELL_TOOLS: &[&str] = &[
    "bash",
    "shell",
    "run_shell_command",
    "exec_command",
    "run_command",
    "powershell",
    "local_shell",
    "terminal",
    "run_terminal_cmd",
    "launch-process",
    "execute",
    "run_commands",
];
const READ_TOOLS: &[&str] = &[
    "read",
    "grep",
    "glob",
    "ls",
    "view",
    "read_file",
    "read_many_files",
    "list_directory",
    "list",
    "search_file_content",
    "webfetch",
    "web_fetch",
    "websearch",
    "google_web_search",
    "find",
    "codebase_search",
    "view_file",
    "list_dir",
    "grep_search",
    "file_search",
    "web-fetch",
    "codebase-retrieval",
    "read_files",
    "search_codebase",
    "fetch_web_content",
];

/// The class of a tool name.
pub fn classify(name: &str) -> ToolClass {
    let n = name.to_ascii_lowercase();
    if WRITE_TOOLS.contains(&n.as_str()) {
        ToolClass::Write
    } else if SHELL_TOOLS.contains(&n.as_str()) {
        ToolClass::Shell
    } else if READ_TOOLS.contains(&n.as_str()) {
        ToolClass::Read
    } else {
        ToolClass::Other
    }
}

fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str))
}

/// Parses the JSON an agent wrote on stdin. `user_home` expands `~/` paths.
pub fn normalize(
    agent: AgentId,
    event_name: &str,
    input: &[u8],
    received_ms: i64,
    user_home: Option<&Path>,
) -> Result<AgentEvent, Malformed> {
    let text = std::str::from_utf8(input)
        .map_err(|e| Malformed(format!("the event is not UTF-8: {e}")))?;
    // Cursor writes a UTF-8 byte order mark before every payload.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Malformed(
            "the event is empty (expected a JSON object on stdin)".into(),
        ));
    }
    let mut v: Value = serde_json::from_str(text).map_err(|e| {
        Malformed(format!(
            "the event is not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if !v.is_object() {
        return Err(Malformed("the event is JSON but not an object".into()));
    }
    let spec = uas_providers::agents::spec(agent);
    if let Some(map) = v.as_object_mut() {
        (spec.adapt_stdin)(map);
    }
    let EventMeaning {
        kind,
        failed,
        known,
    } = event_kind(agent, event_name);
    let session = str_at(
        &v,
        &[
            "session_id",
            "sessionId",
            "sessionID",
            "conversation_id",
            "thread_id",
        ],
    )
    .unwrap_or("unknown")
    .to_owned();
    let cwd = str_at(&v, &["cwd", "directory"])
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let agent_ts_ms = v.get("timestamp").and_then(Value::as_i64);

    let mut tool = None;
    let mut tool_input = Value::Null;
    let mut outcome = None;
    if matches!(
        kind,
        EventKind::PreTool | EventKind::PostTool | EventKind::Permission
    ) {
        // An unknown event name is decided as a write whatever it carries.
        let name = str_at(&v, &["tool_name", "toolName", "tool"])
            .filter(|_| known)
            .map(str::to_owned);
        tool_input = v
            .get("tool_input")
            .or_else(|| v.get("toolArgs"))
            .or_else(|| v.get("toolInput"))
            .or_else(|| v.get("args"))
            .cloned()
            .unwrap_or(Value::Null);
        // A pre-tool event whose tool cannot be read is decided as a write
        // (fail closed): the deny rules see it, and the record says why.
        match name.filter(|n| !n.trim().is_empty()) {
            // A post-tool event may name no tool (Antigravity's `toolCall:
            // null`): the engine then takes the session's last allowed call.
            None if kind == EventKind::PostTool => {}
            None => {
                tool = Some(ToolCall {
                    name: UNREADABLE_TOOL.to_owned(),
                    class: ToolClass::Write,
                    paths: vec![],
                    command: None,
                });
            }
            Some(name) => {
                // Copilot may send the arguments as a JSON string.
                if let Value::String(s) = &tool_input
                    && let Ok(parsed @ Value::Object(_)) = serde_json::from_str::<Value>(s)
                {
                    tool_input = parsed;
                }
                let class = classify(&name);
                let base = cwd.as_deref().map(Path::new);
                let paths = match class {
                    ToolClass::Shell => vec![],
                    _ => tool_paths(&name, &tool_input)
                        .into_iter()
                        .map(|p| absolute(&p, base, user_home))
                        .collect(),
                };
                let command = match class {
                    ToolClass::Shell => shell_command(&tool_input),
                    _ => None,
                };
                tool = Some(ToolCall {
                    name,
                    class,
                    paths,
                    command,
                });
            }
        }
        if kind == EventKind::PostTool {
            outcome = Some(tool_outcome(&spec, &v, failed));
        }
    }
    Ok(AgentEvent {
        agent,
        session,
        cwd,
        kind,
        agent_event: event_name.to_owned(),
        tool,
        tool_input,
        outcome,
        agent_ts_ms,
        received_ms,
        subagent: subagent(&v),
        detail: detail(kind, &v),
    })
}

/// The subagent an event comes from or announces: Claude and Codex send
/// `agent_id`/`agent_type` (on a subagent's tool calls too), Copilot
/// `agentId`/`agentName`, Cursor `subagent_type`.
fn subagent(v: &Value) -> Option<Subagent> {
    let id = str_at(v, &["agent_id", "agentId", "subagent_id"]).map(str::to_owned);
    let kind = str_at(
        v,
        &["agent_type", "agentType", "agentName", "subagent_type"],
    )
    .map(str::to_owned);
    (id.is_some() || kind.is_some()).then_some(Subagent { id, kind })
}

/// Largest text kept from a lifecycle event's fields.
const DETAIL_LIMIT: usize = 2_000;

/// What a lifecycle event says that the record should keep: a settings
/// change's source and file, an error, a compaction's trigger.
fn detail(kind: EventKind, v: &Value) -> Value {
    let keys: &[&str] = match kind {
        EventKind::ConfigChange => &["source", "file_path"],
        EventKind::AgentError => &[
            "error",
            "error_details",
            "errorContext",
            "recoverable",
            "last_assistant_message",
        ],
        EventKind::Compact => &["trigger", "custom_instructions", "customInstructions"],
        EventKind::SubagentStart | EventKind::SubagentStop => &["task", "agentDescription"],
        EventKind::SessionEnd => &["reason", "exit_reason"],
        _ => &[],
    };
    let mut out = serde_json::Map::new();
    for k in keys {
        if let Some(x) = v.get(*k) {
            let kept = match x {
                Value::String(s) if s.len() > DETAIL_LIMIT => {
                    let mut end = DETAIL_LIMIT;
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    Value::String(format!("{}…", &s[..end]))
                }
                other => other.clone(),
            };
            out.insert((*k).to_owned(), kept);
        }
    }
    if out.is_empty() {
        Value::Null
    } else {
        Value::Object(out)
    }
}

fn shell_command(input: &Value) -> Option<String> {
    match input
        .get("command")
        .or_else(|| input.get("cmd"))
        .or_else(|| input.get("CommandLine"))
    {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(parts)) => {
            let words: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            // ["bash", "-lc", "cargo test"] -> the script itself.
            match words.as_slice() {
                [sh, flag, script] if sh.ends_with("sh") && flag.starts_with('-') => {
                    Some((*script).to_owned())
                }
                _ => Some(words.join(" ")),
            }
        }
        _ => None,
    }
}

/// Every path a tool call names.
fn tool_paths(name: &str, input: &Value) -> Vec<String> {
    let mut out: Vec<String> = [
        "file_path",
        "filePath",
        "path",
        "notebook_path",
        "target_file",
        "TargetFile",
        "absolute_path",
        "AbsolutePath",
        "SearchDirectory",
        "DirectoryPath",
        "file",
    ]
    .iter()
    .filter_map(|k| input.get(*k).and_then(Value::as_str))
    .map(str::to_owned)
    .collect();
    for key in ["paths", "file_paths"] {
        if let Some(Value::Array(paths)) = input.get(key) {
            out.extend(paths.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    let patch = match input {
        Value::String(s) => Some(s.as_str()),
        _ => str_at(input, &["patch", "input", "command", "patchText"]),
    };
    if ["apply_patch", "applypatch", "patch"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
        && let Some(p) = patch
    {
        out.extend(patch_paths(p));
    }
    out
}

/// Paths named by an apply_patch envelope (`*** Add File: p`, …).
pub fn patch_paths(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter_map(|l| {
            [
                "*** Add File: ",
                "*** Update File: ",
                "*** Delete File: ",
                "*** Move to: ",
            ]
            .iter()
            .find_map(|p| l.strip_prefix(p))
        })
        .map(|p| p.trim().to_owned())
        .collect()
}

/// An absolute, lexically normalized path.
fn absolute(p: &str, cwd: Option<&Path>, user_home: Option<&Path>) -> String {
    let path = match (p.strip_prefix("~/"), user_home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(p),
    };
    let path = match cwd {
        Some(c) if path.is_relative() => c.join(path),
        _ => path,
    };
    uas_providers::paths::normalize(&path).display().to_string()
}

/// Finds `exit code N` / `Exit Code: N` / `exited with code N` in text.
pub fn exit_code_in(text: &str) -> Option<i32> {
    let lower = text.to_ascii_lowercase();
    for needle in ["exit code", "exited with code", "exit status"] {
        if let Some(i) = lower.find(needle) {
            let rest = lower[i + needle.len()..].trim_start_matches([':', ' ', '=']);
            let end = rest
                .char_indices()
                .find(|(j, c)| !(c.is_ascii_digit() || (*j == 0 && *c == '-')))
                .map_or(rest.len(), |(j, _)| j);
            if let Ok(n) = rest[..end].parse() {
                return Some(n);
            }
        }
    }
    None
}

fn tool_outcome(spec: &AgentSpec, v: &Value, failed: Option<bool>) -> ToolOutcome {
    if failed == Some(false) {
        return ToolOutcome {
            success: Some(false),
            exit_code: None,
        };
    }
    let resp = v
        .get("tool_response")
        .or_else(|| v.get("toolResult"))
        .or_else(|| v.get("tool_output"))
        .or_else(|| v.get("metadata"))
        .or_else(|| v.get("output"));
    // Cursor's `tool_output` is a JSON object in a string.
    let parsed_resp = resp
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .filter(Value::is_object);
    let resp = parsed_resp.as_ref().or(resp);
    let text_of = |r: &Value| -> String {
        match r {
            Value::String(s) => s.clone(),
            other => str_at(
                other,
                &["llmContent", "textResultForLlm", "stdout", "output"],
            )
            .unwrap_or("")
            .to_owned(),
        }
    };
    let explicit_exit = resp.and_then(|r| {
        ["exit_code", "exitCode", "exit"]
            .iter()
            .find_map(|k| r.get(*k).and_then(Value::as_i64))
    });
    let exit_code = explicit_exit
        .map(|c| c as i32)
        .or_else(|| resp.map(text_of).and_then(|t| exit_code_in(&t)));
    let success = (spec.tool_success)(v, resp);
    let success = match exit_code {
        Some(c) => Some(c == 0 && success != Some(false)),
        None => success,
    };
    ToolOutcome { success, exit_code }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_found_in_agent_text() {
        assert_eq!(exit_code_in("Exit code: 0\nWall time: 0 seconds"), Some(0));
        assert_eq!(
            exit_code_in("<shellId: 0 completed with exit code 1>"),
            Some(1)
        );
        assert_eq!(exit_code_in("Exit Code: 101"), Some(101));
        assert_eq!(exit_code_in("no code here"), None);
    }

    #[test]
    fn patch_paths_are_read_from_the_envelope() {
        let p = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: src/b.rs\n*** Move to: src/c.rs\n*** End Patch\n";
        assert_eq!(patch_paths(p), ["a.txt", "src/b.rs", "src/c.rs"]);
    }

    #[test]
    fn paths_are_made_absolute_and_normalized() {
        let cwd = Path::new("/p/proj");
        let home = Path::new("/home/u");
        assert_eq!(absolute("a/../b.txt", Some(cwd), None), "/p/proj/b.txt");
        assert_eq!(
            absolute("~/.agent/x", Some(cwd), Some(home)),
            "/home/u/.agent/x"
        );
        assert_eq!(absolute("/abs/./y", Some(cwd), None), "/abs/y");
    }

    #[test]
    fn malformed_inputs_are_explained() {
        for (input, needle) in [
            (&b""[..], "empty"),
            (b"{not json", "not valid JSON (line 1"),
            (b"[1,2]", "not an object"),
            (b"\xff\xfe", "not UTF-8"),
        ] {
            let e = normalize(AgentId::Claude, "PreToolUse", input, 0, None).expect_err("bad");
            assert!(e.0.contains(needle), "{e}");
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("tool_name".to_owned()),
                        Just("tool_input".to_owned()),
                        Just("toolArgs".to_owned()),
                        Just("cwd".to_owned()),
                        Just("session_id".to_owned()),
                        Just("tool_response".to_owned()),
                        Just("command".to_owned()),
                        Just("file_path".to_owned()),
                        "[a-z_]{1,8}",
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_input_is_normalized_or_refused_without_panicking(
            v in json_value(),
            raw in prop::collection::vec(any::<u8>(), 0..64),
            agent in 0usize..7,
            event in prop_oneof![Just("PreToolUse"), Just("PostToolUse"), Just("preToolUse"), Just("BeforeTool"), Just("tool.execute.after"), Just("SessionStart"), Just("Weird")],
        ) {
            let agent = AgentId::ALL[agent];
            let _ = normalize(agent, event, v.to_string().as_bytes(), 0, Some(Path::new("/home/u")));
            let _ = normalize(agent, event, &raw, 0, None);
        }
    }
}
