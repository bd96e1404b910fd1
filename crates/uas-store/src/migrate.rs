//! Versioned migrations, recorded in `PRAGMA user_version`.
//!
//! Each migration runs in its own `BEGIN IMMEDIATE` transaction together
//! with the version bump, so a crash leaves the file at the old or the new
//! version, and two processes migrating at once apply each step once (the
//! second re-reads the version under the lock and skips it).
//!
//! Databases made before storage moved to rusqlite were migrated by sqlx:
//! their version is the newest successful row of `_sqlx_migrations` (the
//! SQL of migrations 1 and 2 is unchanged), and it is copied into
//! `user_version` the first time this build migrates the file. The old
//! table is left in place.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// The migrations, in order; the version of migration `i` is `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_meta.sql"),
    include_str!("../migrations/0002_audit.sql"),
    include_str!("../migrations/0003_coord.sql"),
    include_str!("../migrations/0004_event_kinds.sql"),
];

/// The schema version this build creates and understands.
pub fn supported_schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The file's schema version (0 for an empty database).
pub(crate) fn current(conn: &Connection) -> rusqlite::Result<i64> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > 0 {
        return Ok(version);
    }
    legacy_sqlx_version(conn)
}

fn legacy_sqlx_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_table = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !has_table {
        return Ok(0);
    }
    conn.query_row(
        "SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success",
        [],
        |r| r.get(0),
    )
}

/// Applies every migration after the file's version.
pub(crate) fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = current(&tx)?;
        if now < version {
            tx.execute_batch(sql)?;
        }
        // Also records a sqlx-era version in user_version.
        tx.pragma_update(None, "user_version", now.max(version))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlx_era_database_keeps_its_data_and_gets_user_version() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut conn = Connection::open(dir.path().join("old.db")).expect("open");
        // What sqlx left: its table, both migrations applied, one event.
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
               installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
               checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
               VALUES (1, 'meta', 1, x'00', 0), (2, 'audit', 1, x'00', 0);",
        )
        .expect("sqlx table");
        conn.execute_batch(MIGRATIONS[0]).expect("m1");
        conn.execute_batch(MIGRATIONS[1]).expect("m2");
        conn.execute(
            "INSERT INTO sop_sessions (agent, session, state, updated_ms) VALUES ('claude', 's', '{}', 1)",
            [],
        )
        .expect("row");
        assert_eq!(current(&conn).expect("v"), 2);
        run(&mut conn).expect("migrate");
        let uv: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("uv");
        // The sqlx-era version, then the migrations added since.
        assert_eq!(uv, supported_schema_version());
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sop_sessions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 1, "no migration ran twice");
    }

    #[test]
    fn an_empty_file_is_migrated_from_zero() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut conn = Connection::open(dir.path().join("new.db")).expect("open");
        assert_eq!(current(&conn).expect("v"), 0);
        run(&mut conn).expect("migrate");
        assert_eq!(current(&conn).expect("v"), supported_schema_version());
        run(&mut conn).expect("again");
    }
}
