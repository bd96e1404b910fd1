//! Which audit records a person is alerted to, in what words, and how a
//! flood becomes one summary: the desktop app shows what this decides as
//! notifications and a tray badge; no notification code lives here.
//!
//! A violation is what the live monitor marks as one: a denied call (also
//! one recorded in observe mode, which is what observe is for), or any
//! record of severity error or critical. Records a person made (pausing
//! enforcement, unlocking, answering approvals) are not alerts.
//!
//! Flood control: at most [`AlertPolicy::burst`] pop-ups per
//! [`AlertPolicy::window_ms`]; what comes after is held and shown once as a
//! summary when the window ends. Do-not-disturb holds nothing back from the
//! tray's counts, it only stops pop-ups.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use uas_audit::Record;

/// Kinds a person causes: never alerts.
const PERSON_KINDS: &[&str] = &[
    "sop_mode",
    "unlock",
    "approval",
    "approval_refused",
    "approval_answer",
    "sop_advance",
];

/// What kind of violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ViolationAlertKind")]
pub enum ViolationKind {
    /// A call the SOP denied (or would have, in observe mode).
    Denied,
    /// A protected file changed or an agent ran a person's command.
    Tamper,
    /// The session is locked until a person acts.
    SessionLocked,
    /// A vital part stopped working (the audit log does not match its
    /// signed checkpoint, the database or config cannot be read).
    Down,
    /// Anything else recorded as error or critical.
    Error,
}

/// One violation, in the words a notification uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export, rename = "ViolationAlert")]
pub struct Violation {
    /// The audit record (0: not a record, e.g. a broken chain).
    #[ts(type = "number")]
    pub seq: u64,
    /// When (ms since the epoch).
    #[ts(type = "number")]
    pub ts_ms: i64,
    /// What kind.
    pub kind: ViolationKind,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// The rule that decided, when one did.
    pub rule: Option<String>,
    /// What happened (the decision's reason, or the record's kind).
    pub what: String,
    /// Decided in observe mode: the agent was let through.
    pub observed: bool,
}

impl Violation {
    /// The violation a record is, if it is one.
    pub fn of(r: &Record) -> Option<Self> {
        if PERSON_KINDS.contains(&r.kind.as_str()) {
            return None;
        }
        let d: serde_json::Value = r
            .decision
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let action = text("action");
        let grave = matches!(r.severity.as_str(), "error" | "critical");
        if action.as_deref() != Some("deny") && !grave {
            return None;
        }
        let locked = d.get("locked").is_some_and(|v| !v.is_null() && v != false);
        let kind = if r.kind == "tamper" || text("violation").as_deref() == Some("tamper") {
            if locked {
                ViolationKind::SessionLocked
            } else {
                ViolationKind::Tamper
            }
        } else if locked {
            ViolationKind::SessionLocked
        } else if action.as_deref() == Some("deny") {
            ViolationKind::Denied
        } else {
            ViolationKind::Error
        };
        let what = text("reason")
            .or_else(|| text("message"))
            .unwrap_or_else(|| r.kind.replace('_', " "));
        Some(Self {
            seq: r.seq,
            ts_ms: r.ts_ms,
            kind,
            agent: r.agent.clone(),
            session: r.session.clone(),
            rule: text("rule"),
            what,
            observed: d.get("observed").and_then(|v| v.as_bool()) == Some(true),
        })
    }

    /// A vital check failed (`why`: the health check's name and detail).
    pub fn down(why: &str, ts_ms: i64) -> Self {
        Self {
            seq: 0,
            ts_ms,
            kind: ViolationKind::Down,
            agent: String::new(),
            session: String::new(),
            rule: None,
            what: why.to_owned(),
            observed: false,
        }
    }

    /// A notification's title.
    pub fn title(&self) -> String {
        let who = if self.agent.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.agent)
        };
        match self.kind {
            ViolationKind::Denied if self.observed => {
                format!("Would deny{who}: {}", self.rule.as_deref().unwrap_or("SOP"))
            }
            ViolationKind::Denied => {
                format!("Denied{who}: {}", self.rule.as_deref().unwrap_or("SOP"))
            }
            ViolationKind::Tamper => format!("Tamper{who}"),
            ViolationKind::SessionLocked => format!("Session locked{who}"),
            ViolationKind::Down => "Universal Agent is down".to_owned(),
            ViolationKind::Error => format!("Error{who}"),
        }
    }

    /// A notification's body: what happened, where, and what to do.
    pub fn body(&self) -> String {
        let mut out = self.what.clone();
        if !self.session.is_empty() {
            out.push_str(&format!("\nSession {}", short(&self.session)));
            if self.seq > 0 {
                out.push_str(&format!(", event #{}", self.seq));
            }
            out.push('.');
        }
        out.push('\n');
        out.push_str(self.advice());
        out
    }

    /// What a person should do.
    pub fn advice(&self) -> &'static str {
        match self.kind {
            ViolationKind::Denied if self.observed => {
                "Enforcement is paused: the call ran. Resume enforcement from the tray."
            }
            ViolationKind::Denied => {
                "The agent was stopped; nothing to do unless it keeps trying. Open the event to see the call."
            }
            ViolationKind::Tamper | ViolationKind::SessionLocked => {
                "Check the change, then unlock the session (uas sop unlock) or undo it (uas repair)."
            }
            ViolationKind::Down => {
                "Nothing is recorded or enforced until this is fixed. Open Health for what to do."
            }
            ViolationKind::Error => "Open the event to see what failed.",
        }
    }
}

/// The first 8 characters of a session id (the rest is in the event).
fn short(session: &str) -> &str {
    session.get(..8).unwrap_or(session)
}

/// Several violations shown as one notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ViolationSummary {
    /// How many.
    pub count: u64,
    /// The newest one's record (the notification opens it).
    #[ts(type = "number")]
    pub last_seq: u64,
    /// The title.
    pub title: String,
    /// The body.
    pub body: String,
}

impl ViolationSummary {
    /// One summary of `all` (`since`: "while the app was closed", …);
    /// `None` when there is nothing to say.
    pub fn of(all: &[Violation], since: &str) -> Option<Self> {
        let count = all.len() as u64;
        let last_seq = all.iter().map(|v| v.seq).max()?;
        let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_agent: BTreeMap<&str, u64> = BTreeMap::new();
        let mut sessions: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for v in all {
            let rule = v
                .rule
                .clone()
                .unwrap_or_else(|| format!("{:?}", v.kind).to_lowercase());
            *by_rule.entry(rule).or_default() += 1;
            if !v.agent.is_empty() {
                *by_agent.entry(&v.agent).or_default() += 1;
            }
            *sessions.entry((&v.agent, &v.session)).or_default() += 1;
        }
        let grave = all
            .iter()
            .filter(|v| v.kind != ViolationKind::Denied)
            .count();
        let title = format!(
            "{count} violation{} {since}",
            if count == 1 { "" } else { "s" }
        );
        let mut body = top(&by_rule, 3);
        if !by_agent.is_empty() {
            let agents: BTreeMap<String, u64> = by_agent
                .into_iter()
                .map(|(a, n)| (a.to_owned(), n))
                .collect();
            body.push_str(&format!("\nAgents: {}", top(&agents, 3)));
        }
        if let Some(((agent, session), n)) = sessions.iter().max_by_key(|(_, n)| **n)
            && *n >= 3
        {
            body.push_str(&format!(
                "\nRepeated: {n} in {agent} session {}",
                short(session)
            ));
        }
        if grave > 0 {
            body.push_str(&format!(
                "\n{grave} need a person (tamper, locked sessions, errors)."
            ));
        }
        body.push_str("\nOpen the live monitor to review them.");
        Some(Self {
            count,
            last_seq,
            title,
            body,
        })
    }
}

/// `rule ×3, other ×1` for the `n` largest counts.
fn top(counts: &BTreeMap<String, u64>, n: usize) -> String {
    let mut v: Vec<_> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut parts: Vec<String> = v.iter().take(n).map(|(k, c)| format!("{k} ×{c}")).collect();
    if v.len() > n {
        parts.push(format!("{} more", v.len() - n));
    }
    parts.join(", ")
}

/// How many pop-ups a person gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertPolicy {
    /// Pop-ups allowed per window.
    pub burst: usize,
    /// The window (ms).
    pub window_ms: i64,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        Self {
            burst: 3,
            window_ms: 10_000,
        }
    }
}

/// What to show now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// One violation.
    One(Violation),
    /// Several, held back by the flood limit.
    Summary(ViolationSummary),
}

/// Decides which violations pop up and when a held flood is summarized.
#[derive(Debug, Default)]
pub struct AlertPlanner {
    policy: AlertPolicy,
    shown: VecDeque<i64>,
    held: Vec<Violation>,
    held_since: Option<i64>,
    dnd: bool,
}

impl AlertPlanner {
    /// A planner with `policy`.
    pub fn new(policy: AlertPolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Do-not-disturb: no pop-ups at all (what is held is dropped too).
    pub fn set_dnd(&mut self, on: bool) {
        self.dnd = on;
        if on {
            self.held.clear();
            self.held_since = None;
        }
    }

    /// Whether do-not-disturb is on.
    pub fn dnd(&self) -> bool {
        self.dnd
    }

    /// A new violation at `now_ms`: show it, or hold it for the summary.
    pub fn violation(&mut self, v: Violation, now_ms: i64) -> Option<Alert> {
        if self.dnd {
            return None;
        }
        while self
            .shown
            .front()
            .is_some_and(|t| now_ms - t >= self.policy.window_ms)
        {
            self.shown.pop_front();
        }
        if self.held.is_empty() && self.shown.len() < self.policy.burst {
            self.shown.push_back(now_ms);
            return Some(Alert::One(v));
        }
        self.held_since.get_or_insert(now_ms);
        self.held.push(v);
        None
    }

    /// When the held flood is due (ms since the epoch), if anything is held.
    pub fn due_at(&self) -> Option<i64> {
        self.held_since.map(|t| t + self.policy.window_ms)
    }

    /// The summary of what was held, once its window has passed.
    pub fn due(&mut self, now_ms: i64) -> Option<Alert> {
        if self.due_at()? > now_ms {
            return None;
        }
        let held = std::mem::take(&mut self.held);
        self.held_since = None;
        self.shown.clear();
        self.shown.push_back(now_ms);
        ViolationSummary::of(&held, "in the last few seconds").map(Alert::Summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, kind: &str, severity: &str, decision: Option<&str>) -> Record {
        Record {
            seq,
            ts_ms: 1_000,
            agent: "claude".into(),
            session: "sess-0123456789".into(),
            kind: kind.into(),
            severity: severity.into(),
            payload: "{}".into(),
            decision: decision.map(str::to_owned),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn denial(seq: u64) -> Violation {
        Violation::of(&record(
            seq,
            "pre_tool",
            "warning",
            Some(r#"{"action":"deny","rule":"no-edit-before-plan","reason":"write a plan first"}"#),
        ))
        .expect("a violation")
    }

    #[test]
    fn a_denied_call_is_a_violation_with_rule_reason_and_advice() {
        let v = denial(7);
        assert_eq!(v.kind, ViolationKind::Denied);
        assert_eq!(v.title(), "Denied (claude): no-edit-before-plan");
        let body = v.body();
        assert!(body.starts_with("write a plan first\nSession sess-012, event #7."));
        assert!(body.contains("Open the event"), "{body}");
    }

    #[test]
    fn allowed_calls_and_a_persons_actions_are_not_violations() {
        let allow = record(1, "pre_tool", "info", Some(r#"{"action":"allow"}"#));
        assert_eq!(Violation::of(&allow), None);
        let pause = record(2, "sop_mode", "critical", None);
        assert_eq!(Violation::of(&pause), None);
        let broken_json = record(3, "pre_tool", "info", Some("{not json"));
        assert_eq!(Violation::of(&broken_json), None);
    }

    #[test]
    fn tamper_that_locks_the_session_says_so() {
        let r = record(
            9,
            "tamper",
            "critical",
            Some(
                r#"{"action":"deny","rule":"protected-files","reason":"~/.claude/settings.json changed","violation":"tamper","locked":{"by":9}}"#,
            ),
        );
        let v = Violation::of(&r).expect("violation");
        assert_eq!(v.kind, ViolationKind::SessionLocked);
        assert!(v.body().contains("unlock the session"));
    }

    #[test]
    fn a_denial_in_observe_mode_says_the_call_ran() {
        let r = record(
            3,
            "pre_tool",
            "warning",
            Some(r#"{"action":"deny","rule":"r","reason":"x","observed":true}"#),
        );
        let v = Violation::of(&r).expect("violation");
        assert!(v.title().starts_with("Would deny"));
        assert!(v.body().contains("the call ran"));
    }

    #[test]
    fn a_flood_gives_three_popups_then_one_summary() {
        let mut p = AlertPlanner::new(AlertPolicy::default());
        let shown: Vec<_> = (1..=100)
            .filter_map(|i| p.violation(denial(i), 1_000 + i as i64))
            .collect();
        assert_eq!(shown.len(), 3, "the burst");
        assert_eq!(p.due(5_000), None, "not before the window ends");
        let Some(Alert::Summary(s)) = p.due(11_100) else {
            panic!("a summary is due");
        };
        assert_eq!(s.count, 97);
        assert_eq!(s.last_seq, 100);
        assert!(s.body.contains("no-edit-before-plan ×97"), "{}", s.body);
        assert!(s.body.contains("Repeated: 97 in claude"), "{}", s.body);
        assert_eq!(p.due(30_000), None, "said once");
    }

    #[test]
    fn popups_resume_after_a_quiet_window() {
        let mut p = AlertPlanner::new(AlertPolicy::default());
        for i in 0..3 {
            assert!(p.violation(denial(i), 0).is_some());
        }
        assert!(p.violation(denial(4), 100).is_none(), "held");
        assert!(p.due(10_100).is_some());
        assert!(p.violation(denial(5), 25_000).is_some(), "quiet again");
    }

    #[test]
    fn do_not_disturb_shows_nothing_and_holds_nothing() {
        let mut p = AlertPlanner::new(AlertPolicy::default());
        p.set_dnd(true);
        assert!(p.violation(denial(1), 0).is_none());
        assert_eq!(p.due_at(), None);
        p.set_dnd(false);
        assert!(p.violation(denial(2), 1).is_some());
    }

    #[test]
    fn nothing_to_summarize_is_no_summary() {
        assert_eq!(ViolationSummary::of(&[], "while closed"), None);
        let one = ViolationSummary::of(&[denial(4)], "while the app was closed").expect("one");
        assert_eq!(one.title, "1 violation while the app was closed");
    }
}
