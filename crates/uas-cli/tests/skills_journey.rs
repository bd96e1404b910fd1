//! Skills journeys through the built `uas` binary: a registry built with
//! `uas registry build`, served by `uas registry serve` on loopback, and a
//! copy of the fixture home where Claude Code is set up, so every install,
//! update, rollback and remove must show up in `~/.claude/skills/`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use uas_testsupport::{copy_tree, fixture_home};

struct Journey {
    tmp: tempfile::TempDir,
    public_key: String,
    server: Option<Child>,
    url: String,
}

impl Drop for Journey {
    fn drop(&mut self) {
        if let Some(mut c) = self.server.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Journey {
    /// Fixture home with Claude set up, an empty signed registry served on
    /// loopback, and config.toml trusting its key.
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tmp");
        copy_tree(fixture_home(), &tmp.path().join("home"));
        fs::create_dir_all(tmp.path().join("src")).expect("mkdir");
        let mut j = Self {
            tmp,
            public_key: String::new(),
            server: None,
            url: String::new(),
        };
        let key = j.tmp.path().join("signing.key");
        let out = j.ok(&[
            "--json",
            "registry",
            "keygen",
            "--out",
            &key.display().to_string(),
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        j.public_key = v["public_key"].as_str().expect("key").to_owned();
        j.publish("placeholder", "0.1.0", "");
        j.start_server();
        j.write_config(&j.url.clone());
        j.ok(&["setup", "--agent", "claude", "--yes"]);
        j
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn registry(&self) -> PathBuf {
        self.tmp.path().join("registry")
    }

    fn write_config(&self, url: &str) {
        self.write_config_trusting(url, &self.public_key);
    }

    fn write_config_trusting(&self, url: &str, key: &str) {
        fs::write(
            self.home().join(".agent/config.toml"),
            format!(
                "[skills]\ntrusted_keys = [\"{key}\"]\n\n[[skills.registries]]\nname = \"loopback\"\nurl = \"{url}\"\n"
            ),
        )
        .expect("config");
    }

    fn start_server(&mut self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_uas"))
            .args([
                "registry",
                "serve",
                &self.registry().display().to_string(),
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        self.url = line.trim().rsplit(' ').next().expect("url").to_owned();
        assert!(self.url.starts_with("http://127.0.0.1:"), "{line}");
        self.server = Some(child);
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_uas"));
        c.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/nonexistent")
            // The binary under test is a cargo build (see uas_testsupport).
            .env("UAS_DEV", "1")
            .stdin(Stdio::null());
        c
    }

    fn uas(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run uas")
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.uas(args);
        assert!(
            o.status.success(),
            "uas {args:?} failed:\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        text(&o.stdout)
    }

    fn fails(&self, args: &[&str]) -> String {
        let o = self.uas(args);
        assert!(
            !o.status.success(),
            "uas {args:?} should fail:\n{}",
            text(&o.stdout)
        );
        format!("{}{}", text(&o.stdout), text(&o.stderr))
    }

    /// Adds a skill version to the source tree and rebuilds the signed registry.
    fn publish(&self, name: &str, version: &str, deps: &str) {
        let dir = self.tmp.path().join("src").join(name).join(version);
        fs::create_dir_all(dir.join("scripts")).expect("mkdir");
        fs::write(
            dir.join("SKILL.md"),
            format!(
                "---\nname: {name}\ndescription: the {name} skill\nmetadata:\n  version: \"{version}\"\n  dependencies: \"{deps}\"\n---\n{name} {version} body\n"
            ),
        )
        .expect("write");
        fs::write(
            dir.join("scripts/run.sh"),
            format!("#!/bin/sh\necho {name} {version}\n"),
        )
        .expect("write");
        let key = self.tmp.path().join("signing.key");
        self.ok(&[
            "registry",
            "build",
            &self.tmp.path().join("src").display().to_string(),
            "--key",
            &key.display().to_string(),
            "--out",
            &self.registry().display().to_string(),
        ]);
    }

    fn claude_skill(&self, name: &str) -> Option<String> {
        fs::read_to_string(
            self.home()
                .join(".claude/skills")
                .join(name)
                .join("SKILL.md"),
        )
        .ok()
    }

    /// Every file of the home except backups and the index cache.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        walk(&self.home(), &self.home(), &mut out);
        out.retain(|p, _| {
            !p.starts_with(".agent/backups")
                && !p.starts_with(".agent/cache")
                && !p.starts_with(".agent/skills/store/.staging")
                // The operation lock's note: who holds it (pid, command).
                && p != Path::new(".agent/uas.lock")
        });
        out
    }

    fn tree(&self, rel: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        walk(&self.home(), &self.home().join(rel), &mut out);
        out
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).expect("rel").to_path_buf();
        if e.file_type().expect("type").is_dir() {
            out.insert(rel.join(""), Vec::new());
            walk(root, &p, out);
        } else {
            out.insert(rel, fs::read(&p).expect("read"));
        }
    }
}

#[test]
fn install_update_rollback_and_remove_reach_claudes_skills_folder() {
    let j = Journey::new();
    j.publish("base-notes", "1.0.0", "");
    j.publish("review", "1.0.0", "base-notes@^1.0");
    let out = j.ok(&["--json", "skill", "install", "review"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(2), "{out}");
    assert_eq!(v["materialized"]["agents"][0], "claude", "{out}");
    assert!(
        j.claude_skill("review")
            .is_some_and(|s| s.contains("review 1.0.0 body"))
    );
    assert!(
        j.claude_skill("base-notes").is_some(),
        "dependency materialized too"
    );
    assert!(
        j.home()
            .join(".claude/skills/review/.uas-managed")
            .is_file()
    );
    assert!(
        j.claude_skill("review-checklist").is_some(),
        "hand-made universal skill still there"
    );
    j.ok(&["status"]);
    let v1_files = j.tree(".claude/skills/review");

    j.publish("review", "1.1.0", "base-notes@^1.0");
    j.publish("review", "2.0.0", "base-notes@^1.0");
    let outdated = j.ok(&["skill", "list", "--outdated"]);
    assert!(
        outdated.contains("review 1.0.0") && outdated.contains("1.1.0 allowed, 2.0.0 latest"),
        "{outdated}"
    );
    let out = j.ok(&["skill", "update", "--all"]);
    assert!(out.contains("~ review 1.0.0 -> 1.1.0"), "{out}");
    assert!(
        j.claude_skill("review")
            .is_some_and(|s| s.contains("review 1.1.0 body")),
        "update stays within ^1.0.0"
    );
    j.ok(&["status"]);

    let out = j.ok(&["skill", "rollback", "review"]);
    assert!(out.contains("~ review 1.1.0 -> 1.0.0"), "{out}");
    assert_eq!(
        j.tree(".claude/skills/review"),
        v1_files,
        "rollback restores the materialized files byte for byte"
    );
    j.ok(&["status"]);

    let err = j.fails(&["skill", "remove", "base-notes"]);
    assert!(
        err.contains("review 1.0.0 (needs base-notes ^1.0)"),
        "{err}"
    );
    assert!(j.claude_skill("base-notes").is_some());
    j.ok(&["skill", "remove", "review"]);
    assert!(j.claude_skill("review").is_none() && j.claude_skill("base-notes").is_none());
    assert!(j.claude_skill("review-checklist").is_some());
    j.ok(&["status"]);
    j.ok(&["skill", "verify"]);
}

/// The home without the version store (a cache that keeps every version).
fn active_files(j: &Journey) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = j.files();
    files.retain(|p, _| !p.starts_with(".agent/skills/store"));
    files
}

/// Asserts two trees are equal, naming the paths that differ.
fn same_tree(now: &BTreeMap<PathBuf, Vec<u8>>, want: &BTreeMap<PathBuf, Vec<u8>>, what: &str) {
    let differ: Vec<_> = now
        .keys()
        .chain(want.keys())
        .filter(|p| now.get(*p) != want.get(*p))
        .collect();
    assert!(differ.is_empty(), "{what}: these paths differ: {differ:?}");
}

#[test]
fn undoing_a_skill_changes_apply_puts_skills_lock_back_with_the_agents_folders() {
    let j = Journey::new();
    let before_install = active_files(&j);
    j.publish("review", "1.0.0", "");
    j.ok(&["skill", "install", "review"]);
    let after_install = active_files(&j);
    j.publish("review", "1.1.0", "");
    j.ok(&["skill", "update", "--all"]);
    assert!(
        j.claude_skill("review")
            .is_some_and(|s| s.contains("1.1.0"))
    );

    // Undo the update alone: back to 1.0.0, in the lock and in Claude's folder.
    let out = j.ok(&["rollback-setup", "--yes"]);
    assert!(out.contains("(repair)"), "{out}");
    same_tree(&active_files(&j), &after_install, "undo of the update");
    assert!(
        j.claude_skill("review")
            .is_some_and(|s| s.contains("1.0.0"))
    );
    let list: serde_json::Value =
        serde_json::from_str(&j.ok(&["--json", "skill", "list"])).expect("json");
    assert_eq!(list[0]["version"], "1.0.0", "{list}");
    j.ok(&["status"]);

    // Back to how the setup (generation 1) left things: the install is undone too.
    let preview = j.ok(&["rollback-setup", "--to", "1", "--dry-run"]);
    assert!(
        preview.contains("Would roll back apply #2 (repair)"),
        "{preview}"
    );
    same_tree(&active_files(&j), &after_install, "--dry-run");
    j.ok(&["rollback-setup", "--to", "1", "--yes"]);
    same_tree(&active_files(&j), &before_install, "undo back to the setup");
    assert!(j.claude_skill("review").is_none());
    j.ok(&["status"]);
    j.ok(&["skill", "verify"]);
    let err = j.fails(&["rollback-setup", "--to", "9", "--yes"]);
    assert!(err.contains("no apply #9"), "{err}");
}

#[test]
fn dry_run_shows_what_would_change_and_writes_nothing() {
    let j = Journey::new();
    j.publish("lint", "1.0.0", "");
    let before = j.files();
    let out = j.ok(&["skill", "install", "lint", "--dry-run"]);
    assert!(
        out.contains("+ lint 1.0.0") && out.contains("Dry run"),
        "{out}"
    );
    assert_eq!(j.files(), before);
}

#[test]
fn tampered_archive_is_refused_and_home_and_agents_stay_byte_identical() {
    let j = Journey::new();
    j.publish("lint", "1.0.0", "");
    j.ok(&["skill", "install", "lint"]);
    j.publish("lint", "1.1.0", "");
    let archive = j.registry().join("archives/lint/lint-1.1.0.tar.gz");
    let mut bytes = fs::read(&archive).expect("read");
    let n = bytes.len();
    bytes[n / 2] ^= 0x55;
    fs::write(&archive, &bytes).expect("tamper");
    let before = j.files();
    let o = j.uas(&["--json", "skill", "update", "--all"]);
    assert!(!o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["error"]["code"], "skill_checksum_mismatch", "{v}");
    assert_eq!(j.files(), before, "store, lock and agent folders unchanged");
}

// Needs the hidden failpoint flag: `./x test` enables `uas-cli/failpoints`.
#[cfg(feature = "failpoints")]
#[test]
fn a_crash_after_storing_before_the_switch_leaves_lock_and_agents_untouched() {
    let j = Journey::new();
    j.publish("base-notes", "1.0.0", "");
    j.ok(&["skill", "install", "base-notes"]);
    j.publish("review", "1.0.0", "base-notes@^1");
    j.publish("base-notes", "1.1.0", "");
    let lock = fs::read(j.home().join(".agent/skills.lock")).expect("lock");
    let claude = j.tree(".claude");
    let o = j.uas(&["skill", "update", "--all", "--abort-after-stored", "1"]);
    assert!(!o.status.success(), "the failpoint aborts the process");
    assert_eq!(
        fs::read(j.home().join(".agent/skills.lock")).expect("lock"),
        lock
    );
    assert_eq!(j.tree(".claude"), claude);
    j.ok(&["skill", "verify"]);
    // The next run completes (the stored copy is verified again, not trusted blindly).
    j.ok(&["skill", "update", "--all"]);
    assert!(
        j.claude_skill("base-notes")
            .is_some_and(|s| s.contains("1.1.0"))
    );
}

/// Serves index.json from `root` and dribbles archives: headers and a few
/// bytes, then nothing, so a download is in flight for as long as needed.
fn stalling_server(root: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&req)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let path = line
                    .split(' ')
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_owned();
                let body = fs::read(root.join(&path)).unwrap_or_default();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                if path.ends_with(".tar.gz") {
                    let _ = stream.write_all(&body[..body.len().min(16)]);
                    let _ = stream.flush();
                    std::thread::sleep(Duration::from_secs(60));
                } else {
                    let _ = stream.write_all(&body);
                }
            });
        }
    });
    format!("http://{addr}/")
}

#[test]
fn kill_9_mid_download_leaves_the_previous_state_intact() {
    let j = Journey::new();
    j.publish("lint", "1.0.0", "");
    j.ok(&["skill", "install", "lint"]);
    j.publish("lint", "1.1.0", "");
    let before = j.files();
    j.write_config(&stalling_server(j.registry()));
    let config_with_stall = fs::read(j.home().join(".agent/config.toml")).expect("config");
    let mut child = j
        .cmd(&["skill", "update", "--all"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("progress line");
        if line.contains("downloading lint 1.1.0") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    let status = child.wait().expect("wait");
    assert!(!status.success());
    let mut after = j.files();
    after.insert(
        ".agent/config.toml".into(),
        fs::read(j.home().join(".agent/config.toml")).expect("c"),
    );
    let mut expected = before.clone();
    expected.insert(".agent/config.toml".into(), config_with_stall);
    assert_eq!(after, expected, "killed mid-download: nothing changed");
    // Back to the real server: the update completes.
    j.write_config(&j.url.clone());
    j.ok(&["skill", "update", "--all"]);
    assert!(
        j.claude_skill("lint")
            .is_some_and(|s| s.contains("lint 1.1.0 body"))
    );
}

#[test]
fn locked_install_reproduces_a_lockfile_on_a_fresh_home() {
    let a = Journey::new();
    a.publish("base-notes", "1.0.0", "");
    a.publish("review", "1.0.0", "base-notes@^1");
    a.ok(&["skill", "install", "review"]);
    a.publish("base-notes", "1.2.0", "");
    let lock = fs::read(a.home().join(".agent/skills.lock")).expect("lock");
    // A second machine: same registry, only the lockfile copied over.
    let b = Journey::new();
    b.write_config_trusting(&a.url, &a.public_key);
    fs::write(b.home().join(".agent/skills.lock"), &lock).expect("copy lock");
    b.fails(&["skill", "verify"]);
    let out = b.ok(&["skill", "install", "--locked"]);
    assert!(out.contains("+ base-notes 1.0.0"), "{out}");
    assert_eq!(
        fs::read(b.home().join(".agent/skills.lock")).expect("lock"),
        lock
    );
    b.ok(&["skill", "verify"]);
    assert_eq!(
        b.tree(".claude/skills/review"),
        a.tree(".claude/skills/review")
    );
}

#[test]
fn search_info_and_a_broken_manifest_read_plainly() {
    let j = Journey::new();
    j.publish("lint", "1.0.0", "");
    j.publish("lint", "1.1.0", "");
    j.ok(&[
        "registry",
        "yank",
        &j.registry().display().to_string(),
        "lint",
        "1.1.0",
    ]);
    let out = j.ok(&["skill", "search", "lint"]);
    assert!(out.contains("lint 1.0.0  the lint skill"), "{out}");
    let out = j.ok(&["skill", "info", "lint"]);
    assert!(out.contains("1.1.0  [yanked, signed]"), "{out}");
    let bad = j.tmp.path().join("bad/Wrong");
    fs::create_dir_all(&bad).expect("mkdir");
    fs::write(
        bad.join("SKILL.md"),
        "---\nname: Wrong\ndescription: d\n---\n",
    )
    .expect("write");
    let err = j.fails(&[
        "registry",
        "build",
        &j.tmp.path().join("bad").display().to_string(),
    ]);
    assert!(
        err.contains("SKILL.md") && err.contains("lowercase"),
        "{err}"
    );
    let err = j.fails(&["skill", "install", "nope"]);
    assert!(
        err.contains("no registry lists a skill named `nope`"),
        "{err}"
    );
}
