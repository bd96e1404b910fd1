//! Property tests for the JSON hook merger: whatever a user's hook file holds,
//! adding and then removing our hooks leaves their entries and keys in
//! place, our entries read back as set, and no text makes the parser panic.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use uas_providers::hookjson::{
    HookShape, OWN_GROUP, ours, parse_object, set_ours, to_text, uas_hook_command,
};

const SHAPES: [HookShape; 3] = [
    HookShape::Grouped,
    HookShape::Flat,
    HookShape::OwnGroup(OWN_GROUP),
];

const EVENTS: [&str; 6] = [
    "PreToolUse",
    "PostToolUse",
    "Stop",
    "SessionStart",
    "preToolUse",
    "Custom",
];

/// The key our entries live under for `shape`.
fn events_key(shape: HookShape) -> &'static str {
    match shape {
        HookShape::Grouped | HookShape::Flat => "hooks",
        HookShape::OwnGroup(g) => g,
        HookShape::Root => "",
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A command that is not ours (it may mention uas, but does not run `uas hook`).
fn foreign_command() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z/.~]{1,12}( [a-z-]{1,6}){0,2}",
        Just("uas doctor".to_owned()),
        Just("/usr/bin/uasx hook claude Stop".to_owned()),
        Just("~/bin/guard.sh uas hook".to_owned()),
    ]
}

/// One of the user's hook entries in `shape`'s layout, with extra keys.
fn foreign_entry(shape: HookShape) -> BoxedStrategy<Value> {
    match shape {
        HookShape::Flat => (foreign_command(), any::<bool>(), arb_json())
            .prop_map(|(cmd, bash, extra)| {
                let key = if bash { "bash" } else { "command" };
                json!({ key: cmd, "x": extra })
            })
            .boxed(),
        HookShape::Grouped | HookShape::OwnGroup(_) | HookShape::Root => (
            prop::collection::vec(foreign_command(), 1..3),
            prop::option::of(uas_command()),
            arb_json(),
        )
            .prop_map(|(cmds, mixed_in, extra)| {
                // A group that also runs one of ours is still the user's.
                let hooks: Vec<Value> = cmds
                    .into_iter()
                    .chain(mixed_in)
                    .map(|c| json!({"type": "command", "command": c}))
                    .collect();
                json!({"matcher": "*", "hooks": hooks, "x": extra})
            })
            .boxed(),
    }
}

fn uas_command() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["uas", "/usr/bin/uas", "/a b/it's/uas", "uas.exe"]),
        prop::sample::select(EVENTS.to_vec()),
    )
        .prop_map(|(bin, event)| uas_hook_command(bin, "claude", event))
}

/// One of our entries in `shape`'s layout.
fn our_entry(shape: HookShape) -> BoxedStrategy<Value> {
    match shape {
        HookShape::Flat => (uas_command(), 1u32..60)
            .prop_map(|(c, t)| json!({"command": c, "timeout": t}))
            .boxed(),
        HookShape::Grouped | HookShape::OwnGroup(_) | HookShape::Root => {
            (prop::collection::vec(uas_command(), 1..3), 1u32..60)
                .prop_map(|(cmds, t)| {
                    let hooks: Vec<Value> = cmds
                        .into_iter()
                        .map(|c| json!({"type": "command", "command": c, "timeout": t}))
                        .collect();
                    json!({ "hooks": hooks })
                })
                .boxed()
        }
    }
}

fn desired(shape: HookShape) -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(
        (
            prop::sample::select(EVENTS.to_vec()).prop_map(str::to_owned),
            our_entry(shape),
        ),
        0..5,
    )
}

/// A user's config for `shape`: unknown keys, and under the events key
/// foreign entries (lists may be empty), optionally mixed with `stale`
/// entries of ours left by an earlier setup.
fn user_config(shape: HookShape, stale: bool) -> impl Strategy<Value = Map<String, Value>> {
    let entry = if stale {
        prop_oneof![3 => foreign_entry(shape), 1 => our_entry(shape)].boxed()
    } else {
        foreign_entry(shape)
    };
    let hooks = prop::collection::btree_map(
        prop::sample::select(EVENTS.to_vec()).prop_map(str::to_owned),
        prop::collection::vec(entry, 0..3),
        0..4,
    );
    (
        prop::collection::btree_map("[a-zA-Z_-]{1,10}", arb_json(), 0..4),
        prop::option::of(hooks),
        prop::sample::select(vec![0usize, 1, 2]),
    )
        .prop_map(move |(others, hooks, at)| {
            let mut root: Map<String, Value> = others
                .into_iter()
                .filter(|(k, _)| k != "hooks" && k != OWN_GROUP)
                .collect();
            if let Some(h) = hooks {
                let h = Value::Object(
                    h.into_iter()
                        .map(|(e, list)| (e, Value::Array(list)))
                        .collect(),
                );
                // Not always last, so key order is tested too.
                let at = at.min(root.len());
                let mut tail = root.split_off_at(at);
                root.insert(events_key_for_foreign(shape).to_owned(), h);
                root.append(&mut tail);
            }
            root
        })
}

/// Where the user's own hook entries live: an own group is all ours, so the
/// user's entries for that shape sit in the shared `hooks` object.
fn events_key_for_foreign(shape: HookShape) -> &'static str {
    match shape {
        HookShape::OwnGroup(_) => "hooks",
        other => events_key(other),
    }
}

trait SplitOffAt {
    fn split_off_at(&mut self, at: usize) -> Map<String, Value>;
}

impl SplitOffAt for Map<String, Value> {
    fn split_off_at(&mut self, at: usize) -> Map<String, Value> {
        let keys: Vec<String> = self.keys().skip(at).cloned().collect();
        keys.into_iter()
            .filter_map(|k| self.remove(&k).map(|v| (k, v)))
            .collect()
    }
}

/// Entries per event, in order (what `ours` promises; events are grouped
/// in file order, so interleaved `desired` lists compare equal by event).
fn by_event(entries: &[(String, Value)]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (e, v) in entries {
        out.entry(e.clone()).or_default().push(v.clone());
    }
    out
}

fn shape_and(
    stale: bool,
) -> impl Strategy<Value = (HookShape, Map<String, Value>, Vec<(String, Value)>)> {
    prop::sample::select(SHAPES.to_vec())
        .prop_flat_map(move |shape| (Just(shape), user_config(shape, stale), desired(shape)))
}

/// A Droid-style `hooks.json`: the user's event lists at the top level,
/// beside switches and unknown keys.
fn root_level_config() -> impl Strategy<Value = Map<String, Value>> {
    user_config(HookShape::Grouped, false).prop_map(|m| {
        let mut root = Map::new();
        for (k, v) in m {
            match (k.as_str(), v) {
                ("hooks", Value::Object(events)) => root.extend(events),
                (_, v) => {
                    root.insert(k, v);
                }
            }
        }
        root
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn at_the_top_level_adding_then_removing_ours_keeps_every_foreign_key(
        original in root_level_config(),
        desired in desired(HookShape::Root),
    ) {
        let mut root = original.clone();
        set_ours(&mut root, HookShape::Root, &desired);
        prop_assert_eq!(by_event(&ours(&root, HookShape::Root)), by_event(&desired));
        set_ours(&mut root, HookShape::Root, &[]);
        prop_assert!(ours(&root, HookShape::Root).is_empty());
        // Every key is back with its value, but an empty list of the user's
        // that ours filled may go (the backup restores the bytes).
        let kept = |m: &Map<String, Value>| -> Vec<(String, Value)> {
            let mut v: Vec<(String, Value)> = m
                .iter()
                .filter(|(_, v)| !v.as_array().is_some_and(Vec::is_empty))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        prop_assert_eq!(kept(&root), kept(&original));
    }

    #[test]
    fn adding_then_removing_our_hooks_keeps_every_foreign_entry_and_key(
        (shape, original, desired) in shape_and(false),
    ) {
        let mut root = original.clone();
        set_ours(&mut root, shape, &desired);
        set_ours(&mut root, shape, &[]);

        let key = events_key(shape);
        // Every key but the events object is back, in its place and order.
        let others = |m: &Map<String, Value>| -> Vec<(String, Value)> {
            m.iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        // (Compared as sets: removing an emptied key reorders the keys after
        // it, see `keys_after_ours_keep_their_order_when_ours_go`.)
        let sorted = |mut v: Vec<(String, Value)>| {
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        prop_assert_eq!(sorted(others(&root)), sorted(others(&original)));
        // Every non-empty list of foreign entries is back as it was; an
        // empty one may go (documented: the backup restores the bytes).
        let events = |m: &Map<String, Value>| -> Vec<(String, Value)> {
            m.get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_array().is_some_and(|l| !l.is_empty()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        prop_assert_eq!(sorted(events(&root)), sorted(events(&original)));
        // Without empty lists (or an empty events object: found by this
        // test, and the same documented case) in the original, the result
        // is the original.
        let has_empty = original
            .get(key)
            .and_then(Value::as_object)
            .is_some_and(|m| {
                m.is_empty() || m.values().any(|v| v.as_array().is_some_and(Vec::is_empty))
            });
        if !has_empty {
            prop_assert_eq!(&root, &original);
        }
    }

    /// The user adds keys and events after ours; removing ours must not
    /// move theirs. `serde_json::Map::remove` is a `swap_remove` with
    /// `preserve_order`, so dropping our emptied events object, event list
    /// or own group moves the user's last key into its place.
    #[test]
    fn keys_after_ours_keep_their_order_when_ours_go(
        (shape, original, desired) in shape_and(false),
        later_keys in prop::collection::vec("[a-z]{1,6}", 1..4),
        later_events in prop::collection::vec(foreign_entry(HookShape::Flat), 1..3),
    ) {
        prop_assume!(!desired.is_empty());
        let mut root = original;
        set_ours(&mut root, shape, &desired);
        for (i, k) in later_keys.iter().enumerate() {
            root.insert(format!("later-{i}-{k}"), json!(i));
        }
        // (An own group is all ours: the user adds no events to it.)
        if !matches!(shape, HookShape::OwnGroup(_))
            && let Some(Value::Object(events)) = root.get_mut(events_key(shape))
        {
            for (i, e) in later_events.iter().enumerate() {
                let entry = match shape {
                    HookShape::Flat => e.clone(),
                    _ => json!({"hooks": [e.clone()]}),
                };
                events.insert(format!("Later{i}"), json!([entry]));
            }
        }
        let keys_without_ours = |m: &Map<String, Value>| -> Vec<String> {
            m.keys().filter(|k| k.as_str() != events_key(shape)).cloned().collect()
        };
        let event_names = |m: &Map<String, Value>| -> Vec<String> {
            m.get(events_key(shape))
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|e| e.keys().cloned())
                .filter(|k| k.starts_with("Later"))
                .collect()
        };
        let (keys_before, events_before) = (keys_without_ours(&root), event_names(&root));
        set_ours(&mut root, shape, &[]);
        prop_assert_eq!(keys_without_ours(&root), keys_before);
        prop_assert_eq!(event_names(&root), events_before);
    }

    #[test]
    fn our_entries_read_back_as_set_for_every_shape(
        (shape, original, desired) in shape_and(true),
    ) {
        let mut root = original.clone();
        set_ours(&mut root, shape, &desired);
        prop_assert_eq!(by_event(&ours(&root, shape)), by_event(&desired));
        // Setting the same entries again changes nothing.
        let once = root.clone();
        set_ours(&mut root, shape, &desired);
        prop_assert_eq!(&root, &once);
        // And the file text reads back to the same object.
        let text = to_text(&root, "{\n    \"k\": 1\n}");
        let reread = parse_object(Path::new("settings.json"), &text)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(reread, root);
    }

    #[test]
    fn arbitrary_text_never_panics_the_parser(
        text in prop_oneof![
            "\\PC{0,200}",
            prop::collection::vec(
                prop::sample::select(vec!["{", "}", "[", "]", "\"", ":", ",", "//", "/*", "\n", " ", "1e999", "-0", "null", "\\u", "\"hooks\""]),
                0..60,
            ).prop_map(|p| p.concat()),
        ],
    ) {
        if let Ok(map) = parse_object(Path::new("settings.json"), &text) {
            let again = parse_object(Path::new("settings.json"), &to_text(&map, &text))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(again, map);
        }
    }
}
