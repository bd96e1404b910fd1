//! Where Universal Agent keeps its files.
//!
//! The home defaults to `~/.agent` (the folder users of the old symlink farm
//! already have) and can be moved with `UAS_HOME`. The environment is read by
//! the binaries only; everything else receives a [`Home`].

use std::path::{Component, Path, PathBuf};

/// `a/b/../c` -> `a/c`: `..` and `.` removed without touching the disk.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Name of the environment variable that overrides the home directory.
pub const HOME_ENV: &str = "UAS_HOME";

/// The Universal Agent home directory and the well-known paths inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

/// The home could not be determined.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// Neither `UAS_HOME` nor the user's home directory is known.
    #[error(
        "cannot find a home directory: set UAS_HOME to the folder Universal Agent should use (for example ~/.agent)"
    )]
    NoHome,
    /// `UAS_HOME` was set to a relative path, which would depend on the cwd.
    #[error("UAS_HOME must be an absolute path, got `{0}`")]
    Relative(PathBuf),
}

impl Home {
    /// A home rooted at `root` (used by tests and by [`Home::resolve`]).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Picks the home from an explicit `UAS_HOME` value or, failing that, the
    /// user's home directory (`<user_home>/.agent`). An empty `UAS_HOME`
    /// counts as unset.
    pub fn resolve(uas_home: Option<PathBuf>, user_home: Option<&Path>) -> Result<Self, HomeError> {
        match uas_home.filter(|p| !p.as_os_str().is_empty()) {
            Some(p) if p.is_absolute() => Ok(Self::new(p)),
            Some(p) => Err(HomeError::Relative(p)),
            None => user_home
                .map(|h| Self::new(h.join(".agent")))
                .ok_or(HomeError::NoHome),
        }
    }

    /// The home directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.toml`: the user's settings.
    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// `instructions/`: universal instructions every agent receives.
    pub fn instructions_dir(&self) -> PathBuf {
        self.root.join("instructions")
    }

    /// `skills/`: universal skills.
    pub fn skills_dir(&self) -> PathBuf {
        self.root.join("skills")
    }

    /// `skills/store/`: every installed version of every packaged skill,
    /// side by side (`store/<name>/<version>/`).
    pub fn skills_store_dir(&self) -> PathBuf {
        self.skills_dir().join("store")
    }

    /// `skills.lock`: the exact active version and hash of every packaged
    /// skill. Rewriting it atomically is what switches versions.
    pub fn skills_lock_file(&self) -> PathBuf {
        self.root.join("skills.lock")
    }

    /// `cache/`: things that can be fetched again (registry indexes).
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// `sop/`: standard operating procedure definitions.
    pub fn sop_dir(&self) -> PathBuf {
        self.root.join("sop")
    }

    /// `uas.lock`: the cross-process lock of every changing operation
    /// (see [`crate::oplock`]).
    pub fn operation_lock_file(&self) -> PathBuf {
        self.root.join("uas.lock")
    }

    /// `serve.lock`: held by the running service (`uas serve` or the
    /// desktop app) for as long as it runs (see [`crate::service`]).
    pub fn service_lock_file(&self) -> PathBuf {
        self.root.join("serve.lock")
    }

    /// `desktop.json`: the desktop app's preferences and the last audit
    /// record it showed (so violations while it was closed are summarized).
    pub fn desktop_file(&self) -> PathBuf {
        self.root.join("desktop.json")
    }

    /// `backups/`: one folder per apply.
    pub fn backups_dir(&self) -> PathBuf {
        self.root.join("backups")
    }

    /// The database, given the (possibly relative) name from the config.
    pub fn database(&self, configured: &Path) -> PathBuf {
        if configured.is_absolute() {
            configured.to_path_buf()
        } else {
            self.root.join(configured)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uas_home_wins_over_user_home() {
        let home = Home::resolve(Some("/srv/agent".into()), Some(Path::new("/home/u")));
        assert_eq!(home.ok(), Some(Home::new("/srv/agent")));
    }

    #[test]
    fn default_home_is_dot_agent_in_user_home() {
        let home = Home::resolve(None, Some(Path::new("/home/u")));
        assert_eq!(home.ok(), Some(Home::new("/home/u/.agent")));
        let empty = Home::resolve(Some(PathBuf::new()), Some(Path::new("/home/u")));
        assert_eq!(empty.ok(), Some(Home::new("/home/u/.agent")));
    }

    #[test]
    fn relative_uas_home_is_refused() {
        let err = Home::resolve(Some("agent".into()), None).err();
        assert!(matches!(err, Some(HomeError::Relative(_))));
    }

    #[test]
    fn no_home_at_all_is_a_clear_error() {
        let err = Home::resolve(None, None).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("UAS_HOME")));
    }

    #[test]
    fn database_path_is_relative_to_home_unless_absolute() {
        let home = Home::new("/h");
        assert_eq!(
            home.database(Path::new("uas.db")),
            PathBuf::from("/h/uas.db")
        );
        assert_eq!(
            home.database(Path::new("/d/x.db")),
            PathBuf::from("/d/x.db")
        );
    }
}
