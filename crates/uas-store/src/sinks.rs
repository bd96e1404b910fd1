//! `audit_sinks`: the last sequence number each webhook sink delivered.

use crate::{Conn, StoreError, err};
use rusqlite::{OptionalExtension, params};

/// Registers `name` (keeping its position when the URL changed: it is the
/// same sink moved) and returns the last sequence number it delivered (0
/// when new).
pub fn register(c: &impl Conn, name: &str, url: &str, now_ms: i64) -> Result<u64, StoreError> {
    let conn = c.sqlite();
    let seq: Option<i64> = conn
        .query_row(
            "SELECT last_seq FROM audit_sinks WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()
        .map_err(err(c))?;
    conn.execute(
        "INSERT INTO audit_sinks (name, url, last_seq, updated_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO UPDATE SET url = excluded.url",
        params![name, url, seq.unwrap_or(0), now_ms],
    )
    .map_err(err(c))?;
    Ok(seq.unwrap_or(0) as u64)
}

/// Records that `name` delivered everything up to `seq`.
pub fn set_delivered(c: &impl Conn, name: &str, seq: u64, now_ms: i64) -> Result<(), StoreError> {
    c.sqlite()
        .execute(
            "UPDATE audit_sinks SET last_seq = ?2, updated_ms = ?3 WHERE name = ?1",
            params![name, seq as i64, now_ms],
        )
        .map(|_| ())
        .map_err(err(c))
}
