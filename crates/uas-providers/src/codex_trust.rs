//! Codex runs a hook only after the user trusted it (by its hash, in
//! `/hooks`); untrusted hooks are skipped silently. With the user's consent
//! (`uas setup --trust-codex-hooks`) we do what `/hooks` does: ask
//! `codex app-server` (stdio JSON-RPC, offline) for `hooks/list`, and for
//! each of *our* hooks write `[hooks.state."<key>"] trusted_hash = "<hash>"`
//! into `$CODEX_HOME/config.toml`, editing only those keys (toml_edit keeps
//! the rest of the file as it was).

use crate::plan::{ChangeKind, FileChange};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use uas_core::AgentId;

/// Asking Codex for its hooks, or editing its `config.toml`, failed;
/// nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum CodexTrustError {
    /// `codex app-server` could not be started.
    #[error("cannot start {} app-server: {source}", codex.display())]
    Start {
        /// The codex binary.
        codex: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The app-server's stdin or stdout was not piped.
    #[error("no {0}")]
    NoPipe(&'static str),
    /// Writing a request to the app-server failed.
    #[error("talking to codex app-server: {0}")]
    Talk(std::io::Error),
    /// The app-server did not answer in time.
    #[error("codex app-server did not answer hooks/list within {}s", timeout.as_secs())]
    Timeout {
        /// How long we waited.
        timeout: Duration,
    },
    /// The app-server answered with a JSON-RPC error.
    #[error("codex app-server refused hooks/list: {0}")]
    Refused(Value),
    /// `config.toml` could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// Codex's `config.toml`.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `config.toml` is not valid TOML.
    #[error("{}: {reason} — fix the file, then run setup again (nothing was changed)", path.display())]
    Invalid {
        /// Codex's `config.toml`.
        path: PathBuf,
        /// The TOML parser's message.
        reason: String,
    },
    /// A key we must write into is not a table.
    #[error("{}: `{key}` is not a table", path.display())]
    NotATable {
        /// Codex's `config.toml`.
        path: PathBuf,
        /// The dotted key (`hooks.state`).
        key: String,
    },
}

/// One of our hooks as Codex lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHook {
    /// Codex's key (`<hooks.json>:pre_tool_use:0:0`).
    pub key: String,
    /// The hash Codex trusts.
    pub current_hash: String,
    /// Whether Codex already trusts it.
    pub trusted: bool,
}

/// Asks `codex app-server` for the hooks that apply in `cwd` and keeps ours.
pub fn list_uas_hooks(
    codex: &Path,
    cwd: &Path,
    timeout: Duration,
) -> Result<Vec<ListedHook>, CodexTrustError> {
    let mut child = Command::new(codex)
        .arg("app-server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| CodexTrustError::Start {
            codex: codex.to_path_buf(),
            source,
        })?;
    let mut stdin = child.stdin.take().ok_or(CodexTrustError::NoPipe("stdin"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or(CodexTrustError::NoPipe("stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && v["id"] == 2
            {
                let _ = tx.send(v);
                break;
            }
        }
    });
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"clientInfo": {"name": "uas", "version": env!("CARGO_PKG_VERSION")}}}),
        json!({"jsonrpc": "2.0", "method": "initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "hooks/list", "params": {"cwds": [cwd]}}),
    ];
    for r in requests {
        writeln!(stdin, "{r}").map_err(CodexTrustError::Talk)?;
    }
    let answer = rx.recv_timeout(timeout);
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let v = answer.map_err(|_| CodexTrustError::Timeout { timeout })?;
    if let Some(err) = v.get("error") {
        return Err(CodexTrustError::Refused(err.clone()));
    }
    Ok(v["result"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["hooks"].as_array().cloned().unwrap_or_default())
        .filter(|h| {
            h["command"]
                .as_str()
                .is_some_and(crate::hookjson::is_uas_hook_command)
        })
        .filter_map(|h| {
            Some(ListedHook {
                key: h["key"].as_str()?.to_owned(),
                current_hash: h["currentHash"].as_str()?.to_owned(),
                trusted: h["trustStatus"] == "trusted",
            })
        })
        .collect())
}

/// The change to `config.toml` that trusts `hooks` (`None`: nothing to do).
pub fn trust_change(
    config: &Path,
    hooks: &[ListedHook],
) -> Result<Option<FileChange>, CodexTrustError> {
    let before = match std::fs::read(config) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(CodexTrustError::Read {
                path: config.to_path_buf(),
                source,
            });
        }
    };
    let not_a_table = |key: String| CodexTrustError::NotATable {
        path: config.to_path_buf(),
        key,
    };
    let bytes = before.as_deref().unwrap_or_default();
    // Decoding lossily would write U+FFFD over the user's bytes.
    let text = std::str::from_utf8(bytes).map_err(|e| CodexTrustError::Invalid {
        path: config.to_path_buf(),
        reason: format!(
            "line {} is not valid UTF-8; save the file as UTF-8",
            crate::hookjson::line_of(bytes, e.valid_up_to())
        ),
    })?;
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| CodexTrustError::Invalid {
                path: config.to_path_buf(),
                reason: e.to_string().trim().to_owned(),
            })?;
    let mut changed = false;
    for h in hooks {
        let state = doc
            .entry("hooks")
            .or_insert_with(|| toml_edit::Item::Table(implicit_table()))
            .as_table_like_mut()
            .ok_or_else(|| not_a_table("hooks".into()))?
            .entry("state")
            .or_insert_with(|| toml_edit::Item::Table(implicit_table()));
        let state = state
            .as_table_like_mut()
            .ok_or_else(|| not_a_table("hooks.state".into()))?;
        let entry = state
            .entry(&h.key)
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let entry = entry
            .as_table_like_mut()
            .ok_or_else(|| not_a_table(format!("hooks.state.{}", h.key)))?;
        if entry.get("trusted_hash").and_then(|v| v.as_str()) != Some(h.current_hash.as_str()) {
            entry.insert("trusted_hash", toml_edit::value(h.current_hash.clone()));
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    Ok(Some(FileChange {
        path: config.to_path_buf(),
        agents: vec![AgentId::Codex],
        kind: ChangeKind::Hooks,
        before,
        before_link: None,
        after: Some(doc.to_string().into_bytes()),
        reason: format!(
            "trust {} uas hook(s) in Codex (hooks.state.*.trusted_hash), as /hooks would",
            hooks.len()
        ),
        executable: false,
    }))
}

fn implicit_table() -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    t.set_implicit(true);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_entries_are_added_key_by_key_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = dir.path().join("config.toml");
        let original = "# my settings\nmodel = \"gpt-5.5\"   # keep this comment\n\n[hooks.state.\"/h/.codex/hooks.json:stop:0:0\"]\ntrusted_hash = \"sha256:mine\"\n";
        std::fs::write(&config, original).expect("write");
        let hooks = [ListedHook {
            key: "/h/.codex/hooks.json:pre_tool_use:0:0".into(),
            current_hash: "sha256:abc".into(),
            trusted: false,
        }];
        let change = trust_change(&config, &hooks)
            .expect("ok")
            .expect("a change");
        let after = String::from_utf8(change.after.clone().expect("after")).expect("utf8");
        assert!(
            after.starts_with("# my settings\nmodel = \"gpt-5.5\"   # keep this comment\n"),
            "{after}"
        );
        assert!(after.contains("trusted_hash = \"sha256:mine\""), "{after}");
        let v: toml::Table = toml::from_str(&after).expect("valid toml");
        assert_eq!(
            v["hooks"]["state"]["/h/.codex/hooks.json:pre_tool_use:0:0"]["trusted_hash"].as_str(),
            Some("sha256:abc")
        );
        // Applying the same trust again changes nothing.
        std::fs::write(&config, &after).expect("write");
        assert!(trust_change(&config, &hooks).expect("ok").is_none());
    }

    #[test]
    fn broken_config_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "model = \n").expect("write");
        let e = trust_change(&config, &[]).expect_err("broken").to_string();
        assert!(
            e.contains("config.toml") && e.contains("nothing was changed"),
            "{e}"
        );
    }

    #[test]
    fn a_config_that_is_not_utf8_is_refused_not_rewritten_with_replacement_characters() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = dir.path().join("config.toml");
        let latin1 = b"# r\xe9glages\nmodel = \"gpt-5\"\n".to_vec();
        std::fs::write(&config, &latin1).expect("write");
        let e = trust_change(&config, &[])
            .expect_err("not UTF-8")
            .to_string();
        assert!(
            e.contains("config.toml") && e.contains("line 1 is not valid UTF-8"),
            "{e}"
        );
        assert_eq!(std::fs::read(&config).expect("read"), latin1);
    }
}
