//! The whole hook call: read, normalize, decide, record, answer.

use crate::caller;
use crate::normalize::{self, Malformed};
use crate::respond::{Response, respond};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_audit::{AuditError, Journal, NewEvent, Severity};
use uas_core::config::FailMode;
use uas_core::{AgentEvent, AgentId, Config, EventKind, Home, ToolCall, ToolClass};
use uas_providers::ProbeEnv;
use uas_providers::paths::AgentPaths;
use uas_sop::{Action, Context, Decision, RuleSeverity, SessionState, Sop};

/// What a hook needs to know about the machine.
#[derive(Debug, Clone)]
pub struct HookEnv {
    /// The uas home.
    pub home: Home,
    /// The agents' locations (for the hook-config tamper rules).
    pub probe: ProbeEnv,
    /// The `uas` the hooks run (absolute): replacing it would silence every
    /// hook, so it is protected like a hook config.
    pub uas_bin: Option<PathBuf>,
}

/// The result of one hook call.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What to print and the exit code.
    pub response: Response,
    /// The decision (including fallbacks).
    pub decision: Decision,
    /// The audit sequence number, when the event was written.
    pub seq: Option<u64>,
}

/// Largest raw input kept in the audit record of an unreadable event.
const RAW_LIMIT: usize = 64 * 1024;

/// Everything the SOP engine needs from the machine.
pub fn sop_context(env: &HookEnv) -> Context {
    let mut hook_configs = Vec::new();
    let mut launch_off = Vec::new();
    for agent in AgentId::ALL {
        let paths = AgentPaths::new(agent, &env.probe);
        launch_off.push(launch_off_of(&paths.spec));
        hook_configs.extend(paths.hook_file().map(|p| p.display().to_string()));
        hook_configs.extend(paths.owned_file().map(|p| p.display().to_string()));
        for rel in paths.spec.protected_files {
            hook_configs.push(paths.dir.join(rel).display().to_string());
        }
        // Project-level files that can add or disable hooks.
        hook_configs.extend(
            paths
                .spec
                .project_hook_files
                .iter()
                .map(|g| (*g).to_owned()),
        );
    }
    hook_configs.extend(env.uas_bin.iter().map(|b| b.display().to_string()));
    hook_configs.sort();
    hook_configs.dedup();
    let mut hook_dirs: Vec<String> = hook_configs
        .iter()
        .flat_map(|p| folders_holding(p, &env.probe.user_home))
        .collect();
    // The hook binary's own folder too, wherever it is (moving
    // `~/.local/bin` or a custom UAS_BIN_DIR away silences the hooks).
    hook_dirs.extend(
        env.uas_bin
            .iter()
            .filter_map(|b| b.parent())
            .map(|d| d.display().to_string()),
    );
    hook_dirs.sort();
    hook_dirs.dedup();
    Context {
        uas_home: env.home.root().display().to_string(),
        hook_configs,
        hook_dirs,
        user_home: Some(env.probe.user_home.display().to_string()),
        secrets: vec![
            uas_audit::audit_dir(&env.home)
                .join("signing.key")
                .display()
                .to_string(),
        ],
        launch_off,
    }
}

/// The folders above a protected file that hold nothing but the agent's
/// own things: for `~/.config/kilo/plugins/universal-agent.js` the plugins
/// folder and `~/.config/kilo`, never the home or a shared base such as
/// `~/.config`; for a project pattern `*/.cline/plugins/*`, `*/.cline/plugins`
/// and `*/.cline`.
fn folders_holding(path: &str, user_home: &Path) -> Vec<String> {
    if let Some(rel) = path.strip_prefix("*/") {
        let parts: Vec<&str> = rel.split('/').collect();
        return (1..parts.len())
            .map(|n| parts[..n].join("/"))
            .filter(|p| !p.contains('*'))
            .map(|p| format!("*/{p}"))
            .collect();
    }
    const SHARED: &[&str] = &[".config", ".local", ".local/share", ".cache", "Documents"];
    let shared: Vec<PathBuf> = SHARED.iter().map(|s| user_home.join(s)).collect();
    Path::new(path)
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(user_home) && *a != user_home)
        .filter(|a| !shared.iter().any(|s| s == a))
        .map(|a| a.display().to_string())
        .collect()
}

/// How `spec`'s agent is started without our hooks: its flags and
/// variables, or a moved config dir or `HOME`.
fn launch_off_of(spec: &uas_providers::agents::AgentSpec) -> uas_sop::LaunchOff {
    let own = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut vars = own(spec.launch_off.vars);
    vars.extend(spec.presence.dir_var.map(str::to_owned));
    vars.push("HOME".into());
    uas_sop::LaunchOff {
        agent: spec.agent.to_string(),
        programs: own(spec.presence.binaries),
        flags: own(spec.launch_off.flags),
        vars,
    }
}

/// Loads the active SOP; problems fall back to the built-in SOP (never to
/// no SOP) and are reported in the second value.
pub fn load_sop(home: &Home, config: &Config) -> (Sop, Option<String>) {
    match Sop::load_active(&home.sop_dir(), &config.sop.active) {
        Ok((sop, None)) if config.sop.active != "default" => (
            sop,
            Some(format!(
                "{}/{}.toml does not exist; using the built-in SOP",
                home.sop_dir().display(),
                config.sop.active
            )),
        ),
        Ok((sop, _)) => (sop, None),
        Err(e) => (Sop::builtin(), Some(format!("{e}; using the built-in SOP"))),
    }
}

/// The database path from the config.
pub fn database_path(home: &Home, config: &Config) -> PathBuf {
    home.database(&config.store.database)
}

fn severity(d: &Decision) -> Severity {
    match d.severity {
        RuleSeverity::Info => Severity::Info,
        RuleSeverity::Warning => Severity::Warning,
        RuleSeverity::Error => Severity::Error,
        RuleSeverity::Critical => Severity::Critical,
    }
}

/// Runs one hook call. Never panics on bad input; always answers.
pub fn run(env: &HookEnv, agent_name: &str, event_name: &str, input: &[u8]) -> Outcome {
    let received = uas_core::now_ms();
    let started = std::time::Instant::now();
    let mut notes: Vec<String> = Vec::new();
    let config = match Config::load(&env.home.config_file()) {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("config unreadable, using defaults: {e}"));
            Config::default()
        }
    };
    let (sop, sop_note) = load_sop(&env.home, &config);
    notes.extend(sop_note);
    let ctx = sop_context(env);
    let audit_dir = uas_audit::audit_dir(&env.home);
    let db = database_path(&env.home, &config);
    let budget = Duration::from_millis(config.hooks.budget_ms);

    let mut agent = agent_name.parse::<AgentId>().ok();
    let (mut agent_name, mut event_name) = (agent_name, event_name);
    let via = agent.and_then(|a| caller::cursor_via_claude(a, event_name, input, &env.probe));
    if let Some(v) = &via {
        notes.push(format!(
            "Cursor ran Claude's hook `{event_name}` ({}): decided as Cursor's `{}`{}",
            v.evidence,
            v.event,
            if v.duplicate {
                "; Cursor's own uas hook records it"
            } else {
                ""
            }
        ));
        agent = Some(AgentId::Cursor);
        agent_name = AgentId::Cursor.as_str();
        event_name = &v.event;
    }
    if let Some(a) = agent
        && !normalize::event_kind(a, event_name).known
    {
        notes.push(format!(
            "`{event_name}` is not one of {a}'s events: decided as a tool call that writes (fail closed)"
        ));
    }
    let recording = match &via {
        Some(v) if v.duplicate => Recording::AnswerOnly,
        _ => Recording::Record,
    };
    let parsed = match agent {
        Some(a) => normalize::normalize(a, event_name, input, received, Some(&env.probe.user_home)),
        None => Err(Malformed(format!(
            "unknown agent `{agent_name}`; known: {}",
            AgentId::ALL
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    };

    match parsed {
        Ok(event) => {
            let kind = event.kind;
            let mut out = decided(
                env, &sop, &ctx, &config, &audit_dir, &db, budget, event, notes, started, recording,
            );
            if via.is_some() {
                out.response = through_claude(out.response, kind, &out.decision);
            }
            out
        }
        Err(Malformed(msg)) => {
            let agent = agent.unwrap_or(AgentId::Claude);
            let kind = normalize::event_kind(agent, event_name).kind;
            // A tool call we cannot read is decided as a write (fail closed).
            let unreadable_write = (kind == EventKind::PreTool).then(|| AgentEvent {
                agent,
                session: "unknown".into(),
                cwd: None,
                kind,
                agent_event: event_name.to_owned(),
                tool: Some(ToolCall {
                    name: normalize::UNREADABLE_TOOL.into(),
                    class: ToolClass::Write,
                    paths: vec![],
                    command: None,
                }),
                tool_input: serde_json::Value::Null,
                outcome: None,
                agent_ts_ms: None,
                received_ms: received,
                subagent: None,
                detail: serde_json::Value::Null,
            });
            let decision = fallback_decision(
                &sop,
                &ctx,
                config.hooks.on_error,
                unreadable_write.as_ref(),
                &format!("unreadable {agent_name} {event_name} event: {msg}"),
            );
            let raw = String::from_utf8_lossy(&input[..input.len().min(RAW_LIMIT)]).into_owned();
            let record = NewEvent {
                ts_ms: received,
                agent: agent_name.to_owned(),
                session: "unknown".into(),
                kind: "malformed".into(),
                severity: severity(&decision).max(Severity::Warning),
                payload: json!({
                    "agent_event": event_name,
                    "error": msg,
                    "raw": raw,
                    "raw_bytes": input.len(),
                    "notes": notes,
                })
                .to_string(),
                decision: serde_json::to_string(&decision).ok(),
            };
            let seq = write_or_spool(&audit_dir, &db, budget, &config, &record);
            let mut response = respond(agent, kind, event_name, &decision, None);
            if via.is_some() {
                response = through_claude(response, kind, &decision);
            }
            response.stderr.push_str(&format!(
                "uas: could not read the {agent_name} {event_name} event: {msg} (recorded in the audit log)\n"
            ));
            Outcome {
                response,
                decision,
                seq,
            }
        }
    }
}

/// Records that a session's prompts go on while its tool events stopped:
/// its tool hooks may have been switched off mid-session (a settings
/// reload, a launch flag), or it only talks. A notice, not a violation.
fn hooks_silent(
    tx: &mut uas_audit::Tx<'_, '_>,
    event: &AgentEvent,
    state: &SessionState,
) -> Result<u64, AuditError> {
    let record = tx.append(&NewEvent {
        ts_ms: event.received_ms,
        agent: event.agent.as_str().into(),
        session: event.session.clone(),
        kind: "hooks_silent".into(),
        severity: Severity::Warning,
        payload: json!({
            "prompts_without_tool_events": state.quiet_prompts,
            "tool_events_before": state.tool_events,
            "message": format!(
                "{} prompts in a row reached uas without a tool event, after {} tool events: if the agent is still editing or running commands, its tool hooks no longer reach uas (check `uas status`)",
                state.quiet_prompts, state.tool_events
            ),
        })
        .to_string(),
        decision: None,
    })?;
    Ok(record.seq)
}

/// Whether a decided event is written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recording {
    /// Append the event and save the session state (every normal call).
    Record,
    /// Decide from the session state and answer, but write nothing: another
    /// hook call of the same agent event records it.
    AnswerOnly,
}

/// A Cursor answer given from a Claude hook entry: Cursor's JSON on stdout,
/// and for a deny also exit 2 with the reason on stderr, which blocks under
/// either protocol (Cursor treats exit 2 as deny; Claude needs it).
fn through_claude(mut r: Response, kind: EventKind, decision: &Decision) -> Response {
    // The same condition under which `respond` answers a deny.
    if kind == EventKind::PreTool && decision.action == Action::Deny {
        r.stderr = format!("Universal Agent: {}\n", decision.reason);
        r.exit = 2;
    }
    r
}

/// The decision when the normal path failed: by `[hooks] on_error`.
fn fallback_decision(
    sop: &Sop,
    ctx: &Context,
    mode: FailMode,
    event: Option<&AgentEvent>,
    why: &str,
) -> Decision {
    let fresh = SessionState::default();
    let stateless = event.map(|e| sop.decide(ctx, &fresh, e));
    let is_tool = event.is_some_and(|e| e.kind == EventKind::PreTool);
    let (action, mode_name) = match mode {
        FailMode::Open => (Action::Allow, "open"),
        FailMode::Closed if is_tool => (Action::Deny, "closed"),
        FailMode::Closed => (Action::Allow, "closed"),
        FailMode::Auto => (
            stateless.as_ref().map_or(Action::Allow, |d| {
                // Nobody can be asked without state: an ask is a deny here.
                if matches!(d.action, Action::Deny | Action::Ask) {
                    Action::Deny
                } else {
                    Action::Allow
                }
            }),
            "auto",
        ),
    };
    let base = stateless.unwrap_or(Decision {
        action,
        rule: None,
        reason: String::new(),
        severity: RuleSeverity::Warning,
        violation: None,
        phase: sop.phases.first().map(|p| p.id.clone()).unwrap_or_default(),
        fallback: None,
        observed: false,
        ask: None,
    });
    let reason = if action == Action::Deny {
        if base.reason.is_empty() {
            format!(
                "cannot check this call against the SOP ({why}); denied because on_error = \"{mode_name}\""
            )
        } else {
            format!("{} (decided without session state: {why})", base.reason)
        }
    } else {
        String::new()
    };
    Decision {
        action,
        reason,
        severity: if action == Action::Deny {
            at_least_error(base.severity)
        } else {
            RuleSeverity::Warning
        },
        rule: if action == Action::Deny {
            base.rule
        } else {
            None
        },
        violation: if action == Action::Deny {
            base.violation
        } else {
            None
        },
        phase: base.phase,
        fallback: Some(format!("fail-{mode_name}: {why}")),
        observed: false,
        ask: None,
    }
}

/// A denied call is at least an error (tamper stays critical).
fn at_least_error(s: RuleSeverity) -> RuleSeverity {
    match s {
        RuleSeverity::Critical => RuleSeverity::Critical,
        _ => RuleSeverity::Error,
    }
}

fn open_journal(
    audit_dir: &Path,
    db: &Path,
    budget: Duration,
    config: &Config,
) -> Result<Journal, AuditError> {
    Journal::open(audit_dir, db, budget, config.audit.key_store)
}

fn write_or_spool(
    audit_dir: &Path,
    db: &Path,
    budget: Duration,
    config: &Config,
    record: &NewEvent,
) -> Option<u64> {
    match open_journal(audit_dir, db, budget, config).and_then(|mut j| j.append(record)) {
        Ok(r) => Some(r.seq),
        Err(e) => {
            tracing::warn!("audit log unavailable ({e}); spooling the event");
            let _ = uas_audit::spool(audit_dir, record);
            None
        }
    }
}

/// Applies the enforcement mode (`uas sop mode`): in observe mode a denial
/// is recorded as decided, marked `observed`, and answered as allow. Returns
/// the answer; `decision` becomes what the audit event records. An
/// unreadable mode enforces (noted).
fn observe_mode(
    store: &impl uas_store::Conn,
    key: Option<&uas_audit::VerifyingKey>,
    event: &AgentEvent,
    decision: &mut Decision,
    notes: &mut Vec<String>,
) -> Decision {
    let stored = match uas_store::meta::get(store, uas_sop::MODE_KEY) {
        Ok(v) => v,
        Err(e) => {
            notes.push(format!(
                "the enforcement mode could not be read ({e}); enforcing"
            ));
            return decision.clone();
        }
    };
    let (mode, note) = uas_sop::EnforcementMode::parse(stored.as_deref());
    notes.extend(note);
    if decision.action != Action::Deny
        || mode.for_agent(event.agent.as_str()) != uas_sop::Mode::Observe
    {
        return decision.clone();
    }
    let setting = mode.setting_for(event.agent.as_str());
    if !mode_backed(store, setting, key) {
        decision.fallback = Some(
            "the stored observe mode is not backed by its `uas sop mode` audit event (it was written around uas): enforcing".into(),
        );
        decision.severity = uas_sop::RuleSeverity::Critical;
        decision.violation = Some(uas_sop::Violation::Tamper);
        return decision.clone();
    }
    decision.observed = true;
    notes.push(
        "enforcement is paused (uas sop mode observe): this denial was answered allow".into(),
    );
    Decision {
        action: Action::Allow,
        ..decision.clone()
    }
}

/// Whether the audit event the setting names is the `sop_mode` event that
/// made it, signed with this home's audit key (unreadable or no key: no).
/// The chain hash alone proves nothing here: anyone can compute it.
pub fn mode_backed(
    store: &impl uas_store::Conn,
    setting: &uas_sop::ModeSetting,
    key: Option<&uas_audit::VerifyingKey>,
) -> bool {
    let (Some(seq), Some(key)) = (setting.seq, key) else {
        return false;
    };
    let Ok(rows) = uas_store::events::read_after(store, seq.saturating_sub(1), 1) else {
        return false;
    };
    rows.first().is_some_and(|r| {
        let p: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
        r.seq == seq
            && uas_sop::mode::backs(setting, &r.kind, &r.payload)
            && uas_audit::keys::mode_signature_valid(
                key,
                setting.mode.as_str(),
                setting.since_ms,
                p["scope"].as_str().unwrap_or_default(),
                p["sig"].as_str().unwrap_or_default(),
            )
    })
}

#[allow(clippy::too_many_arguments)]
fn decided(
    env: &HookEnv,
    sop: &Sop,
    ctx: &Context,
    config: &Config,
    audit_dir: &Path,
    db: &Path,
    budget: Duration,
    event: AgentEvent,
    notes: Vec<String>,
    started: std::time::Instant,
    recording: Recording,
) -> Outcome {
    let coord = crate::coordination::HookCoordination::open(config);
    // The hook's own time from reading the event to deciding, in µs (the
    // process start before it is measured by scripts/bench-audit).
    let payload = |notes: &[String]| {
        let mut v = serde_json::to_value(&event).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            if !notes.is_empty() {
                o.insert("notes".into(), json!(notes));
            }
            o.insert(
                "hook_us".into(),
                json!(started.elapsed().as_micros() as u64),
            );
        }
        v.to_string()
    };
    let secrets: Vec<PathBuf> = ctx.secrets.iter().map(PathBuf::from).collect();
    // An `ask` rule waits for a person before the write transaction, so
    // the other hooks are not held up meanwhile.
    let asked = match recording {
        Recording::Record => crate::ask::ask_first(
            &env.home,
            sop,
            ctx,
            || open_journal(audit_dir, db, budget, config),
            &event,
        ),
        Recording::AnswerOnly => None,
    };
    let normal = open_journal(audit_dir, db, budget, config).and_then(|mut journal| {
        let key = journal.keys().verifying_key();
        journal.write(|tx| {
            let (mut state, unreadable) =
                crate::sessions::load_checked(tx.store(), event.agent, &event.session)?;
            let mut notes = notes.clone();
            let mut changes = Vec::new();
            if recording == Recording::Record {
                let by = format!("{} {}", event.agent, event.session);
                changes = crate::guard::changes(tx, &env.home, &env.probe, &secrets, &by)?;
                if !changes.is_empty() {
                    let seq = crate::guard::record(tx, &event, &mut state, &changes)?;
                    notes.push(format!("protected files changed outside uas (tamper event {seq})"));
                }
            }
            let mut decision = sop.decide(ctx, &state, &event);
            crate::ask::resolve(&mut decision, asked.as_ref());
            crate::lifecycle::decide(&env.probe, &event, &state, &changes, &mut decision);
            if let Some(why) = &unreadable {
                // Fail closed: decided as a session that edited without a
                // plan; the person is told, and the event records it.
                notes.push(format!("{why}: decided as a session with edits and no plan"));
                if decision.severity == RuleSeverity::Info {
                    decision.severity = RuleSeverity::Warning;
                }
                if decision.action == Action::Deny {
                    decision.reason = format!(
                        "{} (This session's stored SOP state could not be read, so uas assumes the worst: a person should check `uas sop phase --session {}` and the audit log.)",
                        decision.reason, event.session
                    );
                }
                decision.fallback = Some(format!("fail-closed: {why}"));
            }
            let applied = coord.apply(tx.store(), &event, &env.probe.user_home, &mut decision);
            notes.extend(applied.notes);
            if recording == Recording::Record
                && event.kind == EventKind::PreTool
                && let Some(why) = &applied.unreachable
            {
                crate::coordination::record_unreachable(tx, &event, why, coord.on_unreachable())?;
            }
            let answered = observe_mode(tx.store(), Some(&key), &event, &mut decision, &mut notes);
            if recording == Recording::Record {
                crate::workspace_watch::around_shell(tx, &event, &mut state, &answered, &mut notes)?;
                crate::lease_watch::around_shell(tx, &coord, &event, &state, &answered, &mut notes)?;
            }
            let brief = (event.kind == EventKind::SessionStart).then(|| {
                let mut preview = state.clone();
                sop.observe(&mut preview, &event, &answered, 0);
                let sop_brief = sop.session_brief(ctx, &preview);
                match &applied.brief {
                    Some(leases) => format!("{sop_brief}\n\n{leases}"),
                    None => sop_brief,
                }
            });
            if recording == Recording::AnswerOnly {
                return Ok((answered, brief, None));
            }
            let record = tx.append(&NewEvent {
                ts_ms: event.received_ms,
                agent: event.agent.as_str().into(),
                session: event.session.clone(),
                kind: event.kind.as_str().into(),
                severity: severity(&decision),
                payload: payload(&notes),
                decision: serde_json::to_string(&decision).ok(),
            })?;
            sop.observe(&mut state, &event, &answered, record.seq);
            if event.kind == EventKind::Prompt && state.quiet_prompts == uas_sop::QUIET_PROMPTS {
                hooks_silent(tx, &event, &state)?;
            }
            crate::sessions::save(tx.store(), event.agent, &event.session, &state)?;
            Ok::<_, AuditError>((answered, brief, Some(record.seq)))
        })
    });
    match normal {
        Ok((decision, brief, seq)) => Outcome {
            response: respond(
                event.agent,
                event.kind,
                &event.agent_event,
                &decision,
                brief.as_deref(),
            ),
            decision,
            seq,
        },
        Err(e) => {
            let why = format!("audit log unavailable: {e}");
            let decision = fallback_decision(sop, ctx, config.hooks.on_error, Some(&event), &why);
            let record = NewEvent {
                ts_ms: event.received_ms,
                agent: event.agent.as_str().into(),
                session: event.session.clone(),
                kind: event.kind.as_str().into(),
                severity: severity(&decision).max(Severity::Warning),
                payload: payload(&notes),
                decision: serde_json::to_string(&decision).ok(),
            };
            let _ = uas_audit::spool(audit_dir, &record);
            let mut response =
                respond(event.agent, event.kind, &event.agent_event, &decision, None);
            response.stderr.push_str(&format!(
                "uas: {why}; answered by on_error (event spooled)\n"
            ));
            Outcome {
                response,
                decision,
                seq: None,
            }
        }
    }
}
