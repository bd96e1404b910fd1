//! `uas hook`, `uas sop …`, `uas audit …` and `uas setup git`.

use crate::cli::{AuditCommand, SopCommand};
use anyhow::{Context as _, bail};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use uas_api::App;
use uas_audit::export::Format;
use uas_audit::{Filter, NewEvent, Record, Severity};

/// Largest hook input read from stdin; more is cut (and reported malformed).
const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// `uas hook <agent> <event>`.
pub fn hook(app: &App, agent: &str, event: &str) -> ExitCode {
    let mut input = Vec::new();
    let _ = std::io::stdin().take(MAX_INPUT).read_to_end(&mut input);
    let out = app.hook(agent, event, &input);
    let _ = std::io::stdout().write_all(out.response.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(out.response.stderr.as_bytes());
    ExitCode::from(out.response.exit)
}

pub(crate) fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// `uas sop …`.
pub fn sop(app: &App, cmd: &SopCommand, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        SopCommand::Show => {
            let (sop, path) = app.sop()?;
            if json {
                print_json(&sop)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "SOP `{}` ({})",
                sop.name,
                path.map_or("built in".into(), |p| p.display().to_string())
            )?;
            if !sop.description.is_empty() {
                writeln!(out, "{}", sop.description)?;
            }
            writeln!(
                out,
                "\nPhases (a session is in the last phase whose gate holds):"
            )?;
            for (i, p) in sop.phases.iter().enumerate() {
                let gate = if p.enter.is_empty() {
                    "always".to_owned()
                } else {
                    p.enter.join(" + ")
                };
                writeln!(
                    out,
                    "  {}. {:<10} gate: {gate:<28} {}",
                    i + 1,
                    p.id,
                    p.summary
                )?;
            }
            writeln!(out, "\nRules (the first match decides):")?;
            for r in &sop.rules {
                let requires = if r.requires.is_empty() {
                    String::new()
                } else {
                    format!(" unless {}", r.requires.join(" + "))
                };
                writeln!(out, "  {:<24} {:?}{requires}", r.id, r.action)?;
            }
            writeln!(out, "\nEvidence:")?;
            for (name, what) in uas_sop::EVIDENCE {
                writeln!(out, "  {name:<13} {what}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SopCommand::Validate { file } => {
            let sop = match file {
                Some(f) => uas_sop::Sop::load(f)?,
                None => app.sop()?.0,
            };
            if json {
                print_json(
                    &serde_json::json!({"valid": true, "name": sop.name, "phases": sop.phases.len(), "rules": sop.rules.len()}),
                )?;
            } else {
                println!(
                    "valid: SOP `{}` with {} phases and {} rules",
                    sop.name,
                    sop.phases.len(),
                    sop.rules.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SopCommand::Explain {
            event,
            agent,
            event_name,
            fresh,
        } => explain(app, event, *agent, event_name.as_deref(), *fresh, json),
        SopCommand::Phase { session } => {
            let list = app.sop_sessions(session.as_deref())?;
            if json {
                print_json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                println!("no sessions recorded yet");
            }
            for s in list {
                let next = match &s.next {
                    None => "last phase".to_owned(),
                    Some(g) if g.missing.is_empty() => format!("next: {}", g.phase),
                    Some(g) => format!("next `{}` needs: {}", g.phase, g.missing.join(", ")),
                };
                println!(
                    "{:<8} {:<38} phase {} ({})  {next}",
                    s.session.agent, s.session.session, s.phase, s.phase_index
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SopCommand::Advance { session, agent } => {
            crate::person::refuse_under_agent(app, "sop advance")?;
            let cwd = std::env::current_dir().unwrap_or_default();
            let r = app.sop_advance(session.as_deref(), *agent, &cwd)?;
            if json {
                print_json(&r)?;
            } else {
                println!(
                    "recorded {} for {} session {}; phase is now {} (audit #{})",
                    r.recorded.join(", "),
                    r.agent,
                    r.session,
                    r.phase,
                    r.seq
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SopCommand::Approve { session, agent } => approve(app, session, *agent, json),
        SopCommand::Mode { mode, agent } => {
            crate::mode_cmd::run(app, mode.as_deref(), *agent, json)
        }
        SopCommand::Gate { repo, .. } => {
            let r = app.sop_gate_commit(repo)?;
            if json {
                print_json(&r)?;
            } else if r.allowed {
                eprintln_ok(&format!("uas: commit allowed: {}", r.reason));
            } else {
                eprintln_ok(&format!("uas: commit blocked by the SOP: {}", r.reason));
            }
            Ok(if r.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn eprintln_ok(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn explain(
    app: &App,
    file: &Path,
    agent: uas_api::AgentId,
    event_name: Option<&str>,
    fresh: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = if file == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(file).with_context(|| format!("reading {}", file.display()))?
    };
    let r = app
        .sop_explain(&bytes, agent, event_name, fresh)
        .with_context(|| file.display().to_string())?;
    if json {
        print_json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (event, decision) = (&r.event, &r.decision);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "event:    {} {} ({:?})",
        agent, r.event_name, event.kind
    )?;
    if let Some(t) = &event.tool {
        writeln!(out, "tool:     {} ({:?})", t.name, t.class)?;
        for p in &t.paths {
            writeln!(out, "  path:   {p}")?;
        }
        if let Some(c) = &t.command {
            writeln!(out, "  command: {c}")?;
        }
    }
    writeln!(
        out,
        "session:  {} (phase {}, evidence: {})",
        event.session,
        decision.phase,
        r.state
            .evidence
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out, "matching rules, in order:")?;
    for m in &r.matching_rules {
        writeln!(out, "  {}", serde_json::to_string(m)?)?;
    }
    writeln!(
        out,
        "decision: {:?}{}{}",
        decision.action,
        decision
            .rule
            .as_ref()
            .map_or(String::new(), |r| format!(" by rule `{r}`")),
        if decision.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", decision.reason)
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `uas audit …`.
pub fn audit(app: &App, cmd: &AuditCommand, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => {
            let r = app.audit_verify()?;
            if json {
                print_json(&r)?;
            } else {
                match &r.problem {
                    None => println!(
                        "ok: {} events, chain intact, checkpoint at #{} signed ({})",
                        r.records,
                        r.checkpoint_seq.unwrap_or(0),
                        r.key_location.as_deref().unwrap_or("no key yet")
                    ),
                    Some(p) => println!(
                        "TAMPERED: first bad event #{} ({:?}): {}",
                        p.seq, p.kind, p.detail
                    ),
                }
            }
            Ok(if r.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Tail {
            follow,
            since,
            severity,
            session,
        } => {
            let min_severity = match severity {
                Some(s) => Some(Severity::parse(s).with_context(|| {
                    format!("unknown severity `{s}`; use info, warning, error or critical")
                })?),
                None => None,
            };
            let filter = Filter {
                min_severity,
                session: session.clone(),
            };
            tail(app, *follow, *since, &filter, json)
        }
        AuditCommand::Export { format, since } => {
            let format = if format == "csv" {
                Format::Csv
            } else {
                Format::Jsonl
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            app.audit_export(format, *since, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Forward { follow, batch } => {
            let all_ok = app.audit_forward(*follow, *batch, |p| {
                eprintln_ok(&format!(
                    "{}: delivered {} event(s), up to #{}{}",
                    p.name,
                    p.delivered,
                    p.last_seq,
                    p.error
                        .as_ref()
                        .map_or(String::new(), |e| format!("; stopped: {e}"))
                ));
                true
            })?;
            Ok(if all_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::AppendSynthetic {
            count,
            batch,
            session,
        } => {
            let mut journal = app.journal()?;
            journal.set_wal_limit(uas_audit::WAL_LIMIT_BULK);
            let pid = std::process::id();
            let mut done = 0;
            while done < *count {
                let n = (*batch).max(1).min(count - done);
                let events: Vec<NewEvent> = (0..n)
                    .map(|i| NewEvent {
                        ts_ms: uas_core::now_ms(),
                        agent: "uas".into(),
                        session: session.clone(),
                        kind: "synthetic".into(),
                        severity: Severity::Info,
                        payload: format!("{{\"pid\":{pid},\"n\":{}}}", done + i),
                        decision: None,
                    })
                    .collect();
                journal.write(|tx| {
                    events
                        .iter()
                        .map(|e| tx.append(e))
                        .collect::<Result<Vec<_>, _>>()
                })?;
                done += n;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_record(out: &mut impl Write, r: &Record, json: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, r)?;
        writeln!(out)?;
    } else {
        let decision = r
            .decision
            .as_deref()
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .map(|d| {
                let action = d["action"].as_str().unwrap_or("").to_owned();
                match d["rule"].as_str() {
                    Some(rule) => format!(" {action} [{rule}]"),
                    None => format!(" {action}"),
                }
            })
            .unwrap_or_default();
        let payload: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
        let what = payload["tool"]["name"]
            .as_str()
            .map(|t| {
                let detail = payload["tool"]["command"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| payload["tool"]["paths"][0].as_str().map(str::to_owned))
                    .unwrap_or_default();
                format!(" {t} {detail}")
            })
            .unwrap_or_default();
        writeln!(
            out,
            "#{:<6} {} {:<8} {:<9} {:<12} {}{what}{decision}",
            r.seq, r.ts_ms, r.agent, r.severity, r.kind, r.session
        )?;
    }
    out.flush()
}

fn tail(
    app: &App,
    follow: bool,
    since: Option<u64>,
    filter: &Filter,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let print = |out: &mut std::io::StdoutLock<'_>, records: &[Record]| -> anyhow::Result<bool> {
        for r in records {
            if let Err(e) = print_record(out, r, json) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(false);
                }
                bail!(e);
            }
        }
        Ok(true)
    };
    if !follow {
        print(&mut out, &app.audit_tail(since, filter)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut feed = app.audit_follow(since, filter.clone())?;
    loop {
        let records = feed.next(Duration::from_secs(60))?;
        if !print(&mut out, &records)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// Commands only a person may run refuse when an agent started them (an
/// agent process among the ancestors); the attempt is a critical event.
/// `uas sop approve`: a person at a terminal, shown the request and a
/// code on /dev/tty, types the code back on /dev/tty.
fn approve(
    app: &App,
    session: &str,
    agent: Option<uas_api::AgentId>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    crate::person::refuse_under_agent(app, "sop approve")?;
    let pending = app.sop_pending(session, agent)?;
    if pending.awaiting.is_empty() && pending.locked.is_none() {
        anyhow::bail!(
            "{} session {} waits for no approval and is not locked (see `uas sop phase --session {}`)",
            pending.agent,
            pending.session,
            pending.session
        );
    }
    let mut text = format!(
        "{} session {} (working in {})\n",
        pending.agent,
        pending.session,
        pending.cwd.as_deref().unwrap_or("an unknown directory")
    );
    if let Some(lock) = &pending.locked {
        text.push_str(&format!(
            "  LOCKED since audit #{}: {}\n  Approving accepts these files as they are now: {}\n",
            lock.seq,
            lock.reason,
            lock.files.join(", ")
        ));
    }
    if !pending.awaiting.is_empty() {
        text.push_str(&format!(
            "  waits for your approval of: {}\n",
            pending.awaiting.join(", ")
        ));
        for f in &pending.plan_files {
            text.push_str(&format!("  --- {} ---\n", f.display()));
            let plan = std::fs::read_to_string(f).unwrap_or_default();
            for line in plan.lines().take(40) {
                text.push_str(&format!("  | {line}\n"));
            }
            if plan.lines().count() > 40 {
                text.push_str("  | …\n");
            }
        }
    }
    let (confirmed, how) = crate::person::confirm_on_tty("sop approve", &text, "approve")?;
    if !confirmed {
        let _ = app.audit_append(&[uas_audit::NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: pending.agent.clone(),
            session: pending.session.clone(),
            kind: "approval_refused".into(),
            severity: uas_audit::Severity::Warning,
            payload: serde_json::json!({"how": how}).to_string(),
            decision: None,
        }]);
        anyhow::bail!("not approved: the code did not match (recorded)");
    }
    let r = app.sop_approve(session, Some(pending.agent.parse()?), &how)?;
    if json {
        print_json(&r)?;
    } else {
        let mut what = r.approved.evidence.clone();
        if r.approved.unlocked.is_some() {
            what.push("unlocked".into());
        }
        println!(
            "approved {} for {} session {}; phase is now {} (audit #{})",
            what.join(", "),
            r.agent,
            r.session,
            r.phase,
            r.seq
        );
    }
    Ok(ExitCode::SUCCESS)
}
