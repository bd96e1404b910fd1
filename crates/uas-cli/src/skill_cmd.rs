//! `uas skill …` and `uas registry …`: arguments, and how their results
//! are printed. Everything they do is a `uas_api` call.

use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use uas_api::skills as api;
use uas_api::{App, SkillOptions, SkillProgress, SkillsReport};

/// `uas skill`.
#[derive(Debug, Args)]
pub struct SkillArgs {
    #[command(subcommand)]
    pub command: SkillCommand,
}

/// Flags of the commands that change which skills are active.
#[derive(Debug, Args)]
pub struct ChangeFlags {
    /// Show what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Accept archives that are unsigned or signed by a key not in skills.trusted_keys.
    #[arg(long)]
    pub allow_unsigned: bool,
    /// Test failpoint: abort after N archives were stored, before the switch.
    #[cfg(feature = "failpoints")]
    #[arg(long, hide = true)]
    pub abort_after_stored: Option<usize>,
}

/// The skill subcommands.
#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    /// Find skills in the configured registries by name or description.
    Search {
        /// Text to look for (empty: everything).
        #[arg(default_value = "")]
        query: String,
    },
    /// Every published version of a skill, with dependencies and signatures.
    Info {
        /// Skill name.
        name: String,
    },
    /// Install skills with their dependencies, then update every set-up agent.
    ///
    /// NAME or NAME@REQUIREMENT (`lint@^1.2`). Archives are checked against
    /// the index checksum and a trusted signature before anything changes.
    Install {
        /// Skills to install.
        names: Vec<String>,
        /// Install exactly the versions and hashes in ~/.agent/skills.lock.
        #[arg(long, conflicts_with = "names")]
        locked: bool,
        #[command(flatten)]
        change: ChangeFlags,
    },
    /// Move skills to the newest versions their requirements allow.
    Update {
        /// Skills to update (with --all: every skill).
        names: Vec<String>,
        /// Update every installed skill.
        #[arg(long, conflicts_with = "names")]
        all: bool,
        #[command(flatten)]
        change: ChangeFlags,
    },
    /// Go back to the previously active version (kept in the store).
    Rollback {
        /// Skill name.
        name: String,
        /// A specific earlier version.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
        #[command(flatten)]
        change: ChangeFlags,
    },
    /// Remove a skill (refused while another skill depends on it).
    Remove {
        /// Skill name.
        name: String,
        #[command(flatten)]
        change: ChangeFlags,
    },
    /// Installed skills and their versions.
    List {
        /// Only skills with a newer published version.
        #[arg(long)]
        outdated: bool,
    },
    /// Check the store against skills.lock (exits 1 on a problem).
    Verify,
}

/// `uas registry`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
}

/// The registry subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Pack skill folders into archives and an index.json (adds to an existing index).
    Build {
        /// Folder of skill folders (`<name>/` or `<name>/<version>/`, each with SKILL.md).
        dir: PathBuf,
        /// Secret key file to sign archives with (`uas registry keygen`).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Where index.json and archives/ go (default: DIR).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Serve a registry folder over HTTP (loopback by default).
    Serve {
        /// The folder with index.json.
        dir: PathBuf,
        /// Port (0: any free port; the address is printed).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
    },
    /// Create a signing key; prints the public key for skills.trusted_keys.
    Keygen {
        /// Secret key file to create (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Mark a published version as withdrawn (or not, with --undo).
    Yank {
        /// Registry folder.
        dir: PathBuf,
        /// Skill name.
        name: String,
        /// Version.
        #[arg(value_name = "VERSION")]
        skill_version: String,
        /// Un-yank.
        #[arg(long)]
        undo: bool,
    },
}

fn options(c: &ChangeFlags) -> SkillOptions {
    SkillOptions {
        dry_run: c.dry_run,
        allow_unsigned: c.allow_unsigned,
        locked: false,
        failpoints: skill_failpoints(c),
    }
}

#[cfg(feature = "failpoints")]
fn skill_failpoints(c: &ChangeFlags) -> uas_api::SkillFailpoints {
    uas_api::SkillFailpoints {
        abort_after_stored: c.abort_after_stored,
    }
}

#[cfg(not(feature = "failpoints"))]
fn skill_failpoints(_: &ChangeFlags) -> uas_api::SkillFailpoints {
    uas_api::SkillFailpoints::default()
}

fn json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// Download progress on stderr: one line per archive, redrawn in a terminal.
fn progress() -> impl FnMut(&SkillProgress) {
    let tty = io::stderr().is_terminal();
    move |p: &SkillProgress| {
        let mut err = io::stderr();
        let kib = |b: u64| b as f64 / 1024.0;
        if p.done == 0 {
            let _ = write!(
                err,
                "downloading {} {} ({:.1} KiB)",
                p.name,
                p.version,
                kib(p.total)
            );
            if !tty {
                let _ = writeln!(err);
            }
        } else if tty {
            let _ = write!(
                err,
                "\r\x1b[Kdownloading {} {} {:.1}/{:.1} KiB",
                p.name,
                p.version,
                kib(p.done),
                kib(p.total)
            );
            if p.done >= p.total {
                let _ = writeln!(err);
            }
        }
        let _ = err.flush();
    }
}

/// Runs `uas skill …`.
pub fn skill(app: &App, args: &SkillArgs, as_json: bool) -> anyhow::Result<ExitCode> {
    let mut progress = progress();
    match &args.command {
        SkillCommand::Search { query } => {
            let hits = app.skill_search(query)?;
            if as_json {
                json(&hits)?;
            } else if hits.is_empty() {
                writeln!(io::stdout(), "No skills match `{query}`.")?;
            } else {
                for h in &hits {
                    writeln!(
                        io::stdout(),
                        "{} {}  {}  [{}]",
                        h.name,
                        h.version,
                        h.description,
                        h.registry
                    )?;
                }
            }
        }
        SkillCommand::Info { name } => {
            let info = app.skill_info(name)?;
            if as_json {
                json(&info)?;
            } else {
                let mut out = io::stdout().lock();
                writeln!(out, "{} (registry {})", info.name, info.registry)?;
                if let Some(v) = &info.installed {
                    writeln!(out, "installed: {v}")?;
                }
                for v in &info.versions {
                    let mut flags = Vec::new();
                    if v.yanked {
                        flags.push("yanked".to_owned());
                    }
                    flags.push(
                        if v.signed_by.is_some() {
                            "signed"
                        } else {
                            "unsigned"
                        }
                        .to_owned(),
                    );
                    let deps = if v.dependencies.is_empty() {
                        String::new()
                    } else {
                        format!("  needs {}", v.dependencies.join(", "))
                    };
                    writeln!(out, "  {}  [{}]{deps}", v.version, flags.join(", "))?;
                }
            }
        }
        SkillCommand::Install {
            names,
            locked,
            change,
        } => {
            let mut opts = options(change);
            opts.locked = *locked;
            let r = app.skill_install(names, &opts, &mut progress)?;
            report(&r, as_json)?;
        }
        SkillCommand::Update { names, all, change } => {
            if names.is_empty() && !*all {
                anyhow::bail!("name the skills to update, or pass --all");
            }
            let r = app.skill_update(names, &options(change), &mut progress)?;
            report(&r, as_json)?;
        }
        SkillCommand::Rollback { name, to, change } => {
            let r = app.skill_rollback(name, to.as_deref(), &options(change))?;
            report(&r, as_json)?;
        }
        SkillCommand::Remove { name, change } => {
            let r = app.skill_remove(name, &options(change))?;
            report(&r, as_json)?;
        }
        SkillCommand::List { outdated } => {
            let list = app.skill_list(*outdated)?;
            if as_json {
                json(&list)?;
            } else if list.is_empty() {
                writeln!(
                    io::stdout(),
                    "{}",
                    if *outdated {
                        "Every skill is up to date."
                    } else {
                        "No packaged skills installed."
                    }
                )?;
            } else {
                let mut out = io::stdout().lock();
                for s in &list {
                    let why = s
                        .requested
                        .as_deref()
                        .map_or("(dependency)".to_owned(), |r| format!("(requested {r})"));
                    let newer = match (&s.latest, &s.compatible) {
                        (Some(l), Some(c)) if c != &s.version => {
                            format!("  -> {c} allowed, {l} latest")
                        }
                        (Some(l), _) if l != &s.version => {
                            format!("  -> {l} latest (outside the requirement)")
                        }
                        _ => String::new(),
                    };
                    writeln!(
                        out,
                        "{} {} {why} [{}]{newer}",
                        s.name, s.version, s.registry
                    )?;
                }
            }
        }
        SkillCommand::Verify => {
            let r = app.skill_verify()?;
            if as_json {
                json(&r)?;
            } else if r.problems.is_empty() {
                writeln!(io::stdout(), "Every packaged skill matches skills.lock.")?;
            } else {
                for p in &r.problems {
                    writeln!(io::stdout(), "problem: {p}")?;
                }
            }
            if !r.problems.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report(r: &SkillsReport, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(r);
    }
    let mut out = io::stdout().lock();
    let verb = if r.dry_run { "would" } else { "will" };
    if r.changes.is_empty() {
        writeln!(out, "Nothing to change.")?;
    }
    for c in &r.changes {
        match (&c.from, &c.to) {
            (None, Some(t)) => writeln!(out, "+ {} {t}", c.name)?,
            (Some(f), None) => writeln!(out, "- {} {f}", c.name)?,
            (Some(f), Some(t)) => writeln!(out, "~ {} {f} -> {t}", c.name)?,
            (None, None) => {}
        }
    }
    for n in &r.notices {
        writeln!(out, "note: {n}")?;
    }
    if r.dry_run {
        writeln!(
            out,
            "Dry run: nothing was changed ({verb} change {} skill(s)).",
            r.changes.len()
        )?;
    } else if let Some(m) = &r.materialized {
        writeln!(
            out,
            "Agents updated: {} file change(s) for {}.",
            m.changes.len(),
            if m.agents.is_empty() {
                "no set-up agents".to_owned()
            } else {
                m.agents
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )?;
    }
    Ok(())
}

/// Runs `uas registry …`.
pub fn registry(args: &RegistryArgs, as_json: bool) -> anyhow::Result<ExitCode> {
    match &args.command {
        RegistryCommand::Build { dir, key, out } => {
            let out_dir = out.clone().unwrap_or_else(|| dir.clone());
            let r = api::registry_build(dir, &out_dir, key.as_deref())?;
            if as_json {
                json(&r)?;
            } else {
                let mut o = io::stdout().lock();
                for a in &r.added {
                    writeln!(o, "+ {a}")?;
                }
                for n in &r.notes {
                    writeln!(o, "note: {n}")?;
                }
                writeln!(
                    o,
                    "{} added, {} unchanged; index: {}{}",
                    r.added.len(),
                    r.unchanged.len(),
                    r.index.display(),
                    if key.is_some() {
                        " (signed)"
                    } else {
                        " (unsigned)"
                    }
                )?;
            }
        }
        RegistryCommand::Serve { dir, port, host } => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(api::registry_serve(
                dir.clone(),
                std::net::SocketAddr::new(*host, *port),
                |addr| {
                    let mut o = io::stdout();
                    let _ = writeln!(o, "serving {} at http://{addr}/", dir.display());
                    let _ = o.flush();
                },
            ))?;
        }
        RegistryCommand::Keygen { out } => {
            let public = api::registry_keygen(out)?;
            if as_json {
                json(&serde_json::json!({ "public_key": public, "secret_key_file": out }))?;
            } else {
                writeln!(
                    io::stdout(),
                    "Secret key written to {} (keep it private).\nPublic key: {public}\nTrust it with, in ~/.agent/config.toml:\n  [skills]\n  trusted_keys = [\"{public}\"]",
                    out.display()
                )?;
            }
        }
        RegistryCommand::Yank {
            dir,
            name,
            skill_version: version,
            undo,
        } => {
            api::registry_yank(dir, name, version, !*undo)?;
            writeln!(
                io::stdout(),
                "{name} {version} {}",
                if *undo { "restored" } else { "yanked" }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
