//! The managed block: the only part of a user's Markdown file we own.
//!
//! ```text
//! <!-- uas:begin pad=2 sha256=<hash of the body> (managed by Universal Agent: edit ~/.agent/instructions, not here) -->
//! body…
//! <!-- uas:end -->
//! ```
//!
//! Text outside the markers is never changed. `pad` records how many
//! newlines we added in front of the block so that removing it gives back
//! the user's file byte for byte. The hash lets us tell a hand edit inside
//! the block (drift) from our own out-of-date content.

use sha2::{Digest, Sha256};

const BEGIN: &str = "<!-- uas:begin";
const END: &str = "<!-- uas:end -->";

/// Hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A block found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundBlock {
    /// Byte range of the whole block, pad newlines included.
    pub range: std::ops::Range<usize>,
    /// The body between the markers (without the marker lines).
    pub body: String,
    /// The hash written in the begin marker.
    pub recorded_hash: String,
    /// Newlines we added in front of the block.
    pub pad: usize,
}

impl FoundBlock {
    /// True when someone edited the body after we wrote it.
    pub fn edited_by_hand(&self) -> bool {
        sha256_hex(self.body.as_bytes()) != self.recorded_hash
    }
}

/// The begin/end markers are malformed (one without the other).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "line {line}: {problem}; fix or delete the uas marker lines by hand (the file was not changed)"
)]
pub struct BlockError {
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub problem: &'static str,
}

/// Finds our block in `text`, if any.
pub fn find(text: &str) -> Result<Option<FoundBlock>, BlockError> {
    find_bytes(text.as_bytes())
}

/// [`find`] on raw bytes: the user's part of the file may be in any
/// encoding (Latin-1 notes, a stray binary byte); only our markers must be
/// ASCII, so nothing outside them is ever decoded.
pub fn find_bytes(text: &[u8]) -> Result<Option<FoundBlock>, BlockError> {
    let mut begin: Option<(usize, usize, String, usize)> = None; // (line start, body start, hash, pad)
    let mut offset = 0;
    let mut lines = 0;
    for (idx, line) in text.split_inclusive(|b| *b == b'\n').enumerate() {
        lines = idx + 1;
        let trimmed = trim_eol(line);
        if trimmed.starts_with(BEGIN.as_bytes()) {
            if begin.is_some() {
                return Err(BlockError {
                    line: idx + 1,
                    problem: "a second `uas:begin` marker before `uas:end`",
                });
            }
            let marker = String::from_utf8_lossy(trimmed);
            let hash = attr(&marker, "sha256=").unwrap_or_default();
            let pad = attr(&marker, "pad=")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            begin = Some((offset, offset + line.len(), hash, pad));
        } else if trimmed == END.as_bytes() {
            let Some((start, body_start, recorded_hash, pad)) = begin.take() else {
                return Err(BlockError {
                    line: idx + 1,
                    problem: "`uas:end` without `uas:begin`",
                });
            };
            let present_pad = text[..start]
                .iter()
                .rev()
                .take_while(|b| **b == b'\n')
                .count()
                .min(pad);
            let end = offset + line.len();
            return Ok(Some(FoundBlock {
                range: start - present_pad..end,
                body: String::from_utf8_lossy(&text[body_start..offset]).into_owned(),
                recorded_hash,
                pad: present_pad,
            }));
        }
        offset += line.len();
    }
    match begin {
        Some(_) => Err(BlockError {
            line: lines,
            problem: "`uas:begin` without `uas:end`",
        }),
        None => Ok(None),
    }
}

fn trim_eol(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

fn attr(marker: &str, key: &str) -> Option<String> {
    marker
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .map(str::to_owned)
}

fn render(body: &str, pad: usize) -> String {
    let mut body = body.to_owned();
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    format!(
        "{}{BEGIN} pad={pad} sha256={} (managed by Universal Agent: edit ~/.agent/instructions, not here) -->\n{body}{END}\n",
        "\n".repeat(pad),
        sha256_hex(body.as_bytes())
    )
}

/// `text` with our block set to `body`: replaced in place when present,
/// appended otherwise. Everything else stays byte for byte.
pub fn upsert(text: &str, body: &str) -> Result<String, BlockError> {
    // Valid UTF-8 in, valid UTF-8 spliced at line boundaries: never lossy.
    upsert_bytes(text.as_bytes(), body).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// [`upsert`] on raw bytes (see [`find_bytes`]).
pub fn upsert_bytes(text: &[u8], body: &str) -> Result<Vec<u8>, BlockError> {
    let (head, pad, tail) = match find_bytes(text)? {
        Some(found) => (
            &text[..found.range.start],
            found.pad,
            &text[found.range.end..],
        ),
        None => {
            let pad = match (text.is_empty(), text.ends_with(b"\n")) {
                (true, _) => 0,
                (false, true) => 1,
                (false, false) => 2,
            };
            (text, pad, &[][..])
        }
    };
    let block = render(body, pad);
    let mut out = Vec::with_capacity(head.len() + block.len() + tail.len());
    out.extend_from_slice(head);
    out.extend_from_slice(block.as_bytes());
    out.extend_from_slice(tail);
    Ok(out)
}

/// `text` without our block (and the padding we added): the user's file as
/// it was before we touched it.
pub fn remove(text: &str) -> Result<String, BlockError> {
    remove_bytes(text.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// [`remove`] on raw bytes (see [`find_bytes`]).
pub fn remove_bytes(text: &[u8]) -> Result<Vec<u8>, BlockError> {
    Ok(match find_bytes(text)? {
        Some(found) => [&text[..found.range.start], &text[found.range.end..]].concat(),
        None => text.to_vec(),
    })
}

/// The body as [`upsert`] stores it (with a final newline), for comparisons.
pub fn normalized_body(body: &str) -> String {
    if !body.is_empty() && !body.ends_with('\n') {
        format!("{body}\n")
    } else {
        body.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const USER: &str = "# My notes\r\n\nKeep answers short.\n  indented line\n";

    #[test]
    fn upsert_appends_and_keeps_user_text() {
        let out = upsert(USER, "Rule one.").expect("upsert");
        assert!(out.starts_with(USER));
        let found = find(&out).expect("find").expect("block");
        assert_eq!(found.body, "Rule one.\n");
        assert!(!found.edited_by_hand());
    }

    #[test]
    fn upsert_twice_is_stable_and_replaces_in_place() {
        let once = upsert(USER, "v1").expect("upsert");
        assert_eq!(upsert(&once, "v1").expect("again"), once);
        let tail = "\n## After the block\nuser text\n";
        let with_tail = format!("{once}{tail}");
        let v2 = upsert(&with_tail, "v2").expect("v2");
        assert!(v2.starts_with(USER) && v2.ends_with(tail), "{v2}");
        assert_eq!(find(&v2).expect("find").expect("block").body, "v2\n");
    }

    #[test]
    fn remove_restores_the_exact_original() {
        for original in ["", "x", "x\n", "x\n\n", USER, "no newline at end"] {
            let with = upsert(original, "body").expect("upsert");
            assert_eq!(remove(&with).expect("remove"), original, "{original:?}");
        }
    }

    #[test]
    fn hand_edit_inside_the_block_is_detected() {
        let out = upsert(USER, "Rule one.\n").expect("upsert");
        let edited = out.replace("Rule one.", "Rule one, but nicer.");
        assert!(
            find(&edited)
                .expect("find")
                .expect("block")
                .edited_by_hand()
        );
    }

    #[test]
    fn unterminated_block_is_an_error_with_a_line() {
        let err = find("a\n<!-- uas:begin pad=0 sha256=x -->\nbody\n").expect_err("must fail");
        assert_eq!(err.line, 3);
        assert!(find("<!-- uas:end -->\n").is_err());
    }

    #[test]
    fn bytes_that_are_not_utf8_survive_upsert_and_remove() {
        // A Latin-1 note ("café", "naïve") and a stray 0xff byte.
        let original: &[u8] = b"# Notes\ncaf\xe9 na\xefve\n\xff\xfe binary tail";
        let with = upsert_bytes(original, "Rule one.").expect("upsert");
        assert!(with.starts_with(original));
        let found = find_bytes(&with).expect("find").expect("block");
        assert!(!found.edited_by_hand());
        assert_eq!(upsert_bytes(&with, "Rule one.").expect("again"), with);
        assert_eq!(remove_bytes(&with).expect("remove"), original);
    }

    proptest! {
        #[test]
        fn bytes_round_trip(user in prop::collection::vec(any::<u8>(), 0..300), body in "[^<]{0,100}") {
            prop_assume!(!user.windows(9).any(|w| w == b"<!-- uas:"));
            let with = upsert_bytes(&user, &body).expect("upsert");
            prop_assert!(with.starts_with(&user));
            prop_assert_eq!(remove_bytes(&with).expect("remove"), user);
        }

        #[test]
        fn any_user_content_round_trips(user in "(?s).{0,300}", body in "[^<]{0,200}") {
            prop_assume!(!user.contains("<!-- uas:"));
            let with = upsert(&user, &body).expect("upsert");
            prop_assert!(with.starts_with(&user));
            let found = find(&with).expect("find").expect("block");
            prop_assert_eq!(found.body, normalized_body(&body));
            prop_assert_eq!(remove(&with).expect("remove"), user.clone());
            // updating keeps the user part too
            let updated = upsert(&with, "other").expect("update");
            prop_assert_eq!(remove(&updated).expect("remove"), user);
        }
    }
}
