//! Who started this process: the chain of parent processes, and whether an
//! AI coding agent is among them. Commands only a person may run (`uas sop
//! advance`) refuse when one is. Linux `/proc`; elsewhere nothing is known.

use std::path::Path;

/// Program names (or package names in a `node …` command line) of agents.
const AGENT_MARKERS: &[&str] = &[
    "claude",
    "codex",
    "gemini",
    "agy",
    "antigravity",
    "opencode",
    "cursor",
    "cursor-agent",
    "copilot",
    "@anthropic-ai/claude-code",
    "@openai/codex",
    "@google/gemini-cli",
    "opencode-ai",
    "@github/copilot",
];

/// An ancestor process that is an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAncestor {
    /// Its pid.
    pub pid: u32,
    /// The agent marker it matched.
    pub agent: String,
    /// Its command line (or name).
    pub command: String,
}

/// The nearest ancestor of `pid` (under `proc`, normally `/proc`) that is
/// an agent.
pub fn agent_ancestor_of(proc: &Path, pid: u32) -> Option<AgentAncestor> {
    let mut cur = parent(proc, pid)?;
    for _ in 0..64 {
        if cur <= 1 {
            return None;
        }
        let dir = proc.join(cur.to_string());
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .take(3)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let names = std::iter::once(comm.trim().to_owned()).chain(args.iter().map(|a| {
            let base = a.rsplit('/').next().unwrap_or(a);
            base.to_owned()
        }));
        for name in names {
            if let Some(m) = AGENT_MARKERS.iter().find(|m| name == **m) {
                return Some(found(cur, m, &args, &comm));
            }
        }
        if let Some(m) = AGENT_MARKERS
            .iter()
            .filter(|m| m.contains('/') || m.contains('-'))
            .find(|m| args.iter().any(|a| a.contains(*m)))
        {
            return Some(found(cur, m, &args, &comm));
        }
        cur = parent(proc, cur)?;
    }
    None
}

fn found(pid: u32, marker: &str, args: &[String], comm: &str) -> AgentAncestor {
    AgentAncestor {
        pid,
        agent: marker.to_owned(),
        command: if args.is_empty() {
            comm.trim().to_owned()
        } else {
            args.join(" ")
        },
    }
}

/// This process's nearest agent ancestor.
pub fn agent_ancestor() -> Option<AgentAncestor> {
    agent_ancestor_of(Path::new("/proc"), std::process::id())
}

fn parent(proc: &Path, pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(proc.join(pid.to_string()).join("stat")).ok()?;
    // `pid (comm) state ppid …`; comm may contain spaces and parens.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(proc: &Path, pid: u32, ppid: u32, comm: &str, cmdline: &[&str]) {
        let d = proc.join(pid.to_string());
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("stat"), format!("{pid} ({comm}) S {ppid} 1 1\n")).expect("stat");
        std::fs::write(d.join("comm"), format!("{comm}\n")).expect("comm");
        std::fs::write(d.join("cmdline"), cmdline.join("\0")).expect("cmdline");
    }

    #[test]
    fn an_agent_anywhere_up_the_chain_is_found() {
        let t = tempfile::tempdir().expect("tmp");
        let p = t.path();
        fake(p, 50, 1, "systemd", &["/lib/systemd/systemd"]);
        fake(
            p,
            60,
            50,
            "node",
            &[
                "node",
                "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js",
            ],
        );
        fake(p, 70, 60, "bash", &["/bin/bash", "-c", "uas sop advance"]);
        fake(p, 80, 70, "uas", &["uas", "sop", "advance"]);
        let a = agent_ancestor_of(p, 80).expect("found");
        assert_eq!((a.pid, a.agent.as_str()), (60, "@anthropic-ai/claude-code"));
        fake(p, 90, 50, "codex (x)", &["/opt/codex"]);
        fake(p, 91, 90, "uas", &["uas"]);
        assert_eq!(agent_ancestor_of(p, 91).map(|a| a.pid), Some(90));
    }

    #[test]
    fn a_terminal_chain_has_no_agent() {
        let t = tempfile::tempdir().expect("tmp");
        let p = t.path();
        fake(p, 50, 1, "sshd", &["sshd: u"]);
        fake(p, 60, 50, "bash", &["-bash"]);
        fake(p, 70, 60, "uas", &["uas", "sop", "advance"]);
        assert_eq!(agent_ancestor_of(p, 70), None);
    }
}
