//! A temporary machine: a user home, the uas home `~/.agent` inside it and
//! a project folder, all below one temp dir that is removed on drop.

use std::path::{Path, PathBuf};

/// The realistic home the setup journeys start from: every agent's config
/// with the user's own text, third-party hooks, unknown keys and odd
/// formatting (`fixtures/home` of this crate).
pub fn fixture_home() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/home"))
}

/// A temp dir laid out as `<root>/home` (the user home, with `.agent` and
/// `project` inside) and `<root>/bin` (an empty `PATH` directory).
#[derive(Debug)]
pub struct TempHome {
    tmp: tempfile::TempDir,
}

impl TempHome {
    /// An empty user home with a project folder and no uas home yet.
    pub fn empty() -> Self {
        let tmp = tempfile::tempdir().expect("create a temp dir");
        for dir in ["home/project", "bin"] {
            std::fs::create_dir_all(tmp.path().join(dir)).expect("create the sandbox folders");
        }
        Self { tmp }
    }

    /// A user home that is a copy of `fixture` (see [`fixture_home`]).
    pub fn from_fixture(fixture: &Path) -> Self {
        let home = Self::empty();
        crate::copy_tree(fixture, &home.user_home());
        home
    }

    /// The temp dir everything is in (for files outside the user home).
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The user's home directory: `HOME` of the sandboxed binary.
    pub fn user_home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// The uas home, `~/.agent`.
    pub fn agent_home(&self) -> PathBuf {
        self.user_home().join(".agent")
    }

    /// A project folder inside the user home (empty, not a git repository).
    pub fn project(&self) -> PathBuf {
        self.user_home().join("project")
    }

    /// The empty folder the sandboxed binary's `PATH` points to by default.
    pub fn bin_dir(&self) -> PathBuf {
        self.root().join("bin")
    }

    /// `rel` below the user home: `path(".claude/settings.json")`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.user_home().join(rel)
    }
}
