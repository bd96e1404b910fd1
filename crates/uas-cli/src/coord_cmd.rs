//! `uas session`, `uas lock`, `uas lease`: coordination between agents
//! that run at once. Locks and listing are the agents' own tools (the SOP
//! lets an agent run them); releasing another session's lease is a
//! person's.

use crate::audit_cmd::print_json;
use clap::Subcommand;
use std::process::ExitCode;
use std::time::Duration;
use uas_api::{App, Lease, LockGrant, SessionInfo};

/// A refusal on stderr (stdout stays for results).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `uas session …`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Agent sessions the hooks have seen: agent, host, folder, SOP phase,
    /// leases and last activity. A session without events for
    /// `[coordination] session_ttl_s` is over.
    List {
        /// Also sessions that are over (SQLite keeps them; Redis forgets).
        #[arg(long)]
        all: bool,
    },
    /// One session: its details, the files it holds and its history.
    Show {
        /// The session id (see `uas session list`).
        session: String,
        /// The agent, when two agents have a session of that id.
        #[arg(long)]
        agent: Option<String>,
    },
}

/// `uas lock …`
#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Take a named lock (`task:issue-123`). Prints the fencing token (pass
    /// it to release, extend and check) and the grant's secret (release and
    /// extend need it too, so nobody else can free your lock). Exits 1 when
    /// not granted.
    Acquire {
        /// The resource to lock.
        resource: String,
        /// How long the grant lasts unless extended (`30s`, `5m`, `500ms`).
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        ttl: Duration,
        /// How long to wait for the holder to release it (default: do not wait).
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        wait: Duration,
        /// Who holds it (default: user@host and the parent process).
        #[arg(long)]
        holder: Option<String>,
    },
    /// Release a grant.
    Release {
        /// The resource.
        resource: String,
        /// The grant's fencing token.
        #[arg(long)]
        token: u64,
        /// The grant's secret (printed by acquire).
        #[arg(long)]
        secret: String,
    },
    /// Extend a grant to TTL from now.
    Extend {
        /// The resource.
        resource: String,
        /// The grant's fencing token.
        #[arg(long)]
        token: u64,
        /// The grant's secret (printed by acquire).
        #[arg(long)]
        secret: String,
        /// The new TTL from now.
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        ttl: Duration,
    },
    /// Exit 0 when TOKEN is the live grant of the resource, 1 when it is
    /// stale (lapsed, or someone else holds it now): the check a protected
    /// operation makes before it acts.
    Check {
        /// The resource.
        resource: String,
        /// The fencing token to check.
        #[arg(long)]
        token: u64,
    },
    /// Live locks with holder, token and expiry.
    List,
}

/// `uas lease …`
#[derive(Debug, Subcommand)]
pub enum LeaseCommand {
    /// Files (or folders) that sessions hold because they edit them.
    List {
        /// Only this session's.
        #[arg(long)]
        session: Option<String>,
        /// The session's agent (with --session).
        #[arg(long, requires = "session")]
        agent: Option<String>,
    },
    /// Free a file another session holds (a person only: refused when an AI
    /// agent is among the parent processes). Takes a path or the
    /// `repo:path` form `uas lease list` prints.
    Release {
        /// The file, or `repo:path`.
        what: String,
    },
}

/// `30s`, `5m`, `2h`, `500ms`, or seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, ""), |i| s.split_at(i));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 5m, 500ms)"))?;
    Ok(match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{s}` (use ms, s, m or h)"
            ));
        }
    })
}

fn when(ms: i64) -> String {
    uas_core::utc(u64::try_from(ms / 1000).unwrap_or(0))
}

fn ago(ms: i64) -> String {
    let s = (uas_core::now_ms() - ms).max(0) / 1000;
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}m ago", s / 60),
        _ => format!("{}h{:02}m ago", s / 3600, s % 3600 / 60),
    }
}

fn print_sessions(sessions: &[SessionInfo], leases: &[Lease]) {
    if sessions.is_empty() {
        println!("no live agent sessions (a session appears with its first hook event)");
        return;
    }
    let now = uas_core::now_ms();
    for s in sessions {
        let held = leases
            .iter()
            .filter(|l| l.agent == s.beat.agent && l.session == s.beat.session)
            .count();
        println!(
            "{} {}  {}  phase {}  {} lease{}  last event {}{}",
            s.beat.agent,
            s.beat.session,
            s.beat.host,
            s.beat.phase.as_deref().unwrap_or("-"),
            held,
            if held == 1 { "" } else { "s" },
            ago(s.last_seen_ms),
            if s.live(now) { "" } else { "  (over)" }
        );
        if let Some(cwd) = &s.beat.cwd {
            println!("    in {cwd}");
        }
    }
}

/// `uas session …`
pub fn session(app: &App, cmd: &SessionCommand, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        SessionCommand::List { all } => {
            let sessions = app.coord_sessions(*all)?;
            if json {
                print_json(&sessions)?;
            } else {
                print_sessions(&sessions, &app.leases(None)?);
            }
        }
        SessionCommand::Show { session, agent } => {
            let d = app.coord_session(session, agent.as_deref())?;
            if json {
                print_json(&d)?;
                return Ok(ExitCode::SUCCESS);
            }
            let s = &d.session;
            println!("{} session {}", s.beat.agent, s.beat.session);
            println!("  host     {}", s.beat.host);
            if let Some(pid) = s.beat.pid {
                println!("  pid      {pid}");
            }
            println!("  folder   {}", s.beat.cwd.as_deref().unwrap_or("-"));
            println!("  repo     {}", s.beat.repo.as_deref().unwrap_or("-"));
            println!("  phase    {}", s.beat.phase.as_deref().unwrap_or("-"));
            println!("  started  {}", when(s.started_ms));
            println!(
                "  seen     {} ({})",
                when(s.last_seen_ms),
                ago(s.last_seen_ms)
            );
            match (d.live, s.ended_ms) {
                (true, _) => println!(
                    "  live     until {} without another event",
                    when(s.expires_ms)
                ),
                (false, Some(e)) => println!("  ended    {}", when(e)),
                (false, None) => println!("  over     no event since {}", when(s.last_seen_ms)),
            }
            println!("leases ({}):", d.leases.len());
            for l in &d.leases {
                println!("  {}  since {}", l.key, when(l.since_ms));
            }
            println!("history:");
            for e in &d.history {
                println!("  #{} {} {} {}", e.seq, when(e.ts_ms), e.kind, e.detail);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_grant(g: &LockGrant) {
    println!(
        "{}  token {}  held by {}  until {}",
        g.resource,
        g.token,
        g.holder,
        when(g.expires_ms)
    );
}

fn default_holder() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!(
        "{user}@{} (pid {})",
        uas_coord::host_name(),
        std::os::unix::process::parent_id()
    )
}

/// `uas lock …`
pub fn lock(app: &App, cmd: &LockCommand, json: bool) -> anyhow::Result<ExitCode> {
    let verdict = |ok: bool| {
        if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    };
    match cmd {
        LockCommand::Acquire {
            resource,
            ttl,
            wait,
            holder,
        } => {
            let holder = holder.clone().unwrap_or_else(default_holder);
            let g = app.lock_acquire(resource, &holder, *ttl, *wait)?;
            if json {
                print_json(&serde_json::json!({ "granted": g.is_some(), "lock": g }))?;
            } else {
                match &g {
                    Some(g) => {
                        print_grant(g);
                        println!(
                            "secret {} (release: uas lock release {} --token {} --secret {})",
                            g.secret, g.resource, g.token, g.secret
                        );
                    }
                    None => {
                        let held = app.locks()?.into_iter().find(|l| &l.resource == resource);
                        say!(
                            "{resource} is held{}; not granted (use --wait 30s to wait for it)",
                            held.map(|h| format!(" by {} until {}", h.holder, when(h.expires_ms)))
                                .unwrap_or_default()
                        );
                    }
                }
            }
            Ok(verdict(g.is_some()))
        }
        LockCommand::Release {
            resource,
            token,
            secret,
        } => {
            let ok = app.lock_release(resource, *token, secret)?;
            if json {
                print_json(&serde_json::json!({ "released": ok }))?;
            } else if ok {
                println!("released {resource} (token {token})");
            } else {
                say!(
                    "{resource} is not held with token {token} (it lapsed, or someone else holds it now)"
                );
            }
            Ok(verdict(ok))
        }
        LockCommand::Extend {
            resource,
            token,
            secret,
            ttl,
        } => {
            let g = app.lock_extend(resource, *token, secret, *ttl)?;
            if json {
                print_json(&serde_json::json!({ "extended": g.is_some(), "lock": g }))?;
            } else {
                match &g {
                    Some(g) => print_grant(g),
                    None => say!(
                        "{resource} is not held with token {token} (it lapsed, or someone else holds it now)"
                    ),
                }
            }
            Ok(verdict(g.is_some()))
        }
        LockCommand::Check { resource, token } => {
            let ok = app.lock_check(resource, *token)?;
            if json {
                print_json(&serde_json::json!({ "valid": ok }))?;
            } else if ok {
                println!("token {token} holds {resource}");
            } else {
                say!("token {token} is stale for {resource}");
            }
            Ok(verdict(ok))
        }
        LockCommand::List => {
            let locks = app.locks()?;
            if json {
                print_json(&locks)?;
            } else if locks.is_empty() {
                println!("no locks held");
            } else {
                locks.iter().for_each(print_grant);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `uas lease …`
pub fn lease(app: &App, cmd: &LeaseCommand, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        LeaseCommand::List { session, agent } => {
            let mut leases = app.leases(None)?;
            if let Some(s) = session {
                leases.retain(|l| &l.session == s && agent.as_ref().is_none_or(|a| &l.agent == a));
            }
            if json {
                print_json(&leases)?;
            } else if leases.is_empty() {
                println!("no file leases held");
            } else {
                for l in &leases {
                    println!(
                        "{}  {} {} on {}  since {}",
                        l.key,
                        l.agent,
                        l.session,
                        l.host,
                        when(l.since_ms)
                    );
                }
            }
        }
        LeaseCommand::Release { what } => {
            crate::person::refuse_under_agent(app, "lease release")?;
            let l = app.lease_release(what)?;
            if json {
                print_json(&l)?;
            } else {
                println!("released {} (held by {} {})", l.key, l.agent, l.session);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
