//! The only way Universal Agent writes a file: never half-written, never
//! silently replacing something.
//!
//! A write goes to a temporary file in the same directory, is fsynced, then
//! renamed over the target, and the directory is fsynced so the rename itself
//! survives a crash. A reader (or a crash) sees the old file or the new one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file operation failed; says which path and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {path}: {source}{hint}", hint = hint(source))]
pub struct FsError {
    /// What we tried to do ("create directory", "write", …).
    pub action: &'static str,
    /// The path involved.
    pub path: PathBuf,
    /// The operating system's answer.
    #[source]
    pub source: io::Error,
}

fn hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            " (check that you own the folder and that it is writable, or point UAS_HOME elsewhere)"
        }
        io::ErrorKind::NotADirectory => " (a file is in the way where a folder is expected)",
        _ => "",
    }
}

impl FsError {
    fn new(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How [`write_atomic`]'s temporary files start; a file named so next to a
/// target is left over from a killed process.
pub const TEMP_PREFIX: &str = ".uas-tmp-";

/// Whether [`write_atomic`] may replace an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace the file if it exists.
    Replace,
    /// Only create; if the file exists leave it and report [`Written::Kept`].
    CreateOnly,
}

/// What [`write_atomic`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file now has the new content.
    Wrote,
    /// The file already existed and `CreateOnly` was asked: untouched.
    Kept,
}

/// Creates `dir` and its parents, with a clear error on failure.
pub fn create_dir_all(dir: &Path) -> Result<(), FsError> {
    fs::create_dir_all(dir).map_err(|e| FsError::new("create directory", dir, e))
}

/// Creates `dir` (and its parents) and makes it readable by its owner
/// only: backups hold copies of files such as a 0600 settings.json with an
/// API key.
pub fn create_private_dir_all(dir: &Path) -> Result<(), FsError> {
    create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| FsError::new("make private", dir, e))?;
    }
    Ok(())
}

/// Writes `contents` to `path` atomically (temp file, fsync, rename, fsync dir).
pub fn write_atomic(path: &Path, contents: &[u8], mode: Overwrite) -> Result<Written, FsError> {
    write_atomic_like(path, contents, mode, path)
}

/// [`write_atomic`], the new file taking the mode (and, where the OS lets
/// us, the owner) of `like`: the file it replaces, or for a backup the file
/// it copies.
pub fn write_atomic_like(
    path: &Path,
    contents: &[u8],
    mode: Overwrite,
    like: &Path,
) -> Result<Written, FsError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if mode == Overwrite::CreateOnly && path.symlink_metadata().is_ok() {
        return Ok(Written::Kept);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| FsError::new("create a temporary file in", dir, e))?;
    tmp.write_all(contents)
        .and_then(|()| keep_permissions(like, dir, tmp.as_file()))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| FsError::new("write", tmp.path(), e))?;
    match mode {
        Overwrite::Replace => {
            tmp.persist(path)
                .map_err(|e| FsError::new("replace", path, e.error))?;
        }
        Overwrite::CreateOnly => match tmp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(Written::Kept),
            Err(e) => return Err(FsError::new("create", path, e.error)),
        },
    }
    sync_dir(dir)?;
    Ok(Written::Wrote)
}

/// Gives the new file the permissions (and owner, when we may: root
/// running setup for a user) of `like`. A new file gets 0644, or 0600 in a
/// folder only its owner can read (`~/.cursor` at 0700 says "private").
/// Temp files start as 0600.
fn keep_permissions(like: &Path, dir: &Path, tmp: &File) -> io::Result<()> {
    match fs::metadata(like) {
        Ok(m) => {
            tmp.set_permissions(m.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let now = tmp.metadata()?;
                if (now.uid(), now.gid()) != (m.uid(), m.gid()) {
                    // Only root may give a file away; for anyone else the
                    // file simply stays theirs.
                    let _ = std::os::unix::fs::fchown(tmp, Some(m.uid()), Some(m.gid()));
                }
            }
            Ok(())
        }
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            let private = fs::metadata(dir).is_ok_and(|d| d.permissions().mode() & 0o077 == 0);
            let mode = if private { 0o600 } else { 0o644 };
            tmp.set_permissions(fs::Permissions::from_mode(mode))
        }
        #[cfg(not(unix))]
        Err(_) => {
            let _ = dir;
            Ok(())
        }
    }
}

/// Fsyncs a directory so a rename inside it is durable.
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| FsError::new("sync directory", dir, e))
    }
    #[cfg(not(unix))]
    {
        // Windows has no directory handles to fsync; the rename is
        // MoveFileEx(MOVEFILE_REPLACE_EXISTING | WRITE_THROUGH) in tempfile.
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn write_atomic_replaces_content_and_leaves_no_temp_files() {
        let dir = tmp();
        let p = dir.path().join("a.txt");
        fs::write(&p, "old").expect("seed");
        let w = write_atomic(&p, b"new", Overwrite::Replace).expect("write");
        assert_eq!(w, Written::Wrote);
        assert_eq!(fs::read_to_string(&p).expect("read"), "new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_files_permissions_and_new_files_are_0644() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tmp();
        let p = dir.path().join("run.sh");
        fs::write(&p, "old").expect("seed");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o750)).expect("chmod");
        write_atomic(&p, b"new", Overwrite::Replace).expect("write");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o750
        );
        let q = dir.path().join("new.md");
        write_atomic(&q, b"x", Overwrite::Replace).expect("write");
        assert_eq!(
            fs::metadata(&q).expect("meta").permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn create_only_keeps_an_existing_file_byte_for_byte() {
        let dir = tmp();
        let p = dir.path().join("AGENTS.md");
        fs::write(&p, "my own words\n").expect("seed");
        let w = write_atomic(&p, b"default", Overwrite::CreateOnly).expect("write");
        assert_eq!(w, Written::Kept);
        assert_eq!(fs::read_to_string(&p).expect("read"), "my own words\n");
    }

    #[cfg(unix)]
    #[test]
    fn create_only_never_writes_through_a_symlink() {
        let dir = tmp();
        let target = dir.path().join("target.md");
        fs::write(&target, "user file").expect("seed");
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let w = write_atomic(&link, b"ours", Overwrite::CreateOnly).expect("write");
        assert_eq!(w, Written::Kept);
        assert_eq!(fs::read_to_string(&target).expect("read"), "user file");
    }

    #[test]
    fn writing_into_a_missing_directory_names_the_directory() {
        let dir = tmp();
        let p = dir.path().join("missing").join("x");
        let err = write_atomic(&p, b"x", Overwrite::Replace)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("missing")));
    }
}
