//! `uas audit forward`: POST the audit log to the configured webhooks.

use anyhow::Context as _;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use uas_api::App;
use uas_audit::sink::{self, Backoff};

fn client() -> anyhow::Result<reqwest::blocking::Client> {
    // Installing fails only when a provider is already installed: fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("uas/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// Delivers to every webhook; with `follow`, keeps delivering new events.
pub fn run(app: &App, follow: bool, batch: usize) -> anyhow::Result<ExitCode> {
    let config = uas_core::Config::load(&app.home().config_file())?;
    if config.audit.webhooks.is_empty() {
        anyhow::bail!(
            "no webhooks configured: add [[audit.webhooks]] with name and url to {}",
            app.home().config_file().display()
        );
    }
    let client = client()?;
    let log = app.audit_log()?;
    let waker = follow.then(|| app.audit_waker()).transpose()?;
    loop {
        let mut failed = false;
        for hook in &config.audit.webhooks {
            let progress = sink::deliver(
                &log,
                &hook.name,
                &hook.url,
                batch,
                Backoff::default(),
                |body| {
                    let resp = client
                        .post(&hook.url)
                        .header("content-type", "application/json")
                        .body(body.to_vec())
                        .send()
                        .map_err(|e| e.to_string())?;
                    if resp.status().is_success() {
                        Ok(())
                    } else {
                        Err(format!("{} answered {}", hook.url, resp.status()))
                    }
                },
                std::thread::sleep,
            )
            .with_context(|| format!("webhook {}", hook.name))?;
            if progress.delivered > 0 || progress.error.is_some() {
                let _ = writeln!(
                    std::io::stderr(),
                    "{}: delivered {} event(s), up to #{}{}",
                    progress.name,
                    progress.delivered,
                    progress.last_seq,
                    progress
                        .error
                        .as_ref()
                        .map_or(String::new(), |e| format!("; stopped: {e}"))
                );
            }
            failed |= progress.error.is_some();
        }
        match &waker {
            None => {
                return Ok(if failed {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                });
            }
            Some(w) => {
                w.wait(Duration::from_secs(if failed { 5 } else { 1 }));
            }
        }
    }
}
