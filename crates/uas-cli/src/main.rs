//! `uas`: Universal Agent on the command line.
//!
//! This binary also runs on every tool call of every agent (as a hook), so it
//! does nothing a subcommand doesn't need: no async runtime, database or
//! config is touched before the chosen subcommand asks for it.

mod cli;
mod output;

use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use uas_api::{App, Home, ProbeEnv};

fn main() -> ExitCode {
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
            let report = block_on(app(cli)?.init())??;
            output::init(&report, cli.json)?;
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Doctor => {
            let report = block_on(app(cli)?.doctor())?;
            output::doctor(&report, cli.json)?;
            Ok(if report.healthy {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// Builds the facade from the real environment: the one place `uas` reads
/// `UAS_HOME`, `HOME` and `PATH`.
fn app(cli: &cli::Cli) -> anyhow::Result<App> {
    let user_home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let uas_home = cli
        .home
        .clone()
        .or_else(|| std::env::var_os(uas_api::HOME_ENV).map(PathBuf::from));
    let home = Home::resolve(uas_home, user_home.as_deref()).map_err(uas_api::ApiError::from)?;
    let probe = ProbeEnv::new(
        user_home.unwrap_or_default(),
        std::env::var_os("PATH").as_deref(),
        std::env::vars(),
    );
    Ok(App::new(home, probe))
}

/// Runs one future on a single-threaded runtime made for this command only.
fn block_on<F: std::future::Future>(fut: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(fut))
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
