//! `uas audit verify`: walk the chain and compare it with the checkpoint.

use crate::chain::{self, Fields, GENESIS, Hash};
use crate::{AuditError, AuditLog, Checkpoint, CheckpointError};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::collections::VecDeque;
use std::ops::ControlFlow;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProblemKind {
    /// A record's content changed after it was written.
    Edited,
    /// One or more records are missing.
    Deleted,
    /// Records are out of their original order.
    Reordered,
    /// The newest records are gone (the log ends before the checkpoint).
    Truncated,
    /// The checkpoint's signature is not ours.
    BadSignature,
    /// There are records but no checkpoint (it was deleted), or it is unreadable.
    CheckpointMissing,
    /// The signing key is unavailable, so the checkpoint cannot be checked.
    KeyUnavailable,
}

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Problem {
    /// The first bad sequence number.
    pub seq: u64,
    /// What is wrong.
    pub kind: ProblemKind,
    /// In words.
    pub detail: String,
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// Records checked.
    pub records: u64,
    /// Newest sequence number.
    pub head_seq: u64,
    /// Sequence number of the checkpoint, if any.
    pub checkpoint_seq: Option<u64>,
    /// Where the signing key lives.
    pub key_location: Option<String>,
    /// The first problem, if any.
    pub problem: Option<Problem>,
}

struct Row {
    seq: u64,
    ts_ms: i64,
    agent: String,
    session: String,
    kind: String,
    severity: String,
    payload: String,
    decision: Option<String>,
    prev: Hash,
    hash: Hash,
}

impl Row {
    fn hash_with_seq(&self, seq: u64) -> Hash {
        chain::hash_fields(&Fields {
            seq,
            ts_ms: self.ts_ms,
            agent: &self.agent,
            session: &self.session,
            kind: &self.kind,
            severity: &self.severity,
            payload: &self.payload,
            decision: self.decision.as_deref(),
            prev_hash: &self.prev,
        })
    }
}

/// How far around a bad record to look for where it came from.
const REORDER_WINDOW: u64 = 64;

/// Walks the whole log. `checkpoint` is the parsed checkpoint file (or the
/// reason it could not be read); `key` the public key it must be signed by.
pub fn verify(
    log: &AuditLog,
    checkpoint: Result<Option<Checkpoint>, CheckpointError>,
    key: Result<VerifyingKey, String>,
    key_location: Option<String>,
) -> Result<VerifyReport, AuditError> {
    let cp_seq = checkpoint
        .as_ref()
        .ok()
        .and_then(|c| c.as_ref().map(|c| c.seq));
    let mut expected = 1u64;
    let mut prev = GENESIS;
    let mut recent: VecDeque<(u64, Hash)> = VecDeque::new();
    let mut hash_at_cp: Option<Hash> = None;
    let mut problem = None;
    uas_store::events::for_each(log.db(), |r| {
        let row = Row {
            seq: r.seq,
            ts_ms: r.ts_ms,
            agent: r.agent,
            session: r.session,
            kind: r.kind,
            severity: r.severity,
            payload: r.payload,
            decision: r.decision,
            prev: chain::to_hash(&r.prev_hash),
            hash: chain::to_hash(&r.hash),
        };
        if let Some(p) = check_row(&row, expected, &prev, &recent) {
            problem = Some(p);
            return ControlFlow::Break(());
        }
        if Some(row.seq) == cp_seq {
            hash_at_cp = Some(row.hash);
        }
        prev = row.hash;
        recent.push_back((row.seq, row.hash));
        if recent.len() > REORDER_WINDOW as usize {
            recent.pop_front();
        }
        expected += 1;
        ControlFlow::Continue(())
    })?;
    let records = expected - 1;
    if problem.is_none() {
        problem = check_checkpoint(records, checkpoint, key, hash_at_cp);
    }
    Ok(VerifyReport {
        ok: problem.is_none(),
        records,
        head_seq: records,
        checkpoint_seq: cp_seq,
        key_location,
        problem,
    })
}

fn check_row(
    row: &Row,
    expected: u64,
    prev: &Hash,
    recent: &VecDeque<(u64, Hash)>,
) -> Option<Problem> {
    let problem = |kind, detail: String| {
        Some(Problem {
            seq: expected,
            kind,
            detail,
        })
    };
    if row.seq != expected {
        return problem(
            ProblemKind::Deleted,
            format!(
                "records {expected}..{} are missing (the next record is {})",
                row.seq - 1,
                row.seq
            ),
        );
    }
    let self_consistent = row.hash_with_seq(row.seq) == row.hash;
    if self_consistent && row.prev == *prev {
        return None;
    }
    // Was this record written under another sequence number?
    let lo = expected.saturating_sub(REORDER_WINDOW).max(1);
    if let Some(orig) = (lo..=expected + REORDER_WINDOW)
        .filter(|&s| s != expected)
        .find(|&s| row.hash_with_seq(s) == row.hash)
    {
        return problem(
            ProblemKind::Reordered,
            format!("record {expected} was written as record {orig}: records were reordered"),
        );
    }
    if !self_consistent {
        return problem(
            ProblemKind::Edited,
            format!(
                "record {expected} was changed after it was written (its hash does not match its content)"
            ),
        );
    }
    if let Some((k, _)) = recent.iter().find(|(_, h)| *h == row.prev) {
        return problem(
            ProblemKind::Reordered,
            format!(
                "record {expected} follows record {k}, not record {}: records were reordered",
                expected - 1
            ),
        );
    }
    problem(
        ProblemKind::Deleted,
        format!(
            "record {expected} does not follow record {}: records in between were deleted and the rest renumbered",
            expected - 1
        ),
    )
}

fn check_checkpoint(
    records: u64,
    checkpoint: Result<Option<Checkpoint>, CheckpointError>,
    key: Result<VerifyingKey, String>,
    hash_at_cp: Option<Hash>,
) -> Option<Problem> {
    let problem = |seq, kind, detail: String| Some(Problem { seq, kind, detail });
    let cp = match checkpoint {
        Err(e) => return problem(records, ProblemKind::CheckpointMissing, e.to_string()),
        Ok(None) if records == 0 => return None,
        Ok(None) => {
            return problem(
                records,
                ProblemKind::CheckpointMissing,
                format!(
                    "the log has {records} records but no signed checkpoint: it was deleted, so truncation cannot be ruled out"
                ),
            );
        }
        Ok(Some(cp)) => cp,
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => {
            return problem(
                cp.seq,
                ProblemKind::KeyUnavailable,
                format!("cannot check the checkpoint signature: {e}"),
            );
        }
    };
    if !cp.signature_valid(&key) {
        return problem(
            cp.seq,
            ProblemKind::BadSignature,
            "the checkpoint is not signed by this home's audit key (forged or replaced)".into(),
        );
    }
    if cp.seq > records {
        return problem(
            records + 1,
            ProblemKind::Truncated,
            format!(
                "the signed checkpoint says the log reached record {}, but it ends at {records}: the newest records were deleted",
                cp.seq
            ),
        );
    }
    if hash_at_cp.map(hex::encode) != Some(cp.hash.clone()) {
        return problem(
            cp.seq,
            ProblemKind::Edited,
            format!(
                "record {} differs from the signed checkpoint: the log was rewritten",
                cp.seq
            ),
        );
    }
    None
}
