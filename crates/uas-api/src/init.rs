//! `uas init`: create the home with its defaults, idempotently, never
//! replacing a file that already exists.

use crate::{ApiError, App};
use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::Config;
use uas_core::config::DEFAULT_CONFIG_TOML;
use uas_core::fsx::{self, Overwrite, Written};
use uas_store::{Db, OpenMode};

const DEFAULT_INSTRUCTIONS: &str = include_str!("defaults/AGENTS.md");
const SOP_README: &str = include_str!("defaults/sop-README.md");

/// What `init` did to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InitAction {
    /// It did not exist; we made it.
    Created,
    /// It existed and already matched what we would write.
    Unchanged,
    /// It existed with the user's own content, which we kept as is.
    KeptUserVersion,
    /// The database existed and we applied newer migrations.
    Migrated,
}

/// The kind of thing an [`InitItem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemKind {
    /// A folder.
    Dir,
    /// A file.
    File,
    /// The SQLite database.
    Database,
}

/// One path `init` looked after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct InitItem {
    /// The path.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Folder, file or database.
    pub kind: ItemKind,
    /// What happened to it.
    pub action: InitAction,
}

/// The result of `init`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct InitReport {
    /// The home that was initialized.
    #[ts(type = "string")]
    pub home: PathBuf,
    /// Every path, in the order handled.
    pub items: Vec<InitItem>,
    /// Whether anything on disk changed (false on a second run).
    pub changed: bool,
}

impl App {
    /// Creates the home, its folders, a default config, the universal
    /// instructions and the database. Existing files are never replaced; an
    /// invalid existing config stops init before anything is written.
    pub fn init(&self) -> Result<InitReport, ApiError> {
        let home = &self.home;
        let root = home.root();
        if root.exists() && !root.is_dir() {
            return Err(ApiError::HomeNotADirectory(root.to_path_buf()));
        }
        // Validate an existing config before touching anything.
        let config = Config::load(&home.config_file())?;

        let mut items = Vec::new();
        for dir in [
            root.to_path_buf(),
            home.instructions_dir(),
            home.skills_dir(),
            home.sop_dir(),
            home.backups_dir(),
        ] {
            let action = if dir.is_dir() {
                InitAction::Unchanged
            } else {
                fsx::create_dir_all(&dir)?;
                InitAction::Created
            };
            items.push(InitItem {
                path: dir,
                kind: ItemKind::Dir,
                action,
            });
        }
        for (path, content) in [
            (home.config_file(), DEFAULT_CONFIG_TOML),
            (
                home.instructions_dir().join("AGENTS.md"),
                DEFAULT_INSTRUCTIONS,
            ),
            (home.sop_dir().join("README.md"), SOP_README),
            (
                home.sop_dir().join("default.toml"),
                uas_sop::DEFAULT_SOP_TOML,
            ),
        ] {
            let action = create_file(&path, content)?;
            items.push(InitItem {
                path,
                kind: ItemKind::File,
                action,
            });
        }

        let db = home.database(&config.store.database);
        let store = Db::open(&db, OpenMode::CreateAndMigrate, uas_store::BUSY_TIMEOUT)?;
        let action = match store.found_schema() {
            0 => InitAction::Created,
            v if v < uas_store::supported_schema_version() => InitAction::Migrated,
            _ => InitAction::Unchanged,
        };
        drop(store);
        items.push(InitItem {
            path: db,
            kind: ItemKind::Database,
            action,
        });
        // The key that signs audit checkpoints, so hooks never create it.
        uas_audit::SigningKeys::load_or_create(
            &uas_audit::audit_dir(home),
            config.audit.key_store,
        )?;

        let changed = items
            .iter()
            .any(|i| matches!(i.action, InitAction::Created | InitAction::Migrated));
        if changed {
            // What init created is what hooks compare against from now on.
            self.journal()?.write(|tx| self.take_baseline(tx, "init"))?;
        }
        tracing::info!(home = %root.display(), changed, "init finished");
        Ok(InitReport {
            home: root.to_path_buf(),
            items,
            changed,
        })
    }
}

fn create_file(path: &Path, content: &str) -> Result<InitAction, ApiError> {
    match fsx::write_atomic(path, content.as_bytes(), Overwrite::CreateOnly)? {
        Written::Wrote => Ok(InitAction::Created),
        Written::Kept => {
            let same = std::fs::read(path).is_ok_and(|b| b == content.as_bytes());
            Ok(if same {
                InitAction::Unchanged
            } else {
                InitAction::KeptUserVersion
            })
        }
    }
}
