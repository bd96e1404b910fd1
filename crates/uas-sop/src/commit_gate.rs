//! The SOP's commit gate outside any agent: a git pre-commit hook (`uas
//! setup git`) asks whether the newest agent session working in the
//! repository passed its tests after its last edit. A repository no agent
//! session worked in is a human's: allowed.

use crate::{SessionState, Sop};
use std::path::Path;

/// Marker line of the pre-commit hook we write (a foreign hook is never
/// replaced).
pub const PRE_COMMIT_MARKER: &str = "# uas:managed pre-commit";

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitVerdict {
    /// True when the commit may go ahead.
    pub allowed: bool,
    /// Why.
    pub reason: String,
    /// Index (into the sessions given) of the session the gate looked at.
    pub session: Option<usize>,
}

/// Decides a commit in `repo` from the sessions' states, newest first
/// (`cwd` is where each session works).
pub fn decide(sop: &Sop, repo: &Path, newest_first: &[&SessionState]) -> CommitVerdict {
    let found = newest_first.iter().position(|s| {
        s.cwd.as_deref().is_some_and(|c| {
            let c = Path::new(c);
            c.starts_with(repo) || repo.starts_with(c)
        })
    });
    match found.map(|i| (i, newest_first[i])) {
        None => CommitVerdict {
            allowed: true,
            reason: "no agent session worked in this repository".into(),
            session: None,
        },
        Some((i, s)) if s.locked.is_some() => CommitVerdict {
            allowed: false,
            reason: format!(
                "the agent session working here is locked: {}",
                s.locked
                    .as_ref()
                    .map(|l| l.reason.as_str())
                    .unwrap_or_default()
            ),
            session: Some(i),
        },
        Some((i, s)) if s.has("tests_passed") || !s.has("edited") => CommitVerdict {
            allowed: true,
            reason: if s.has("edited") {
                "tests passed after the last edit".into()
            } else {
                "the agent session made no edits".into()
            },
            session: Some(i),
        },
        Some((i, _)) => CommitVerdict {
            allowed: false,
            reason: sop
                .rules
                .iter()
                .find(|r| r.requires.iter().any(|e| e == "tests_passed"))
                .map(|r| r.reason.clone())
                .unwrap_or_else(|| "no passing test run after the last edit".into()),
            session: Some(i),
        },
    }
}

/// Quotes `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The pre-commit hook: runs `uas sop gate commit` for the repository.
pub fn pre_commit_script(uas_bin: &str, home: &Path) -> String {
    format!(
        "#!/bin/sh\n{PRE_COMMIT_MARKER} (written by `uas setup git`; delete this file to remove it)\n# Applies the SOP's commit gate: an agent session in this repository must\n# have passed its tests after its last edit.\nexec {} --home {} sop gate commit --repo \"$(git rev-parse --show-toplevel)\"\n",
        sh_quote(uas_bin),
        sh_quote(&home.display().to_string()),
    )
}

/// The line to add to a foreign pre-commit hook instead.
pub fn pre_commit_line(uas_bin: &str) -> String {
    format!(
        "{} sop gate commit --repo \"$(git rev-parse --show-toplevel)\" || exit 1",
        sh_quote(uas_bin)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(cwd: &str, evidence: &[&str], edit: u64, pass: u64) -> SessionState {
        SessionState {
            cwd: Some(cwd.into()),
            evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
            last_edit_seq: edit,
            last_test_pass_seq: pass,
            ..SessionState::default()
        }
    }

    #[test]
    fn the_newest_session_in_the_repository_decides() {
        let sop = Sop::builtin();
        let repo = Path::new("/work/repo");
        let elsewhere = state("/other", &["edited"], 5, 0);
        let untested = state("/work/repo/sub", &["edited"], 7, 3);
        let tested = state("/work/repo", &["edited"], 7, 9);
        let v = decide(&sop, repo, &[&elsewhere, &untested, &tested]);
        assert_eq!((v.allowed, v.session), (false, Some(1)));
        assert!(!v.reason.is_empty());
        let v = decide(&sop, repo, &[&tested, &untested]);
        assert_eq!((v.allowed, v.session), (true, Some(0)));
        let v = decide(&sop, repo, &[&elsewhere]);
        assert_eq!((v.allowed, v.session), (true, None));
        let reader = state("/work/repo", &["research"], 0, 0);
        assert!(decide(&sop, repo, &[&reader]).allowed, "no edits");
    }

    #[test]
    fn a_locked_session_cannot_commit_even_after_passing_tests() {
        let sop = Sop::builtin();
        let mut tested = state("/work/repo", &["edited"], 7, 9);
        tested.locked = Some(crate::Lock {
            reason: "a protected file changed outside uas".into(),
            files: vec!["/h/.claude/settings.json".into()],
            seq: 8,
            at_ms: 0,
        });
        let v = decide(&sop, Path::new("/work/repo"), &[&tested]);
        assert!(!v.allowed);
        assert!(v.reason.contains("locked"), "{}", v.reason);
    }

    #[test]
    fn the_script_quotes_paths_with_spaces_and_quotes() {
        let s = pre_commit_script("/opt/my tools/uas", Path::new("/home/o'neil/.agent"));
        assert!(s.starts_with("#!/bin/sh\n# uas:managed pre-commit"));
        assert!(
            s.contains("exec '/opt/my tools/uas' --home '/home/o'\\''neil/.agent' sop gate commit"),
            "{s}"
        );
    }
}
