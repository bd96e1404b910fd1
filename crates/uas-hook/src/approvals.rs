//! Approval requests of `ask` rules, kept as audit events (the log is the
//! one record of who asked what and who answered):
//!
//! - `approval_request` (by the hook): the call, the rule, why, until when;
//! - `approval_answer` (by the service, for a person): approve or refuse,
//!   signed with this home's audit key, so a row written around uas into
//!   the database answers nothing;
//! - `approval_expired` (by the hook that gave up waiting), and
//!   `approval_used` (an approved call ran: one approval, one call).
//!
//! The hook waits for an answer no longer than the agent lets a hook run
//! ([`WAIT_CAP`]); the request stays open until its own timeout, and the
//! same call made again meanwhile waits on it or finds its answer.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uas_audit::VerifyingKey;
use uas_core::AgentEvent;
use uas_store::Conn;
use uas_store::events::{self, EventQuery};

/// `approval_request`.
pub const REQUEST: &str = "approval_request";
/// `approval_answer`.
pub const ANSWER: &str = "approval_answer";
/// `approval_expired`.
pub const EXPIRED: &str = "approval_expired";
/// `approval_used`.
pub const USED: &str = "approval_used";

/// The longest a hook waits in one call: agents run our hooks with a 10 s
/// timeout (the entries setup writes), so 8 s leaves time to answer.
pub const WAIT_CAP: std::time::Duration = std::time::Duration::from_secs(8);

/// How far back requests are looked for: at most this many newest events
/// (a request is open for at most an hour; this bounds the read).
const LOOK_BACK: u64 = 200_000;

/// What an `approval_request` event's payload says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPayload {
    /// The rule that asks.
    pub rule: String,
    /// Why the SOP asks (the rule's reason).
    pub reason: String,
    /// What the agent wants, in words (`Bash: git push`).
    pub what: String,
    /// Identifies the call (agent, session, tool, input).
    pub fingerprint: String,
    /// When the request lapses (ms since the epoch).
    pub expires_ms: i64,
}

/// What an `approval_answer` event's payload says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerPayload {
    /// The request's sequence number.
    pub request: u64,
    /// `approve` or `refuse`.
    pub answer: String,
    /// Who answered and how (`web <user>`).
    pub by: String,
    /// When (ms since the epoch; signed).
    pub at_ms: i64,
    /// This home's signature of (request, answer, at_ms).
    pub sig: String,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nobody answered yet and it has not lapsed.
    Pending,
    /// A person approved it (and the call has not run yet).
    Approved,
    /// A person refused it.
    Refused,
    /// It lapsed unanswered.
    Expired,
    /// Approved, and the approved call ran.
    Used,
}

/// One request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Its sequence number (its id).
    pub seq: u64,
    /// When it was asked.
    pub ts_ms: i64,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// What it asks.
    pub payload: RequestPayload,
    /// Where it stands.
    pub state: State,
    /// The signed answer, if one came.
    pub answer: Option<AnswerPayload>,
}

/// The call's fingerprint: the same tool with the same input in the same
/// session is the same call.
pub fn fingerprint(event: &AgentEvent) -> String {
    let mut h = Sha256::new();
    for part in [
        event.agent.as_str(),
        &event.session,
        event.tool.as_ref().map_or("", |t| t.name.as_str()),
        &event.tool_input.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

/// The call in words, for the person asked.
pub fn describe(event: &AgentEvent) -> String {
    let Some(tool) = &event.tool else {
        return event.agent_event.clone();
    };
    match (&tool.command, tool.paths.is_empty()) {
        (Some(cmd), _) => format!("{}: {cmd}", tool.name),
        (None, false) => format!("{}: {}", tool.name, tool.paths.join(", ")),
        (None, true) => tool.name.clone(),
    }
}

/// Every recent request with its state at `now_ms`, oldest first. Answers
/// without a valid signature (or with no key to check them) are ignored.
pub fn book(
    c: &impl Conn,
    key: Option<&VerifyingKey>,
    now_ms: i64,
) -> Result<Vec<Request>, uas_store::StoreError> {
    let head = events::head(c)?.map_or(0, |(s, _)| s);
    let rows = events::query(
        c,
        &EventQuery {
            kinds: [REQUEST, ANSWER, EXPIRED, USED].map(String::from).to_vec(),
            after: Some(head.saturating_sub(LOOK_BACK)),
            limit: 100_000,
            ..EventQuery::default()
        },
    )?;
    let mut out: Vec<Request> = Vec::new();
    for r in rows.into_iter().rev() {
        let v: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
        let target = v["request"].as_u64();
        match r.kind.as_str() {
            REQUEST => {
                if let Ok(payload) = serde_json::from_value::<RequestPayload>(v) {
                    out.push(Request {
                        seq: r.seq,
                        ts_ms: r.ts_ms,
                        agent: r.agent,
                        session: r.session,
                        payload,
                        state: State::Pending,
                        answer: None,
                    });
                }
            }
            kind => {
                let Some(req) = out.iter_mut().find(|q| Some(q.seq) == target) else {
                    continue;
                };
                match (kind, req.state) {
                    (ANSWER, State::Pending) => {
                        let Ok(a) = serde_json::from_value::<AnswerPayload>(v) else {
                            continue;
                        };
                        let signed = key.is_some_and(|k| {
                            uas_audit::keys::approval_signature_valid(
                                k, a.request, &a.answer, a.at_ms, &a.sig,
                            )
                        });
                        if !signed || a.at_ms > req.payload.expires_ms {
                            continue;
                        }
                        req.state = if a.answer == "approve" {
                            State::Approved
                        } else {
                            State::Refused
                        };
                        req.answer = Some(a);
                    }
                    (EXPIRED, State::Pending) => req.state = State::Expired,
                    (USED, State::Approved) => req.state = State::Used,
                    _ => {}
                }
            }
        }
    }
    for req in &mut out {
        if req.state == State::Pending && now_ms > req.payload.expires_ms {
            req.state = State::Expired;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uas_core::{AgentId, EventKind, ToolCall, ToolClass};

    fn call(cmd: &str) -> AgentEvent {
        AgentEvent {
            agent: AgentId::Claude,
            session: "s1".into(),
            cwd: None,
            kind: EventKind::PreTool,
            agent_event: "PreToolUse".into(),
            tool: Some(ToolCall {
                name: "Bash".into(),
                class: ToolClass::Shell,
                paths: vec![],
                command: Some(cmd.into()),
            }),
            tool_input: serde_json::json!({"command": cmd}),
            outcome: None,
            agent_ts_ms: None,
            received_ms: 0,
            subagent: None,
            detail: serde_json::Value::Null,
        }
    }

    #[test]
    fn the_same_call_has_the_same_fingerprint_and_another_call_another() {
        assert_eq!(
            fingerprint(&call("git push")),
            fingerprint(&call("git push"))
        );
        assert_ne!(
            fingerprint(&call("git push")),
            fingerprint(&call("git push -f"))
        );
        assert_eq!(describe(&call("git push")), "Bash: git push");
    }
}
