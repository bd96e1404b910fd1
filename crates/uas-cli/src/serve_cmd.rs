//! `uas serve`: the local service (crates/uas-server) in this process.

use anyhow::{Context, bail};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use uas_api::App;
use uas_server::{ServeOptions, Service};

/// `uas serve` options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    /// Address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Allow a non-loopback --bind (anyone who can reach it and has the
    /// token can approve agents' requests and change setup).
    #[arg(long)]
    pub allow_remote: bool,
}

/// Runs until interrupted.
pub fn serve(app: &App, args: &ServeArgs, as_json: bool) -> anyhow::Result<std::process::ExitCode> {
    // The service prints the token that answers approvals: an agent that
    // started one could approve its own requests.
    crate::person::refuse_under_agent(app, "serve")?;
    if !args.bind.is_loopback() {
        if !args.allow_remote {
            bail!(
                "--bind {} is not a loopback address: the service would answer other machines. Pass --allow-remote if that is what you want",
                args.bind
            );
        }
        tracing::warn!(
            "listening on {}: every machine that reaches it and holds the token can change this installation",
            args.bind
        );
    }
    let lock_file = app.home().service_lock_file();
    let mut owner = uas_core::service::ServiceLock::acquire(&lock_file)
        .with_context(|| format!("cannot use {}", lock_file.display()))?;
    if owner.is_none() {
        let other = uas_core::service::description(&lock_file).unwrap_or_default();
        tracing::warn!(
            "another uas service runs for this home ({}); this one serves but leaves spool import and webhooks to it",
            other.trim()
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let service = Service::bind(
            app.clone(),
            ServeOptions {
                addr: SocketAddr::new(args.bind, args.port),
                duties: owner.is_some(),
            },
        )
        .await?;
        let url = format!("http://{}/", service.addr);
        if let Some(o) = owner.as_mut() {
            let _ = o.describe(&format!("{url} pid {}\n", std::process::id()));
        }
        let mut out = std::io::stdout();
        if as_json {
            writeln!(
                out,
                "{}",
                serde_json::json!({"url": url, "open": format!("{url}#token={}", service.token), "pid": std::process::id()})
            )?;
        } else {
            writeln!(out, "Universal Agent is serving at {url}")?;
            writeln!(out, "Open: {url}#token={}", service.token)?;
            writeln!(out, "(the address carries the access token; stop with Ctrl-C)")?;
        }
        out.flush()?;
        service.serve().await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(std::process::ExitCode::SUCCESS)
}
