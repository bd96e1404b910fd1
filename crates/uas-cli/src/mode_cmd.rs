//! `uas sop mode [observe|enforce] [--agent A]`.

use crate::audit_cmd::print_json;
use std::process::ExitCode;
use uas_api::{AgentId, App, EnforcementMode, Mode, ModeSetting};

/// Shows the mode, or switches it (a person only).
pub fn run(
    app: &App,
    mode: Option<&str>,
    agent: Option<AgentId>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let Some(mode) = mode else {
        let m = app.sop_mode()?;
        if json {
            print_json(&m)?;
        } else {
            print!("{}", describe(&m));
        }
        return Ok(ExitCode::SUCCESS);
    };
    let mode = if mode == "observe" {
        Mode::Observe
    } else {
        Mode::Enforce
    };
    let command = format!("sop mode {}", mode.as_str());
    crate::person::refuse_under_agent(app, &command)?;
    let scope = agent.map_or("every agent".to_owned(), |a| a.as_str().to_owned());
    let how = if mode == Mode::Observe {
        let text = format!(
            "Pause enforcement for {scope}: the SOP still decides and records every call, but nothing is denied until `uas sop mode enforce`.\n"
        );
        let (confirmed, how) = crate::person::confirm_on_tty(&command, &text, "pause")?;
        if !confirmed {
            anyhow::bail!("not paused: the code did not match");
        }
        how
    } else {
        uas_api::ApprovalMethod {
            method: "cli".into(),
            user: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "unknown".into()),
            tty: None,
        }
    };
    let r = app.set_sop_mode(mode, agent, &how)?;
    if json {
        print_json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "enforcement for {scope}: {} (audit #{})",
        mode.as_str(),
        r.seq
    );
    if !r.cleared.is_empty() {
        println!("removed the per-agent settings of {}", r.cleared.join(", "));
    }
    print!("{}", describe(&r.after));
    Ok(ExitCode::SUCCESS)
}

/// One line per scope: the home-wide mode, then each override.
pub fn describe(m: &EnforcementMode) -> String {
    let line = |scope: &str, s: &ModeSetting| match (s.mode, s.since_ms) {
        (Mode::Enforce, 0) => format!("{scope}: enforce\n"),
        (mode, since) => format!(
            "{scope}: {}{} since {} by {}\n",
            mode.as_str(),
            if mode == Mode::Observe {
                " (paused: denials recorded, not enforced)"
            } else {
                ""
            },
            uas_core::utc(u64::try_from(since / 1000).unwrap_or(0)),
            s.by
        ),
    };
    let mut out = line("all agents", &m.global);
    for (agent, s) in &m.agents {
        out.push_str(&line(agent, s));
    }
    out
}
