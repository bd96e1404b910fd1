//! The approvals inbox: what the SOP asks a person to decide, from two
//! sources, with one shape for every front end:
//!
//! - `ask` rules (`rule:<seq>`): a hook registered the request and waits
//!   (see `uas_hook::approvals`); the answer is a signed audit event;
//! - phase gates with `approval = "human"` (`plan:<agent>:<session>`):
//!   the session's evidence waits in its state; approving is
//!   [`App::sop_approve`], refusing clears what waits, so the gate stays
//!   closed until the agent records a new plan.

use crate::{ApiError, App, ApprovalMethod};
use serde::{Deserialize, Serialize};
use uas_audit::{NewEvent, Severity};
use uas_core::AgentId;
use uas_hook::approvals::{self, AnswerPayload, State};
use uas_hook::sessions;

/// Where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApprovalKind {
    /// An `ask` rule on one tool call.
    Rule,
    /// A phase gate a person opens (the plan).
    Plan,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApprovalState {
    /// Waiting for a person.
    Pending,
    /// Approved.
    Approved,
    /// Refused.
    Refused,
    /// Nobody answered in time.
    Expired,
}

/// One request in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ApprovalItem {
    /// `rule:<seq>` or `plan:<agent>:<session>`.
    pub id: String,
    /// Where it comes from.
    pub kind: ApprovalKind,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// The rule that asks (rule requests).
    pub rule: Option<String>,
    /// What the agent wants.
    pub what: String,
    /// Why the SOP asks.
    pub reason: String,
    /// When it was asked (ms since the epoch).
    #[ts(type = "number")]
    pub requested_ms: i64,
    /// When it lapses (rule requests).
    #[ts(type = "number | null")]
    pub expires_ms: Option<i64>,
    /// Where it stands.
    pub state: ApprovalState,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    #[ts(type = "number | null")]
    pub answered_ms: Option<i64>,
}

/// The inbox: open requests and the answered ones (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ApprovalsView {
    /// Waiting for a person.
    pub pending: Vec<ApprovalItem>,
    /// Answered or lapsed, newest first (at most 200).
    pub history: Vec<ApprovalItem>,
}

/// A person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Answer {
    /// Let it happen.
    Approve,
    /// Do not.
    Refuse,
}

impl Answer {
    fn as_str(self) -> &'static str {
        match self {
            Answer::Approve => "approve",
            Answer::Refuse => "refuse",
        }
    }
}

const HISTORY: usize = 200;

impl App {
    /// The approvals inbox.
    pub fn approvals(&self) -> Result<ApprovalsView, ApiError> {
        let journal = self.journal()?;
        let key = journal.keys().verifying_key();
        let now = uas_core::now_ms();
        let mut pending = Vec::new();
        let mut history = Vec::new();
        for r in approvals::book(journal.log().db(), Some(&key), now)? {
            let item = ApprovalItem {
                id: format!("rule:{}", r.seq),
                kind: ApprovalKind::Rule,
                agent: r.agent,
                session: r.session,
                rule: Some(r.payload.rule),
                what: r.payload.what,
                reason: r.payload.reason,
                requested_ms: r.ts_ms,
                expires_ms: Some(r.payload.expires_ms),
                state: match r.state {
                    State::Pending => ApprovalState::Pending,
                    State::Approved | State::Used => ApprovalState::Approved,
                    State::Refused => ApprovalState::Refused,
                    State::Expired => ApprovalState::Expired,
                },
                answered_by: r.answer.as_ref().map(|a| a.by.clone()),
                answered_ms: r.answer.as_ref().map(|a| a.at_ms),
            };
            match item.state {
                ApprovalState::Pending => pending.push(item),
                _ => history.push(item),
            }
        }
        let (sop, _) = self.sop()?;
        for s in sessions::list(journal.log().db(), None)? {
            if s.state.awaiting.is_empty() {
                continue;
            }
            let plan_files: Vec<String> = crate::guard::plan_files_in(&sop, s.state.cwd.as_deref())
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            pending.push(ApprovalItem {
                id: format!("plan:{}:{}", s.agent, s.session),
                kind: ApprovalKind::Plan,
                what: if plan_files.is_empty() {
                    format!(
                        "open the gate: {}",
                        s.state
                            .awaiting
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    format!("approve the plan {}", plan_files.join(", "))
                },
                reason: "the SOP's next phase needs a person's approval of the agent's plan".into(),
                agent: s.agent,
                session: s.session,
                rule: None,
                requested_ms: s.updated_ms,
                expires_ms: None,
                state: ApprovalState::Pending,
                answered_by: None,
                answered_ms: None,
            });
        }
        history.extend(self.plan_answers(journal.log().db())?);
        history.sort_by_key(|i| std::cmp::Reverse(i.answered_ms.unwrap_or(i.requested_ms)));
        history.truncate(HISTORY);
        Ok(ApprovalsView { pending, history })
    }

    /// A person's answers to plan gates (`approval` events that approved
    /// evidence, and `approval_refused`), newest first.
    fn plan_answers(&self, db: &uas_store::Db) -> Result<Vec<ApprovalItem>, ApiError> {
        let rows = uas_store::events::query(
            db,
            &uas_store::events::EventQuery {
                kinds: vec!["approval".into(), "approval_refused".into()],
                limit: HISTORY,
                ..Default::default()
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let p: serde_json::Value = serde_json::from_str(&r.payload).ok()?;
                let (state, what) = if r.kind == "approval" {
                    let evidence = p["approved"]["evidence"].as_array()?;
                    if evidence.is_empty() {
                        return None; // only a lifted lock
                    }
                    (ApprovalState::Approved, evidence)
                } else {
                    (ApprovalState::Refused, p["refused"].as_array()?)
                };
                let what = what
                    .iter()
                    .filter_map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let how = &p["how"];
                Some(ApprovalItem {
                    id: format!("plan:{}:{}", r.agent, r.session),
                    kind: ApprovalKind::Plan,
                    rule: None,
                    what: format!("open the gate: {what}"),
                    reason: "the SOP's next phase needs a person's approval of the agent's plan"
                        .into(),
                    requested_ms: r.ts_ms,
                    expires_ms: None,
                    state,
                    answered_by: Some(
                        format!(
                            "{} {}",
                            how["method"].as_str().unwrap_or_default(),
                            how["user"].as_str().unwrap_or_default()
                        )
                        .trim()
                        .to_owned(),
                    ),
                    answered_ms: Some(r.ts_ms),
                    agent: r.agent,
                    session: r.session,
                })
            })
            .collect())
    }

    /// A person answers request `id` (`rule:<seq>` or
    /// `plan:<agent>:<session>`); `how` is recorded. The caller has made
    /// sure a person answers (the service's token, a terminal).
    pub fn answer_approval(
        &self,
        id: &str,
        answer: Answer,
        how: &ApprovalMethod,
    ) -> Result<ApprovalItem, ApiError> {
        if let Some(rest) = id.strip_prefix("plan:") {
            let (agent, session) = rest.split_once(':').ok_or_else(|| {
                ApiError::Invalid(format!("`{id}` is not plan:<agent>:<session>"))
            })?;
            let agent: AgentId = agent
                .parse()
                .map_err(|_| ApiError::Invalid(format!("unknown agent `{agent}` in `{id}`")))?;
            match answer {
                Answer::Approve => {
                    self.sop_approve(session, Some(agent), how)?;
                }
                Answer::Refuse => self.sop_refuse(session, agent, how)?,
            }
            return self.answered(id);
        }
        let seq: u64 = id
            .strip_prefix("rule:")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                ApiError::Invalid(format!(
                    "`{id}` is not an approval id (rule:<seq> or plan:<agent>:<session>)"
                ))
            })?;
        let mut journal = self.journal()?;
        let key = journal.keys().verifying_key();
        let now = uas_core::now_ms();
        let req = approvals::book(journal.log().db(), Some(&key), now)?
            .into_iter()
            .find(|r| r.seq == seq)
            .ok_or_else(|| ApiError::NotFound(format!("no approval request {seq}")))?;
        if req.state != State::Pending {
            return Err(ApiError::Conflict(format!(
                "approval request {seq} is no longer pending (it is {:?})",
                req.state
            )));
        }
        let by = format!("{} {}", how.method, how.user);
        let sig = journal.keys().sign_approval(seq, answer.as_str(), now);
        let payload = AnswerPayload {
            request: seq,
            answer: answer.as_str().into(),
            by,
            at_ms: now,
            sig,
        };
        journal.append(&NewEvent {
            ts_ms: now,
            agent: req.agent.clone(),
            session: req.session.clone(),
            kind: approvals::ANSWER.into(),
            severity: Severity::Info,
            payload: serde_json::to_string(&payload).unwrap_or_default(),
            decision: None,
        })?;
        self.answered(id)
    }

    /// The item `id` after its answer (the newest answer to it).
    fn answered(&self, id: &str) -> Result<ApprovalItem, ApiError> {
        self.approvals()?
            .history
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| ApiError::NotFound(format!("no answer to `{id}` is recorded")))
    }

    /// A person refuses what `session` waits for: it is cleared (the gate
    /// stays closed until the agent records a new plan), audited.
    pub fn sop_refuse(
        &self,
        session: &str,
        agent: AgentId,
        how: &ApprovalMethod,
    ) -> Result<(), ApiError> {
        let mut j = self.journal()?;
        j.write(|tx| {
            let mut state = sessions::load(tx.store(), agent, session)?;
            if state.awaiting.is_empty() {
                return Err(ApiError::Conflict(format!(
                    "session {session} of {agent} waits for no approval"
                )));
            }
            let refused: Vec<String> = std::mem::take(&mut state.awaiting).into_iter().collect();
            tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: agent.as_str().into(),
                session: session.into(),
                kind: "approval_refused".into(),
                severity: Severity::Warning,
                payload: serde_json::json!({"refused": refused, "how": how}).to_string(),
                decision: None,
            })?;
            sessions::save(tx.store(), agent, session, &state)?;
            Ok(())
        })
    }
}
