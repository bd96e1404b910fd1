//! `uas doctor`: a read-only health report of the home, config, database and
//! installed agents. It changes nothing, so it is safe to run any time.

use crate::App;
use crate::CoordStatus;
use serde::Serialize;
use std::path::PathBuf;
use uas_core::Config;
use uas_providers::{Detection, detect_all};
use uas_store::{Db, OpenMode, StoreError};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum CheckStatus {
    /// All good.
    Ok,
    /// Works, but something deserves attention.
    Warn,
    /// Broken; `fix` says what to do.
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Check {
    /// Stable id: `home`, `config`, `database`, `audit`, `instructions`, `agents`.
    pub id: String,
    /// Outcome.
    pub status: CheckStatus,
    /// What we found.
    pub summary: String,
    /// What to do about it, when not ok.
    pub fix: Option<String>,
}

/// The whole doctor report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DoctorReport {
    /// Version of uas that wrote the report.
    pub version: String,
    /// The home that was examined.
    #[ts(type = "string")]
    pub home: PathBuf,
    /// True when no check failed.
    pub healthy: bool,
    /// Every check, in a fixed order.
    pub checks: Vec<Check>,
    /// Every known agent and whether it is installed.
    pub agents: Vec<Detection>,
}

fn check(id: &str, status: CheckStatus, summary: String, fix: Option<&str>) -> Check {
    Check {
        id: id.to_owned(),
        status,
        summary,
        fix: fix.map(str::to_owned),
    }
}

impl App {
    /// Examines the installation without changing anything.
    pub fn doctor(&self) -> DoctorReport {
        self.doctor_at(Depth::Full)
    }

    /// The doctor's checks at `depth` (the service's `/health` is quick).
    pub(crate) fn doctor_at(&self, depth: Depth) -> DoctorReport {
        let root = self.home.root();
        let mut checks = Vec::new();

        checks.push(if !root.exists() {
            check(
                "home",
                CheckStatus::Fail,
                format!("{} does not exist", root.display()),
                Some("run `uas init`"),
            )
        } else if !root.is_dir() {
            check(
                "home",
                CheckStatus::Fail,
                format!("{} is not a folder", root.display()),
                Some("move it aside or set UAS_HOME to another folder"),
            )
        } else if let Err(e) = tempfile::tempfile_in(root) {
            check(
                "home",
                CheckStatus::Fail,
                format!("{} is not writable: {e}", root.display()),
                Some("fix the folder's permissions or set UAS_HOME to a writable folder"),
            )
        } else {
            check(
                "home",
                CheckStatus::Ok,
                format!("{} is a writable folder", root.display()),
                None,
            )
        });

        let config_file = self.home.config_file();
        let config = match Config::load(&config_file) {
            Ok(c) => {
                let summary = if config_file.exists() {
                    format!("{} is valid", config_file.display())
                } else {
                    format!("{} is missing; using defaults", config_file.display())
                };
                let status = if config_file.exists() {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Warn
                };
                checks.push(check(
                    "config",
                    status,
                    summary,
                    (status != CheckStatus::Ok)
                        .then_some("run `uas init` to write a documented default"),
                ));
                Some(c)
            }
            Err(e) => {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or_default().to_owned();
                checks.push(check("config", CheckStatus::Fail, first, Some("fix or remove that line (keys: docs/config.md); uas never rewrites the file")));
                None
            }
        };

        let db = self
            .home
            .database(&config.unwrap_or_default().store.database);
        let database = database_check(&db, depth);
        let database_ok = database.status == CheckStatus::Ok;
        checks.push(database);
        if database_ok {
            checks.push(match depth {
                Depth::Full => self.audit_check(),
                Depth::Quick => self.audit_head_check(),
            });
        }

        let instructions = self.home.instructions_dir().join("AGENTS.md");
        checks.push(if instructions.is_file() {
            check(
                "instructions",
                CheckStatus::Ok,
                format!("{} exists", instructions.display()),
                None,
            )
        } else {
            check(
                "instructions",
                CheckStatus::Warn,
                format!("{} is missing", instructions.display()),
                Some("run `uas init` to create the universal instructions"),
            )
        });

        checks.push(self.sop_check());
        if database_ok {
            checks.push(self.mode_check());
            checks.push(self.coord_check());
        }
        checks.extend(self.hook_checks());

        let agents = detect_all(&self.probe);
        let found: Vec<&str> = agents
            .iter()
            .filter(|d| d.installed)
            .map(|d| d.agent.as_str())
            .collect();
        checks.push(if found.is_empty() {
            check(
                "agents",
                CheckStatus::Warn,
                "no AI coding agent found".into(),
                Some("install one (e.g. Claude Code or Codex), then run `uas doctor` again"),
            )
        } else {
            check(
                "agents",
                CheckStatus::Ok,
                format!("found {}", found.join(", ")),
                None,
            )
        });

        DoctorReport {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            home: root.to_path_buf(),
            healthy: checks.iter().all(|c| c.status != CheckStatus::Fail),
            checks,
            agents,
        }
    }
}

impl App {
    /// Which backend coordinates sessions and leases, and whether it answers.
    fn coord_check(&self) -> Check {
        match self.coord_status() {
            Ok(s) if s.configured == "off" => check(
                "coordination",
                CheckStatus::Warn,
                "coordination is off: agents editing the same files are not kept apart".into(),
                Some("set `[coordination] backend = \"sqlite\"` (or a redis URL) in config.toml"),
            ),
            Ok(CoordStatus {
                unreachable: Some(why),
                active,
                ..
            }) => check(
                "coordination",
                CheckStatus::Warn,
                match active {
                    Some(a) => format!("{why}: hooks coordinate through {a} meanwhile"),
                    None => why,
                },
                Some(
                    "start the coordination server or fix `[coordination] backend` in config.toml",
                ),
            ),
            Ok(s) => check(
                "coordination",
                CheckStatus::Ok,
                format!(
                    "{}: {} live session{}, {} file lease{}",
                    s.active.unwrap_or(s.configured),
                    s.sessions,
                    if s.sessions == 1 { "" } else { "s" },
                    s.leases,
                    if s.leases == 1 { "" } else { "s" }
                ),
                None,
            ),
            Err(e) => check(
                "coordination",
                CheckStatus::Fail,
                e.to_string(),
                Some(
                    "fix `[coordination]` in config.toml, or run `uas init` to migrate the database",
                ),
            ),
        }
    }

    /// Paused enforcement is a warning naming who paused it and since when.
    fn mode_check(&self) -> Check {
        let mode = match self.sop_mode_checked() {
            Ok((_, unbacked)) if !unbacked.is_empty() => {
                return check(
                    "sop-mode",
                    CheckStatus::Fail,
                    format!(
                        "the stored observe mode for {} has no `uas sop mode` audit event behind it (it was written into the database around uas); hooks enforce and record each such denial as tamper",
                        unbacked.join(", ")
                    ),
                    Some(
                        "run `uas sop mode enforce` (or `observe`) from your terminal to store a mode uas recorded, and look at `uas audit tail` for who wrote it",
                    ),
                );
            }
            Ok((m, _)) => m,
            Err(e) => {
                return check(
                    "sop-mode",
                    CheckStatus::Warn,
                    format!("the enforcement mode could not be read ({e}); hooks enforce"),
                    None,
                );
            }
        };
        let paused = mode.paused();
        if paused.is_empty() {
            return check("sop-mode", CheckStatus::Ok, "enforcing".into(), None);
        }
        let what: Vec<String> = paused
            .iter()
            .map(|(scope, s)| {
                format!(
                    "{scope} since {} by {}",
                    uas_core::utc(u64::try_from(s.since_ms / 1000).unwrap_or(0)),
                    s.by
                )
            })
            .collect();
        check(
            "sop-mode",
            CheckStatus::Warn,
            format!(
                "enforcement is paused (observe: denials are recorded, not enforced) for {}",
                what.join("; ")
            ),
            Some("run `uas sop mode enforce` from your terminal to resume"),
        )
    }

    /// The active SOP must load: a broken file is a failure, not a silent
    /// fall-back to the built-in procedure.
    fn sop_check(&self) -> Check {
        match self.sop() {
            Ok((_, Some(file))) => check(
                "sop",
                CheckStatus::Ok,
                format!("{} is valid", file.display()),
                None,
            ),
            Ok((_, None)) => check(
                "sop",
                CheckStatus::Ok,
                "no SOP file: the built-in SOP is active".into(),
                None,
            ),
            Err(e) => check(
                "sop",
                CheckStatus::Fail,
                format!(
                    "the SOP is invalid, so the hooks cannot enforce it: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ),
                Some("fix the file at that line (`uas sop validate` shows every problem)"),
            ),
        }
    }

    /// For every set-up agent: the `uas` its hooks run must exist, be
    /// executable and be the same build as this one (or enforcement is
    /// silently off, or answers with other rules); a development build
    /// (`--dev`) is a warning.
    fn hook_checks(&self) -> Vec<Check> {
        let history = uas_providers::history::History::load(&self.home.backups_dir());
        let mut out = Vec::new();
        let answering = crate::hookbin::version_of(&self.uas_bin);
        let mut versions = std::collections::HashMap::new();
        for agent in uas_core::AgentId::ALL {
            let configured = uas_providers::plan::is_configured(agent, &self.probe)
                || uas_providers::plan::set_up_by_history(agent, &history);
            if !configured {
                continue;
            }
            let bins = self.hook_binaries(agent);
            let id = format!("hooks:{agent}");
            let mut off = uas_providers::offswitch::find(agent, &self.probe);
            off.extend(uas_providers::offswitch::managed(
                agent,
                std::path::Path::new("/"),
            ));
            if let Some(off) = off.first() {
                out.push(check(
                    &id,
                    CheckStatus::Fail,
                    format!("enforcement is OFF for {agent}: {off}"),
                    Some("remove that setting to turn the agent's hooks (and uas) back on; uas never edits it"),
                ));
                continue;
            }
            let list = bins
                .iter()
                .map(|b| b.path.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let broken = bins.iter().find_map(|b| b.problem.as_ref().map(|p| (b, p)));
            let other_build = bins.iter().find_map(|b| {
                // One that does not answer `--version` at all (a stub put in
                // its place) is a different build too: fail closed.
                let theirs = versions
                    .entry(b.path.clone())
                    .or_insert_with(|| crate::hookbin::version_of(&b.path))
                    .clone()
                    .unwrap_or_else(|| "no answer to --version".to_owned());
                let ours = answering.as_ref()?;
                (!uas_core::install::same_build(ours, &theirs)).then_some((b, theirs, ours))
            });
            let dev = bins.iter().find(|b| b.dev_build.is_some());
            out.push(if bins.is_empty() {
                check(
                    &id,
                    CheckStatus::Warn,
                    format!("{agent} is set up but no uas hook is registered"),
                    Some("run `uas repair`"),
                )
            } else if let Some((bin, problem)) = broken {
                check(
                    &id,
                    CheckStatus::Fail,
                    format!(
                        "enforcement is OFF for {agent}: its hooks run {}, which {problem}",
                        bin.path
                    ),
                    Some(&format!(
                        "install uas again (`./x setup`), or run `uas repair` to register this uas ({})",
                        self.uas_bin
                    )),
                )
            } else if let Some((bin, theirs, ours)) = other_build {
                check(
                    &id,
                    CheckStatus::Fail,
                    format!(
                        "{agent}'s hooks run {} ({theirs}), a different build from this uas ({ours})",
                        bin.path
                    ),
                    Some(&format!(
                        "install one uas (`./x setup` replaces the installed one), or run `uas repair` to register this uas ({})",
                        self.uas_bin
                    )),
                )
            } else if let Some(bin) = dev {
                check(
                    &id,
                    CheckStatus::Warn,
                    format!(
                        "{agent}'s hooks run a development build, {} (set up with --dev): `cargo clean` switches enforcement off",
                        bin.path
                    ),
                    Some("install uas (`./x setup`) and run `uas repair` with the installed uas"),
                )
            } else {
                check(
                    &id,
                    CheckStatus::Ok,
                    format!("{agent}: hooks run {list}"),
                    None,
                )
            });
        }
        out
    }
}

impl App {
    /// The chain's head against the signed checkpoint, in constant time:
    /// the checkpoint's signature holds, and the record it names is there
    /// with its hash (a log cut below it, or a changed newest record, fails).
    fn audit_head_check(&self) -> Check {
        let fail = |what: String| {
            check(
                "audit",
                CheckStatus::Fail,
                what,
                Some("run `uas audit verify` for the whole chain"),
            )
        };
        let dir = self.audit_dir();
        let log = match self.audit_log() {
            Ok(l) => l,
            Err(e) => return fail(format!("audit log unreadable: {e}")),
        };
        let head = match log.head() {
            Ok(h) => h.map_or(0, |(s, _)| s),
            Err(e) => return fail(format!("audit log unreadable: {e}")),
        };
        let checkpoint = match uas_audit::CheckpointFile::in_dir(&dir).read() {
            Ok(c) => c,
            Err(e) => return fail(format!("audit checkpoint: {e}")),
        };
        let Some(cp) = checkpoint else {
            return if head == 0 {
                check("audit", CheckStatus::Ok, "audit log: empty".into(), None)
            } else {
                fail(format!(
                    "audit log has {head} events but no signed checkpoint"
                ))
            };
        };
        let signed = matches!(uas_audit::SigningKeys::load(&dir), Ok(Some(k)) if cp.signature_valid(&k.verifying_key()));
        if !signed {
            return fail("the audit checkpoint's signature does not verify".into());
        }
        let at = log
            .read_after(cp.seq.saturating_sub(1), 1)
            .ok()
            .and_then(|r| r.into_iter().next())
            .filter(|r| r.seq == cp.seq);
        match at {
            Some(r) if r.hash == cp.hash => check(
                "audit",
                CheckStatus::Ok,
                format!(
                    "audit log: head #{head}, signed checkpoint #{} matches",
                    cp.seq
                ),
                None,
            ),
            Some(_) => fail(format!(
                "audit event #{} differs from its signed checkpoint",
                cp.seq
            )),
            None => fail(format!(
                "the signed checkpoint names event #{} but the log ends at #{head}: events were deleted",
                cp.seq
            )),
        }
    }

    /// The audit log's chain and checkpoint (read-only).
    fn audit_check(&self) -> Check {
        match self.audit_verify() {
            Ok(r) if r.ok => check(
                "audit",
                CheckStatus::Ok,
                format!(
                    "audit log: {} events, chain and signed checkpoint intact (key: {})",
                    r.records,
                    r.key_location.as_deref().unwrap_or("none yet")
                ),
                None,
            ),
            Ok(r) => check(
                "audit",
                CheckStatus::Fail,
                r.problem.map_or_else(
                    || "audit log does not verify".to_owned(),
                    |p| format!("audit log: event #{} {:?}: {}", p.seq, p.kind, p.detail),
                ),
                Some(
                    "the log was changed outside uas: keep a copy of the database and run `uas audit verify --json` for details",
                ),
            ),
            Err(e) => check(
                "audit",
                CheckStatus::Fail,
                format!("audit log unreadable: {e}"),
                Some("run `uas init` (it migrates the database)"),
            ),
        }
    }
}

/// How much the doctor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Every row: the whole hash chain and SQLite's `quick_check`
    /// (`uas doctor`; seconds on a million events).
    Full,
    /// Constant time: the chain's head against the signed checkpoint, the
    /// schema (`/health`, asked every few seconds by monitors).
    Quick,
}

fn database_check(db: &std::path::Path, depth: Depth) -> Check {
    let store = match Db::open(db, OpenMode::Inspect, uas_store::BUSY_TIMEOUT) {
        Ok(s) => s,
        Err(StoreError::Missing { .. }) => {
            return check(
                "database",
                CheckStatus::Fail,
                format!("{} does not exist", db.display()),
                Some("run `uas init`"),
            );
        }
        Err(e) => return check("database", CheckStatus::Fail, e.to_string(), None),
    };
    let integrity = match depth {
        Depth::Full => store.quick_check(),
        Depth::Quick => Ok(()),
    };
    match (store.schema_status(), integrity) {
        (Err(e), _) | (_, Err(e)) => check("database", CheckStatus::Fail, e.to_string(), None),
        (Ok(s), Ok(())) if s.current < s.supported => check(
            "database",
            CheckStatus::Warn,
            format!(
                "{} has schema {} of {}",
                db.display(),
                s.current,
                s.supported
            ),
            Some("run `uas init` to migrate it"),
        ),
        (Ok(s), Ok(())) => check(
            "database",
            CheckStatus::Ok,
            format!("{} is healthy (schema {})", db.display(), s.current),
            None,
        ),
    }
}
