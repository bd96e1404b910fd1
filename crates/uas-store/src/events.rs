//! `audit_events`: the append-only, hash-chained log (the chain itself is
//! computed by `uas-audit`; this module stores and reads rows). Triggers in
//! the schema refuse UPDATE and DELETE.

use crate::{Conn, StoreError, WriteTx, err};
use rusqlite::{OptionalExtension, params};

/// One stored event, as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Sequence number, contiguous from 1.
    pub seq: u64,
    /// Milliseconds since the epoch.
    pub ts_ms: i64,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// What happened.
    pub kind: String,
    /// Severity name.
    pub severity: String,
    /// The event JSON.
    pub payload: String,
    /// The decision JSON.
    pub decision: Option<String>,
    /// The previous record's hash (32 bytes).
    pub prev_hash: Vec<u8>,
    /// This record's hash (32 bytes).
    pub hash: Vec<u8>,
}

const COLUMNS: &str =
    "seq, ts_ms, agent, session, kind, severity, payload, decision, prev_hash, hash";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: r.get::<_, i64>(0)? as u64,
        ts_ms: r.get(1)?,
        agent: r.get(2)?,
        session: r.get(3)?,
        kind: r.get(4)?,
        severity: r.get(5)?,
        payload: r.get(6)?,
        decision: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// The newest sequence number and hash, if any.
pub fn head(c: &impl Conn) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    c.sqlite()
        .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| {
            s.query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
                .optional()
        })
        .map_err(err(c))
}

/// Appends one row (the caller computed seq and hashes under the lock).
pub fn insert(tx: &WriteTx<'_>, e: &EventRow) -> Result<(), StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO audit_events (seq, ts_ms, agent, session, kind, severity, payload, decision, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                e.seq as i64,
                e.ts_ms,
                e.agent,
                e.session,
                e.kind,
                e.severity,
                e.payload,
                e.decision,
                e.prev_hash,
                e.hash
            ])
        })
        .map(|_| ())
        .map_err(err(tx))
}

/// Rows with `seq > after`, oldest first, at most `limit`.
pub fn read_after(c: &impl Conn, after: u64, limit: usize) -> Result<Vec<EventRow>, StoreError> {
    let mut stmt = c
        .sqlite()
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))
        .map_err(err(c))?;
    let rows = stmt
        .query_map(params![after as i64, limit as i64], row)
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}

/// Calls `f` with every row in sequence order, one at a time, until it
/// says break (`uas audit verify` reads a million rows this way without
/// holding them).
pub fn for_each(
    c: &impl Conn,
    mut f: impl FnMut(EventRow) -> std::ops::ControlFlow<()>,
) -> Result<(), StoreError> {
    let mut stmt = c
        .sqlite()
        .prepare(&format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq"))
        .map_err(err(c))?;
    let mut rows = stmt.query([]).map_err(err(c))?;
    while let Some(r) = rows.next().map_err(err(c))? {
        if f(row(r).map_err(err(c))?).is_break() {
            break;
        }
    }
    Ok(())
}

/// The payload of the newest event of `kind` recorded for `agent`.
pub fn latest_payload(
    c: &impl Conn,
    kind: &str,
    agent: &str,
) -> Result<Option<String>, StoreError> {
    c.sqlite()
        .prepare_cached(
            "SELECT payload FROM audit_events WHERE kind = ?1 AND agent = ?2 ORDER BY seq DESC LIMIT 1",
        )
        .and_then(|mut s| s.query_row(params![kind, agent], |r| r.get(0)).optional())
        .map_err(err(c))
}

/// A filtered, paged read of the log, newest first (the monitor and
/// `GET /api/audit`). Every field narrows; `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only this agent.
    pub agent: Option<String>,
    /// Only this session.
    pub session: Option<String>,
    /// Only these kinds (empty: all).
    pub kinds: Vec<String>,
    /// Only these severities (empty: all).
    pub severities: Vec<String>,
    /// Only rows older than this sequence number (the next page).
    pub before: Option<u64>,
    /// Only rows newer than this sequence number.
    pub after: Option<u64>,
    /// At most this many rows.
    pub limit: usize,
}

/// The rows `q` selects, newest first. The filters are bound parameters;
/// the shape of the SQL depends only on which filters are present.
pub fn query(c: &impl Conn, q: &EventQuery) -> Result<Vec<EventRow>, StoreError> {
    use rusqlite::types::Value;
    let mut sql = format!("SELECT {COLUMNS} FROM audit_events WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(a) = &q.agent {
        bind(&mut sql, " AND agent = ?", Value::Text(a.clone()));
    }
    if let Some(s) = &q.session {
        bind(&mut sql, " AND session = ?", Value::Text(s.clone()));
    }
    if let Some(b) = q.before {
        bind(&mut sql, " AND seq < ?", Value::Integer(b as i64));
    }
    if let Some(a) = q.after {
        bind(&mut sql, " AND seq > ?", Value::Integer(a as i64));
    }
    for (column, list) in [("kind", &q.kinds), ("severity", &q.severities)] {
        if list.is_empty() {
            continue;
        }
        sql.push_str(&format!(" AND {column} IN ("));
        for (i, v) in list.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            bind(&mut sql, "?", Value::Text(v.clone()));
        }
        sql.push(')');
    }
    bind(
        &mut sql,
        " ORDER BY seq DESC LIMIT ?",
        Value::Integer(q.limit as i64),
    );
    let mut stmt = c.sqlite().prepare_cached(&sql).map_err(err(c))?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), row)
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}

/// How many rows there are per (agent, kind, severity), for the service's
/// metrics (read once at its start; it counts what follows itself).
pub fn counts(c: &impl Conn) -> Result<Vec<(String, String, String, u64)>, StoreError> {
    let mut stmt = c
        .sqlite()
        .prepare("SELECT agent, kind, severity, COUNT(*) FROM audit_events GROUP BY agent, kind, severity")
        .map_err(err(c))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as u64))
        })
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}
