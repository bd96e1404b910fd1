//! How command results are printed: human text, or JSON with `--json`.

use serde::Serialize;
use std::io::{self, Write};
use uas_api::{CheckStatus, DoctorReport, InitAction, InitReport};

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
