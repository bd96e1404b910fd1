//! Key-by-key editing of JSON hook configs: we add our entries (recognised
//! by their `uas hook` command) and remove only those. Foreign entries,
//! unknown keys and key order survive; indentation is kept as detected.

use serde_json::{Map, Value};
use std::path::Path;

/// How an agent lays out hooks in its JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookShape {
    /// `hooks.<Event>[{matcher?, hooks:[{type:"command", command, timeout}]}]`
    /// (Claude Code, Codex, Gemini CLI).
    Grouped,
    /// `hooks.<event>[{command|bash, …}]` (Cursor, Copilot).
    Flat,
    /// `<group>.<Event>[{hooks:[…]}]`: a top-level group that is all ours
    /// (Antigravity CLI's named groups).
    OwnGroup(&'static str),
    /// `<Event>[{matcher?, hooks:[…]}]` at the top level, beside the file's
    /// own switches (Factory Droid's `hooks.json`).
    Root,
}

/// Our name for the Antigravity group.
pub const OWN_GROUP: &str = "universal-agent";

/// The JSON file could not be used; names file, line and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}; fix the file by hand (uas did not change it)")]
pub struct JsonFileError {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a JSON config that must be an object (an empty file is `{}`).
pub fn parse_object(path: &Path, text: &str) -> Result<Map<String, Value>, JsonFileError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let err = |line, column, message: String| JsonFileError {
        path: path.display().to_string(),
        line,
        column,
        message,
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(err(1, 1, "the top level must be a JSON object".into())),
        Err(e) => {
            let mut msg = format!("invalid JSON: {e}");
            if text.contains("//") || text.contains("/*") {
                msg.push_str(" (comments are not supported in this file)");
            }
            Err(err(e.line(), e.column(), msg))
        }
    }
}

/// 1-based line of byte `offset` in `bytes` (for "line N is not UTF-8").
pub fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A value where we would write has a layout we do not know; refusing is
/// the only safe answer (replacing it would lose the user's value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Key path (`hooks.PreToolUse[0]`).
    pub key: String,
    /// What is there (`a string`, `an object`, …).
    pub found: &'static str,
    /// What the agent reads there.
    pub expected: &'static str,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks that the values setting `events` would edit have the layout
/// `shape` expects: the event map an object, each of those events a list
/// of objects. Our own group ([`HookShape::OwnGroup`]) is ours whole.
pub fn check_shape(
    root: &Map<String, Value>,
    shape: HookShape,
    events: &[&str],
) -> Result<(), ShapeError> {
    if matches!(shape, HookShape::OwnGroup(_)) {
        return Ok(());
    }
    let key = events_key(shape);
    let map = if shape == HookShape::Root {
        root
    } else {
        let Some(map) = root.get(key) else {
            return Ok(());
        };
        let Value::Object(map) = map else {
            return Err(ShapeError {
                key: key.to_owned(),
                found: kind(map),
                expected: "an object of event names",
            });
        };
        map
    };
    let at = |event: &str| {
        if key.is_empty() {
            event.to_owned()
        } else {
            format!("{key}.{event}")
        }
    };
    for event in events {
        match map.get(*event) {
            None | Some(Value::Array(_)) => {}
            Some(other) => {
                return Err(ShapeError {
                    key: at(event),
                    found: kind(other),
                    expected: "a list of hook entries",
                });
            }
        }
        let list = map
            .get(*event)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        if let Some((i, v)) = list.enumerate().find(|(_, v)| !v.is_object()) {
            return Err(ShapeError {
                key: format!("{}[{i}]", at(event)),
                found: kind(v),
                expected: "an object (a hook entry)",
            });
        }
    }
    Ok(())
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// After our entries were removed: puts back, at their old places, the
/// empty event lists and the empty event map that `original` (the file
/// before uas) had and that removing our entries dropped. Values the user
/// filled or deleted since are left as they are now.
pub fn restore_empty(
    root: &mut Map<String, Value>,
    original: &Map<String, Value>,
    shape: HookShape,
) {
    if shape == HookShape::Root {
        for (name, value) in original {
            if is_empty_container(value) && !root.contains_key(name) {
                insert_at_original_place(root, original, name, value.clone());
            }
        }
        return;
    }
    let key = events_key(shape);
    let Some(Value::Object(orig_events)) = original.get(key) else {
        return;
    };
    if !root.contains_key(key) {
        if !orig_events.values().all(is_empty_container) {
            return; // the user removed events of their own: not ours to undo
        }
        insert_at_original_place(root, original, key, Value::Object(Map::new()));
    }
    let Some(Value::Object(events)) = root.get_mut(key) else {
        return;
    };
    for (name, value) in orig_events {
        if is_empty_container(value) && !events.contains_key(name) {
            insert_at_original_place(events, orig_events, name, value.clone());
        }
    }
}

/// Inserts `key` right after the nearest key that preceded it in `original`
/// and is still in `map` (at the front when none is).
fn insert_at_original_place(
    map: &mut Map<String, Value>,
    original: &Map<String, Value>,
    key: &str,
    value: Value,
) {
    let before: Vec<&String> = original.keys().take_while(|k| *k != key).collect();
    let index = before
        .iter()
        .rev()
        .find_map(|k| map.keys().position(|m| m == *k))
        .map_or(0, |i| i + 1);
    map.shift_insert(index, key.to_owned(), value);
}

/// Serializes with the indentation the original text used (2 spaces when
/// unknown) and a final newline.
pub fn to_text(map: &Map<String, Value>, original: &str) -> String {
    let indent = detect_indent(original);
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let ok = serde::Serialize::serialize(map, &mut ser).is_ok();
    let mut text = if ok {
        String::from_utf8(buf).unwrap_or_default()
    } else {
        String::new()
    };
    text.push('\n');
    text
}

fn detect_indent(text: &str) -> String {
    text.lines()
        .find_map(|l| {
            let ws: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            (!ws.is_empty() && ws.len() < l.len()).then_some(ws)
        })
        .unwrap_or_else(|| "  ".into())
}

/// True when `command` runs `uas hook …` (any path to the uas binary).
pub fn is_uas_hook_command(command: &str) -> bool {
    let (program, rest) = first_word(command.trim_start());
    let name = program.rsplit(['/', '\\']).next().unwrap_or(&program);
    (name == "uas" || name == "uas.exe") && rest.trim_start().starts_with("hook ")
}

/// Splits off the first shell word (handling '…', "…" and backslashes).
fn first_word(s: &str) -> (String, &str) {
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            _ if escaped => {
                word.push(c);
                escaped = false;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => escaped = true,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c.is_whitespace() => return (word, &s[i..]),
            (None, c) => word.push(c),
        }
    }
    (word, "")
}

/// The command line an agent runs for one of our hooks.
pub fn uas_hook_command(uas_bin: &str, agent: &str, event: &str) -> String {
    let quoted = if uas_bin
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:".contains(c))
    {
        uas_bin.to_owned()
    } else {
        format!("'{}'", uas_bin.replace('\'', "'\\''"))
    };
    format!("{quoted} hook {agent} {event}")
}

fn entry_is_ours(entry: &Value, shape: HookShape) -> bool {
    let cmd_of = |v: &Value| {
        ["command", "bash"]
            .iter()
            .filter_map(|k| v.get(*k).and_then(Value::as_str))
            .any(is_uas_hook_command)
    };
    match shape {
        HookShape::Flat => cmd_of(entry),
        HookShape::Grouped | HookShape::OwnGroup(_) | HookShape::Root => entry
            .get("hooks")
            .and_then(Value::as_array)
            .is_some_and(|hs| !hs.is_empty() && hs.iter().all(cmd_of)),
    }
}

/// Where the event map lives for `shape` (`""`: the file's top level).
fn events_key(shape: HookShape) -> &'static str {
    match shape {
        HookShape::Grouped | HookShape::Flat => "hooks",
        HookShape::OwnGroup(g) => g,
        HookShape::Root => "",
    }
}

/// Our entries currently in the file, per event, in file order.
pub fn ours(root: &Map<String, Value>, shape: HookShape) -> Vec<(String, Value)> {
    let events = match shape {
        HookShape::Root => Some(root),
        _ => root.get(events_key(shape)).and_then(Value::as_object),
    };
    let Some(events) = events else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (event, list) in events {
        for entry in list.as_array().into_iter().flatten() {
            if matches!(shape, HookShape::OwnGroup(_)) || entry_is_ours(entry, shape) {
                out.push((event.clone(), entry.clone()));
            }
        }
    }
    out
}

/// Sets our entries to exactly `desired` (event, entry), leaving every
/// foreign entry in place. An event list (or `hooks` object) that only our
/// entries filled is dropped when they go; a user's explicitly empty list
/// that we appended to is dropped too (the byte-exact original is restored
/// from the backup on uninstall). Events whose entries already match are not
/// touched, so repeated runs do not reorder anything.
pub fn set_ours(root: &mut Map<String, Value>, shape: HookShape, desired: &[(String, Value)]) {
    if let HookShape::OwnGroup(group) = shape {
        if desired.is_empty() {
            root.shift_remove(group);
        } else {
            // agy 1.2.7 was seen firing only hook sets that say so.
            let mut events = Map::new();
            events.insert("enabled".into(), Value::Bool(true));
            for (event, entry) in desired {
                push(&mut events, event, entry.clone());
            }
            if root.get(group) != Some(&Value::Object(events.clone())) {
                root.insert(group.to_owned(), Value::Object(events));
            }
        }
        return;
    }
    if shape == HookShape::Root {
        set_events(root, shape, desired);
        return;
    }
    let key = events_key(shape);
    let existed = root.contains_key(key);
    let events = match root.get_mut(key) {
        Some(Value::Object(m)) => m,
        _ if desired.is_empty() => return,
        _ => {
            root.insert(key.to_owned(), Value::Object(Map::new()));
            match root.get_mut(key) {
                Some(Value::Object(m)) => m,
                _ => return,
            }
        }
    };
    let touched_any = set_events(events, shape, desired);
    if touched_any && events.is_empty() && (existed || desired.is_empty()) {
        root.shift_remove(key);
    }
}

/// Sets our entries in the event map `events`; whether anything changed.
fn set_events(
    events: &mut Map<String, Value>,
    shape: HookShape,
    desired: &[(String, Value)],
) -> bool {
    let mut touched_any = false;
    let mut names: Vec<String> = events.keys().cloned().collect();
    for (e, _) in desired {
        if !names.contains(e) {
            names.push(e.clone());
        }
    }
    for name in names {
        let want: Vec<&Value> = desired
            .iter()
            .filter(|(e, _)| *e == name)
            .map(|(_, v)| v)
            .collect();
        let list = events
            .get(&name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let have: Vec<&Value> = list.iter().filter(|v| entry_is_ours(v, shape)).collect();
        if have == want {
            continue;
        }
        touched_any = true;
        let had_foreign_or_was_nonempty = !list.is_empty();
        let mut kept: Vec<Value> = list
            .into_iter()
            .filter(|v| !entry_is_ours(v, shape))
            .collect();
        kept.extend(want.into_iter().cloned());
        if kept.is_empty() && had_foreign_or_was_nonempty {
            events.shift_remove(&name);
        } else if !kept.is_empty() {
            events.insert(name, Value::Array(kept));
        }
    }
    touched_any
}

fn push(events: &mut Map<String, Value>, event: &str, entry: Value) {
    match events.get_mut(event) {
        Some(Value::Array(list)) => list.push(entry),
        _ => {
            events.insert(event.to_owned(), Value::Array(vec![entry]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn ours_entry(event: &str) -> Value {
        json!({"hooks":[{"type":"command","command":uas_hook_command("/usr/bin/uas","claude",event),"timeout":10}]})
    }

    fn claude_settings() -> Map<String, Value> {
        let v = json!({
            "model": "opus",
            "hooks": {
                "PreToolUse": [{"matcher":"Bash","hooks":[{"type":"command","command":"~/bin/guard.sh","timeout":30}]}]
            },
            "zeta": {"unknown": true}
        });
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn recognises_uas_commands_with_any_path_and_quoting() {
        assert!(is_uas_hook_command("uas hook claude PreToolUse"));
        assert!(is_uas_hook_command("/opt/x/uas hook codex Stop"));
        assert!(is_uas_hook_command("'/my dir/uas' hook cursor stop"));
        assert!(!is_uas_hook_command("/usr/bin/uasx hook claude Stop"));
        assert!(!is_uas_hook_command("~/bin/guard.sh uas hook"));
        assert!(!is_uas_hook_command("uas doctor"));
        assert!(is_uas_hook_command(&uas_hook_command(
            "/a b/it's/uas",
            "claude",
            "Stop"
        )));
    }

    #[test]
    fn adding_keeps_foreign_hooks_and_key_order() {
        let mut m = claude_settings();
        set_ours(
            &mut m,
            HookShape::Grouped,
            &[
                ("PreToolUse".into(), ours_entry("PreToolUse")),
                ("Stop".into(), ours_entry("Stop")),
            ],
        );
        let keys: Vec<_> = m.keys().cloned().collect();
        assert_eq!(keys, vec!["model", "hooks", "zeta"]);
        let pre = m["hooks"]["PreToolUse"].as_array().expect("array");
        assert_eq!(pre.len(), 2);
        assert_eq!(pre[0]["hooks"][0]["command"], "~/bin/guard.sh");
        assert_eq!(ours(&m, HookShape::Grouped).len(), 2);
    }

    #[test]
    fn setting_the_same_entries_again_changes_nothing() {
        let mut m = claude_settings();
        let desired = [("PreToolUse".to_owned(), ours_entry("PreToolUse"))];
        set_ours(&mut m, HookShape::Grouped, &desired);
        // the user adds a hook after ours: a re-run must not move ours.
        if let Some(Value::Array(list)) = m.get_mut("hooks").and_then(|h| h.get_mut("PreToolUse")) {
            list.push(json!({"hooks":[{"type":"command","command":"late.sh"}]}));
        }
        let before = m.clone();
        set_ours(&mut m, HookShape::Grouped, &desired);
        assert_eq!(m, before);
    }

    #[test]
    fn removing_restores_the_original_value() {
        let original = claude_settings();
        let mut m = original.clone();
        set_ours(
            &mut m,
            HookShape::Grouped,
            &[("SessionStart".into(), ours_entry("SessionStart"))],
        );
        set_ours(&mut m, HookShape::Grouped, &[]);
        assert_eq!(m, original);
    }

    #[test]
    fn removing_from_a_file_we_created_leaves_an_empty_object() {
        let mut m = Map::new();
        set_ours(
            &mut m,
            HookShape::Flat,
            &[("stop".into(), json!({"command":"uas hook cursor stop"}))],
        );
        set_ours(&mut m, HookShape::Flat, &[]);
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn own_group_replaces_only_our_group() {
        let mut m = match json!({"other-tool":{"PreToolUse":[{"hooks":[{"type":"command","command":"x"}]}]}})
        {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let original = m.clone();
        set_ours(
            &mut m,
            HookShape::OwnGroup(OWN_GROUP),
            &[("PreToolUse".into(), ours_entry("PreToolUse"))],
        );
        assert_eq!(m.len(), 2);
        assert_eq!(ours(&m, HookShape::OwnGroup(OWN_GROUP)).len(), 1);
        set_ours(&mut m, HookShape::OwnGroup(OWN_GROUP), &[]);
        assert_eq!(m, original);
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let err = parse_object(
            Path::new("/h/.claude/settings.json"),
            "{\n  \"a\": 1,\n  oops\n}\n",
        )
        .expect_err("must fail");
        assert_eq!(err.line, 3);
        assert!(
            err.to_string().starts_with("/h/.claude/settings.json:3:"),
            "{err}"
        );
        let err = parse_object(Path::new("s.json"), "// c\n{}").expect_err("must fail");
        assert!(err.message.contains("comments"));
        assert!(parse_object(Path::new("s.json"), "[1]").is_err());
    }

    #[test]
    fn text_keeps_the_files_indentation() {
        let m = claude_settings();
        assert!(to_text(&m, "{\n    \"model\": 1\n}").contains("\n    \"model\""));
        assert!(to_text(&m, "{\n\t\"model\": 1\n}").contains("\n\t\"model\""));
        assert!(to_text(&m, "").contains("\n  \"model\""));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|i| json!(i)),
            "[a-z ./-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arb_foreign_hooks() -> impl Strategy<Value = Value> {
        prop::collection::btree_map(
            prop::sample::select(vec!["PreToolUse", "PostToolUse", "Stop", "SessionStart", "Custom"]),
            prop::collection::vec(
                ("[a-z/.]{1,10}", arb_json()).prop_map(|(cmd, extra)| json!({"matcher":"*","hooks":[{"type":"command","command":cmd}],"x":extra})),
                1..3,
            ),
            1..4,
        )
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), Value::Array(v))).collect()))
    }

    proptest! {
        #[test]
        fn add_then_remove_restores_any_foreign_config(
            others in prop::collection::btree_map("[a-z]{1,6}", arb_json(), 0..4),
            hooks in arb_foreign_hooks(),
            events in prop::collection::vec(prop::sample::select(vec!["PreToolUse", "Stop", "New"]), 0..4),
        ) {
            let mut root: Map<String, Value> = others.into_iter().filter(|(k, _)| k != "hooks").collect();
            root.insert("hooks".into(), hooks);
            let original = root.clone();
            let desired: Vec<(String, Value)> = events.iter().map(|e| (e.to_string(), ours_entry(e))).collect();
            set_ours(&mut root, HookShape::Grouped, &desired);
            prop_assert_eq!(ours(&root, HookShape::Grouped).len(), desired.len());
            let once = root.clone();
            set_ours(&mut root, HookShape::Grouped, &desired);
            prop_assert_eq!(&root, &once);
            set_ours(&mut root, HookShape::Grouped, &[]);
            prop_assert_eq!(&root, &original);
            let text = to_text(&root, "");
            prop_assert_eq!(parse_object(Path::new("x"), &text).expect("reparse"), original);
        }
    }
}
