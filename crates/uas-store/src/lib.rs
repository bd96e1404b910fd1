//! The local SQLite database: how a connection opens, the migrations, and
//! every query, one module per table ([`events`], [`sessions`], [`sinks`],
//! [`meta`], [`coord`]). No other crate has SQL in it.
//!
//! One driver, rusqlite: the heaviest user is `uas hook`, a short-lived
//! synchronous process that agents start on every tool call, where rusqlite
//! measured 0.3–0.5 ms faster than sqlx (DESIGN.md) and needs no runtime.
//!
//! Every connection gets the same settings: WAL (set when the file is
//! created or migrated; it is a property of the file), `synchronous =
//! NORMAL`, a busy timeout, foreign keys on, and no checkpoint when the
//! connection closes (a hook must not pay for one on exit; writers truncate
//! the WAL after a commit instead, see [`Db::truncate_wal_if_larger`]).
//! Writes run in `BEGIN IMMEDIATE` transactions ([`Db::write`]): deferred
//! ones deadlock into SQLITE_BUSY under concurrent writers.
//!
//! A database written by a newer uas is refused before anything is touched,
//! and a file that is not a SQLite database is reported, never recreated.

pub mod coord;
pub mod events;
pub mod meta;
mod migrate;
pub mod sessions;
pub mod sinks;

pub use migrate::supported_schema_version;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another writer by default.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Something is wrong with the database; every variant names the file and
/// says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a SQLite database (or is damaged).
    #[error(
        "{path} is not a readable SQLite database ({detail}); it was left untouched. Move it aside (e.g. `mv {path} {path}.broken`) and run `uas init` to create a new one"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        detail: String,
    },
    /// The database was written by a newer uas.
    #[error(
        "{path} has schema version {found}, but this uas supports up to {supported}; it was written by a newer uas. Upgrade uas (nothing was changed)"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Newest migration recorded in the file.
        found: i64,
        /// Newest migration this build knows.
        supported: i64,
    },
    /// The database does not exist and we were asked not to create it.
    #[error("{path} does not exist; run `uas init`")]
    Missing {
        /// The database file.
        path: PathBuf,
    },
    /// The write lock was not granted within the busy timeout.
    #[error(
        "{path} is locked by another writer (waited {waited_ms} ms); try again, or raise `[hooks] budget_ms`"
    )]
    Busy {
        /// The database file.
        path: PathBuf,
        /// How long we waited.
        waited_ms: u128,
    },
    /// Any other database failure.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's answer.
        #[source]
        source: rusqlite::Error,
    },
}

/// Whether [`Db::open`] may create and migrate the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if missing and apply pending migrations (`uas init`).
    CreateAndMigrate,
    /// Open an existing, migrated file for reading and writing (hooks, the
    /// facade); a missing file is [`StoreError::Missing`].
    Existing,
    /// Open an existing file and change nothing (for `uas doctor`).
    Inspect,
}

/// The schema state of an open database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Newest migration applied to the file (0 for an empty database).
    pub current: i64,
    /// Newest migration this build knows.
    pub supported: i64,
}

/// An open database: one connection with the settings above.
pub struct Db {
    conn: Connection,
    path: PathBuf,
    busy: Duration,
    found_schema: i64,
    /// Whether the schema version was checked against this build (at open,
    /// or for [`OpenMode::Existing`] lazily inside the first write, where
    /// the header is read anyway: the hook pays no extra read for it).
    schema_checked: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// What the table modules read through: an open [`Db`] or a [`WriteTx`].
pub trait Conn {
    /// The SQLite connection (crate-internal use by the table modules).
    #[doc(hidden)]
    fn sqlite(&self) -> &Connection;
    /// The database file, for error messages.
    fn db_path(&self) -> &Path;
}

impl Conn for Db {
    fn sqlite(&self) -> &Connection {
        &self.conn
    }
    fn db_path(&self) -> &Path {
        &self.path
    }
}

/// A write transaction holding SQLite's write lock (`BEGIN IMMEDIATE`).
pub struct WriteTx<'a> {
    tx: rusqlite::Transaction<'a>,
    path: &'a Path,
}

impl Conn for WriteTx<'_> {
    fn sqlite(&self) -> &Connection {
        &self.tx
    }
    fn db_path(&self) -> &Path {
        self.path
    }
}

impl Db {
    /// Opens the database at `path`; `busy` bounds how long a write waits
    /// for another writer.
    pub fn open(path: &Path, mode: OpenMode, busy: Duration) -> Result<Self, StoreError> {
        if mode != OpenMode::CreateAndMigrate && !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = match mode {
            OpenMode::CreateAndMigrate => {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            }
            OpenMode::Existing | OpenMode::Inspect => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        let mut db = Self {
            conn,
            path: path.to_path_buf(),
            busy,
            found_schema: 0,
            schema_checked: mode != OpenMode::Existing,
        };
        db.configure().map_err(|e| classify(path, e))?;
        if mode == OpenMode::Existing {
            return Ok(db);
        }
        let status = db.schema_status()?;
        db.found_schema = status.current;
        if status.current > status.supported {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: status.current,
                supported: status.supported,
            });
        }
        if mode == OpenMode::CreateAndMigrate {
            db.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| classify(path, e))?;
            if status.current < status.supported {
                tracing::info!(path = %path.display(), from = status.current, to = status.supported, "migrating database");
                migrate::run(&mut db.conn).map_err(|e| classify(path, e))?;
            }
        }
        Ok(db)
    }

    /// The one set of connection settings (see the crate docs).
    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(self.busy)?;
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
    }

    /// The schema version the file had when it was opened (0 = new file),
    /// before any migration ran.
    pub fn found_schema(&self) -> i64 {
        self.found_schema
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which migrations the file has, compared with this build.
    pub fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        Ok(SchemaStatus {
            current: migrate::current(&self.conn).map_err(|e| classify(&self.path, e))?,
            supported: supported_schema_version(),
        })
    }

    /// Runs SQLite's own consistency check (`PRAGMA quick_check`).
    pub fn quick_check(&self) -> Result<(), StoreError> {
        let result: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| classify(&self.path, e))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: result,
            })
        }
    }

    /// Runs `f` inside `BEGIN IMMEDIATE … COMMIT`; an error rolls back.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&WriteTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let started = std::time::Instant::now();
        let path = self.path.clone();
        let busy = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy {
                    path: path.clone(),
                    waited_ms: started.elapsed().as_millis(),
                }
            }
            _ => classify(&path, e),
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(busy)?;
        if !self.schema_checked {
            let found = migrate::current(&tx).map_err(|e| classify(&path, e))?;
            if found > supported_schema_version() {
                return Err(E::from(StoreError::NewerSchema {
                    path: path.clone(),
                    found,
                    supported: supported_schema_version(),
                }));
            }
            self.schema_checked = true;
        }
        let wtx = WriteTx { tx, path: &path };
        let out = f(&wtx)?;
        wtx.tx.commit().map_err(busy)?;
        Ok(out)
    }

    /// Checkpoints and truncates the WAL when it is larger than `limit`
    /// bytes. Short-lived processes never share a wal-index: each one
    /// rebuilds it by reading the whole WAL, and SQLite's auto-checkpoint
    /// never restarts the WAL for them (its progress lives in that index),
    /// so writers call this after their commit.
    pub fn truncate_wal_if_larger(&self, limit: u64) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > limit)
            && let Err(e) = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::debug!("WAL checkpoint skipped: {e}");
        }
    }
}

/// Wraps a SQLite error with the file; "file is not a database" and
/// "database disk image is malformed" become [`StoreError::Corrupt`] so the
/// user gets advice instead of an error code.
pub(crate) fn classify(path: &Path, source: rusqlite::Error) -> StoreError {
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: source.to_string(),
            }
        }
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The error of a query through `c`.
pub(crate) fn err(c: &impl Conn) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| classify(c.db_path(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_new(dir: &Path) -> Db {
        Db::open(
            &dir.join("uas.db"),
            OpenMode::CreateAndMigrate,
            BUSY_TIMEOUT,
        )
        .expect("open")
    }

    #[test]
    fn new_database_is_wal_with_foreign_keys_and_current_schema() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = open_new(dir.path());
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(mode, "wal");
        let fk: i64 = db
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(fk, 1);
        let sync: i64 = db
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(sync, 1, "NORMAL");
        let status = db.schema_status().expect("status");
        assert_eq!(status.current, status.supported);
        assert!(status.supported >= 2);
        db.quick_check().expect("quick_check");
        assert!(meta::get(&db, "created_at").expect("meta").is_some());
    }

    #[test]
    fn reopening_is_a_no_op() {
        let dir = tempfile::tempdir().expect("tmp");
        drop(open_new(dir.path()));
        let db = open_new(dir.path());
        assert_eq!(db.found_schema(), supported_schema_version());
        let created: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM meta WHERE key = 'created_at'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(created, 1, "migrations ran once");
    }

    #[test]
    fn newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = open_new(dir.path());
        db.conn
            .pragma_update(None, "user_version", 9999)
            .expect("bump");
        drop(db);
        let path = dir.path().join("uas.db");
        let before = std::fs::read(&path).expect("read");
        match Db::open(&path, OpenMode::CreateAndMigrate, BUSY_TIMEOUT) {
            Err(StoreError::NewerSchema { found: 9999, .. }) => {}
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        // A hook's connection finds out in its first write, before writing.
        let mut db = Db::open(&path, OpenMode::Existing, BUSY_TIMEOUT).expect("open");
        match db.write(|_| Ok::<_, StoreError>(())) {
            Err(StoreError::NewerSchema { found: 9999, .. }) => {}
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert_eq!(std::fs::read(&path).expect("read"), before);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_and_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.db");
        let junk = b"this is my diary, not a database\n".repeat(200);
        std::fs::write(&path, &junk).expect("seed");
        let err = Db::open(&path, OpenMode::CreateAndMigrate, BUSY_TIMEOUT).err();
        let msg = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
        assert!(matches!(err, Some(StoreError::Corrupt { .. })), "{msg}");
        assert!(msg.contains("uas.db") && msg.contains("uas init"), "{msg}");
        assert_eq!(std::fs::read(&path).expect("read"), junk);
    }

    #[test]
    fn inspect_and_existing_modes_do_not_create_a_database() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.db");
        for mode in [OpenMode::Inspect, OpenMode::Existing] {
            let err = Db::open(&path, mode, BUSY_TIMEOUT).err();
            assert!(matches!(err, Some(StoreError::Missing { .. })));
        }
        assert!(!path.exists());
    }

    #[test]
    fn the_audit_log_refuses_updates_and_deletes() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut db = open_new(dir.path());
        let row = events::EventRow {
            seq: 1,
            ts_ms: 1,
            agent: "claude".into(),
            session: "s".into(),
            kind: "pre_tool".into(),
            severity: "info".into(),
            payload: "{}".into(),
            decision: None,
            prev_hash: vec![0; 32],
            hash: vec![1; 32],
        };
        db.write(|tx| events::insert(tx, &row)).expect("insert");
        let e = db
            .conn
            .execute("UPDATE audit_events SET payload = 'x'", [])
            .expect_err("update");
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(db.conn.execute("DELETE FROM audit_events", []).is_err());
        assert_eq!(events::read_after(&db, 0, 10).expect("read"), [row]);
    }

    #[test]
    fn a_second_writer_waits_then_reports_busy() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut a = open_new(dir.path());
        let path = dir.path().join("uas.db");
        let mut b = Db::open(&path, OpenMode::Existing, Duration::from_millis(20)).expect("b");
        let got = a.write(|_| Ok::<_, StoreError>(b.write(|_| Ok::<_, StoreError>(())).err()));
        assert!(matches!(got, Ok(Some(StoreError::Busy { .. }))), "{got:?}");
    }
}
