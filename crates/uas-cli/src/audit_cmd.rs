//! `uas hook`, `uas sop …`, `uas audit …` and `uas setup git`.

use crate::cli::{AuditCommand, SopCommand};
use anyhow::{Context as _, bail};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use uas_api::App;
use uas_audit::export::{self, Format};
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

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
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
    let raw: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", file.display()))?;
    let name = event_name
        .map(str::to_owned)
        .or_else(|| raw["hook_event_name"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "PreToolUse".into());
    let home = app.probe().user_home.clone();
    let event =
        uas_hook::normalize::normalize(agent, &name, &bytes, uas_core::now_ms(), Some(&home))
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let (sop, _) = app.sop()?;
    let ctx = app.sop_context();
    let state = if fresh {
        uas_sop::SessionState::default()
    } else {
        app.sop_sessions(Some(&event.session))
            .ok()
            .and_then(|l| l.into_iter().find(|s| s.session.agent == agent.as_str()))
            .map(|s| s.session.state)
            .unwrap_or_default()
    };
    let decision = sop.decide(&ctx, &state, &event);
    let matching: Vec<_> = sop
        .matching_rules(&ctx, &state, &event)
        .into_iter()
        .map(|(r, satisfied)| serde_json::json!({"rule": r.id, "action": r.action, "requires": r.requires, "requirements_met": satisfied}))
        .collect();
    if json {
        print_json(
            &serde_json::json!({"event": event, "state": state, "matching_rules": matching, "decision": decision}),
        )?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "event:    {} {} ({:?})", agent, name, event.kind)?;
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
            state
                .evidence
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(out, "matching rules, in order:")?;
        for m in &matching {
            writeln!(out, "  {m}")?;
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
    }
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
            let log = app.audit_log()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if format == Format::Csv {
                writeln!(out, "{}", export::CSV_HEADER)?;
            }
            let mut after = *since;
            loop {
                let batch = log.read_after(after, 10_000)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for r in &batch {
                    export::write_record(&mut out, r, format)?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Forward { follow, batch } => crate::forward::run(app, *follow, *batch),
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
    let log = app.audit_log()?;
    let waker = follow.then(|| app.audit_waker()).transpose()?;
    let mut after = match since {
        Some(s) => s,
        None => log.head()?.map_or(0, |(s, _)| s.saturating_sub(20)),
    };
    let mut out = std::io::stdout().lock();
    loop {
        let batch = log.read_after(after, 1000)?;
        for r in &batch {
            after = r.seq;
            if filter.accepts(r)
                && let Err(e) = print_record(&mut out, r, json)
            {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(ExitCode::SUCCESS);
                }
                bail!(e);
            }
        }
        if batch.len() == 1000 {
            continue;
        }
        match &waker {
            None => return Ok(ExitCode::SUCCESS),
            // Woken by a writer, or every second as a safety net.
            Some(w) => {
                w.wait(Duration::from_secs(1));
            }
        }
    }
}
