//! SOP files: `~/.agent/sop/<name>.toml`, parsed and validated strictly.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The SOP shipped with uas (`sop/default.toml` after `uas init`).
pub const DEFAULT_SOP_TOML: &str = include_str!("default.toml");

/// Evidence the engine observes, with what it means.
pub const EVIDENCE: &[(&str, &str)] = &[
    ("session", "the session started"),
    ("prompt", "a user prompt was received"),
    (
        "research",
        "the agent read or searched something (a read tool, or grep/cat/ls/git log in the shell)",
    ),
    ("plan", "a plan was recorded (a plan file written)"),
    ("edited", "a file was changed after the plan"),
    (
        "tests_passed",
        "a test command was observed exiting 0 after the last file edit",
    ),
    (
        "reviewed",
        "the diff was looked at (git diff / git status) after the tests passed",
    ),
];

/// Describes an evidence name (or echoes an unknown one).
pub fn describe_evidence(name: &str) -> &str {
    EVIDENCE
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, d)| d)
}

/// A whole SOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sop {
    /// Short name.
    pub name: String,
    /// One line on what it enforces.
    #[serde(default)]
    pub description: String,
    /// Files (relative to the session's cwd) whose writing records the plan.
    #[serde(default)]
    pub plan_files: Vec<String>,
    /// Shell command patterns that count as test runs.
    #[serde(default)]
    pub test_commands: Vec<String>,
    /// Evidence `uas sop advance` may record by hand.
    #[serde(default)]
    pub manual_evidence: Vec<String>,
    /// Ordered phases.
    pub phases: Vec<Phase>,
    /// Ordered rules: the first that matches decides.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Identifier (`plan`).
    pub id: String,
    /// What happens in it.
    #[serde(default)]
    pub summary: String,
    /// Evidence needed to be in this phase (its entry gate; the previous
    /// phase's exit gate).
    #[serde(default)]
    pub enter: Vec<String>,
    /// Who may open this gate. `agent` (the default): the evidence the
    /// agent produces (writing the plan file) opens it. `human`: that
    /// evidence is recorded as awaiting, and the gate opens only when a
    /// person approves it (`uas sop approve SESSION`).
    #[serde(default)]
    pub approval: Approval,
}

/// Who may open a phase's gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// The agent's own evidence opens it.
    #[default]
    Agent,
    /// A person approves the agent's evidence.
    Human,
}

/// What a rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// Let it run (and stop checking further rules).
    Allow,
    /// Let it run, tell the agent and record a warning.
    Warn,
    /// Block it.
    Deny,
    /// Ask a person (`approver = "human"`): the hook waits for an answer
    /// from the running service's approvals inbox up to `timeout_s`; no
    /// answer is a deny, and without a running service the rule's
    /// `otherwise` answers at once.
    Ask,
}

/// Who answers an `ask` rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// A person, in the ui or a notification of the running service.
    #[default]
    Human,
}

/// The default time an `ask` rule waits for a person.
pub const ASK_TIMEOUT_S: u64 = 60;

/// Which kind of violation a rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Violation {
    /// The procedure was not followed.
    Sop,
    /// An attempt to change uas or the hooks that enforce it.
    Tamper,
}

/// Severity a rule records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RuleSeverity {
    /// Normal.
    Info,
    /// Worth a look.
    Warning,
    /// A violation.
    Error,
    /// Tampering.
    Critical,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier, shown in decisions and the audit log.
    pub id: String,
    /// What it matches.
    #[serde(default)]
    pub when: Pattern,
    /// The rule only applies while one of these is missing (require evidence).
    #[serde(default)]
    pub requires: Vec<String>,
    /// What happens.
    pub action: Action,
    /// Recorded severity (default: error for deny, warning for warn, info for allow).
    #[serde(default)]
    pub severity: Option<RuleSeverity>,
    /// Which violation a deny or warn counts as.
    #[serde(default)]
    pub violation: Option<Violation>,
    /// Told to the agent (placeholders expanded).
    #[serde(default)]
    pub reason: String,
    /// `ask` only: who answers (only `human`).
    #[serde(default)]
    pub approver: Approver,
    /// `ask` only: how long to wait for the answer, seconds (default 60;
    /// the hook waits no longer than the agent lets a hook run, and a
    /// later identical call finds the answer given meanwhile).
    #[serde(default)]
    pub timeout_s: Option<u64>,
    /// `ask` only: the answer when no service runs to ask a person
    /// (`allow` or `deny`, default `deny`).
    #[serde(default)]
    pub otherwise: Option<Action>,
}

/// Tool classes a pattern can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolPattern {
    /// File-changing tools.
    Write,
    /// Shell tools.
    Shell,
    /// Reading tools.
    Read,
    /// Any tool.
    Any,
}

/// An event pattern. Every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// The tool class.
    #[serde(default)]
    pub tool: Option<ToolPattern>,
    /// Agent tool names (`Write`, `apply_patch`), `*` wildcards.
    #[serde(default)]
    pub name: Vec<String>,
    /// Written paths: any path matching any pattern.
    #[serde(default)]
    pub path: Vec<String>,
    /// Shell command patterns.
    #[serde(default)]
    pub command: Vec<String>,
    /// Only shell commands that explicitly change files (redirection,
    /// `tee`, `sed -i`, `rm`, `mv`, `cp`, …).
    #[serde(default)]
    pub writes: bool,
    /// `false`: only shell commands that are not purely reading (`cat`,
    /// `grep`, `ls`, `git log`…); interpreters and scripts count as not
    /// read-only.
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Every path the call writes matches one of these (and a shell
    /// command's writes are all known): for rules that allow writing only
    /// some files.
    #[serde(default)]
    pub written: Vec<String>,
    /// Only shell commands that run `uas` with a subcommand that changes
    /// state (anything but status, doctor, sop show/explain/phase, audit
    /// verify/tail/export, skill list/search/info…).
    #[serde(default)]
    pub uas_changes: bool,
    /// Only shell commands that start an agent with its hooks switched off
    /// (`claude --bare`, `CLAUDE_CODE_SIMPLE=1`, `codex --disable hooks`,
    /// a moved `HOME` or config dir): see [`crate::LaunchOff`].
    #[serde(default)]
    pub unhooked_agent: bool,
}

/// A problem in an SOP file.
#[derive(Debug, thiserror::Error)]
#[error(
    "{location}: {message}\n  fix the SOP file (reference: docs/sop.md); `uas sop validate` checks it"
)]
pub struct SopError {
    /// `file[:line[:col]]`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// What [`Sop::parse`] found wrong with the SOP's content once it parsed:
/// the message part of a [`SopError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SopProblem {
    /// No `[[phases]]`.
    #[error("an SOP needs at least one [[phases]] entry")]
    NoPhases,
    /// An evidence name the engine does not observe.
    #[error("{field}: unknown evidence `{evidence}`; known: {known}")]
    UnknownEvidence {
        /// Where it was written (`phase `x` enter`, `manual_evidence`, …).
        field: String,
        /// The unknown name.
        evidence: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// Two phases share an id.
    #[error("phase `{0}` is defined twice")]
    DuplicatePhase(String),
    /// Two rules share an id.
    #[error("rule `{0}` is defined twice")]
    DuplicateRule(String),
    /// A pattern opens `{` without closing it.
    #[error("rule `{rule}`: unclosed `{{` in `{pattern}`")]
    UnclosedPlaceholder {
        /// The rule id.
        rule: String,
        /// The pattern.
        pattern: String,
    },
    /// A pattern uses a placeholder we do not expand.
    #[error("rule `{rule}`: unknown placeholder `{placeholder}` in `{pattern}`; known: {known}")]
    UnknownPlaceholder {
        /// The rule id.
        rule: String,
        /// The placeholder as written.
        placeholder: String,
        /// The pattern.
        pattern: String,
        /// The known placeholders, comma-separated.
        known: String,
    },
    /// `writes`/`command` on a rule not about the shell.
    #[error("rule `{0}`: `writes` and `command` only apply to tool = \"shell\"")]
    ShellOnly(String),
    /// `timeout_s` / `otherwise` on a rule that does not ask, or an
    /// `otherwise` that asks again.
    #[error(
        "rule `{0}`: `timeout_s` and `otherwise` belong to action = \"ask\", and `otherwise` is \"allow\" or \"deny\""
    )]
    AskOnly(String),
    /// A zero or over-long `timeout_s`.
    #[error("rule `{0}`: `timeout_s` must be between 1 and 3600 seconds")]
    AskTimeout(String),
}

const PLACEHOLDERS: &[&str] = &[
    "{uas_home}",
    "{hook_configs}",
    "{hook_dirs}",
    "{plan_files}",
    "{plan_file}",
    "{cwd}",
    "{secrets}",
];

impl Sop {
    /// The built-in default SOP.
    pub fn builtin() -> Self {
        // The shipped file is validated by a test, so this cannot fail.
        Self::parse(Path::new("default.toml"), DEFAULT_SOP_TOML).unwrap_or_else(|_| Self {
            name: "default".into(),
            description: String::new(),
            plan_files: vec![],
            test_commands: vec![],
            manual_evidence: vec![],
            phases: vec![],
            rules: vec![],
        })
    }

    /// The active SOP `<sop_dir>/<active>.toml` and its file, or the
    /// built-in SOP (file `None`) when that file does not exist.
    pub fn load_active(
        sop_dir: &Path,
        active: &str,
    ) -> Result<(Self, Option<std::path::PathBuf>), SopError> {
        let path = sop_dir.join(format!("{active}.toml"));
        if path.exists() {
            Ok((Self::load(&path)?, Some(path)))
        } else {
            Ok((Self::builtin(), None))
        }
    }

    /// Reads and validates an SOP file.
    pub fn load(path: &Path) -> Result<Self, SopError> {
        let text = std::fs::read_to_string(path).map_err(|e| SopError {
            location: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(path, &text)
    }

    /// Parses and validates SOP text (`path` is for messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self, SopError> {
        let at = |span: Option<std::ops::Range<usize>>| match span {
            Some(s) => {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("{}:{line}:{col}", path.display())
            }
            None => path.display().to_string(),
        };
        let de = toml::Deserializer::parse(text).map_err(|e| SopError {
            location: at(e.span()),
            message: e.message().to_owned(),
        })?;
        let sop: Sop = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            SopError {
                location: at(inner.span()),
                message: if key == "." {
                    inner.message().to_owned()
                } else {
                    format!("key `{key}`: {}", inner.message())
                },
            }
        })?;
        sop.validate().map_err(|problem| SopError {
            location: path.display().to_string(),
            message: problem.to_string(),
        })?;
        Ok(sop)
    }

    fn validate(&self) -> Result<(), SopProblem> {
        if self.phases.is_empty() {
            return Err(SopProblem::NoPhases);
        }
        let known: BTreeSet<&str> = EVIDENCE.iter().map(|(n, _)| *n).collect();
        let check_evidence = |what: &str, list: &[String]| {
            list.iter().try_for_each(|e| {
                if known.contains(e.as_str()) {
                    Ok(())
                } else {
                    Err(SopProblem::UnknownEvidence {
                        field: what.to_owned(),
                        evidence: e.clone(),
                        known: known.iter().copied().collect::<Vec<_>>().join(", "),
                    })
                }
            })
        };
        let mut ids = BTreeSet::new();
        for p in &self.phases {
            if !ids.insert(p.id.as_str()) {
                return Err(SopProblem::DuplicatePhase(p.id.clone()));
            }
            check_evidence(&format!("phase `{}` enter", p.id), &p.enter)?;
        }
        check_evidence("manual_evidence", &self.manual_evidence)?;
        let mut rule_ids = BTreeSet::new();
        for r in &self.rules {
            if !rule_ids.insert(r.id.as_str()) {
                return Err(SopProblem::DuplicateRule(r.id.clone()));
            }
            check_evidence(&format!("rule `{}` requires", r.id), &r.requires)?;
            for pat in r
                .when
                .path
                .iter()
                .chain(&r.when.command)
                .chain(&r.when.name)
                .chain(&r.when.written)
            {
                let mut rest = pat.as_str();
                while let Some(start) = rest.find('{') {
                    let end = rest[start..]
                        .find('}')
                        .map(|e| start + e + 1)
                        .ok_or_else(|| SopProblem::UnclosedPlaceholder {
                            rule: r.id.clone(),
                            pattern: pat.clone(),
                        })?;
                    let ph = &rest[start..end];
                    if !PLACEHOLDERS.contains(&ph) {
                        return Err(SopProblem::UnknownPlaceholder {
                            rule: r.id.clone(),
                            placeholder: ph.to_owned(),
                            pattern: pat.clone(),
                            known: PLACEHOLDERS.join(", "),
                        });
                    }
                    rest = &rest[end..];
                }
            }
            let asks = r.action == Action::Ask;
            if (!asks && (r.timeout_s.is_some() || r.otherwise.is_some()))
                || matches!(r.otherwise, Some(Action::Ask | Action::Warn))
            {
                return Err(SopProblem::AskOnly(r.id.clone()));
            }
            if r.timeout_s.is_some_and(|t| t == 0 || t > 3600) {
                return Err(SopProblem::AskTimeout(r.id.clone()));
            }
            if r.when.writes
                && !r.when.command.is_empty()
                && r.when.tool != Some(ToolPattern::Shell)
            {
                return Err(SopProblem::ShellOnly(r.id.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_sop_is_valid_and_has_seven_phases() {
        let sop = Sop::parse(Path::new("default.toml"), DEFAULT_SOP_TOML).expect("valid");
        let ids: Vec<_> = sop.phases.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "intake",
                "research",
                "plan",
                "implement",
                "verify",
                "review",
                "finalize"
            ]
        );
        assert_eq!(Sop::builtin(), sop);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = Sop::parse(
            Path::new("/h/sop/x.toml"),
            "name = \"x\"\n[[phases]]\nid = \"a\"\nenter = \"plan\"\n",
        )
        .expect_err("type");
        let e = e.to_string();
        assert!(e.starts_with("/h/sop/x.toml:4:"), "{e}");
        assert!(e.contains("phases[0].enter"), "{e}");

        let e = Sop::parse(
            Path::new("x.toml"),
            "name = \"x\"\n[[phases]]\nid = \"a\"\nbogus = 1\n",
        )
        .expect_err("unknown key")
        .to_string();
        assert!(e.starts_with("x.toml:4:1"), "{e}");
    }

    #[test]
    fn semantic_errors_are_explained() {
        let base = "name = \"x\"\n[[phases]]\nid = \"a\"\n";
        for (extra, needle) in [
            ("[[phases]]\nid = \"a\"\n", "defined twice"),
            (
                "[[phases]]\nid = \"b\"\nenter = [\"magic\"]\n",
                "unknown evidence `magic`",
            ),
            (
                "[[rules]]\nid = \"r\"\naction = \"deny\"\nwhen = { tool = \"write\", path = [\"{home}/x\"] }\n",
                "unknown placeholder `{home}`",
            ),
            (
                "[[rules]]\nid = \"r\"\naction = \"nope\"\n",
                "unknown variant",
            ),
        ] {
            let e = Sop::parse(Path::new("x.toml"), &format!("{base}{extra}"))
                .expect_err(extra)
                .to_string();
            assert!(e.contains(needle), "{extra}: {e}");
        }
        let e = Sop::parse(Path::new("x.toml"), "name = \"x\"\nphases = []\n")
            .expect_err("empty")
            .to_string();
        assert!(e.contains("at least one"), "{e}");
    }
}
