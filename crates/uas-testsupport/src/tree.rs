//! Copying fixture trees and snapshotting trees, to compare a home byte for
//! byte before and after a command.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Copies the folder `from` to `to` (created), files and folders only.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("ls").flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Every file below `root` by its path relative to `root`, with its bytes; a
/// symlink is recorded as `-> target` (never followed), so replacing a link
/// by a copy of its target shows as a change.
pub fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in fs::read_dir(dir).expect("ls").flatten() {
        let p = e.path();
        let t = e.file_type().expect("type");
        let rel = p.strip_prefix(root).expect("rel").to_path_buf();
        if t.is_dir() {
            walk(root, &p, out);
        } else if t.is_symlink() {
            let target = fs::read_link(&p).expect("link");
            out.insert(rel, format!("-> {}", target.display()).into_bytes());
        } else {
            out.insert(rel, fs::read(&p).expect("read"));
        }
    }
}

/// Every folder below `root` (not following symlinks), relative, sorted.
pub fn dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("ls").flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.push(e.path().strip_prefix(root).expect("rel").to_path_buf());
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}
