//! `meta`: facts about the database itself (`created_at`).

use crate::{Conn, StoreError, err};
use rusqlite::OptionalExtension;

/// The value of `key`, when set.
pub fn get(c: &impl Conn, key: &str) -> Result<Option<String>, StoreError> {
    c.sqlite()
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(err(c))
}
