//! `meta`: facts about the database itself (`created_at`) and small
//! home-wide settings only uas writes (the protected-file baseline, the
//! enforcement mode).

use crate::{Conn, StoreError, err};
use rusqlite::OptionalExtension;

/// The value of `key`, when set.
pub fn get(c: &impl Conn, key: &str) -> Result<Option<String>, StoreError> {
    c.sqlite()
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(err(c))
}

/// Sets `key` to `value` (inserted or replaced).
pub fn set(tx: &crate::WriteTx<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .and_then(|mut s| s.execute([key, value]))
        .map(|_| ())
        .map_err(err(tx))
}

/// Removes `key` and returns the value it had (a hand-over between two
/// hook calls: read once, gone even when the reader cannot use it).
pub fn take(tx: &crate::WriteTx<'_>, key: &str) -> Result<Option<String>, StoreError> {
    tx.sqlite()
        .prepare_cached("DELETE FROM meta WHERE key = ?1 RETURNING value")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .map_err(err(tx))
}

/// Removes `key` (no error when it is not set).
pub fn remove(tx: &crate::WriteTx<'_>, key: &str) -> Result<(), StoreError> {
    tx.sqlite()
        .execute("DELETE FROM meta WHERE key = ?1", [key])
        .map(|_| ())
        .map_err(err(tx))
}
