//! What coordination does on a hook event: the event refreshes its session
//! (the hook is the heartbeat); an edit the SOP allows takes leases on the
//! files it writes, and an edit of a file another live session holds gets
//! `[coordination] on_conflict` (deny by default) naming the holder; the
//! session's end releases its leases; its start tells the agent which files
//! other sessions hold.
//!
//! The files an edit writes are observed where the event names them (the
//! write tool's paths) and read from a shell command's redirections and
//! writing programs; a command we cannot read is not leased (the SOP's own
//! rules decide it).

use serde_json::json;
use std::path::Path;
use uas_audit::{AuditError, NewEvent, Severity};
use uas_coord::{Beat, Claim, CoordError, Coordinator, LeaseKey, RedisCoordinator, Ttls};
use uas_core::config::{CoordinationConfig, OnConflict, Unreachable};
use uas_core::{AgentEvent, Config, EventKind, ToolClass};
use uas_sop::{Action, Decision, RuleSeverity, Violation};
use uas_store::WriteTx;

/// The rule name lease decisions carry.
pub const LEASE_RULE: &str = "coordination.lease";

/// The backend a hook call coordinates through.
pub enum HookCoord {
    /// `[coordination] backend = "off"`.
    Off,
    /// The home's database, inside the hook's audit transaction.
    Local,
    /// A Redis server.
    Remote(Box<RedisCoordinator>),
    /// The configured server did not answer and `on_unreachable` is
    /// `deny` or `allow`.
    Unreachable,
}

/// A hook call's coordination: the backend and its settings.
pub struct HookCoordination {
    backend: HookCoord,
    config: CoordinationConfig,
    /// Set when the configured server was unreachable (also with the local
    /// fallback): recorded with the event.
    unreachable: Option<String>,
    /// Set when the server failed during this call.
    failed: std::cell::RefCell<Option<String>>,
}

impl HookCoordination {
    /// From the config: connects to a Redis server (bounded by
    /// `timeout_ms`) and applies `on_unreachable` when it does not answer.
    pub fn open(config: &Config) -> Self {
        let c = config.coordination.clone();
        let (backend, unreachable) = match uas_coord::Backend::of(&c) {
            Ok(uas_coord::Backend::Off) => (HookCoord::Off, None),
            Ok(uas_coord::Backend::Sqlite) => (HookCoord::Local, None),
            Ok(uas_coord::Backend::Redis(url)) => {
                match RedisCoordinator::connect(
                    &url,
                    std::time::Duration::from_millis(c.timeout_ms),
                ) {
                    Ok(r) => (HookCoord::Remote(Box::new(r)), None),
                    Err(e) => unreachable(&c, e.to_string()),
                }
            }
            Err(e) => unreachable(&c, e.to_string()),
        };
        Self {
            backend,
            config: c,
            unreachable,
            failed: std::cell::RefCell::new(None),
        }
    }
}

fn unreachable(c: &CoordinationConfig, why: String) -> (HookCoord, Option<String>) {
    let backend = match c.on_unreachable {
        Unreachable::Local => HookCoord::Local,
        Unreachable::Deny | Unreachable::Allow => HookCoord::Unreachable,
    };
    (backend, Some(why))
}

/// The absolute paths an event writes.
fn written(event: &AgentEvent, user_home: &Path) -> Vec<String> {
    let Some(tool) = &event.tool else {
        return Vec::new();
    };
    let mut out: Vec<String> = match tool.class {
        ToolClass::Write => tool.paths.clone(),
        ToolClass::Shell => tool.command.as_deref().map_or_else(Vec::new, |cmd| {
            uas_sop::analyze::analyze(
                cmd,
                event.cwd.as_deref(),
                Some(&user_home.display().to_string()),
            )
            .written
        }),
        ToolClass::Read | ToolClass::Other => Vec::new(),
    };
    out.retain(|p| p.starts_with('/') && p != "/dev/null" && !p.starts_with("/dev/"));
    out.sort();
    out.dedup();
    out
}

fn when(ms: i64) -> String {
    uas_core::utc(u64::try_from(ms / 1000).unwrap_or(0))
}

/// Turns `decision` into this module's answer.
fn answer(
    decision: &mut Decision,
    action: Action,
    reason: String,
    severity: RuleSeverity,
    violation: Violation,
) {
    decision.action = action;
    decision.rule = Some(LEASE_RULE.into());
    decision.reason = reason;
    decision.severity = severity;
    decision.violation = Some(violation);
}

/// The answer to an edit of files other sessions hold.
fn conflict_decision(claim: &Claim, on: OnConflict, decision: &mut Decision) {
    let holders: Vec<String> = claim
        .conflicts
        .iter()
        .map(|l| {
            format!(
                "{} is being edited by {} session {} on {} (since {})",
                l.key,
                l.agent,
                l.session,
                l.host,
                when(l.since_ms)
            )
        })
        .collect();
    let text = format!(
        "{}. Another agent session holds a lease on it, so your edit would clobber its work: work on other files, or wait until that session ends or releases it (`uas lease list` shows who holds what)",
        holders.join("; ")
    );
    let (action, severity) = match on {
        OnConflict::Deny => (Action::Deny, RuleSeverity::Error),
        OnConflict::Warn => (Action::Warn, RuleSeverity::Warning),
    };
    answer(decision, action, text, severity, Violation::Sop);
}

/// What coordination did, for the event's notes and the session brief.
#[derive(Debug, Default)]
pub struct Applied {
    /// Notes for the audit event.
    pub notes: Vec<String>,
    /// For a session start: the files other live sessions hold, as a
    /// paragraph for the agent.
    pub brief: Option<String>,
    /// The server was unreachable: an audit event records it.
    pub unreachable: Option<String>,
}

/// The backend an operation uses now: a Redis server that failed during
/// this hook call is not asked again; `on_unreachable` applies instead.
enum Active<'a> {
    Off,
    Local,
    Remote(&'a RedisCoordinator),
    Down,
}

/// When `pid` started, ms since the epoch (`/proc/<pid>/stat` field 22 in
/// clock ticks since boot, USER_HZ = 100 on Linux, plus `btime`).
fn started_ms(pid: u32) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks: i64 = stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let boot: i64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(boot * 1000 + ticks * 10)
}

/// Whether agent process `pid` on this host is the one that sent the
/// session's events up to `seen_ms` (alive, and not a new process that got
/// the number since).
fn still_running(pid: u32, seen_ms: i64) -> bool {
    started_ms(pid).is_some_and(|t| t <= seen_ms + 1000)
}

impl HookCoordination {
    fn active(&self) -> Active<'_> {
        match &self.backend {
            HookCoord::Off => Active::Off,
            HookCoord::Local => Active::Local,
            HookCoord::Unreachable => Active::Down,
            HookCoord::Remote(r) => {
                match (self.failed.borrow().is_some(), self.config.on_unreachable) {
                    (false, _) => Active::Remote(r),
                    (true, Unreachable::Local) => Active::Local,
                    (true, _) => Active::Down,
                }
            }
        }
    }

    /// Runs `op` on the active backend. A Redis failure marks the server
    /// failed for the rest of this call (so the audit transaction is not
    /// held through more timeouts) and runs `op` again on the fallback.
    fn with<T>(&self, op: impl Fn(Active<'_>) -> Result<T, CoordError>) -> Result<T, CoordError> {
        let remote = matches!(self.active(), Active::Remote(_));
        match op(self.active()) {
            Err(e) if remote => {
                tracing::warn!("coordination server failed: {e}");
                *self.failed.borrow_mut() = Some(e.to_string());
                op(self.active())
            }
            r => r,
        }
    }

    fn claim(
        &self,
        tx: &WriteTx<'_>,
        beat: &Beat,
        keys: &[LeaseKey],
    ) -> Result<Option<Claim>, CoordError> {
        let ttls = Ttls::of(&self.config);
        self.with(|a| match a {
            Active::Off | Active::Down => Ok(None),
            Active::Local => {
                uas_coord::sqlite::on_event_in(tx, beat, keys, ttls, uas_core::now_ms()).map(Some)
            }
            Active::Remote(r) => r.on_event(beat, keys, ttls).map(Some),
        })
    }

    fn session(
        &self,
        tx: &WriteTx<'_>,
        agent: &str,
        session: &str,
    ) -> Option<uas_coord::SessionInfo> {
        self.with(|a| match a {
            Active::Local => uas_coord::sqlite::session_in(tx, agent, session),
            Active::Remote(r) => r.session(agent, session),
            Active::Off | Active::Down => Ok(None),
        })
        .ok()
        .flatten()
    }

    /// The live agent process on this host that owns the session `beat`
    /// names, when it is not the process this event came from: events of
    /// one session come from one agent process, so such an event was sent
    /// in the session's name by someone else (a `uas hook` run from
    /// another session's shell), and it must neither end the session nor
    /// act for it.
    fn other_process(&self, tx: &WriteTx<'_>, beat: &Beat) -> Option<u32> {
        let mine = beat.pid?;
        let known = self.session(tx, &beat.agent, &beat.session)?;
        let owner = known.beat.pid?;
        (known.live(uas_core::now_ms())
            && known.beat.host == beat.host
            && owner != mine
            && still_running(owner, known.last_seen_ms))
        .then_some(owner)
    }

    fn end(&self, tx: &WriteTx<'_>, agent: &str, session: &str) -> Result<(), CoordError> {
        self.with(|a| match a {
            Active::Off | Active::Down => Ok(()),
            Active::Local => {
                uas_coord::sqlite::end_session_in(tx, agent, session, uas_core::now_ms())
                    .map(|_| ())
            }
            Active::Remote(r) => r.end_session(agent, session).map(|_| ()),
        })
    }

    /// Live leases of sessions other than (`agent`, `session`).
    pub(crate) fn others_leases(
        &self,
        tx: &WriteTx<'_>,
        agent: &str,
        session: &str,
    ) -> Result<Vec<uas_coord::Lease>, CoordError> {
        let all = self.with(|a| match a {
            Active::Off | Active::Down => Ok(Vec::new()),
            Active::Local => uas_coord::sqlite::leases_in(tx, uas_core::now_ms()),
            Active::Remote(r) => r.leases(None),
        })?;
        Ok(all
            .into_iter()
            .filter(|l| !(l.agent == agent && l.session == session))
            .collect())
    }

    /// Ends the conflicting sessions on this host whose agent process is
    /// gone (killed, its terminal closed: no end event came), so their
    /// files do not stay held for the session TTL; then claims again.
    fn without_dead_holders(
        &self,
        tx: &WriteTx<'_>,
        beat: &Beat,
        keys: &[LeaseKey],
        claim: Claim,
        notes: &mut Vec<String>,
    ) -> Result<Option<Claim>, CoordError> {
        let mut ended = 0;
        for l in claim.conflicts.iter().filter(|l| l.host == beat.host) {
            let Some(s) = self.session(tx, &l.agent, &l.session) else {
                continue;
            };
            if let Some(pid) = s.beat.pid
                && !still_running(pid, s.last_seen_ms)
            {
                self.end(tx, &l.agent, &l.session)?;
                notes.push(format!(
                    "ended {} session {}: its agent process {pid} is gone",
                    l.agent, l.session
                ));
                ended += 1;
            }
        }
        if ended == 0 {
            return Ok(Some(claim));
        }
        self.claim(tx, beat, keys)
    }

    /// Coordinates one decided event (inside the hook's audit transaction)
    /// and changes `decision` when the edit conflicts with another
    /// session's lease. An unreachable backend answers edits by
    /// `on_unreachable`.
    pub fn apply(
        &self,
        tx: &WriteTx<'_>,
        event: &AgentEvent,
        user_home: &Path,
        decision: &mut Decision,
    ) -> Applied {
        let mut out = Applied::default();
        if matches!(self.backend, HookCoord::Off) || event.session == "unknown" {
            return out;
        }
        let paths = if event.kind == EventKind::PreTool && decision.action != Action::Deny {
            written(event, user_home)
        } else {
            Vec::new()
        };
        let cwd = event.cwd.as_deref().map(Path::new);
        let beat = Beat {
            agent: event.agent.as_str().into(),
            session: event.session.clone(),
            host: uas_coord::host_name(),
            // The agent process whose hook this is (not the hook's parent,
            // which may be a shell started for this one hook).
            pid: uas_core::ancestry::agent_ancestor().map(|a| a.pid),
            cwd: event.cwd.clone(),
            repo: cwd.and_then(uas_coord::repo::repo_of).map(|r| r.id),
            phase: Some(decision.phase.clone()).filter(|p| !p.is_empty()),
        };
        let keys: Vec<LeaseKey> = paths
            .iter()
            .map(|p| uas_coord::repo::lease_key(Path::new(p), self.config.lease_scope))
            .collect();
        if let Some(owner) = self.other_process(tx, &beat) {
            out.notes.push(format!(
                "this event names {} session {}, which agent process {owner} on this host runs, but it came from agent process {}: not counted for coordination (a hook event forged from another session?)",
                beat.agent,
                beat.session,
                beat.pid.unwrap_or_default()
            ));
            if decision.severity == RuleSeverity::Info {
                decision.severity = RuleSeverity::Warning;
            }
            if !paths.is_empty() {
                answer(
                    decision,
                    Action::Deny,
                    format!(
                        "this tool call claims to be {} session {}, which another agent process (pid {owner}) runs; uas does not let one session act in another's name",
                        beat.agent, beat.session
                    ),
                    RuleSeverity::Critical,
                    Violation::Tamper,
                );
            }
            return out;
        }
        let result = if event.kind == EventKind::SessionEnd {
            self.end(tx, &beat.agent, &beat.session).map(|_| None)
        } else {
            match self.claim(tx, &beat, &keys) {
                Ok(Some(c)) if !c.conflicts.is_empty() => {
                    self.without_dead_holders(tx, &beat, &keys, c, &mut out.notes)
                }
                r => r,
            }
        };
        out.unreachable = self
            .unreachable
            .clone()
            .or_else(|| self.failed.borrow().clone());
        if let Some(why) = &out.unreachable {
            out.notes.push(match self.active() {
                Active::Local => format!(
                    "{why}; coordinating on this machine's database (on_unreachable = \"local\")"
                ),
                _ => format!(
                    "{why}; on_unreachable = \"{}\"",
                    mode_name(self.config.on_unreachable)
                ),
            });
        }
        let deny_unchecked = |decision: &mut Decision, why: &str| {
            if self.config.on_unreachable == Unreachable::Deny && !paths.is_empty() {
                answer(
                    decision,
                    Action::Deny,
                    format!(
                        "cannot check whether another agent session is editing {} ({why}); edits are denied until coordination answers (on_unreachable = \"deny\")",
                        paths.join(", ")
                    ),
                    RuleSeverity::Error,
                    Violation::Sop,
                );
            }
        };
        match result {
            Ok(Some(claim)) if !claim.conflicts.is_empty() => {
                conflict_decision(&claim, self.config.on_conflict, decision);
                out.notes.push(format!(
                    "lease conflict: {}",
                    claim
                        .conflicts
                        .iter()
                        .map(|l| format!("{} held by {} {}", l.key, l.agent, l.session))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Ok(_) => {
                if let (Active::Down, Some(why)) = (self.active(), out.unreachable.clone()) {
                    deny_unchecked(decision, &why);
                }
            }
            Err(e) => {
                out.notes.push(format!("coordination failed: {e}"));
                deny_unchecked(decision, &e.to_string());
                out.unreachable.get_or_insert(e.to_string());
            }
        }
        if event.kind == EventKind::SessionStart
            && let Ok(others) = self.others_leases(tx, &beat.agent, &beat.session)
            && !others.is_empty()
        {
            let mut text = String::from(
                "Other agent sessions are editing these files now; uas will refuse your edits to them until those sessions end:\n",
            );
            for l in others.iter().take(50) {
                text.push_str(&format!(
                    "- {} ({} session {} on {}, since {})\n",
                    l.key,
                    l.agent,
                    l.session,
                    l.host,
                    when(l.since_ms)
                ));
            }
            out.brief = Some(text);
        }
        out
    }
}

fn mode_name(m: Unreachable) -> &'static str {
    match m {
        Unreachable::Local => "local",
        Unreachable::Deny => "deny",
        Unreachable::Allow => "allow",
    }
}

/// Records that the coordination server did not answer (once per event
/// that needed it).
pub fn record_unreachable(
    tx: &mut uas_audit::Tx<'_, '_>,
    event: &AgentEvent,
    why: &str,
    mode: Unreachable,
) -> Result<u64, AuditError> {
    let record = tx.append(&NewEvent {
        ts_ms: event.received_ms,
        agent: event.agent.as_str().into(),
        session: event.session.clone(),
        kind: "coordination_unreachable".into(),
        severity: Severity::Warning,
        payload: json!({
            "error": why,
            "on_unreachable": mode_name(mode),
            "message": format!("the coordination server did not answer ({why}); on_unreachable = \"{}\" applied", mode_name(mode)),
        })
        .to_string(),
        decision: None,
    })?;
    Ok(record.seq)
}

impl HookCoordination {
    /// `[coordination] on_unreachable`.
    pub fn on_unreachable(&self) -> Unreachable {
        self.config.on_unreachable
    }
}
