//! Commands only a person may run: refused when an agent started them, and
//! confirmed by a code shown and typed back on the controlling terminal.

use anyhow::Context;
use std::io::{IsTerminal, Read, Write};
use uas_api::App;

/// Refuses when an agent process is among the ancestors; the attempt is a
/// critical tamper event (see [`App::refuse_under_agent`]).
pub(crate) fn refuse_under_agent(app: &App, command: &str) -> anyhow::Result<()> {
    Ok(app.refuse_under_agent(&format!("uas {command}"))?)
}

/// Shows `text` and a fresh code on /dev/tty (never stdin) and reads the
/// code back from it. Returns whether it matched, and how the person
/// answered (for the audit event).
pub(crate) fn confirm_on_tty(
    command: &str,
    text: &str,
    verb: &str,
) -> anyhow::Result<(bool, uas_api::ApprovalMethod)> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| {
            anyhow::anyhow!(
                "`uas {command}` needs a terminal (it reads the code from /dev/tty, never from stdin): {e}; run it yourself in a terminal"
            )
        })?;
    let code = approval_code()?;
    tty.write_all(
        format!("{text}Type {code} and Enter to {verb} (anything else refuses): ").as_bytes(),
    )?;
    tty.flush()?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(&tty), &mut line)?;
    let how = uas_api::ApprovalMethod {
        method: "cli-terminal-code".into(),
        user: std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into()),
        tty: std::fs::read_link("/proc/self/fd/0")
            .ok()
            .filter(|_| std::io::stdin().is_terminal())
            .map(|p| p.display().to_string()),
    };
    Ok((line.trim() == code, how))
}

/// Six letters and digits (no look-alikes) from the kernel's random source.
fn approval_code() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom for the approval code")?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}
