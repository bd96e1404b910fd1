//! Decisions: an event, the session's state and the SOP -> allow/warn/deny.

use crate::analyze::Analysis;
use crate::def::{Action, Pattern, Phase, Rule, RuleSeverity, Sop, ToolPattern, Violation};
use crate::shell;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uas_core::{AgentEvent, EventKind, ToolCall, ToolClass};

/// What the engine knows about one session (persisted between hook calls).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionState {
    /// The session's working directory, from its first event that had one.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Evidence observed so far (sticky).
    #[serde(default)]
    pub evidence: BTreeSet<String>,
    /// Audit sequence number of the last observed file change.
    #[serde(default)]
    pub last_edit_seq: u64,
    /// Audit sequence number of the last observed passing test run.
    #[serde(default)]
    pub last_test_pass_seq: u64,
    /// Events seen.
    #[serde(default)]
    pub events: u64,
    /// Tool calls denied.
    #[serde(default)]
    pub denied: u64,
    /// The last tool call allowed to run: Antigravity's post-tool event may
    /// not name its tool (`toolCall: null`), and the call it reports is then
    /// this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_tool: Option<ToolCall>,
    /// Evidence the agent produced for a gate a person must approve
    /// (`approval = "human"`); it counts once `uas sop approve` moves it
    /// into `evidence`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub awaiting: BTreeSet<String>,
    /// Set when a protected file changed outside uas after one of this
    /// session's calls: every tool call is denied until a person looks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Lock>,
    /// Tool events (pre, post, permission) seen.
    #[serde(default)]
    pub tool_events: u64,
    /// Prompts since the session's last tool event, once it had one: a
    /// session whose prompts go on while its tool events stop may have had
    /// its hooks switched off (see [`QUIET_PROMPTS`]).
    #[serde(default)]
    pub quiet_prompts: u32,
}

/// After this many prompts without a tool event, in a session that had
/// tool events, the hook records a `hooks_silent` notice (once per streak).
pub const QUIET_PROMPTS: u32 = 3;

/// Why a session is locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Lock {
    /// For the person (and the agent's deny message).
    pub reason: String,
    /// The files that changed.
    pub files: Vec<String>,
    /// The audit sequence number of the tamper event.
    pub seq: u64,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// What `uas sop approve` did to a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Approved {
    /// Evidence moved from awaiting into the session's evidence.
    pub evidence: Vec<String>,
    /// The lock lifted, if the session was locked.
    pub unlocked: Option<Lock>,
}

impl SessionState {
    /// True when the evidence holds now.
    pub fn has(&self, evidence: &str) -> bool {
        match evidence {
            "tests_passed" => self.last_test_pass_seq > self.last_edit_seq,
            other => self.evidence.contains(other),
        }
    }
}

/// The rule id of the denial of a locked session's calls.
pub const LOCKED_RULE: &str = "session-locked";

/// Paths the SOP's placeholders stand for.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `{uas_home}`.
    pub uas_home: String,
    /// `{hook_configs}`: every agent's hook configuration file.
    pub hook_configs: Vec<String>,
    /// `{hook_dirs}`: the folders that hold them (an agent's config folder,
    /// its plugins folder, a project's `.claude`): moving or removing one
    /// takes its hook files with it.
    pub hook_dirs: Vec<String>,
    /// The user's home, so `~/…` and `$HOME/…` spellings match too.
    pub user_home: Option<String>,
    /// `{secrets}`: files agents may not read (the audit signing key).
    pub secrets: Vec<String>,
    /// How each agent is started with its hooks off (`unhooked_agent`).
    pub launch_off: Vec<crate::LaunchOff>,
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Decision {
    /// What happens.
    pub action: Action,
    /// The rule that decided (none: nothing matched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Told to the agent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Severity recorded in the audit log.
    pub severity: RuleSeverity,
    /// Which violation this is, for deny and warn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<Violation>,
    /// The session's phase when deciding.
    pub phase: String,
    /// Set when the decision was not made normally (database locked or
    /// broken, unreadable input): which fail mode answered and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Set when enforcement was in observe mode (`uas sop mode`): this is
    /// what the SOP decided, and the agent was answered allow.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub observed: bool,
    /// Set on an `ask` decision (and kept after the hook resolved it):
    /// how long a person is waited for, and the answer without a service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<AskSpec>,
}

/// What an `ask` rule asks (see [`crate::Action::Ask`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AskSpec {
    /// Seconds to wait for a person.
    #[ts(type = "number")]
    pub timeout_s: u64,
    /// The answer when no service runs (allow or deny).
    pub otherwise: Action,
}

/// The next phase and the evidence it still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Gate {
    /// The next phase.
    pub phase: String,
    /// Missing evidence names.
    pub missing: Vec<String>,
}

/// `uas sop advance` refused: the evidence still missing cannot be
/// declared by hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvanceError {
    /// There is no phase after the current one.
    #[error("the session is in the last phase already")]
    LastPhase,
    /// The next phase needs evidence only an observed event can record.
    #[error(
        "phase `{phase}` needs {}, which must be observed, not declared",
        describe_missing(missing)
    )]
    MustBeObserved {
        /// The next phase.
        phase: String,
        /// The evidence it still needs.
        missing: Vec<String>,
    },
}

/// "`tests_passed` (a passing test run …), …" for an error message.
fn describe_missing(missing: &[String]) -> String {
    missing
        .iter()
        .map(|e| format!("`{e}` ({})", crate::describe_evidence(e)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Sop {
    /// The session's phase: the last phase whose entry gate holds.
    pub fn phase(&self, state: &SessionState) -> (usize, &Phase) {
        let i = self
            .phases
            .iter()
            .rposition(|p| p.enter.iter().all(|e| state.has(e)))
            .unwrap_or(0);
        (i, &self.phases[i])
    }

    /// What the next phase needs, if there is one.
    pub fn next_gate(&self, state: &SessionState) -> Option<Gate> {
        let (i, _) = self.phase(state);
        let next = self.phases.get(i + 1)?;
        Some(Gate {
            phase: next.id.clone(),
            missing: next
                .enter
                .iter()
                .filter(|e| !state.has(e))
                .cloned()
                .collect(),
        })
    }

    /// Decides a pre-tool event, and a permission request the same way (the
    /// tool it asks for). Other events are allowed here; the hook decides
    /// the lifecycle events that can refuse (a settings change, a subagent
    /// start) from what it observes.
    pub fn decide(&self, ctx: &Context, state: &SessionState, event: &AgentEvent) -> Decision {
        let phase = self.phase(state).1.id.clone();
        let allow = Decision {
            action: Action::Allow,
            rule: None,
            reason: String::new(),
            severity: RuleSeverity::Info,
            violation: None,
            phase: phase.clone(),
            fallback: None,
            observed: false,
            ask: None,
        };
        let (EventKind::PreTool | EventKind::Permission, Some(tool)) = (event.kind, &event.tool)
        else {
            return allow;
        };
        if let Some(lock) = &state.locked {
            return Decision {
                action: Action::Deny,
                rule: Some(LOCKED_RULE.into()),
                reason: format!(
                    "this session is locked: {} Every tool call is denied until a person checks the change (`uas status`).",
                    lock.reason
                ),
                severity: RuleSeverity::Critical,
                violation: Some(Violation::Tamper),
                phase,
                fallback: None,
                observed: false,
                ask: None,
            };
        }
        let cwd = event.cwd.as_deref().or(state.cwd.as_deref());
        let shell = shell_analysis(ctx, cwd, tool);
        for rule in &self.rules {
            if !self.matches(&rule.when, ctx, cwd, tool, shell.as_ref()) {
                continue;
            }
            if !rule.requires.is_empty() && rule.requires.iter().all(|e| state.has(e)) {
                continue;
            }
            let mut reason = self.expand_text(&rule.reason, ctx, cwd);
            let waiting: Vec<&str> = rule
                .requires
                .iter()
                .filter(|e| state.awaiting.contains(*e))
                .map(String::as_str)
                .collect();
            if !waiting.is_empty() {
                reason = format!(
                    "{reason} ({} recorded and waits for a person's approval.)",
                    waiting
                        .iter()
                        .map(|e| format!("`{e}` is"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            return Decision {
                action: rule.action,
                rule: Some(rule.id.clone()),
                reason,
                severity: rule.severity.unwrap_or(match rule.action {
                    Action::Deny => RuleSeverity::Error,
                    Action::Warn | Action::Ask => RuleSeverity::Warning,
                    Action::Allow => RuleSeverity::Info,
                }),
                violation: (rule.action != Action::Allow)
                    .then_some(rule.violation)
                    .flatten(),
                phase,
                fallback: None,
                observed: false,
                ask: (rule.action == Action::Ask).then(|| AskSpec {
                    timeout_s: rule.timeout_s.unwrap_or(crate::def::ASK_TIMEOUT_S),
                    otherwise: rule.otherwise.unwrap_or(Action::Deny),
                }),
            };
        }
        allow
    }

    /// Whether any rule asks a person (the hook then looks for answers
    /// before deciding; without such rules it does not).
    pub fn asks(&self) -> bool {
        self.rules.iter().any(|r| r.action == Action::Ask)
    }

    /// The rules that match a tool call (for `uas sop explain`), with
    /// whether their requirements hold.
    pub fn matching_rules<'a>(
        &'a self,
        ctx: &Context,
        state: &SessionState,
        event: &AgentEvent,
    ) -> Vec<(&'a Rule, bool)> {
        let Some(tool) = &event.tool else {
            return vec![];
        };
        let cwd = event.cwd.as_deref().or(state.cwd.as_deref());
        let shell = shell_analysis(ctx, cwd, tool);
        self.rules
            .iter()
            .filter(|r| self.matches(&r.when, ctx, cwd, tool, shell.as_ref()))
            .map(|r| (r, r.requires.iter().all(|e| state.has(e))))
            .collect()
    }

    /// Updates the session's state with an event (after its decision), `seq`
    /// being the event's audit sequence number.
    pub fn observe(
        &self,
        state: &mut SessionState,
        event: &AgentEvent,
        decision: &Decision,
        seq: u64,
    ) {
        state.events += 1;
        match event.kind {
            EventKind::PreTool | EventKind::PostTool | EventKind::Permission => {
                state.tool_events += 1;
                state.quiet_prompts = 0;
            }
            EventKind::Prompt if state.tool_events > 0 => state.quiet_prompts += 1,
            _ => {}
        }
        if state.cwd.is_none() {
            state.cwd = event.cwd.clone();
        }
        match event.kind {
            EventKind::SessionStart => self.grant(state, "session"),
            EventKind::Prompt => {
                self.grant(state, "session");
                self.grant(state, "prompt");
            }
            EventKind::PreTool if decision.action == Action::Deny => {
                state.denied += 1;
                state.pending_tool = None;
            }
            EventKind::PreTool => state.pending_tool = event.tool.clone(),
            EventKind::Permission if decision.action == Action::Deny => state.denied += 1,
            EventKind::PostTool => {
                let pending = state.pending_tool.take();
                self.observe_post(state, event, pending.as_ref(), seq);
            }
            _ => {}
        }
    }

    fn observe_post(
        &self,
        state: &mut SessionState,
        event: &AgentEvent,
        pending: Option<&ToolCall>,
        seq: u64,
    ) {
        let Some(tool) = event.tool.as_ref().or(pending) else {
            return;
        };
        let success = event
            .outcome
            .and_then(|o| o.exit_code.map(|c| c == 0).or(o.success));
        if success == Some(false) {
            return;
        }
        let cwd = event.cwd.clone().or_else(|| state.cwd.clone());
        match tool.class {
            ToolClass::Read => {
                self.grant(state, "research");
            }
            ToolClass::Write => {
                let plans = self.plan_paths(cwd.as_deref());
                if !tool.paths.is_empty() && tool.paths.iter().all(|p| plans.contains(p)) {
                    self.grant(state, "plan");
                } else {
                    self.grant(state, "edited");
                    state.last_edit_seq = seq;
                }
            }
            ToolClass::Shell => {
                let Some(cmd) = tool.command.as_deref() else {
                    return;
                };
                let a = crate::analyze::analyze(cmd, cwd.as_deref(), None);
                if shell::any_segment_matches(cmd, &self.test_commands) && !a.writes && !a.opaque {
                    // Only an observed exit code 0 (or an explicit success)
                    // counts; "no news" is not evidence.
                    if success == Some(true) {
                        state.last_test_pass_seq = seq;
                    }
                } else if a.writes || a.opaque {
                    let plans = self.plan_paths(cwd.as_deref());
                    let plan_only = !a.opaque
                        && !a.written.is_empty()
                        && a.written.iter().all(|p| plans.contains(p));
                    if plan_only {
                        self.grant(state, "plan");
                    } else {
                        self.grant(state, "edited");
                        state.last_edit_seq = seq;
                    }
                } else if a.read_only {
                    self.grant(state, "research");
                    let review = shell::segments(cmd)
                        .iter()
                        .any(|s| s.starts_with("git diff") || s.starts_with("git status"));
                    if review && state.has("tests_passed") {
                        self.grant(state, "reviewed");
                    }
                }
            }
            ToolClass::Other => {}
        }
    }

    /// Evidence that gates with `approval = "human"` need: the agent's
    /// producing it only records it as awaiting. (`tests_passed` is
    /// computed from sequence numbers and cannot wait.)
    pub fn human_evidence(&self) -> BTreeSet<&str> {
        self.phases
            .iter()
            .filter(|p| p.approval == crate::def::Approval::Human)
            .flat_map(|p| p.enter.iter().map(String::as_str))
            .filter(|e| *e != "tests_passed")
            .collect()
    }

    /// Records evidence the agent produced: held as awaiting when a person
    /// must approve it, else at once.
    fn grant(&self, state: &mut SessionState, evidence: &str) {
        if state.evidence.contains(evidence) {
            return;
        }
        if self.human_evidence().contains(evidence) {
            state.awaiting.insert(evidence.to_owned());
        } else {
            state.evidence.insert(evidence.to_owned());
        }
    }

    /// A person's approval (`uas sop approve`): the awaiting evidence
    /// counts from now on, and a lock is lifted.
    pub fn approve(&self, state: &mut SessionState) -> Approved {
        let evidence: Vec<String> = std::mem::take(&mut state.awaiting).into_iter().collect();
        state.evidence.extend(evidence.iter().cloned());
        Approved {
            evidence,
            unlocked: state.locked.take(),
        }
    }

    /// Records the evidence `uas sop advance` may record for the nearest
    /// phase that needs only such evidence. Returns what was added.
    pub fn advance(&self, state: &mut SessionState) -> Result<Vec<String>, AdvanceError> {
        let (i, _) = self.phase(state);
        for p in &self.phases[i + 1..] {
            let missing: Vec<_> = p.enter.iter().filter(|e| !state.has(e)).cloned().collect();
            if missing.is_empty() {
                continue;
            }
            if missing.iter().all(|e| self.manual_evidence.contains(e)) {
                state.evidence.extend(missing.iter().cloned());
                for e in &missing {
                    state.awaiting.remove(e);
                }
                return Ok(missing);
            }
        }
        Err(match self.next_gate(state) {
            None => AdvanceError::LastPhase,
            Some(g) => AdvanceError::MustBeObserved {
                phase: g.phase,
                missing: g.missing,
            },
        })
    }

    /// What a session start tells the agent: phase, next gate, the rules.
    pub fn session_brief(&self, ctx: &Context, state: &SessionState) -> String {
        let (i, phase) = self.phase(state);
        let cwd = state.cwd.as_deref();
        let mut out = format!(
            "Universal Agent SOP `{}` is enforced by hooks on every tool call. Current phase: {} ({}/{}){}.",
            self.name,
            phase.id,
            i + 1,
            self.phases.len(),
            if phase.summary.is_empty() {
                String::new()
            } else {
                format!(": {}", phase.summary.trim_end_matches('.'))
            }
        );
        if let Some(g) = self.next_gate(state) {
            let needs: Vec<_> = g
                .missing
                .iter()
                .map(|e| crate::describe_evidence(e))
                .collect();
            out.push_str(&format!(
                " Next phase `{}` needs: {}.",
                g.phase,
                if needs.is_empty() {
                    "nothing more".into()
                } else {
                    needs.join("; ")
                }
            ));
        }
        if let Some(plan) = self.plan_files.first() {
            out.push_str(&format!(
                " Record your plan by writing {plan} before editing files."
            ));
        }
        let mut denies: Vec<String> = Vec::new();
        for r in self
            .rules
            .iter()
            .filter(|r| r.action == Action::Deny && !r.reason.is_empty())
        {
            let line = format!("- {}", self.expand_text(&r.reason, ctx, cwd));
            if !denies.contains(&line) {
                denies.push(line);
            }
        }
        if !denies.is_empty() {
            out.push_str("\nRules that block tool calls:\n");
            out.push_str(&denies.join("\n"));
        }
        out
    }

    fn plan_paths(&self, cwd: Option<&str>) -> Vec<String> {
        match cwd {
            Some(c) => self.plan_files.iter().map(|p| join(c, p)).collect(),
            None => vec![],
        }
    }

    fn matches(
        &self,
        pat: &Pattern,
        ctx: &Context,
        cwd: Option<&str>,
        tool: &ToolCall,
        shell: Option<&Analysis>,
    ) -> bool {
        let class_ok = match pat.tool {
            None | Some(ToolPattern::Any) => true,
            Some(ToolPattern::Write) => tool.class == ToolClass::Write,
            Some(ToolPattern::Shell) => tool.class == ToolClass::Shell,
            Some(ToolPattern::Read) => tool.class == ToolClass::Read,
        };
        if !class_ok {
            return false;
        }
        if !pat.name.is_empty() && !pat.name.iter().any(|n| shell::wildcard(n, &tool.name)) {
            return false;
        }
        // The paths a call names: a tool's own, or every path word of a
        // shell command (resolved against its cwd, `cd`, `~`…), each also
        // with symlinks resolved.
        let named: Vec<String> = match shell {
            Some(a) => a.paths.clone(),
            None => with_real_paths(&tool.paths),
        };
        let expand_all = |list: &[String]| -> Vec<String> {
            list.iter().flat_map(|p| self.expand(p, ctx, cwd)).collect()
        };
        if !pat.path.is_empty() {
            let pats = expand_all(&pat.path);
            if !named.iter().any(|path| path_matches(&pats, path)) {
                return false;
            }
        }
        if !pat.written.is_empty() {
            let pats = expand_all(&pat.written);
            let written: Vec<String> = match shell {
                Some(a) if a.opaque => return false,
                Some(a) => a.written.clone(),
                None => tool.paths.clone(),
            };
            if written.is_empty() || !written.iter().all(|p| path_matches(&pats, p)) {
                return false;
            }
        }
        let cmd = tool.command.as_deref().unwrap_or("");
        if !pat.command.is_empty() {
            let pats = expand_all(&pat.command);
            if !pats.iter().any(|p| shell::wildcard(p, cmd)) {
                return false;
            }
        }
        let a = shell.cloned().unwrap_or_default();
        if pat.writes && !(a.writes || a.opaque) {
            return false;
        }
        if pat.uas_changes && a.uas_change.is_none() {
            return false;
        }
        if pat.unhooked_agent && crate::launch::unhooked(&ctx.launch_off, &a).is_none() {
            return false;
        }
        if let Some(ro) = pat.read_only
            && a.read_only != ro
        {
            return false;
        }
        true
    }

    /// Expands the placeholders of one pattern into every spelling.
    fn expand(&self, pattern: &str, ctx: &Context, cwd: Option<&str>) -> Vec<String> {
        let Some(start) = pattern.find('{') else {
            return vec![pattern.to_owned()];
        };
        let Some(len) = pattern[start..].find('}') else {
            return vec![pattern.to_owned()];
        };
        let ph = &pattern[start..=start + len];
        let values: Vec<String> = match ph {
            "{uas_home}" => spellings(&ctx.uas_home, ctx.user_home.as_deref()),
            "{hook_configs}" => ctx
                .hook_configs
                .iter()
                .flat_map(|h| spellings(h, ctx.user_home.as_deref()))
                .collect(),
            "{hook_dirs}" => ctx
                .hook_dirs
                .iter()
                .flat_map(|h| spellings(h, ctx.user_home.as_deref()))
                .collect(),
            "{plan_files}" => self
                .plan_paths(cwd)
                .into_iter()
                .chain(self.plan_files.iter().cloned())
                .collect(),
            "{plan_file}" => self.plan_paths(cwd).into_iter().take(1).collect(),
            "{cwd}" => cwd.map(str::to_owned).into_iter().collect(),
            "{secrets}" => ctx
                .secrets
                .iter()
                .flat_map(|h| spellings(h, ctx.user_home.as_deref()))
                .collect(),
            _ => vec![ph.to_owned()],
        };
        let (head, tail) = (&pattern[..start], &pattern[start + len + 1..]);
        values
            .iter()
            .flat_map(|v| {
                self.expand(tail, ctx, cwd)
                    .into_iter()
                    .map(move |t| format!("{head}{v}{t}"))
            })
            .collect()
    }

    fn expand_text(&self, text: &str, ctx: &Context, cwd: Option<&str>) -> String {
        let plan = self.plan_files.first().cloned().unwrap_or_default();
        let plan = match cwd {
            Some(c) if !plan.is_empty() => join(c, &plan),
            _ => plan,
        };
        text.replace("{uas_home}", &ctx.uas_home)
            .replace("{plan_file}", &plan)
            .replace("{cwd}", cwd.unwrap_or("."))
    }
}

/// A shell call's analysis (none for other tools).
fn shell_analysis(ctx: &Context, cwd: Option<&str>, tool: &ToolCall) -> Option<Analysis> {
    (tool.class == ToolClass::Shell).then(|| {
        crate::analyze::analyze(
            tool.command.as_deref().unwrap_or(""),
            cwd,
            ctx.user_home.as_deref(),
        )
    })
}

/// Paths and, where a symlink is on the way, where they really lead.
fn with_real_paths(paths: &[String]) -> Vec<String> {
    let mut out = paths.to_vec();
    for p in paths {
        let path = std::path::Path::new(p);
        let real = path
            .canonicalize()
            .ok()
            .or_else(|| Some(path.parent()?.canonicalize().ok()?.join(path.file_name()?)));
        if let Some(r) = real.map(|r| r.display().to_string())
            && r != *p
        {
            out.push(r);
        }
    }
    out
}

/// A path (possibly `*/rel`, from an unknown directory) against patterns.
fn path_matches(pats: &[String], path: &str) -> bool {
    pats.iter()
        .any(|p| shell::wildcard(p, path) || shell::wildcard(path, p))
}

fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        rel.to_owned()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}

/// A path and, under the user's home, its `~/`, `$HOME/` and `${HOME}/` forms.
fn spellings(path: &str, user_home: Option<&str>) -> Vec<String> {
    let mut out = vec![path.to_owned()];
    if let Some(home) = user_home
        && let Some(rel) = path.strip_prefix(home.trim_end_matches('/'))
        && let Some(rel) = rel.strip_prefix('/')
    {
        out.extend([
            format!("~/{rel}"),
            format!("$HOME/{rel}"),
            format!("${{HOME}}/{rel}"),
        ]);
    }
    out
}
