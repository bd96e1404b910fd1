//! Reading shell commands: wildcard patterns and a few honest heuristics.

/// `*` matches any text (including `/`); everything else literally.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The simple commands of a command line (split at `&&`, `||`, `;`, `|`
/// and newlines), trimmed, with leading `VAR=value` assignments removed.
pub fn segments(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in cmd.split(['\n', ';', '|', '&']) {
        let mut s = part.trim();
        while let Some((first, rest)) = s.split_once(char::is_whitespace) {
            if first.contains('=') && !first.starts_with('-') && !first.starts_with('=') {
                s = rest.trim_start();
            } else {
                break;
            }
        }
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

const WRITERS: &[&str] = &[
    "tee", "rm", "mv", "cp", "truncate", "chmod", "chown", "ln", "dd", "touch", "install", "rsync",
    "unlink", "mkdir", "rmdir", "patch", "shred",
];

/// True when the command explicitly changes files: an output redirection,
/// `sed -i`/`perl -i`, or a program whose job is writing (`rm`, `mv`, `tee`…).
/// Interpreters running scripts are not counted (see [`is_read_only`]).
pub fn looks_like_write(cmd: &str) -> bool {
    let cleaned = cmd
        .replace("2>&1", "")
        .replace("1>&2", "")
        .replace(">&2", "")
        .replace("2>/dev/null", "")
        .replace(">/dev/null", "")
        .replace("> /dev/null", "");
    if cleaned.contains('>') {
        return true;
    }
    segments(cmd).iter().any(|seg| {
        let mut words = seg.split_whitespace();
        let Some(first) = words.next() else {
            return false;
        };
        let prog = first.rsplit('/').next().unwrap_or(first);
        let prog = if prog == "sudo" || prog == "env" {
            words
                .next()
                .map_or(prog, |w| w.rsplit('/').next().unwrap_or(w))
        } else {
            prog
        };
        WRITERS.contains(&prog)
            || (matches!(prog, "sed" | "perl")
                && seg.split_whitespace().any(|w| w.starts_with("-i")))
            || (prog == "git"
                && seg
                    .split_whitespace()
                    .any(|w| ["apply", "checkout", "restore", "reset"].contains(&w)))
    })
}

const READERS: &[&str] = &[
    "cat", "less", "more", "head", "tail", "grep", "rg", "ag", "ls", "find", "fd", "tree", "wc",
    "file", "stat", "du",
];

/// True when the command only reads (`cat`, `grep`, `ls`, `git log`…).
pub fn is_read_only(cmd: &str) -> bool {
    !looks_like_write(cmd)
        && segments(cmd).iter().all(|seg| {
            let words: Vec<_> = seg.split_whitespace().collect();
            match words.as_slice() {
                [first, ..] if READERS.contains(first) => true,
                ["git", sub, ..] => {
                    ["log", "show", "diff", "status", "grep", "blame"].contains(sub)
                }
                _ => false,
            }
        })
}

/// True when any simple command matches one of the patterns.
pub fn any_segment_matches(cmd: &str, patterns: &[String]) -> bool {
    segments(cmd)
        .iter()
        .any(|seg| patterns.iter().any(|p| wildcard(p, seg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_matches_like_a_glob_without_classes() {
        assert!(wildcard("git commit*", "git commit -m x"));
        assert!(wildcard("*git commit*", "cd a && git commit"));
        assert!(wildcard("/h/.agent/*", "/h/.agent/sop/x.toml"));
        assert!(wildcard("a*b*c", "aXXbYYc"));
        assert!(!wildcard("git commit*", "git status"));
        assert!(!wildcard("/h/.agent/*", "/h/.agentx"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn segments_split_and_drop_assignments() {
        assert_eq!(
            segments("cd x && RUST_LOG=1 FOO=bar cargo test -q; echo done | tee f"),
            ["cd x", "cargo test -q", "echo done", "tee f"]
        );
    }

    #[test]
    fn write_heuristics() {
        for w in [
            "echo x > ~/.agent/sop/default.toml",
            "sed -i s/a/b/ f",
            "rm -rf ~/.claude/settings.json",
            "cat a | tee b",
            "sudo mv a b",
            "git checkout -- .",
        ] {
            assert!(looks_like_write(w), "{w}");
        }
        for r in [
            "cat ~/.agent/sop/default.toml",
            "cargo test 2>&1",
            "ls -la ~/.claude",
            "git log -1",
            "grep -r x . 2>/dev/null",
        ] {
            assert!(!looks_like_write(r), "{r}");
        }
        assert!(is_read_only("git diff && git status"));
        assert!(!is_read_only("python3 -c 'open(\"x\",\"w\")'"));
        assert!(!looks_like_write("python3 script.py"));
        assert!(!is_read_only("cargo build"));
    }

    proptest::proptest! {
        #[test]
        fn star_matches_everything_and_literal_matches_itself(s in "\\PC{0,40}") {
            proptest::prop_assert!(wildcard("*", &s));
            if !s.contains('*') {
                proptest::prop_assert!(wildcard(&s, &s));
            }
        }
    }
}
