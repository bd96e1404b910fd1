//! The SQLite database behind the audit log, sessions and state.
//!
//! Opened in WAL mode with `synchronous=NORMAL`, a busy timeout and foreign
//! keys on. Migrations live in `crates/uas-store/migrations/` and are embedded
//! at build time. A database written by a newer uas (it has migrations this
//! build does not know) is refused before anything is touched, and a file
//! that is not a SQLite database is reported, never recreated.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this build creates and understands.
pub fn supported_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

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
    /// Any other database failure.
    #[error("database {path}: {source}")]
    Sqlx {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: sqlx::Error,
    },
}

/// Whether [`Store::open`] may create and migrate the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if missing and apply pending migrations.
    CreateAndMigrate,
    /// Open only an existing file and change nothing (for `uas doctor`).
    Inspect,
}

/// An open database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    found_schema: i64,
}

/// The schema state of an open database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Newest migration applied to the file (0 for an empty database).
    pub current: i64,
    /// Newest migration this build knows.
    pub supported: i64,
}

impl Store {
    /// Opens the database at `path`.
    pub async fn open(path: &Path, mode: OpenMode) -> Result<Self, StoreError> {
        if mode == OpenMode::Inspect && !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(mode == OpenMode::CreateAndMigrate)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| classify(path, e))?;
        let mut store = Self {
            pool,
            path: path.to_path_buf(),
            found_schema: 0,
        };
        let status = store.schema_status().await?;
        store.found_schema = status.current;
        if status.current > status.supported {
            store.pool.close().await;
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: status.current,
                supported: status.supported,
            });
        }
        if mode == OpenMode::CreateAndMigrate && status.current < status.supported {
            tracing::info!(path = %path.display(), from = status.current, to = status.supported, "migrating database");
            MIGRATOR
                .run(&store.pool)
                .await
                .map_err(|e| store.err(sqlx::Error::from(e)))?;
        }
        Ok(store)
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

    /// The connection pool, for the crates that own tables.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Which migrations the file has, compared with this build.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let has_table: i64 = sqlx::query(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| classify(&self.path, e))?
        .get(0);
        let current = if has_table == 0 {
            0
        } else {
            sqlx::query("SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| classify(&self.path, e))?
                .get(0)
        };
        Ok(SchemaStatus {
            current,
            supported: supported_schema_version(),
        })
    }

    /// Runs SQLite's own consistency check (`PRAGMA quick_check`).
    pub async fn quick_check(&self) -> Result<(), StoreError> {
        let result: String = sqlx::query("PRAGMA quick_check")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| classify(&self.path, e))?
            .get(0);
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: result,
            })
        }
    }

    /// Closes every connection (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }

    fn err(&self, source: sqlx::Error) -> StoreError {
        classify(&self.path, source)
    }
}

/// Turns "file is not a database" / "database disk image is malformed" into
/// [`StoreError::Corrupt`] so the user gets advice instead of an error code.
fn classify(path: &Path, source: sqlx::Error) -> StoreError {
    if let Some(db) = source.as_database_error() {
        // SQLITE_NOTADB = 26, SQLITE_CORRUPT = 11 (primary result codes).
        let primary = db
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| c & 0xff);
        if matches!(primary, Some(11 | 26)) {
            return StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: db.message().to_owned(),
            };
        }
    }
    StoreError::Sqlx {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open_new(dir: &Path) -> Store {
        Store::open(&dir.join("uas.db"), OpenMode::CreateAndMigrate)
            .await
            .expect("open")
    }

    #[tokio::test]
    async fn new_database_is_wal_with_foreign_keys_and_current_schema() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = open_new(dir.path()).await;
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .expect("pragma")
            .get(0);
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .expect("pragma")
            .get(0);
        assert_eq!(fk, 1);
        let status = store.schema_status().await.expect("status");
        assert_eq!(status.current, status.supported);
        assert!(status.supported >= 1);
        store.quick_check().await.expect("quick_check");
    }

    #[tokio::test]
    async fn reopening_is_a_no_op() {
        let dir = tempfile::tempdir().expect("tmp");
        open_new(dir.path()).await.close().await;
        let store = open_new(dir.path()).await;
        let n: i64 = sqlx::query("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(store.pool())
            .await
            .expect("count")
            .get(0);
        assert_eq!(n, supported_schema_version());
    }

    #[tokio::test]
    async fn newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = open_new(dir.path()).await;
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', 1, x'00', 0)")
            .execute(store.pool())
            .await
            .expect("insert");
        store.close().await;
        let path = dir.path().join("uas.db");
        let before = std::fs::read(&path).expect("read");
        let err = Store::open(&path, OpenMode::CreateAndMigrate).await.err();
        match err {
            Some(StoreError::NewerSchema { found: 9999, .. }) => {}
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        assert_eq!(std::fs::read(&path).expect("read"), before);
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_is_reported_and_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.db");
        let junk = b"this is my diary, not a database\n".repeat(200);
        std::fs::write(&path, &junk).expect("seed");
        let err = Store::open(&path, OpenMode::CreateAndMigrate).await.err();
        let msg = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
        assert!(matches!(err, Some(StoreError::Corrupt { .. })), "{msg}");
        assert!(msg.contains("uas.db") && msg.contains("uas init"), "{msg}");
        assert_eq!(std::fs::read(&path).expect("read"), junk);
    }

    #[tokio::test]
    async fn inspect_mode_does_not_create_a_database() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.db");
        let err = Store::open(&path, OpenMode::Inspect).await.err();
        assert!(matches!(err, Some(StoreError::Missing { .. })));
        assert!(!path.exists());
    }
}
