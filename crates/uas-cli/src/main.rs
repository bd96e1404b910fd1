//! `uas`: Universal Agent on the command line.
//!
//! This binary also runs on every tool call of every agent (as a hook), so it
//! does nothing a subcommand doesn't need: no async runtime, database or
//! config is touched before the chosen subcommand asks for it.

mod audit_cmd;
mod cli;
mod coord_cmd;
mod mode_cmd;
mod output;
mod person;
mod serve_cmd;
mod skill_cmd;

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use uas_api::{AgentSelection, App, SetupOptions, SetupReport};

/// `uas --version`: the package version, the commit and the build profile.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("UAS_COMMIT"),
    ", ",
    env!("UAS_PROFILE"),
    ")"
);

fn main() -> ExitCode {
    if version_requested() {
        return print_version();
    }
    // Agents start `uas hook <agent> <event>` on every tool call: take that
    // exact shape without building the whole clap command tree.
    if let Some(code) = hook_fast_path() {
        return code;
    }
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            report_error(&cli, &err);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &cli::Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        cli::Command::Init => {
            let report = app(cli)?.init()?;
            output::init(&report, cli.json)?;
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Doctor => {
            let report = app(cli)?.doctor();
            output::doctor(&report, cli.json)?;
            Ok(if report.healthy {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        cli::Command::Hook { agent, event } => Ok(audit_cmd::hook(&app(cli)?, agent, event)),
        cli::Command::Sop(cmd) => audit_cmd::sop(&app(cli)?, cmd, cli.json),
        cli::Command::Audit(cmd) => audit_cmd::audit(&app(cli)?, cmd, cli.json),
        cli::Command::Setup(cli::SetupArgs {
            target: Some(cli::SetupCommand::Git { repo }),
            ..
        }) => {
            let hook = app(cli)?.setup_git(repo)?;
            if cli.json {
                println!("{}", serde_json::json!({"pre_commit_hook": hook}));
            } else {
                println!("installed {} (the SOP's commit gate)", hook.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Detect => {
            let report = app(cli)?.status()?;
            output::detect(&report, cli.json)?;
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Status => {
            let mut app = app(cli)?;
            if let Ok(cwd) = std::env::current_dir() {
                app = app.with_project(cwd);
            }
            let report = app.status()?;
            app.record_drift(&report);
            output::status(&report, cli.json)?;
            let guarded = !report.guard.changed.is_empty()
                || !report.guard.locked.is_empty()
                || report.agents.iter().any(|a| !a.off.is_empty());
            Ok(
                if report.drifted || !report.interrupted.is_empty() || guarded {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                },
            )
        }
        cli::Command::Setup(args) => {
            let selection = if args.all {
                AgentSelection::All
            } else {
                selection(&args.apply, AgentSelection::Detected)
            };
            let app = app(cli)?;
            let code = changing(cli, &args.apply, |dry| {
                app.setup(&options(
                    &args.apply,
                    selection.clone(),
                    dry,
                    args.project.clone(),
                    args.partial,
                ))
            })?;
            if args.trust_codex_hooks && code == ExitCode::SUCCESS {
                let report = app.trust_codex_hooks(args.apply.dry_run)?;
                output::setup(&report, cli.json, args.apply.dry_run)?;
            }
            Ok(code)
        }
        cli::Command::Repair(args) => {
            let app = app(cli)?;
            changing(cli, args, |dry| {
                app.repair(&options(
                    args,
                    selection(args, AgentSelection::All),
                    dry,
                    None,
                    false,
                ))
            })
        }
        cli::Command::Uninstall(args) => {
            let app = app(cli)?;
            changing(cli, args, |dry| {
                app.uninstall(&options(
                    args,
                    selection(args, AgentSelection::All),
                    dry,
                    None,
                    false,
                ))
            })
        }
        cli::Command::Migrate(args) => {
            let app = app(cli)?;
            changing(cli, args, |dry| {
                app.migrate(&options(
                    args,
                    selection(args, AgentSelection::All),
                    dry,
                    None,
                    false,
                ))
            })
        }
        cli::Command::Skill(args) => skill_cmd::skill(&app(cli)?, args, cli.json),
        cli::Command::Registry(args) => skill_cmd::registry(args, cli.json),
        cli::Command::Serve(args) => serve_cmd::serve(&app(cli)?, args, cli.json),
        cli::Command::Session(cmd) => coord_cmd::session(&app(cli)?, cmd, cli.json),
        cli::Command::Lock(cmd) => coord_cmd::lock(&app(cli)?, cmd, cli.json),
        cli::Command::Lease(cmd) => coord_cmd::lease(&app(cli)?, cmd, cli.json),
        cli::Command::RollbackSetup(args) => {
            let app = app(cli)?;
            if args.list {
                output::generations(&app.setup_generations(), cli.json)?;
                return Ok(ExitCode::SUCCESS);
            }
            if !args.yes && !args.dry_run {
                let preview = app.rollback_setup(true, args.to)?;
                if preview.undone.is_empty() {
                    output::rollback(&preview, cli.json)?;
                    return Ok(ExitCode::SUCCESS);
                }
                if cli.json || !std::io::stdin().is_terminal() {
                    let applies: Vec<String> = preview
                        .undone
                        .iter()
                        .map(|u| format!("#{}", u.generation))
                        .collect();
                    anyhow::bail!(
                        "rollback-setup would undo apply {}, restoring {} path(s); re-run with --yes to roll back, or --dry-run to see them",
                        applies.join(", "),
                        preview
                            .undone
                            .iter()
                            .map(|u| u.restored.len())
                            .sum::<usize>(),
                    );
                }
                output::rollback(&preview, false)?;
                let mut err = std::io::stderr();
                let _ = write!(err, "Roll back? [y/N] ");
                let _ = err.flush();
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    let _ = writeln!(err, "Nothing changed.");
                    return Ok(ExitCode::FAILURE);
                }
            }
            let report = app.rollback_setup(args.dry_run, args.to)?;
            output::rollback(&report, cli.json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn selection(args: &cli::ApplyArgs, default: AgentSelection) -> AgentSelection {
    if args.agents.is_empty() {
        default
    } else {
        AgentSelection::Only(args.agents.clone())
    }
}

fn options(
    args: &cli::ApplyArgs,
    agents: AgentSelection,
    dry_run: bool,
    project: Option<PathBuf>,
    partial: bool,
) -> SetupOptions {
    SetupOptions {
        agents,
        dry_run,
        project,
        partial,
        failpoints: apply_failpoints(args),
    }
}

#[cfg(feature = "failpoints")]
fn apply_failpoints(args: &cli::ApplyArgs) -> uas_api::ApplyFailpoints {
    uas_api::ApplyFailpoints {
        abort_after_writes: args.abort_after_writes,
        fail_after_writes: args.fail_after_writes,
    }
}

#[cfg(not(feature = "failpoints"))]
fn apply_failpoints(_: &cli::ApplyArgs) -> uas_api::ApplyFailpoints {
    uas_api::ApplyFailpoints::default()
}

/// Plan (dry run) -> show -> confirm -> apply. With `--yes` there is
/// nothing to confirm, so the plan is made once, by the apply itself.
fn changing(
    cli: &cli::Cli,
    args: &cli::ApplyArgs,
    run: impl Fn(bool) -> Result<SetupReport, uas_api::ApiError>,
) -> anyhow::Result<ExitCode> {
    if args.yes && !args.dry_run {
        return applied(cli, run(false)?);
    }
    let preview = run(true)?;
    if args.dry_run || preview.changes.is_empty() {
        output::setup(&preview, cli.json, true)?;
        return Ok(exit_code(&preview));
    }
    if cli.json || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{} would change {} file(s); re-run with --yes to apply, or --dry-run to see the diff",
            preview.command,
            preview.changes.len()
        );
    }
    output::setup(&preview, false, true)?;
    let mut err = std::io::stderr();
    let _ = write!(err, "Apply these changes? [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        let _ = writeln!(err, "Nothing changed.");
        return Ok(ExitCode::FAILURE);
    }
    applied(cli, run(false)?)
}

/// Prints an applied report.
fn applied(cli: &cli::Cli, report: SetupReport) -> anyhow::Result<ExitCode> {
    output::setup(&report, cli.json, false)?;
    Ok(exit_code(&report))
}

/// Fails when verification found leftovers or `--partial` skipped an
/// agent: scripts must not read "some agents unprotected" as success.
fn exit_code(report: &SetupReport) -> ExitCode {
    if report.unverified.is_empty() && report.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `uas [--home DIR] hook <agent> <event>` with nothing else; any other
/// shape (flags, help) goes through clap.
fn hook_fast_path() -> Option<ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let (home, rest) = match args.as_slice() {
        [flag, dir, rest @ ..] if flag == "--home" => (Some(PathBuf::from(dir)), rest),
        rest => (None, rest),
    };
    let [cmd, agent, event] = rest else {
        return None;
    };
    let (agent, event) = (agent.to_str()?, event.to_str()?);
    if cmd != "hook" || agent.starts_with('-') || event.starts_with('-') {
        return None;
    }
    init_tracing(0);
    match App::from_process_env(home, uas_bin()) {
        Ok(app) => Some(audit_cmd::hook(&app, agent, event)),
        // No home: let the normal path report it.
        Err(_) => None,
    }
}

/// Exactly `uas --version` (or `-V`): printed here, with where this binary
/// is, rather than by clap.
fn version_requested() -> bool {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    matches!(args.as_slice(), [a] if a == "--version" || a == "-V")
}

fn print_version() -> ExitCode {
    let line = uas_core::install::version_line(
        env!("CARGO_PKG_VERSION"),
        env!("UAS_COMMIT"),
        env!("UAS_PROFILE"),
    );
    let exe = std::env::current_exe().ok();
    let place = match &exe {
        Some(p) => match uas_core::install::cargo_target_dir(p) {
            Some(target) => format!(
                "runs from {} inside the cargo build folder {} (a development build: `uas setup` registers it only with --dev)",
                p.display(),
                target.display()
            ),
            None => format!("installed at {}", p.display()),
        },
        None => "installed at an unknown path".to_owned(),
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}\n{place}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// Builds the facade from the real environment. Hooks run the same binary
/// that set them up, by absolute path.
fn app(cli: &cli::Cli) -> anyhow::Result<App> {
    let wait = if cli.no_wait {
        uas_api::LockWait::NoWait
    } else {
        uas_api::LockWait::Wait
    };
    let app = App::from_process_env(cli.home.clone(), uas_bin())?.with_lock_wait(wait);
    Ok(if cli.dev {
        app.with_dev_build(true)
    } else {
        app
    })
}

/// This binary's absolute path, which hooks are registered with.
fn uas_bin() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "uas".into())
}

fn init_tracing(verbose: u8) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false);
    match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.is_empty() => builder
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .init(),
        _ => builder
            .with_max_level(match verbose {
                0 => tracing::Level::WARN,
                1 => tracing::Level::INFO,
                2 => tracing::Level::DEBUG,
                _ => tracing::Level::TRACE,
            })
            .init(),
    }
}

fn report_error(cli: &cli::Cli, err: &anyhow::Error) {
    let dto = match err.downcast_ref::<uas_api::ApiError>() {
        Some(api) => api.to_dto(),
        None => uas_api::ErrorDto {
            code: "error".into(),
            message: format!("{err:#}"),
        },
    };
    if cli.json {
        let _ = serde_json::to_writer(std::io::stdout(), &serde_json::json!({ "error": dto }));
        let _ = writeln!(std::io::stdout());
    }
    let _ = writeln!(std::io::stderr(), "error: {}", dto.message);
}
