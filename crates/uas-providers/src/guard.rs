//! The protected-file baseline: what every file that keeps the SOP in force
//! looked like after uas last changed it, so a hook can notice, after any
//! tool call, a change that no command parser saw.
//!
//! Each file is watched by what matters in it (its [`Watch`]): the whole
//! bytes of a file only uas writes (config.toml, the SOP, the signing key,
//! OpenCode's plugin), only our block of an instruction file (people and
//! agents add their own notes around it), only our entries and the
//! switches that disable hooks in a hook file (agents write their own
//! settings there). A check stats every file first and reads one only when
//! its size, times or inode moved, so an unchanged machine costs one `stat`
//! per file.

use crate::paths::AgentPaths;
use crate::{ProbeEnv, block, hookjson};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use uas_core::{AgentId, Home};

/// The store `meta` key the baseline is kept under.
pub const META_KEY: &str = "guard.baseline";

/// Top-level keys of a hook file that switch hooks off (Claude's
/// `disableAllHooks`), watched beside our entries.
const DISABLE_KEYS: &[&str] = &[
    "disableAllHooks",
    "disable_all_hooks",
    "hooksDisabled",
    "hooksConfig",
];

/// What part of a file is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "agent")]
pub enum Watch {
    /// Every byte.
    Whole,
    /// The uas block of an instruction file.
    Block,
    /// Our hook entries and the disable switches of an agent's hook file.
    Hooks(AgentId),
    /// The hook settings of another file that can change hooks: `hooks` and
    /// the disable switches of a JSON file, the lines naming hooks of any
    /// other file (Codex's config.toml).
    HookSettings,
}

/// The `stat` fields that move when a file is written, renamed over or
/// replaced (ctime cannot be set back by a user-level program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, ns since the epoch.
    pub mtime_ns: i128,
    /// Status change time, ns since the epoch.
    pub ctime_ns: i128,
    /// Inode number.
    pub ino: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let m = std::fs::metadata(path).ok()?;
        Some(Self {
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            ino: m.ino(),
        })
    }
}

/// A change the baseline already reported (so the next check, in any
/// session, does not report it again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// When it was noticed, ms since the epoch.
    pub at_ms: i64,
    /// Who noticed: `<agent> <session>`.
    pub by: String,
    /// The digest the file had in the baseline before.
    pub was: String,
}

/// One watched file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// What of it is watched.
    pub watch: Watch,
    /// Its stamp when the digest was taken (`None`: it did not exist).
    pub stamp: Option<Stamp>,
    /// The digest of the watched part (`absent` when the file is missing).
    pub digest: String,
    /// Set when a change not made by uas was noticed, until uas next takes
    /// the baseline (`uas repair`, an approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Seen>,
}

/// The baseline of one home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// When uas took it, ms since the epoch.
    pub taken_ms: i64,
    /// The uas command that took it (`setup`, `repair`, `hook` for the
    /// first one taken by a hook).
    pub by: String,
    /// The files.
    pub files: Vec<Entry>,
}

/// A change noticed by [`Baseline::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The file.
    pub path: PathBuf,
    /// What of it is watched.
    pub watch: Watch,
    /// What changed, for a person: `deleted`, `created`, `our hook entries
    /// changed`, ….
    pub what: String,
}

/// Every file the baseline watches for this home: per agent its hook file,
/// plugin, instruction file and the other files that can disable its hooks;
/// and the home's config, SOP files and `secrets` (the signing key).
pub fn watched(home: &Home, probe: &ProbeEnv, secrets: &[PathBuf]) -> Vec<(PathBuf, Watch)> {
    let mut out = vec![(home.config_file(), Watch::Whole)];
    if let Ok(dir) = std::fs::read_dir(home.sop_dir()) {
        let mut sops: Vec<PathBuf> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        sops.sort();
        out.extend(sops.into_iter().map(|p| (p, Watch::Whole)));
    }
    out.extend(secrets.iter().map(|p| (p.clone(), Watch::Whole)));
    for agent in AgentId::ALL {
        let paths = AgentPaths::new(agent, probe);
        out.extend(paths.hook_file().map(|p| (p, Watch::Hooks(agent))));
        out.extend(paths.owned_file().map(|p| (p, Watch::Whole)));
        out.extend(paths.instructions().map(|p| (p, Watch::Block)));
        // A folder pattern (`plugins/*`) is guarded before the call only.
        for rel in paths
            .spec
            .protected_files
            .iter()
            .filter(|r| !r.contains('*'))
        {
            out.push((paths.dir.join(rel), Watch::HookSettings));
        }
    }
    out
}

/// The digest of the watched part of `path` (`absent` when it is missing).
pub fn digest(path: &Path, watch: Watch) -> String {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return "absent".into(),
        Err(e) => return format!("unreadable: {}", e.kind()),
    };
    let hex = block::sha256_hex;
    match watch {
        Watch::Whole => hex(&bytes),
        Watch::Block => match block::find_bytes(&bytes) {
            Ok(Some(b)) => hex(&bytes[b.range]),
            Ok(None) => "no uas block".into(),
            Err(e) => format!("broken uas block: {e}"),
        },
        Watch::Hooks(agent) => {
            let Some(h) = crate::agents::spec(agent).hooks else {
                return hex(&bytes);
            };
            match json_object(path, &bytes) {
                Some(root) => hex(json!({
                    "ours": hookjson::ours(&root, h.shape),
                    "off": switches(&root),
                })
                .to_string()
                .as_bytes()),
                None => "not a JSON object".into(),
            }
        }
        Watch::HookSettings => match json_object(path, &bytes) {
            Some(root) => hex(json!({"hooks": root.get("hooks"), "off": switches(&root)})
                .to_string()
                .as_bytes()),
            None => {
                let text = String::from_utf8_lossy(&bytes);
                let lines: Vec<&str> = text
                    .lines()
                    .filter(|l| l.to_ascii_lowercase().contains("hook"))
                    .collect();
                hex(lines.join("\n").as_bytes())
            }
        },
    }
}

fn json_object(path: &Path, bytes: &[u8]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).ok()?;
    hookjson::parse_object(path, text).ok()
}

fn switches(root: &Map<String, Value>) -> Value {
    DISABLE_KEYS
        .iter()
        .filter_map(|k| root.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect::<Map<_, _>>()
        .into()
}

fn what_changed(watch: Watch, was: &str, now: &str) -> String {
    match (was, now) {
        ("absent", _) => "created".into(),
        (_, "absent") => "deleted".into(),
        _ => match watch {
            Watch::Whole => "changed".into(),
            Watch::Block => "the uas block changed".into(),
            Watch::Hooks(_) => "uas hook entries or hook switches changed".into(),
            Watch::HookSettings => "hook settings changed".into(),
        },
    }
}

impl Baseline {
    /// Takes the baseline of `files` now.
    pub fn take(files: Vec<(PathBuf, Watch)>, by: &str, now_ms: i64) -> Self {
        let files = files
            .into_iter()
            .map(|(path, watch)| Entry {
                stamp: Stamp::of(&path),
                digest: digest(&path, watch),
                path,
                watch,
                changed: None,
            })
            .collect();
        Self {
            taken_ms: now_ms,
            by: by.to_owned(),
            files,
        }
    }

    /// Compares every file with the baseline: a stat each, a read only when
    /// the stat moved. Changes of the watched part are returned and kept in
    /// the baseline as seen by `by` (so they are reported once); a file
    /// that was only touched gets its new stamp. Returns the changes and
    /// whether the baseline itself changed (to be saved).
    pub fn check(&mut self, by: &str, now_ms: i64) -> (Vec<Change>, bool) {
        let mut changes = Vec::new();
        let mut dirty = false;
        for e in &mut self.files {
            let stamp = Stamp::of(&e.path);
            if stamp == e.stamp {
                continue;
            }
            dirty = true;
            let now = digest(&e.path, e.watch);
            if now != e.digest {
                changes.push(Change {
                    path: e.path.clone(),
                    watch: e.watch,
                    what: what_changed(e.watch, &e.digest, &now),
                });
                if e.changed.is_none() {
                    e.changed = Some(Seen {
                        at_ms: now_ms,
                        by: by.to_owned(),
                        was: e.digest.clone(),
                    });
                }
                e.digest = now;
            }
            e.stamp = stamp;
        }
        (changes, dirty)
    }

    /// Files changed outside uas since the baseline was taken.
    pub fn changed(&self) -> impl Iterator<Item = &Entry> {
        self.files.iter().filter(|e| e.changed.is_some())
    }

    /// Reads a stored baseline (`None` for missing or unreadable text: the
    /// caller takes a new one).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The stored form.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().expect("test value")).expect("test value");
        std::fs::write(p, text).expect("test value");
    }

    #[test]
    fn an_untouched_file_is_not_a_change_and_costs_no_read() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("config.toml");
        write(&f, "a = 1\n");
        let mut b = Baseline::take(vec![(f.clone(), Watch::Whole)], "setup", 1);
        assert_eq!(b.check("claude s1", 2), (vec![], false));
        // Touched with the same bytes: new stamp, no change.
        std::fs::write(&f, "a = 1\n").expect("test value");
        let (changes, _) = b.check("claude s1", 3);
        assert!(changes.is_empty());
    }

    #[test]
    fn a_whole_file_change_is_reported_once_and_remembered() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("signing.key");
        write(&f, "key");
        let mut b = Baseline::take(vec![(f.clone(), Watch::Whole)], "setup", 1);
        std::fs::write(&f, "other key, same length?").expect("test value");
        let (changes, dirty) = b.check("claude s1", 2);
        assert!(dirty);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].what, "changed");
        assert_eq!(b.check("codex s2", 3).0, vec![], "reported once");
        let seen = b
            .changed()
            .next()
            .expect("test value")
            .changed
            .clone()
            .expect("test value");
        assert_eq!(seen.by, "claude s1");
        std::fs::remove_file(&f).expect("test value");
        assert_eq!(b.check("codex s2", 4).0[0].what, "deleted");
        // The first notice is the one remembered.
        assert_eq!(
            b.changed()
                .next()
                .expect("test value")
                .changed
                .as_ref()
                .expect("test value")
                .by,
            "claude s1"
        );
    }

    #[test]
    fn text_around_our_block_is_the_users_but_the_block_is_watched() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("CLAUDE.md");
        let ours = block::upsert("# My notes\n", "Plan first.").expect("test value");
        write(&f, &ours);
        let mut b = Baseline::take(vec![(f.clone(), Watch::Block)], "setup", 1);
        write(&f, &format!("{ours}\nA memory the agent added.\n"));
        assert_eq!(b.check("claude s", 2).0, vec![]);
        let text = std::fs::read_to_string(&f).expect("test value");
        write(&f, &text.replace("Plan first.", "Do as you like."));
        let changes = b.check("claude s", 3).0;
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].what, "the uas block changed");
    }

    #[test]
    fn a_hook_file_is_watched_for_our_entries_and_the_disable_switch() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join(".claude/settings.json");
        let cmd = hookjson::uas_hook_command("/opt/uas", "claude", "PreToolUse");
        let ours = json!({"matcher": "*", "hooks": [{"type": "command", "command": cmd}]});
        let settings = |extra: Value| {
            let mut v = json!({"model": "opus", "hooks": {"PreToolUse": [ours.clone()]}});
            v.as_object_mut()
                .expect("test value")
                .extend(extra.as_object().expect("test value").clone());
            serde_json::to_string_pretty(&v).expect("test value")
        };
        write(&f, &settings(json!({})));
        let mut b = Baseline::take(vec![(f.clone(), Watch::Hooks(AgentId::Claude))], "setup", 1);
        // The agent's own settings change: not ours to judge.
        write(
            &f,
            &settings(json!({"model": "sonnet", "permissions": {"allow": ["Bash"]}})),
        );
        assert_eq!(b.check("claude s", 2).0, vec![]);
        write(&f, &settings(json!({"disableAllHooks": true})));
        assert_eq!(b.check("claude s", 3).0.len(), 1, "the disable switch");
        write(&f, r#"{"model": "opus", "hooks": {}}"#);
        assert_eq!(b.check("claude s", 4).0.len(), 1, "our entries removed");
        // Gemini's switch: our hooks' shared name in `hooksConfig.disabled`.
        let g = d.path().join("gemini.json");
        write(&g, &settings(json!({})));
        let mut b = Baseline::take(vec![(g.clone(), Watch::Hooks(AgentId::Claude))], "setup", 1);
        write(
            &g,
            &settings(json!({"hooksConfig": {"disabled": ["universal-agent"]}})),
        );
        assert_eq!(b.check("gemini s", 2).0.len(), 1, "hooksConfig");
    }

    #[test]
    fn hook_lines_of_a_toml_file_are_watched() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("config.toml");
        write(&f, "model = \"o3\"\n[features]\ncodex_hooks = true\n");
        let mut b = Baseline::take(vec![(f.clone(), Watch::HookSettings)], "setup", 1);
        write(
            &f,
            "model = \"o4\"\n[features]\ncodex_hooks = true\n[projects.\"/w\"]\ntrust_level = \"trusted\"\n",
        );
        assert_eq!(b.check("codex s", 2).0, vec![]);
        write(&f, "model = \"o4\"\n[features]\ncodex_hooks = false\n");
        assert_eq!(b.check("codex s", 3).0.len(), 1);
    }

    #[test]
    fn a_file_created_where_none_was_is_a_change() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("settings.local.json");
        let mut b = Baseline::take(vec![(f.clone(), Watch::HookSettings)], "setup", 1);
        write(&f, r#"{"disableAllHooks": true}"#);
        assert_eq!(b.check("claude s", 2).0[0].what, "created");
    }

    #[test]
    fn the_stored_form_reads_back() {
        let d = tempfile::tempdir().expect("test value");
        let f = d.path().join("a");
        write(&f, "x");
        let b = Baseline::take(vec![(f, Watch::Hooks(AgentId::Codex))], "repair", 7);
        assert_eq!(Baseline::parse(&b.to_text()), Some(b));
        assert_eq!(Baseline::parse("{not json"), None);
    }
}
