//! Where a `uas` binary lives, as far as hooks are concerned: hooks must run
//! an installed binary, never one inside a cargo build folder (it vanishes
//! with `cargo clean`, a moved checkout or a failed rebuild, and every
//! agent's hook then fails to start).

use std::path::{Path, PathBuf};

/// The cargo target folder holding `exe`, if it is inside one: the nearest
/// of its first four ancestors with cargo's `CACHEDIR.TAG` or
/// `.rustc_info.json` (`target/`, a `CARGO_TARGET_DIR`, with or without a
/// target triple and `deps/` below it).
pub fn cargo_target_dir(exe: &Path) -> Option<PathBuf> {
    exe.ancestors()
        .skip(1)
        .take(4)
        .find(|dir| dir.join("CACHEDIR.TAG").is_file() || dir.join(".rustc_info.json").is_file())
        .map(Path::to_path_buf)
}

/// The first line `uas --version` prints: `uas VERSION (COMMIT, PROFILE)`.
/// Two binaries are the same build when [`same_build`] says so.
pub fn version_line(version: &str, commit: &str, profile: &str) -> String {
    format!("uas {version} ({commit}, {profile})")
}

/// Whether two `uas --version` first lines name the same version and commit
/// (the build profile may differ: a debug and a release build of one
/// commit answer hooks alike).
pub fn same_build(a: &str, b: &str) -> bool {
    let key = |line: &str| {
        let line = line.trim();
        let (head, rest) = line.split_once(" (").unwrap_or((line, ""));
        let commit = rest
            .split([',', ')'])
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        (head.to_owned(), commit)
    };
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_target_folder_of_a_cargo_build_and_nothing_else() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = root.path().join("custom-target");
        let debug = target.join("x86_64-unknown-linux-gnu/debug/deps");
        std::fs::create_dir_all(&debug).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            target.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            cargo_target_dir(&debug.join("uas-1234")),
            Some(target.clone())
        );
        assert_eq!(
            cargo_target_dir(&target.join("release/uas")),
            Some(target.clone())
        );
        let bin = root.path().join("home/.local/bin");
        std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cargo_target_dir(&bin.join("uas")), None);
        assert_eq!(cargo_target_dir(Path::new("/usr/bin/uas")), None);
    }

    #[test]
    fn same_build_compares_version_and_commit_not_profile() {
        let release = version_line("0.1.0", "abc1234", "release");
        assert!(same_build(
            &release,
            &version_line("0.1.0", "abc1234", "debug")
        ));
        assert!(!same_build(
            &release,
            &version_line("0.1.0", "def5678", "release")
        ));
        assert!(!same_build(
            &release,
            &version_line("0.2.0", "abc1234", "release")
        ));
        assert!(!same_build(&release, "something else"));
    }
}
