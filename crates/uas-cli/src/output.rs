//! How command results are printed: human text, or JSON with `--json`.

use serde::Serialize;
use std::io::{self, Write};
use uas_api::{
    CheckStatus, DoctorReport, FileAction, HookState, InitAction, InitReport, RollbackReport,
    SetupReport, StatusReport,
};

fn json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// Prints the result of `uas init`.
pub fn init(report: &InitReport, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(report);
    }
    let mut out = io::stdout().lock();
    let kept = report
        .items
        .iter()
        .filter(|i| i.action == InitAction::KeptUserVersion)
        .count();
    if !report.changed {
        writeln!(
            out,
            "Nothing to do: {} is already initialized.",
            report.home.display()
        )?;
    } else {
        writeln!(out, "Initialized {}", report.home.display())?;
        for item in report
            .items
            .iter()
            .filter(|i| i.action != InitAction::Unchanged)
        {
            let what = match item.action {
                InitAction::Created => "created",
                InitAction::Migrated => "migrated",
                InitAction::KeptUserVersion => "kept",
                InitAction::Unchanged => "unchanged",
            };
            writeln!(out, "  {what:<9} {}", item.path.display())?;
        }
    }
    if kept > 0 {
        writeln!(out, "Kept {kept} file(s) you edited, as they are.")?;
    }
    writeln!(out, "Next: `uas doctor` checks the installation.")
}

/// Prints the result of `uas doctor`.
pub fn doctor(report: &DoctorReport, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(report);
    }
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "uas {} — home {}",
        report.version,
        report.home.display()
    )?;
    for c in &report.checks {
        let tag = match c.status {
            CheckStatus::Ok => "ok",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "FAIL",
        };
        writeln!(out, "  {tag:<5} {:<13} {}", c.id, c.summary)?;
        if let Some(fix) = &c.fix {
            writeln!(out, "  {:<5} {:<13} fix: {fix}", "", "")?;
        }
    }
    writeln!(out, "Agents:")?;
    for a in &report.agents {
        let verdict = if a.installed {
            format!("{:?}", a.confidence).to_lowercase()
        } else {
            "not found".into()
        };
        write!(
            out,
            "  {:<12} {:<19} {verdict:<9}",
            a.agent.as_str(),
            a.agent.display_name()
        )?;
        if !a.reasons.is_empty() {
            write!(out, " {}", a.reasons.join("; "))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{}",
        if report.healthy {
            "Healthy."
        } else {
            "Problems found (see FAIL lines)."
        }
    )
}

/// Prints `uas detect`.
pub fn detect(report: &StatusReport, as_json: bool) -> io::Result<()> {
    if as_json {
        let list: Vec<_> = report
            .agents
            .iter()
            .map(|a| serde_json::json!({"detection": a.detection, "capabilities": a.capabilities, "symlinks": a.symlinks}))
            .collect();
        return json(&list);
    }
    let mut out = io::stdout().lock();
    for a in &report.agents {
        let d = &a.detection;
        let verdict = if d.installed {
            format!("{:?}", d.confidence).to_lowercase()
        } else {
            "not found".into()
        };
        writeln!(
            out,
            "{:<12} {:<19} {verdict}",
            d.agent.as_str(),
            d.agent.display_name()
        )?;
        for r in &d.reasons {
            writeln!(out, "    - {r}")?;
        }
        let c = &a.capabilities;
        writeln!(
            out,
            "    hooks: {} events, {}, fails {}",
            c.events.len(),
            if c.can_block {
                "can block"
            } else {
                "cannot block"
            },
            match c.on_failure {
                uas_api::FailureMode::Open => "open",
                uas_api::FailureMode::Closed => "closed",
            }
        )?;
        for l in &a.symlinks {
            writeln!(
                out,
                "    symlink: {} -> {}{}",
                l.path.display(),
                l.target.display(),
                if l.into_home {
                    " (symlink farm; `uas migrate`)"
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}

/// Prints `uas status`.
pub fn status(report: &StatusReport, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(report);
    }
    let mut out = io::stdout().lock();
    for i in &report.interrupted {
        writeln!(out, "warning: {}", i.message)?;
    }
    let g = &report.guard;
    if !g.changed.is_empty() {
        writeln!(out, "PROTECTED FILES CHANGED OUTSIDE UAS:")?;
        for c in &g.changed {
            let by = c
                .noticed_by
                .as_deref()
                .map(|b| format!(" (noticed by {b})"))
                .unwrap_or_default();
            writeln!(out, "    {}: {}{by}", c.path.display(), c.what)?;
        }
    }
    for l in &g.locked {
        writeln!(
            out,
            "LOCKED: {} session {} (every tool call denied since audit #{}): {}",
            l.agent, l.session, l.lock.seq, l.lock.reason
        )?;
    }
    if !g.changed.is_empty() || !g.locked.is_empty() {
        writeln!(
            out,
            "    to do: check the change (`uas audit tail`); `uas repair` puts uas's files back and unlocks every session, `uas sop approve SESSION` accepts the files as they are for one session"
        )?;
    }
    for (scope, m) in report.mode.paused() {
        writeln!(
            out,
            "ENFORCEMENT PAUSED for {scope} since {} by {}: the SOP's denials are recorded, not enforced (`uas sop mode enforce` resumes)",
            uas_core::utc(u64::try_from(m.since_ms / 1000).unwrap_or(0)),
            m.by
        )?;
    }
    for a in &report.agents {
        let d = &a.detection;
        let state = match (a.configured, a.drift.is_empty()) {
            (false, _) if d.installed => "installed, not set up (`uas setup`)",
            (false, _) => "not installed",
            (true, true) => "set up",
            (true, false) => "DRIFTED (`uas repair`)",
        };
        writeln!(out, "{:<12} {state}", d.agent.as_str())?;
        if a.configured {
            let hooks = match a.hooks {
                HookState::Absent => "absent",
                HookState::Active => "registered",
                HookState::AwaitingApproval => "registered, awaiting your approval in the agent",
            };
            writeln!(out, "    hooks: {hooks}")?;
            if a.hooks == HookState::AwaitingApproval
                && let Some(msg) = &a.approval
            {
                writeln!(out, "    to do: {msg}")?;
            }
            for u in &a.capabilities.unseen {
                writeln!(out, "    not seen by hooks: {u}")?;
            }
        }
        for o in &a.off {
            let fix = if o.pid.is_some() {
                "that session runs no hooks, uas's included; end it"
            } else {
                "the agent runs no hooks, uas's included; remove it"
            };
            writeln!(out, "    ENFORCEMENT OFF: {o} ({fix})")?;
        }
        for b in &a.hook_bins {
            if let Some(problem) = &b.problem {
                writeln!(
                    out,
                    "    ENFORCEMENT OFF: its hooks run {}, which {problem} (install uas again, or run `uas repair` from an installed uas)",
                    b.path
                )?;
            } else if let Some(target) = &b.dev_build {
                writeln!(
                    out,
                    "    development build: its hooks run {} inside {} (set up with --dev; `cargo clean` switches enforcement off)",
                    b.path,
                    target.display()
                )?;
            }
        }
        for dr in &a.drift {
            writeln!(out, "    drift: {}: {}", dr.path.display(), dr.reason)?;
        }
        for l in &a.symlinks {
            writeln!(
                out,
                "    warning: {} is a symlink to {} (`uas migrate` replaces it with a managed copy)",
                l.path.display(),
                l.target.display()
            )?;
        }
    }
    Ok(())
}

/// Prints setup / repair / uninstall / migrate (plan or result).
pub fn setup(report: &SetupReport, as_json: bool, preview: bool) -> io::Result<()> {
    if as_json {
        return json(report);
    }
    let mut out = io::stdout().lock();
    let agents: Vec<_> = report.agents.iter().map(|a| a.as_str()).collect();
    let agents_text = if agents.is_empty() {
        "no agents".into()
    } else {
        agents.join(", ")
    };
    if report.changes.is_empty() && !report.skipped.is_empty() {
        writeln!(out, "{}: nothing was written.", report.command)?;
    } else if report.changes.is_empty() && report.command == "uninstall" {
        writeln!(
            out,
            "Nothing to remove: uas has nothing installed for {agents_text}."
        )?;
    } else if report.changes.is_empty() {
        writeln!(
            out,
            "Nothing to do: {} is up to date for {agents_text}.",
            report.command,
        )?;
    } else {
        let verb = if preview { "would change" } else { "changed" };
        writeln!(
            out,
            "{} {verb} {} file(s) for {}:",
            report.command,
            report.changes.len(),
            agents.join(", ")
        )?;
        for c in &report.changes {
            let action = match c.action {
                FileAction::Create => "create",
                FileAction::Update => "update",
                FileAction::Delete => "delete",
            };
            writeln!(out, "  {action:<6} {}  ({})", c.path.display(), c.reason)?;
        }
        if preview {
            for c in report.changes.iter().filter(|c| !c.diff.is_empty()) {
                write!(out, "{}", c.diff)?;
            }
        }
    }
    for s in &report.skipped {
        writeln!(out, "skipped {}: {}", s.agent, s.reason)?;
    }
    for n in &report.notices {
        writeln!(
            out,
            "warning: {}: {}: {}",
            n.agent,
            n.path.display(),
            n.message
        )?;
    }
    for a in &report.approvals {
        writeln!(out, "to do for {}: {}", a.agent, a.message)?;
    }
    if let Some(g) = report.generation {
        writeln!(
            out,
            "Recorded as apply #{g}; `uas rollback-setup` undoes it."
        )?;
    }
    for u in &report.unverified {
        writeln!(out, "NOT VERIFIED: {u}")?;
    }
    Ok(())
}

/// Prints `uas rollback-setup`.
pub fn rollback(report: &RollbackReport, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(report);
    }
    let mut out = io::stdout().lock();
    if report.undone.is_empty() {
        writeln!(out, "Nothing to roll back.")?;
    }
    for u in &report.undone {
        let (g, c, n) = (u.generation, &u.command, u.restored.len());
        if report.dry_run {
            writeln!(
                out,
                "Would roll back apply #{g} ({c}), restoring {n} path(s):"
            )?;
        } else {
            writeln!(out, "Rolled back apply #{g} ({c}); restored {n} path(s):")?;
        }
        for p in &u.restored {
            writeln!(out, "  {}", p.display())?;
        }
    }
    Ok(())
}

/// Prints `uas rollback-setup --list`.
pub fn generations(list: &[uas_api::GenerationDto], as_json: bool) -> io::Result<()> {
    if as_json {
        return json(&list);
    }
    let mut out = io::stdout().lock();
    if list.is_empty() {
        writeln!(out, "No applies recorded.")?;
    }
    for g in list {
        let state = match (g.rolled_back, g.complete) {
            (true, _) => "rolled back",
            (false, true) => "applied",
            (false, false) => "INTERRUPTED",
        };
        let agents: Vec<&str> = g.agents.iter().map(|a| a.as_str()).collect();
        writeln!(
            out,
            "#{:<4} {:<18} {:<12} {} path(s)  {}",
            g.generation,
            g.command,
            state,
            g.paths,
            agents.join(", ")
        )?;
    }
    Ok(())
}
