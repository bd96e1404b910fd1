//! The package manager against a real registry served over loopback HTTP:
//! resolution, the store, the lockfile and the VFS view agents receive.

use semver::{Version, VersionReq};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use uas_core::config::{RegistryConfig, SkillsConfig};
use uas_core::{AgentId, Home};
use uas_skills::index::{self, IndexEntry, IndexSignature, RegistryIndex};
use uas_skills::ops::{ChangeOptions, Skills};
use uas_skills::serve::BackgroundServer;
use uas_skills::{SkillError, sign};

struct World {
    tmp: tempfile::TempDir,
    key: ed25519_dalek::SigningKey,
    _server: BackgroundServer,
    config: SkillsConfig,
    /// Runs the server; dropped last, after the server was told to stop.
    _runtime: tokio::runtime::Runtime,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tmp");
        fs::create_dir_all(tmp.path().join("registry")).expect("mkdir");
        let key = sign::generate().expect("key");
        // The server runs on the runtime's worker thread; this thread stays
        // outside the runtime, where the blocking HTTP client may be used.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let server =
            BackgroundServer::start(runtime.handle(), tmp.path().join("registry")).expect("server");
        let config = SkillsConfig {
            registries: vec![RegistryConfig {
                name: "loopback".into(),
                url: server.url(),
                priority: 0,
            }],
            trusted_keys: vec![sign::public_text(&key.verifying_key())],
            ..SkillsConfig::default()
        };
        Self {
            tmp,
            key,
            _server: server,
            config,
            _runtime: runtime,
        }
    }

    fn home(&self) -> Home {
        Home::new(self.tmp.path().join("home/.agent"))
    }

    fn registry(&self) -> PathBuf {
        self.tmp.path().join("registry")
    }

    /// Writes a skill version into the source tree and rebuilds the registry.
    fn publish(&self, name: &str, version: &str, deps: &str) {
        let dir = self.tmp.path().join("src").join(name).join(version);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(
            dir.join("SKILL.md"),
            format!(
                "---\nname: {name}\ndescription: {name} skill\nmetadata:\n  version: \"{version}\"\n  dependencies: \"{deps}\"\n---\n{name} {version} body\n"
            ),
        )
        .expect("write");
        index::build(
            &self.tmp.path().join("src"),
            &self.registry(),
            Some(&self.key),
        )
        .expect("build");
    }

    fn skills(&self) -> Skills<'_> {
        Skills::new(Box::leak(Box::new(self.home())), &self.config)
    }

    fn install(
        &self,
        name: &str,
        req: Option<&str>,
    ) -> Result<uas_skills::ops::ChangeReport, SkillError> {
        let req = req.map(|r| VersionReq::parse(r).expect("req"));
        self.skills().install(
            &[(name.to_owned(), req)],
            &ChangeOptions::default(),
            &mut |_| {},
        )
    }

    fn active(&self) -> BTreeMap<String, String> {
        uas_vfs::active_packaged(&self.home()).expect("lock")
    }

    /// What an agent would receive for `vfs://skills/<name>`.
    fn materialized(&self, name: &str) -> Option<String> {
        let vfs = uas_vfs::Vfs::load(&self.home()).expect("vfs");
        vfs.resolve(AgentId::Claude, &format!("vfs://skills/{name}"))
            .map(|f| String::from_utf8_lossy(&f[Path::new("SKILL.md")]).into_owned())
    }

    fn index(&self) -> RegistryIndex {
        match fs::read(self.registry().join("index.json")) {
            Ok(b) => RegistryIndex::parse("t", &b).expect("parse"),
            Err(_) => RegistryIndex::default(),
        }
    }

    fn write_index(&self, i: &RegistryIndex) {
        index::write_index(&self.registry(), i).expect("write index");
    }

    /// Publishes raw archive bytes as `name version`, signed.
    fn publish_raw(&self, name: &str, version: &str, bytes: &[u8]) {
        let rel = format!("archives/{name}/{name}-{version}.tar.gz");
        let p = self.registry().join(&rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, bytes).expect("write");
        let mut i = self.index();
        if i.format == 0 {
            i.format = index::INDEX_FORMAT;
        }
        i.skills
            .entry(name.to_owned())
            .or_default()
            .push(IndexEntry {
                version: Version::parse(version).expect("v"),
                description: "raw".into(),
                dependencies: BTreeMap::new(),
                archive: rel,
                sha256: index::sha256_hex(bytes),
                size: bytes.len() as u64,
                signature: Some(IndexSignature {
                    key: sign::public_text(&self.key.verifying_key()),
                    sig: sign::sign(&self.key, bytes),
                }),
                yanked: false,
            });
        self.write_index(&i);
    }

    /// Every file under skills/ plus the lockfile (what agents are built from).
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let root = self.home().root().to_path_buf();
        walk(&root, &root.join("skills"), &mut out);
        if let Ok(b) = fs::read(self.home().skills_lock_file()) {
            out.insert("skills.lock".into(), b);
        }
        out.retain(|p, _| !p.starts_with("skills/store/.staging"));
        out
    }
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

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn install_pulls_transitive_dependencies_over_http() {
    let w = World::new();
    w.publish("base", "1.0.0", "");
    w.publish("base", "1.1.0", "");
    w.publish("notes", "1.0.0", "base@~1.0");
    w.publish("review", "1.0.0", "notes@^1");
    let r = w.install("review", None).expect("install");
    assert_eq!(r.downloaded.len(), 3, "{r:?}");
    assert_eq!(
        w.active(),
        map(&[("base", "1.0.0"), ("notes", "1.0.0"), ("review", "1.0.0")])
    );
    assert_eq!(
        w.materialized("base")
            .as_deref()
            .map(|s| s.contains("base 1.0.0 body")),
        Some(true)
    );
    let lock = uas_skills::lock::Lockfile::load(&w.home().skills_lock_file()).expect("lock");
    assert_eq!(
        lock.skills["review"]
            .requested
            .as_ref()
            .map(ToString::to_string),
        Some("^1.0.0".to_owned()),
        "a bare name records a caret requirement, like cargo and npm"
    );
    assert!(
        lock.skills["base"].requested.is_none(),
        "a dependency is not a request"
    );
    assert!(w.skills().verify().expect("verify").is_empty());
    // Installing again changes nothing and downloads nothing.
    let again = w.install("review", None).expect("again");
    assert!(
        again.changes.is_empty() && again.downloaded.is_empty(),
        "{again:?}"
    );
}

#[test]
fn update_respects_the_recorded_requirement_and_rollback_restores_files() {
    let w = World::new();
    w.publish("lint", "1.0.0", "");
    w.install("lint", Some("^1")).expect("install");
    w.publish("lint", "1.1.0", "");
    w.publish("lint", "2.0.0", "");
    let outdated = w.skills().list(true).expect("list");
    assert_eq!(outdated[0].latest, Some(Version::new(2, 0, 0)));
    assert_eq!(outdated[0].compatible, Some(Version::new(1, 1, 0)));
    w.skills()
        .update(&[], &ChangeOptions::default(), &mut |_| {})
        .expect("update");
    assert_eq!(w.active(), map(&[("lint", "1.1.0")]));
    assert!(
        w.materialized("lint")
            .is_some_and(|s| s.contains("lint 1.1.0 body"))
    );

    let r = w
        .skills()
        .rollback("lint", None, &ChangeOptions::default())
        .expect("rollback");
    assert_eq!(r.changes[0].to, Some(Version::new(1, 0, 0)));
    assert_eq!(w.active(), map(&[("lint", "1.0.0")]));
    assert!(
        w.materialized("lint")
            .is_some_and(|s| s.contains("lint 1.0.0 body"))
    );
    // And forward again by version (rollback never reads a registry).
    w.skills()
        .rollback(
            "lint",
            Some(&Version::new(1, 1, 0)),
            &ChangeOptions::default(),
        )
        .expect("roll forward");
    assert_eq!(w.active(), map(&[("lint", "1.1.0")]));
    let e = w
        .skills()
        .rollback(
            "lint",
            Some(&Version::new(2, 0, 0)),
            &ChangeOptions::default(),
        )
        .err();
    assert!(e.is_some_and(|e| e.to_string().contains("never active")));
}

#[test]
fn remove_refuses_while_another_skill_depends_on_it_then_takes_orphans_along() {
    let w = World::new();
    w.publish("base", "1.0.0", "");
    w.publish("notes", "1.0.0", "base@^1");
    w.install("notes", None).expect("install");
    let before = w.snapshot();
    let e = w
        .skills()
        .remove("base", &ChangeOptions::default())
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|e| e.contains("notes 1.0.0 (needs base ^1)")),
        "{e:?}"
    );
    assert_eq!(w.snapshot(), before);
    let r = w
        .skills()
        .remove("notes", &ChangeOptions::default())
        .expect("remove");
    assert_eq!(r.changes.len(), 2, "{r:?}");
    assert!(w.active().is_empty());
    assert!(!w.home().skills_store_dir().join("base").exists());
    assert!(w.materialized("notes").is_none());
}

#[test]
fn yanked_versions_are_skipped() {
    let w = World::new();
    w.publish("lint", "1.0.0", "");
    w.publish("lint", "1.1.0", "");
    index::set_yanked(&w.registry(), "lint", &Version::new(1, 1, 0), true).expect("yank");
    w.install("lint", None).expect("install");
    assert_eq!(w.active(), map(&[("lint", "1.0.0")]));
    let hits = w.skills().search("lint").expect("search");
    assert_eq!(hits[0].version, Version::new(1, 0, 0));
}

#[test]
fn conflicting_requirements_are_explained_and_change_nothing() {
    let w = World::new();
    w.publish("base", "1.0.0", "");
    w.publish("base", "2.0.0", "");
    w.publish("old", "0.4.0", "base@^1");
    w.publish("new", "1.2.0", "base@^2");
    w.install("old", None).expect("install");
    let before = w.snapshot();
    let e = w
        .install("new", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("new depends on base >=2.0.0, <3.0.0"), "{e}");
    assert!(
        e.contains("old depends on base >=1.0.0, <2.0.0")
            || e.contains("old 0.4.0 depends on base"),
        "{e}"
    );
    assert_eq!(w.snapshot(), before);
}

#[test]
fn tampered_archive_is_rejected_and_nothing_changes() {
    let w = World::new();
    w.publish("lint", "1.0.0", "");
    w.install("lint", None).expect("install");
    w.publish("lint", "1.1.0", "");
    let before = w.snapshot();
    // Bad checksum: the archive on the server is not what the index says.
    let archive = w.registry().join("archives/lint/lint-1.1.0.tar.gz");
    let good = fs::read(&archive).expect("read");
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    fs::write(&archive, &bad).expect("tamper");
    let e = w
        .skills()
        .update(&[], &ChangeOptions::default(), &mut |_| {})
        .err();
    assert!(matches!(e, Some(SkillError::Checksum { .. })), "{e:?}");
    assert_eq!(w.snapshot(), before);

    // Bad signature: checksum updated by the attacker, signature not.
    let mut i = w.index();
    let entry = i
        .skills
        .get_mut("lint")
        .and_then(|v| v.last_mut())
        .expect("entry");
    entry.sha256 = index::sha256_hex(&bad);
    entry.size = bad.len() as u64;
    w.write_index(&i);
    let e = w
        .skills()
        .update(&[], &ChangeOptions::default(), &mut |_| {})
        .err();
    assert!(matches!(e, Some(SkillError::Signature { .. })), "{e:?}");
    assert!(e.is_some_and(|e| e.to_string().contains("does not match")));
    assert_eq!(w.snapshot(), before);
    // Even --allow-unsigned does not accept a wrong signature.
    let loose = ChangeOptions {
        allow_unsigned: true,
        ..ChangeOptions::default()
    };
    assert!(w.skills().update(&[], &loose, &mut |_| {}).is_err());
    assert_eq!(w.snapshot(), before);
}

#[test]
fn unsigned_or_untrusted_archives_need_the_explicit_flag() {
    let mut w = World::new();
    w.publish("lint", "1.0.0", "");
    let mut i = w.index();
    for e in i.skills.values_mut().flatten() {
        e.signature = None;
    }
    w.write_index(&i);
    let e = w
        .install("lint", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("--allow-unsigned"), "{e}");
    assert!(w.active().is_empty());
    let loose = ChangeOptions {
        allow_unsigned: true,
        ..ChangeOptions::default()
    };
    w.skills()
        .install(&[("lint".into(), None)], &loose, &mut |_| {})
        .expect("install unsigned with the flag");
    assert_eq!(w.active(), map(&[("lint", "1.0.0")]));

    // Signed, but by a key the user does not trust.
    w.config.trusted_keys = vec![sign::public_text(
        &sign::generate().expect("k").verifying_key(),
    )];
    w.publish("fmt", "1.0.0", "");
    let e = w
        .install("fmt", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not in skills.trusted_keys"), "{e}");
}

/// A tar.gz whose one entry is written with a raw header.
fn raw_archive(entries: &[(&[u8], tar::EntryType, &[u8], u64)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    let skill = b"---\nname: evil\ndescription: d\nmetadata:\n  version: \"1.0.0\"\n---\n";
    let mut h = tar::Header::new_old();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(skill.len() as u64);
    h.set_mode(0o644);
    h.as_old_mut().name[..8].copy_from_slice(b"SKILL.md");
    h.set_cksum();
    b.append(&h, &skill[..]).expect("append");
    for (name, kind, data, declared) in entries {
        let mut h = tar::Header::new_old();
        h.set_entry_type(*kind);
        h.set_size(*declared);
        h.set_mode(0o644);
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        if *kind == tar::EntryType::Symlink || *kind == tar::EntryType::Link {
            h.as_old_mut().linkname[..11].copy_from_slice(b"/etc/passwd");
        }
        h.set_cksum();
        b.append(&h, *data).expect("append");
    }
    b.into_inner().expect("tar").finish().expect("gz")
}

#[test]
fn malicious_archives_are_refused_before_reaching_the_store() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            raw_archive(&[(b"../../escape.sh", tar::EntryType::Regular, b"x", 1)]),
            "`..`",
        ),
        (
            "absolute",
            raw_archive(&[(b"/tmp/abs.sh", tar::EntryType::Regular, b"x", 1)]),
            "absolute",
        ),
        (
            "symlink",
            raw_archive(&[(b"link", tar::EntryType::Symlink, b"", 0)]),
            "symlink",
        ),
        (
            "hardlink",
            raw_archive(&[(b"hard", tar::EntryType::Link, b"", 0)]),
            "hard link",
        ),
        (
            "device",
            raw_archive(&[(b"dev", tar::EntryType::Char, b"", 0)]),
            "device file",
        ),
        (
            "fifo",
            raw_archive(&[(b"pipe", tar::EntryType::Fifo, b"", 0)]),
            "FIFO",
        ),
        (
            "bomb",
            raw_archive(&[(
                b"zeros.bin",
                tar::EntryType::Regular,
                &zeros,
                zeros.len() as u64,
            )]),
            "file limit",
        ),
    ];
    for (label, bytes, needle) in cases {
        let mut w = World::new();
        w.config.limits.max_file_bytes = 1024 * 1024;
        w.publish("lint", "1.0.0", "");
        w.install("lint", None).expect("install");
        w.publish_raw("evil", "1.0.0", &bytes);
        let before = w.snapshot();
        let e = w.install("evil", None).err();
        let text = e.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            matches!(e, Some(SkillError::UnsafeArchive { .. })),
            "{label}: {text}"
        );
        assert!(text.contains(needle), "{label}: {text}");
        assert_eq!(w.snapshot(), before, "{label}: something changed");
        assert!(!w.tmp.path().join("escape.sh").exists() && !Path::new("/tmp/abs.sh").exists());
        let staging = w.home().skills_store_dir().join(".staging");
        let left = fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "{label}: staging not cleaned");
    }
}

#[test]
fn total_size_and_file_count_limits_hold() {
    let many: Vec<(Vec<u8>, tar::EntryType, &[u8], u64)> = (0..50)
        .map(|i| {
            (
                format!("f{i}").into_bytes(),
                tar::EntryType::Regular,
                &b"x"[..],
                1,
            )
        })
        .collect();
    let refs: Vec<(&[u8], tar::EntryType, &[u8], u64)> = many
        .iter()
        .map(|(n, k, d, s)| (n.as_slice(), *k, *d, *s))
        .collect();
    let mut w = World::new();
    w.config.limits.max_files = 20;
    w.publish_raw("evil", "1.0.0", &raw_archive(&refs));
    let e = w
        .install("evil", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("max_files"), "{e}");

    let chunk = vec![7u8; 300 * 1024];
    let big: Vec<(Vec<u8>, tar::EntryType, &[u8], u64)> = (0..5)
        .map(|i| {
            (
                format!("b{i}").into_bytes(),
                tar::EntryType::Regular,
                chunk.as_slice(),
                chunk.len() as u64,
            )
        })
        .collect();
    let refs: Vec<(&[u8], tar::EntryType, &[u8], u64)> = big
        .iter()
        .map(|(n, k, d, s)| (n.as_slice(), *k, *d, *s))
        .collect();
    let mut w = World::new();
    w.config.limits.max_total_bytes = 1024 * 1024;
    w.publish_raw("evil", "1.0.0", &raw_archive(&refs));
    let e = w
        .install("evil", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("max_total_bytes"), "{e}");
    assert!(w.active().is_empty());
}

#[test]
fn locked_install_reproduces_the_store_from_the_lockfile() {
    let w = World::new();
    w.publish("base", "1.0.0", "");
    w.publish("notes", "1.0.0", "base@^1");
    w.install("notes", None).expect("install");
    let lock_before = fs::read(w.home().skills_lock_file()).expect("lock");
    w.publish("base", "1.5.0", "");
    fs::remove_dir_all(w.home().skills_store_dir()).expect("wipe store");
    assert_eq!(w.skills().verify().expect("verify").len(), 2);
    let r = w
        .skills()
        .install_locked(&ChangeOptions::default(), &mut |_| {})
        .expect("locked");
    assert_eq!(r.downloaded.len(), 2);
    assert_eq!(
        fs::read(w.home().skills_lock_file()).expect("lock"),
        lock_before
    );
    assert!(w.skills().verify().expect("verify").is_empty());
    assert_eq!(w.active(), map(&[("base", "1.0.0"), ("notes", "1.0.0")]));
}

#[test]
fn the_index_is_cached_with_its_etag() {
    let w = World::new();
    w.publish("lint", "1.0.0", "");
    w.skills().search("").expect("search");
    let cached: Vec<_> = fs::read_dir(w.home().cache_dir().join("registries"))
        .expect("cache")
        .flatten()
        .collect();
    assert_eq!(cached.len(), 1);
    assert!(cached[0].path().join("etag").is_file());
    // A second read gets a 304 and still sees the skill.
    assert_eq!(w.skills().search("lint").expect("search").len(), 1);
}

#[test]
fn a_claude_marketplace_builds_into_a_registry_and_installs() {
    let w = World::new();
    let src = w.tmp.path().join("market");
    let write = |rel: &str, text: &str| {
        let p = src.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    write(
        ".claude-plugin/marketplace.json",
        r#"{"name": "team", "owner": {"name": "t"}, "plugins": [
            {"name": "docs", "source": "./plugins/docs", "version": "2.1.0"},
            {"name": "remote", "source": {"source": "github", "repo": "o/r"}}
        ]}"#,
    );
    write(
        "plugins/docs/skills/pdf/SKILL.md",
        "---\nname: pdf\ndescription: Read PDFs\nuser-invocable: true\n---\nUse pdftotext.\n",
    );
    let r = index::build(&src, &w.registry(), Some(&w.key)).expect("build");
    assert_eq!(r.added, vec!["pdf 2.1.0".to_owned()]);
    assert!(
        r.notes.iter().any(|n| n.contains("remote")),
        "{:?}",
        r.notes
    );
    w.install("pdf", None).expect("install");
    assert_eq!(w.active(), map(&[("pdf", "2.1.0")]));
    assert!(
        w.materialized("pdf")
            .is_some_and(|s| s.contains("Use pdftotext."))
    );
}

#[test]
fn concurrent_installs_do_not_lose_each_others_lockfile_entries() {
    let w = World::new();
    let names = ["one", "two", "three", "four", "five", "six"];
    for n in names {
        w.publish(n, "1.0.0", "");
    }
    std::thread::scope(|s| {
        for n in names {
            let w = &w;
            s.spawn(move || w.install(n, None).expect("install"));
        }
    });
    assert_eq!(w.active().len(), names.len(), "{:?}", w.active());
    assert!(w.skills().verify().expect("verify").is_empty());
}
