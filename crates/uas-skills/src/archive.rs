//! Skill archives: deterministic `.tar.gz` packing, and unpacking that
//! refuses anything unsafe before it reaches the store.
//!
//! An archive holds the skill's files at its root (`SKILL.md`,
//! `scripts/x.sh`). Unpacking accepts only regular files and folders with
//! plain relative paths; absolute paths, `..`, symlinks, hard links, device
//! files and FIFOs are refused, and sizes and counts are capped while
//! decompressing (so a zip-bomb stops at the limit, not at the disk's end).

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use uas_core::config::SkillLimits;

/// Reading a skill folder or unpacking an archive failed; nothing unsafe was
/// written. Each message names the file or the archive entry.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A folder of the skill could not be listed.
    #[error("cannot list {}: {source}", path.display())]
    List {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A file's type could not be read.
    #[error("cannot stat {}: {source}", path.display())]
    Stat {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A file of the skill could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A skill folder holds a symlink.
    #[error("{} is a symlink; skills must contain plain files only", path.display())]
    SymlinkInFolder {
        /// The symlink.
        path: PathBuf,
    },
    /// A skill folder holds a device file, socket or FIFO.
    #[error("{} is not a regular file", path.display())]
    NotRegularFile {
        /// The file.
        path: PathBuf,
    },
    /// An entry name is not UTF-8.
    #[error("entry {name:?} has a name that is not UTF-8")]
    NameNotUtf8 {
        /// The name, lossily decoded.
        name: String,
    },
    /// An entry has an empty name.
    #[error("an entry has an empty name")]
    EmptyName,
    /// An entry has an absolute path.
    #[error("entry `{entry}` has an absolute path")]
    AbsolutePath {
        /// The entry name.
        entry: String,
    },
    /// An entry name holds `\`, `:` or NUL.
    #[error("entry `{entry}` contains `\\`, `:` or NUL")]
    ForbiddenCharacter {
        /// The entry name.
        entry: String,
    },
    /// An entry climbs out with `..`.
    #[error("entry `{entry}` climbs out of the skill with `..`")]
    ParentDir {
        /// The entry name.
        entry: String,
    },
    /// An entry is not a plain relative path.
    #[error("entry `{entry}` is not a plain relative path")]
    NotRelative {
        /// The entry name.
        entry: String,
    },
    /// The bytes are not a gzip-compressed tar archive.
    #[error("not a tar.gz archive: {0}")]
    NotTarGz(io::Error),
    /// The archive is truncated or corrupt.
    #[error("broken archive: {0}")]
    Broken(io::Error),
    /// More entries than `skills.limits.max_files`.
    #[error("more than {max} entries (skills.limits.max_files)")]
    TooManyEntries {
        /// The limit.
        max: u64,
    },
    /// One file is over `skills.limits.max_file_bytes`.
    #[error(
        "entry `{}` is {size} bytes, over the {max}-byte file limit (skills.limits.max_file_bytes)",
        entry.display()
    )]
    FileTooLarge {
        /// The entry.
        entry: PathBuf,
        /// Its size from the header.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The files add up to more than `skills.limits.max_total_bytes`.
    #[error("the files add up to more than {max} bytes (skills.limits.max_total_bytes)")]
    TotalTooLarge {
        /// The limit.
        max: u64,
    },
    /// A folder could not be created in the staging folder.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// An entry could not be created (most often: it appears twice).
    #[error("entry `{}` cannot be written (duplicate?): {source}", entry.display())]
    Duplicate {
        /// The entry.
        entry: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Reading or writing one entry failed.
    #[error("entry `{}`: {source}", entry.display())]
    Entry {
        /// The entry.
        entry: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// An entry's content is not as long as its header says.
    #[error("entry `{}` is shorter or longer than its header says", entry.display())]
    SizeMismatch {
        /// The entry.
        entry: PathBuf,
    },
    /// A written file could not be synced.
    #[error("cannot sync {}: {source}", path.display())]
    Sync {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// An entry is a symlink, hard link, device file, FIFO or other
    /// non-regular type.
    #[error("entry `{}` is {kind}", entry.display())]
    UnsafeType {
        /// The entry.
        entry: PathBuf,
        /// `a symlink`, `a hard link`, … (as the message reads).
        kind: &'static str,
    },
    /// An entry has a tar type we do not know.
    #[error("entry `{}` has unsupported type {kind}", entry.display())]
    UnsupportedType {
        /// The entry.
        entry: PathBuf,
        /// The tar entry type.
        kind: String,
    },
    /// The archive has no `SKILL.md` at its root.
    #[error("the archive has no SKILL.md at its root")]
    NoSkillMd,
    /// A folder written could not be synced.
    #[error(transparent)]
    SyncDir(#[from] uas_core::fsx::FsError),
}

/// One file of a skill: content and whether it is executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFile {
    /// Content.
    pub bytes: Vec<u8>,
    /// Execute bit.
    pub executable: bool,
}

/// Reads a skill folder for packing. Symlinks and special files are errors
/// (a registry must not publish what we would refuse to install); `.git`
/// and our `.uas-managed` marker are skipped.
pub fn read_folder(dir: &Path) -> Result<BTreeMap<PathBuf, SkillFile>, ArchiveError> {
    let mut out = BTreeMap::new();
    walk(dir, Path::new(""), &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &Path,
    out: &mut BTreeMap<PathBuf, SkillFile>,
) -> Result<(), ArchiveError> {
    let list = |source| ArchiveError::List {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(list)?
        .collect::<Result<_, _>>()
        .map_err(list)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name == ".git" || name == ".uas-managed" {
            continue;
        }
        let path = e.path();
        let r = rel.join(&name);
        let t = e.file_type().map_err(|source| ArchiveError::Stat {
            path: path.clone(),
            source,
        })?;
        if t.is_symlink() {
            return Err(ArchiveError::SymlinkInFolder { path });
        } else if t.is_dir() {
            walk(&path, &r, out)?;
        } else if t.is_file() {
            let bytes = fs::read(&path).map_err(|source| ArchiveError::Read {
                path: path.clone(),
                source,
            })?;
            out.insert(
                r,
                SkillFile {
                    bytes,
                    executable: uas_vfs::is_executable(&path),
                },
            );
        } else {
            return Err(ArchiveError::NotRegularFile { path });
        }
    }
    Ok(())
}

/// Packs files into a deterministic `.tar.gz` (sorted, zero mtimes and ids).
pub fn pack(files: &BTreeMap<PathBuf, SkillFile>) -> io::Result<Vec<u8>> {
    let gz = GzEncoder::new(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, f) in files {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(f.bytes.len() as u64);
        h.set_mode(if f.executable { 0o755 } else { 0o644 });
        h.set_mtime(0);
        let name = path.to_string_lossy().replace('\\', "/");
        tar.append_data(&mut h, name, f.bytes.as_slice())?;
    }
    tar.into_inner()?.finish()
}

/// Stops reading once more than `left` bytes came through.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(
                "the archive unpacks to more than the size limit (skills.limits.max_total_bytes)",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Checks one entry path: relative, no `..`, nothing Windows would read as
/// a drive or stream, valid UTF-8.
pub fn safe_relative_path(raw: &[u8]) -> Result<PathBuf, ArchiveError> {
    let text = std::str::from_utf8(raw).map_err(|_| ArchiveError::NameNotUtf8 {
        name: String::from_utf8_lossy(raw).into_owned(),
    })?;
    if text.is_empty() {
        return Err(ArchiveError::EmptyName);
    }
    if text.starts_with('/') || text.starts_with('\\') {
        return Err(ArchiveError::AbsolutePath {
            entry: text.to_owned(),
        });
    }
    if text.contains(['\\', ':', '\0']) {
        return Err(ArchiveError::ForbiddenCharacter {
            entry: text.to_owned(),
        });
    }
    let mut out = PathBuf::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(ArchiveError::ParentDir {
                    entry: text.to_owned(),
                });
            }
            p => out.push(p),
        }
    }
    if out.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(ArchiveError::NotRelative {
            entry: text.to_owned(),
        });
    }
    Ok(out)
}

/// Unpacks `archive` into the empty folder `dest`, enforcing `limits`, and
/// fsyncs every file and folder written. On error `dest` may hold a partial
/// tree; the caller deletes it (it is a private staging folder).
pub fn unpack(archive: &[u8], dest: &Path, limits: &SkillLimits) -> Result<(), ArchiveError> {
    // Headers add 512 bytes per entry (plus long names); allow for them.
    let budget = limits
        .max_total_bytes
        .saturating_add(limits.max_files.saturating_mul(2048))
        .saturating_add(64 * 1024);
    let reader = Capped {
        inner: GzDecoder::new(archive),
        left: budget,
    };
    let mut tar = tar::Archive::new(reader);
    let mut total: u64 = 0;
    let mut count: u64 = 0;
    let mut dirs = vec![dest.to_path_buf()];
    let entries = tar.entries().map_err(ArchiveError::NotTarGz)?;
    for entry in entries {
        let mut entry = entry.map_err(ArchiveError::Broken)?;
        let raw = entry.path_bytes().into_owned();
        let rel = safe_relative_path(&raw)?;
        count += 1;
        if count > limits.max_files {
            return Err(ArchiveError::TooManyEntries {
                max: limits.max_files,
            });
        }
        let kind = entry.header().entry_type();
        let target = dest.join(&rel);
        let in_entry = |source| ArchiveError::Entry {
            entry: rel.clone(),
            source,
        };
        let unsafe_type = |kind: &'static str| ArchiveError::UnsafeType {
            entry: rel.clone(),
            kind,
        };
        match kind {
            tar::EntryType::Directory => {
                fs::create_dir_all(&target).map_err(|source| ArchiveError::Create {
                    path: target.clone(),
                    source,
                })?;
                dirs.push(target);
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let size = entry.header().size().map_err(in_entry)?;
                if size > limits.max_file_bytes {
                    return Err(ArchiveError::FileTooLarge {
                        entry: rel,
                        size,
                        max: limits.max_file_bytes,
                    });
                }
                total = total.saturating_add(size);
                if total > limits.max_total_bytes {
                    return Err(ArchiveError::TotalTooLarge {
                        max: limits.max_total_bytes,
                    });
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|source| ArchiveError::Create {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                    dirs.push(parent.to_path_buf());
                }
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                let mut file = File::options()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(|source| ArchiveError::Duplicate {
                        entry: rel.clone(),
                        source,
                    })?;
                let written =
                    io::copy(&mut (&mut entry).take(limits.max_file_bytes + 1), &mut file)
                        .map_err(in_entry)?;
                if written != size {
                    return Err(ArchiveError::SizeMismatch { entry: rel });
                }
                set_executable(&file, executable).map_err(in_entry)?;
                file.flush()
                    .and_then(|()| file.sync_all())
                    .map_err(|source| ArchiveError::Sync {
                        path: target.clone(),
                        source,
                    })?;
            }
            tar::EntryType::Symlink => {
                return Err(unsafe_type("a symlink"));
            }
            tar::EntryType::Link => {
                return Err(unsafe_type("a hard link"));
            }
            tar::EntryType::Char | tar::EntryType::Block => {
                return Err(unsafe_type("a device file"));
            }
            tar::EntryType::Fifo => {
                return Err(unsafe_type("a FIFO"));
            }
            other => {
                return Err(ArchiveError::UnsupportedType {
                    entry: rel,
                    kind: format!("{other:?}"),
                });
            }
        }
    }
    if !dest.join("SKILL.md").is_file() {
        return Err(ArchiveError::NoSkillMd);
    }
    dirs.sort();
    dirs.dedup();
    for d in dirs.iter().rev() {
        uas_core::fsx::sync_dir(d)?;
    }
    Ok(())
}

fn set_executable(file: &File, executable: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(if executable {
            0o755
        } else {
            0o644
        }))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, executable);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_is_deterministic_and_round_trips() {
        let mut files = BTreeMap::new();
        files.insert(
            PathBuf::from("SKILL.md"),
            SkillFile {
                bytes: b"---\nname: a\n---\n".to_vec(),
                executable: false,
            },
        );
        files.insert(
            PathBuf::from("scripts/run.sh"),
            SkillFile {
                bytes: b"#!/bin/sh\n".to_vec(),
                executable: true,
            },
        );
        let a = pack(&files).expect("pack");
        assert_eq!(a, pack(&files).expect("pack"));
        let dir = tempfile::tempdir().expect("tmp");
        unpack(&a, dir.path(), &SkillLimits::default()).expect("unpack");
        let back = read_folder(dir.path()).expect("read");
        assert_eq!(back, files);
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for (p, needle) in [
            (&b"/etc/passwd"[..], "absolute"),
            (b"a/../../x", ".."),
            (b"..", ".."),
            (b"c:/x", ":"),
            (b"a\\b", "\\"),
        ] {
            let e = safe_relative_path(p).err().map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(needle)),
                "{p:?}: {e:?}"
            );
        }
        assert_eq!(
            safe_relative_path(b"./a/b.md").ok(),
            Some(PathBuf::from("a/b.md"))
        );
    }

    proptest::proptest! {
        #[test]
        fn unpacking_arbitrary_bytes_never_panics_or_escapes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let dir = tempfile::tempdir().expect("tmp");
            let dest = dir.path().join("dest");
            std::fs::create_dir(&dest).expect("mkdir");
            let gz = {
                let mut e = GzEncoder::new(Vec::new(), Compression::fast());
                e.write_all(&bytes).expect("gz");
                e.finish().expect("gz")
            };
            for input in [&bytes, &gz] {
                let _ = unpack(input, &dest, &SkillLimits::default());
            }
            let outside: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().map(|e| e.file_name()).collect();
            proptest::prop_assert_eq!(outside, vec![std::ffi::OsString::from("dest")]);
        }

        #[test]
        fn safe_paths_stay_relative(raw in "[a-z./\\\\:]{0,20}") {
            if let Ok(p) = safe_relative_path(raw.as_bytes()) {
                proptest::prop_assert!(p.is_relative());
                proptest::prop_assert!(p.components().all(|c| matches!(c, Component::Normal(_))));
            }
        }
    }
}
