//! `ask` rules: before the hook's one write transaction, a call that an
//! `ask` rule matches is put to a person through the running service, and
//! the answer (or the rule's `otherwise` when no service runs) becomes the
//! decision. The wait happens outside any transaction, so other hooks go
//! on meanwhile; see [`crate::approvals`] for the events.

use crate::approvals::{self, AnswerPayload, RequestPayload, State};
use std::time::{Duration, Instant};
use uas_audit::{AuditError, Journal, NewEvent, Severity};
use uas_core::{AgentEvent, EventKind, Home};
use uas_sop::{Action, AskSpec, Context, Decision, RuleSeverity, Sop};
use uas_store::events::{self, EventQuery};

/// How often a waiting hook looks for the answer.
const POLL: Duration = Duration::from_millis(25);

/// What the person (or the fallback) answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    /// Allow or deny.
    pub action: Action,
    /// What happened, for the agent and the audit event.
    pub note: String,
}

/// Asks a person when `event` meets an `ask` rule; `None` when it does not
/// (or the SOP has no such rule, which costs nothing).
pub(crate) fn ask_first(
    home: &Home,
    sop: &Sop,
    ctx: &Context,
    journal: impl FnOnce() -> Result<Journal, AuditError>,
    event: &AgentEvent,
) -> Option<Asked> {
    if !sop.asks() || !matches!(event.kind, EventKind::PreTool | EventKind::Permission) {
        return None;
    }
    let mut journal = match journal() {
        Ok(j) => j,
        // The main path meets the same failure and answers by on_error.
        Err(_) => return None,
    };
    let state = crate::sessions::load(journal.log().db(), event.agent, &event.session).ok()?;
    let decision = sop.decide(ctx, &state, event);
    let spec = decision.ask.filter(|_| decision.action == Action::Ask)?;
    if !uas_core::service::running(&home.service_lock_file()) {
        return Some(Asked {
            action: spec.otherwise,
            note: format!(
                "no uas service runs to ask a person, so the rule's `otherwise` answered {}",
                action_word(spec.otherwise)
            ),
        });
    }
    Some(
        put_to_a_person(&mut journal, &decision, spec, event).unwrap_or_else(|e| Asked {
            action: Action::Deny,
            note: format!("the approval request could not be recorded ({e}): denied"),
        }),
    )
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Allow => "allow",
        Action::Deny | Action::Ask => "deny",
        Action::Warn => "warn",
    }
}

fn put_to_a_person(
    journal: &mut Journal,
    decision: &Decision,
    spec: AskSpec,
    event: &AgentEvent,
) -> Result<Asked, AuditError> {
    let key = journal.keys().verifying_key();
    let now = uas_core::now_ms();
    let fp = approvals::fingerprint(event);
    let book = approvals::book(journal.log().db(), Some(&key), now)?;
    let open = book.iter().rev().find(|r| {
        r.payload.fingerprint == fp
            && matches!(r.state, State::Pending | State::Approved | State::Refused)
    });
    let (request, expires_ms) = match open {
        Some(r) if r.state == State::Approved => {
            return use_approval(journal, event, r.seq, r.answer.as_ref());
        }
        Some(r) if r.state == State::Refused => {
            return Ok(refused(r.seq, r.answer.as_ref()));
        }
        Some(r) => (r.seq, r.payload.expires_ms),
        None => {
            let expires_ms = now + (spec.timeout_s as i64) * 1000;
            let payload = RequestPayload {
                rule: decision.rule.clone().unwrap_or_default(),
                reason: decision.reason.clone(),
                what: approvals::describe(event),
                fingerprint: fp,
                expires_ms,
            };
            let rec = journal.append(&NewEvent {
                ts_ms: now,
                agent: event.agent.as_str().into(),
                session: event.session.clone(),
                kind: approvals::REQUEST.into(),
                severity: Severity::Warning,
                payload: serde_json::to_string(&payload).unwrap_or_default(),
                decision: None,
            })?;
            (rec.seq, expires_ms)
        }
    };
    let left = Duration::from_millis((expires_ms - now).max(0) as u64);
    let deadline = Instant::now() + left.min(approvals::WAIT_CAP);
    loop {
        if let Some(a) = answer_to(journal, &key, request, expires_ms)? {
            return if a.answer == "approve" {
                use_approval(journal, event, request, Some(&a))
            } else {
                Ok(refused(request, Some(&a)))
            };
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(POLL);
    }
    if uas_core::now_ms() >= expires_ms {
        journal.append(&NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: event.agent.as_str().into(),
            session: event.session.clone(),
            kind: approvals::EXPIRED.into(),
            severity: Severity::Warning,
            payload: serde_json::json!({"request": request}).to_string(),
            decision: None,
        })?;
        return Ok(Asked {
            action: Action::Deny,
            note: format!("nobody answered approval request {request} in time: denied"),
        });
    }
    Ok(Asked {
        action: Action::Deny,
        note: format!(
            "a person has not answered approval request {request} yet; it stays open for {} s: make the same call again after it is approved",
            (expires_ms - uas_core::now_ms()).max(0) / 1000
        ),
    })
}

/// A signed answer to `request`, if one arrived.
fn answer_to(
    journal: &Journal,
    key: &uas_audit::VerifyingKey,
    request: u64,
    expires_ms: i64,
) -> Result<Option<AnswerPayload>, AuditError> {
    let rows = events::query(
        journal.log().db(),
        &EventQuery {
            kinds: vec![approvals::ANSWER.into()],
            after: Some(request),
            limit: 1000,
            ..EventQuery::default()
        },
    )
    .map_err(AuditError::Store)?;
    Ok(rows.into_iter().rev().find_map(|r| {
        let a: AnswerPayload = serde_json::from_str(&r.payload).ok()?;
        (a.request == request
            && a.at_ms <= expires_ms
            && uas_audit::keys::approval_signature_valid(
                key, a.request, &a.answer, a.at_ms, &a.sig,
            ))
        .then_some(a)
    }))
}

fn use_approval(
    journal: &mut Journal,
    event: &AgentEvent,
    request: u64,
    answer: Option<&AnswerPayload>,
) -> Result<Asked, AuditError> {
    journal.append(&NewEvent {
        ts_ms: uas_core::now_ms(),
        agent: event.agent.as_str().into(),
        session: event.session.clone(),
        kind: approvals::USED.into(),
        severity: Severity::Info,
        payload: serde_json::json!({"request": request}).to_string(),
        decision: None,
    })?;
    Ok(Asked {
        action: Action::Allow,
        note: format!(
            "approved by {} (approval request {request})",
            answer.map_or("a person", |a| a.by.as_str())
        ),
    })
}

fn refused(request: u64, answer: Option<&AnswerPayload>) -> Asked {
    Asked {
        action: Action::Deny,
        note: format!(
            "refused by {} (approval request {request})",
            answer.map_or("a person", |a| a.by.as_str())
        ),
    }
}

/// Turns the engine's `ask` into the answer found first (or, when the
/// first look saw no ask, the rule's `otherwise`).
pub(crate) fn resolve(decision: &mut Decision, asked: Option<&Asked>) {
    if decision.action != Action::Ask {
        return;
    }
    let otherwise = decision.ask.map_or(Action::Deny, |s| s.otherwise);
    let (action, note) = match asked {
        Some(a) => (a.action, a.note.clone()),
        None => (
            otherwise,
            format!(
                "answered by the rule's `otherwise` ({})",
                action_word(otherwise)
            ),
        ),
    };
    decision.action = action;
    decision.reason = if decision.reason.is_empty() {
        note
    } else {
        format!("{} ({note})", decision.reason)
    };
    if action == Action::Allow {
        decision.violation = None;
        decision.severity = RuleSeverity::Info;
    } else if matches!(
        decision.severity,
        RuleSeverity::Info | RuleSeverity::Warning
    ) {
        decision.severity = RuleSeverity::Error;
    }
}
