//! Reading a shell command line the way a shell would, far enough to know
//! where it writes: quotes, `$(…)`/backticks, redirections, `cd`, `~`,
//! `$HOME`, `..`, `git -C`, wrappers (`sudo`, `env`, `xargs`…) and nested
//! `sh -c`/`eval` strings. What it cannot read (a program or script built at
//! run time, `… | sh`, interpreter one-liners that may write) is *opaque*:
//! the engine treats it as changing files.

use std::path::Path;

/// What a command line does, as far as it can be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// An explicit file change: redirection, a writing program, `sed -i`…
    pub writes: bool,
    /// Indirection we cannot read (`eval "$x"`, `… | sh`, `python -c` code).
    pub opaque: bool,
    /// Only reading programs (`cat`, `grep`, `ls`, `git log`, `cd`…).
    pub read_only: bool,
    /// Every path-like word, resolved against the working directory (a
    /// relative word under an unknown directory is kept as `*/word`).
    pub paths: Vec<String>,
    /// The paths written (redirection targets, writing programs' operands).
    pub written: Vec<String>,
    /// A `uas` invocation that changes state (its subcommand words).
    pub uas_change: Option<String>,
    /// Every program started, after wrappers: its base name, then its
    /// arguments (for "starts an agent with its hooks off").
    pub launches: Vec<Vec<String>>,
    /// Every `NAME=value` the line assigns: before a program, as an `env`
    /// operand or through `export`.
    pub assigns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A word: its value after quote removal, and whether any part of it
    /// is only known at run time (`$VAR`, `$(…)`, backticks).
    Word { text: String, dynamic: bool },
    /// `&&`, `||`, `;`, `|`, `&`, newline, `(`, `)`.
    Sep(String),
    /// `>`, `>>`, `<`, `2>`, `&>`, `<<`…: the next word is its target.
    Redir(String),
}

/// Splits a command line into tokens; command substitutions are analysed
/// on their own and returned in `subs`.
#[allow(unused_assignments)] // the last flush resets state nobody reads
fn tokens(cmd: &str, home: Option<&str>, subs: &mut Vec<String>) -> Vec<Tok> {
    let c: Vec<char> = cmd.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut word = String::new();
    let mut in_word = false;
    let mut dynamic = false;
    let mut heredocs: Vec<String> = Vec::new();
    macro_rules! flush {
        () => {
            if in_word {
                out.push(Tok::Word {
                    text: std::mem::take(&mut word),
                    dynamic,
                });
                in_word = false;
                dynamic = false;
            }
        };
    }
    // `$(…)` starting at i (pointing at `(`): returns the inner text and the
    // index after the closing paren.
    let balanced = |start: usize| -> (String, usize) {
        let mut depth = 0;
        let mut j = start;
        while j < c.len() {
            match c[j] {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return (c[start + 1..j].iter().collect(), j + 1);
                    }
                }
                '\'' => {
                    j += 1;
                    while j < c.len() && c[j] != '\'' {
                        j += 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        (c[(start + 1).min(c.len())..].iter().collect(), c.len())
    };
    // `…` starting at i: the inner text and the index after the closing one.
    let backticks = |start: usize| -> (String, usize) {
        let end = c[start + 1..]
            .iter()
            .position(|&x| x == '`')
            .map_or(c.len(), |p| start + 1 + p);
        (c[start + 1..end].iter().collect(), end + 1)
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\\' if i + 1 < c.len() => {
                if c[i + 1] != '\n' {
                    word.push(c[i + 1]);
                    in_word = true;
                }
                i += 2;
                continue;
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < c.len() && c[i] != '\'' {
                    word.push(c[i]);
                    i += 1;
                }
                i += 1;
                continue;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' && i + 1 < c.len() {
                        word.push(c[i + 1]);
                        i += 2;
                        continue;
                    }
                    if c[i] == '`' {
                        let (inner, next) = backticks(i);
                        subs.push(inner);
                        dynamic = true;
                        i = next;
                        continue;
                    }
                    if c[i] == '$' {
                        let (consumed, text, dyn_, sub) = dollar(&c, i, home, &balanced);
                        word.push_str(&text);
                        dynamic |= dyn_;
                        subs.extend(sub);
                        i += consumed;
                        continue;
                    }
                    word.push(c[i]);
                    i += 1;
                }
                i += 1;
                continue;
            }
            '`' => {
                let (inner, next) = backticks(i);
                subs.push(inner);
                in_word = true;
                dynamic = true;
                word.push_str("$(…)");
                i = next;
                continue;
            }
            '$' => {
                let (consumed, text, dyn_, sub) = dollar(&c, i, home, &balanced);
                word.push_str(&text);
                in_word = true;
                dynamic |= dyn_;
                subs.extend(sub);
                i += consumed;
                continue;
            }
            '~' if !in_word => {
                let next = c.get(i + 1).copied();
                if matches!(
                    next,
                    None | Some('/') | Some(' ') | Some('\t') | Some(';') | Some('&') | Some('|')
                ) && let Some(h) = home
                {
                    word.push_str(h.trim_end_matches('/'));
                } else {
                    word.push('~');
                }
                in_word = true;
                i += 1;
                continue;
            }
            ' ' | '\t' => {
                flush!();
                i += 1;
                continue;
            }
            '#' if !in_word => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '\n' | ';' | '(' | ')' => {
                flush!();
                out.push(Tok::Sep(ch.to_string()));
                i += 1;
                if ch == '\n' && !heredocs.is_empty() {
                    // Skip here-document bodies.
                    for delim in std::mem::take(&mut heredocs) {
                        loop {
                            let end = c[i..]
                                .iter()
                                .position(|&x| x == '\n')
                                .map_or(c.len(), |p| i + p);
                            let line: String = c[i..end].iter().collect();
                            i = (end + 1).min(c.len());
                            if line.trim() == delim || i >= c.len() {
                                break;
                            }
                        }
                    }
                }
                continue;
            }
            '&' | '|' => {
                if ch == '&' && c.get(i + 1) == Some(&'>') {
                    flush!();
                    let op = if c.get(i + 2) == Some(&'>') {
                        "&>>"
                    } else {
                        "&>"
                    };
                    out.push(Tok::Redir(op.into()));
                    i += op.len();
                    continue;
                }
                flush!();
                let double = c.get(i + 1) == Some(&ch);
                out.push(Tok::Sep(if double {
                    format!("{ch}{ch}")
                } else {
                    ch.to_string()
                }));
                i += if double { 2 } else { 1 };
                continue;
            }
            '>' | '<' => {
                // `2>` / `1>>`: a number right before is the fd, not a word.
                let fd = in_word && !word.is_empty() && word.chars().all(|d| d.is_ascii_digit());
                if fd {
                    word.clear();
                    in_word = false;
                    dynamic = false;
                } else {
                    flush!();
                }
                let mut op = ch.to_string();
                let mut j = i + 1;
                while j < c.len()
                    && (c[j] == '>' || c[j] == '<' || c[j] == '|' || c[j] == '&' || c[j] == '-')
                {
                    if c[j] == '&' || c[j] == '-' {
                        if op == ">" || op == "<" || op == "<<" {
                            op.push(c[j]);
                            j += 1;
                        }
                        break;
                    }
                    op.push(c[j]);
                    j += 1;
                }
                i = j;
                if op.starts_with("<<") && op != "<<<" {
                    // Here-document: remember the delimiter.
                    while i < c.len() && c[i] == ' ' {
                        i += 1;
                    }
                    let end = c[i..]
                        .iter()
                        .position(|&x| x.is_whitespace() || x == ';')
                        .map_or(c.len(), |p| i + p);
                    let delim: String = c[i..end]
                        .iter()
                        .filter(|&&x| x != '\'' && x != '"')
                        .collect();
                    heredocs.push(delim);
                    i = end;
                    continue;
                }
                out.push(Tok::Redir(op));
                continue;
            }
            _ => {
                word.push(ch);
                in_word = true;
                i += 1;
            }
        }
    }
    flush!();
    out
}

type Balanced<'a> = dyn Fn(usize) -> (String, usize) + 'a;

/// `$…` at `i`: (chars consumed, text, dynamic, substitution).
fn dollar(
    c: &[char],
    i: usize,
    home: Option<&str>,
    balanced: &Balanced<'_>,
) -> (usize, String, bool, Option<String>) {
    match c.get(i + 1) {
        Some('(') => {
            let (inner, end) = balanced(i + 1);
            (end - i, "$(…)".into(), true, Some(inner))
        }
        Some('{') => {
            let end = c[i..]
                .iter()
                .position(|&x| x == '}')
                .map_or(c.len(), |p| i + p);
            let name: String = c[(i + 2).min(end)..end].iter().collect();
            let consumed = (end + 1 - i).min(c.len() - i);
            match (name.as_str(), home) {
                ("HOME", Some(h)) => (consumed, h.trim_end_matches('/').into(), false, None),
                _ => (consumed, format!("${{{name}}}"), true, None),
            }
        }
        Some(ch) if ch.is_ascii_alphabetic() || *ch == '_' => {
            let len = c[i + 1..]
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || **x == '_')
                .count();
            let name: String = c[i + 1..i + 1 + len].iter().collect();
            match (name.as_str(), home) {
                ("HOME", Some(h)) => (len + 1, h.trim_end_matches('/').into(), false, None),
                _ => (len + 1, format!("${name}"), true, None),
            }
        }
        _ => (1, "$".into(), false, None),
    }
}

const READERS: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ls",
    "find",
    "fd",
    "tree",
    "wc",
    "file",
    "stat",
    "du",
    "df",
    "pwd",
    "echo",
    "printf",
    "true",
    "false",
    "which",
    "type",
    "diff",
    "cmp",
    "sort",
    "uniq",
    "cut",
    "tr",
    "nl",
    "od",
    "xxd",
    "hexdump",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "date",
    "whoami",
    "id",
    "uname",
    "cd",
    "pushd",
    "popd",
    "test",
    "[",
    "jq",
    "column",
    "comm",
    "paste",
    "fold",
    "rev",
    "tac",
    "strings",
    "hostname",
    "env",
    "printenv",
    "exit",
];

const WRITERS: &[&str] = &[
    "tee", "rm", "mv", "cp", "truncate", "chmod", "chown", "chgrp", "ln", "dd", "touch", "install",
    "rsync", "unlink", "mkdir", "rmdir", "patch", "shred", "tar", "unzip", "gunzip", "gzip", "zip",
    "wget", "split", "csplit", "mkfifo", "mknod", "setfacl", "chattr", "sponge",
];

const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "fish", "ash", "busybox"];

const INTERPRETERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "node",
    "nodejs",
    "perl",
    "ruby",
    "php",
    "lua",
    "deno",
    "bun",
    "Rscript",
    "osascript",
    "tclsh",
    "awk",
    "gawk",
    "mawk",
    "nawk",
];

const WRAPPERS: &[&str] = &[
    "sudo", "doas", "env", "nohup", "time", "nice", "ionice", "timeout", "exec", "command",
    "builtin", "stdbuf", "setsid", "xargs", "chronic", "unbuffer", "flock", "watch", "strace",
];

/// `uas` subcommands that only read.
const UAS_READS: &[&[&str]] = &[
    &["status"],
    &["doctor"],
    &["detect"],
    &["--version"],
    &["-V"],
    &["--help"],
    &["-h"],
    &["help"],
    &["sop", "show"],
    &["sop", "validate"],
    &["sop", "explain"],
    &["sop", "phase"],
    &["audit", "verify"],
    &["audit", "tail"],
    &["audit", "export"],
    &["skill", "list"],
    &["skill", "search"],
    &["skill", "info"],
    &["skill", "outdated"],
    &["session"],
    &["lock"],
    &["lease", "list"],
];

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn normalize(p: &str) -> String {
    uas_core::paths::lexical(Path::new(p)).display().to_string()
}

/// A word as a path: absolute, or under `cwd`, or `*/word` when the
/// directory is unknown.
fn resolve(word: &str, cwd: Option<&str>) -> String {
    if word.starts_with('/') {
        normalize(word)
    } else if let Some(c) = cwd {
        normalize(&format!("{}/{word}", c.trim_end_matches('/')))
    } else {
        format!("*/{}", word.trim_start_matches("./"))
    }
}

/// A path's form with symlinks resolved (the nearest existing parent),
/// when different.
fn canonical(path: &str) -> Option<String> {
    if path.starts_with('*') {
        return None;
    }
    let p = Path::new(path);
    let real = p.canonicalize().ok().or_else(|| {
        let parent = p.parent()?.canonicalize().ok()?;
        Some(parent.join(p.file_name()?))
    })?;
    let real = real.display().to_string();
    (real != path).then_some(real)
}

/// Interpreter code that only prints (`print(1+1)`, `console.log(x)`).
fn harmless_code(code: &str) -> bool {
    const CALLS: &[&str] = &[
        "print",
        "console.log",
        "len",
        "str",
        "int",
        "sum",
        "range",
        "repr",
        "sorted",
        "max",
        "min",
        "JSON.stringify",
        "puts",
        "say",
        "format",
        "float",
        "abs",
        "round",
    ];
    if code.contains('`')
        || code.contains("import")
        || code.contains("require")
        || code.contains("__")
    {
        return false;
    }
    for (i, _) in code.match_indices('(') {
        let start = code[..i]
            .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
            .map_or(0, |s| s + 1);
        let name = &code[start..i];
        if !name.is_empty() && !CALLS.contains(&name) {
            return false;
        }
    }
    !code.contains('>') && !code.contains("open") && !code.contains("system")
}

/// Analyses a command line run in `cwd` by a user whose home is `home`.
pub fn analyze(cmd: &str, cwd: Option<&str>, home: Option<&str>) -> Analysis {
    analyze_depth(cmd, cwd, home, 0)
}

fn analyze_depth(cmd: &str, cwd: Option<&str>, home: Option<&str>, depth: usize) -> Analysis {
    let mut a = Analysis {
        read_only: true,
        ..Analysis::default()
    };
    if depth > 4 {
        a.opaque = true;
        a.read_only = false;
        return a;
    }
    let mut subs = Vec::new();
    let toks = tokens(cmd, home, &mut subs);
    for s in &subs {
        a.merge(analyze_depth(s, cwd, home, depth + 1));
    }
    let mut cwd: Option<String> = cwd.map(str::to_owned);
    let mut seg: Vec<(String, bool)> = Vec::new();
    let mut redirs: Vec<(String, String, bool)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut piped_in = false;
    let mut iter = toks.into_iter().peekable();
    loop {
        let t = iter.next();
        match t {
            Some(Tok::Word { text, dynamic }) => match pending.take() {
                Some(op) => redirs.push((op, text, dynamic)),
                None => seg.push((text, dynamic)),
            },
            Some(Tok::Redir(op)) => pending = Some(op),
            Some(Tok::Sep(_)) | None => {
                let sep = match &t {
                    Some(Tok::Sep(s)) => s.clone(),
                    _ => String::new(),
                };
                a.segment(&seg, &redirs, &mut cwd, home, depth, piped_in);
                piped_in = sep == "|";
                seg.clear();
                redirs.clear();
                if t.is_none() {
                    break;
                }
            }
        }
    }
    a.paths.sort();
    a.paths.dedup();
    a.written.sort();
    a.written.dedup();
    if a.writes || a.opaque {
        a.read_only = false;
    }
    a
}

impl Analysis {
    fn merge(&mut self, o: Analysis) {
        self.writes |= o.writes;
        self.opaque |= o.opaque;
        self.read_only &= o.read_only;
        self.paths.extend(o.paths);
        self.written.extend(o.written);
        if self.uas_change.is_none() {
            self.uas_change = o.uas_change;
        }
        self.launches.extend(o.launches);
        self.assigns.extend(o.assigns);
    }

    fn add_path(&mut self, word: &str, cwd: Option<&str>, written: bool) {
        if word.is_empty() {
            return;
        }
        let p = resolve(word, cwd);
        if let Some(real) = canonical(&p) {
            self.paths.push(real.clone());
            if written {
                self.written.push(real);
            }
        }
        if written {
            self.written.push(p.clone());
        }
        self.paths.push(p);
    }

    #[allow(clippy::too_many_lines)]
    fn segment(
        &mut self,
        words: &[(String, bool)],
        redirs: &[(String, String, bool)],
        cwd: &mut Option<String>,
        home: Option<&str>,
        depth: usize,
        piped_in: bool,
    ) {
        for (op, target, dynamic) in redirs {
            if op.starts_with('<') {
                self.add_path(target, cwd.as_deref(), false);
                continue;
            }
            if op.ends_with('&')
                || matches!(
                    target.as_str(),
                    "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty"
                )
                || target.starts_with('&')
                || (op.ends_with('&') && target.chars().all(|d| d.is_ascii_digit() || d == '-'))
            {
                continue;
            }
            self.writes = true;
            if *dynamic {
                self.opaque = true;
            }
            self.add_path(target, cwd.as_deref(), true);
        }
        // Leading assignments.
        let mut w: &[(String, bool)] = words;
        while let Some((first, _)) = w.first() {
            if first.contains('=')
                && !first.starts_with('-')
                && !first.starts_with('=')
                && first
                    .split('=')
                    .next()
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                self.assigns.push(first.clone());
                w = &w[1..];
            } else {
                break;
            }
        }
        // Wrappers: skip them (and their options) to the real program.
        while let Some((first, _)) = w.first() {
            let b = base(first);
            if !WRAPPERS.contains(&b) {
                break;
            }
            w = &w[1..];
            let mut flock_file = false;
            while let Some((next, _)) = w.first() {
                let takes_value = matches!(
                    (b, next.as_str()),
                    ("sudo" | "doas", "-u" | "-g" | "-C")
                        | ("exec", "-a")
                        | ("ionice", "-c" | "-n" | "-p")
                        | ("strace", "-o" | "-e" | "-s" | "-p" | "-u")
                        | ("stdbuf", "-o" | "-e" | "-i")
                        | ("env", "-C" | "-u" | "-S")
                        | ("nice", "-n")
                        | ("timeout", "-s" | "-k")
                        | ("xargs", "-I" | "-n" | "-P" | "-d" | "-L" | "-s" | "-E")
                        | ("flock", "-w")
                        | ("watch", "-n")
                );
                let operand = (b == "env" && next.contains('='))
                    || (b == "timeout" && next.starts_with(|c: char| c.is_ascii_digit()))
                    || (b == "flock" && !flock_file);
                if next.starts_with('-') {
                    w = &w[if takes_value { 2.min(w.len()) } else { 1 }..];
                } else if operand {
                    if b == "env" {
                        self.assigns.push(next.clone());
                    }
                    flock_file |= b == "flock";
                    w = &w[1..];
                } else {
                    break;
                }
            }
        }
        let Some(((prog_word, prog_dyn), args)) = w.split_first() else {
            return;
        };
        if *prog_dyn {
            self.opaque = true;
            self.read_only = false;
            return;
        }
        let prog = base(prog_word);
        let argv: Vec<&str> = args.iter().map(|(s, _)| s.as_str()).collect();
        self.launches.push(
            std::iter::once(prog)
                .chain(argv.iter().copied())
                .map(str::to_owned)
                .collect(),
        );
        if matches!(
            prog,
            "export" | "declare" | "typeset" | "local" | "readonly"
        ) {
            self.assigns.extend(
                argv.iter()
                    .filter(|w| w.contains('='))
                    .map(|w| (*w).to_owned()),
            );
        }
        let any_dyn = args.iter().any(|(_, d)| *d);
        let mut seg_cwd = cwd.clone();
        // Path words.
        let path_words = |a: &mut Analysis, c: Option<&str>, written: bool| {
            for (word, _) in args {
                let word = word.as_str();
                let value = if word.starts_with('-') {
                    match word.split_once('=') {
                        Some((_, v)) => v,
                        None => continue,
                    }
                } else {
                    word.split_once('=')
                        .filter(|(k, _)| {
                            k.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                                && !k.is_empty()
                        })
                        .map_or(word, |(_, v)| v)
                };
                a.add_path(value, c, written);
            }
        };
        match prog {
            "cd" | "pushd" => {
                match argv.iter().find(|w| !w.starts_with('-')) {
                    None => *cwd = home.map(str::to_owned),
                    Some(_) if any_dyn => *cwd = None,
                    Some(&"-") => *cwd = None,
                    Some(d) => {
                        *cwd = Some(resolve(d, cwd.as_deref())).filter(|p| !p.starts_with('*'))
                    }
                }
                return;
            }
            "popd" => {
                *cwd = None;
                return;
            }
            "git" => {
                let mut i = 0;
                while i < argv.len() && argv[i].starts_with('-') {
                    if argv[i] == "-C" && i + 1 < argv.len() {
                        seg_cwd = Some(resolve(argv[i + 1], seg_cwd.as_deref()))
                            .filter(|p| !p.starts_with('*'));
                        if args[i + 1].1 {
                            seg_cwd = None;
                        }
                        i += 2;
                    } else if argv[i] == "-c" {
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                let sub = argv.get(i).copied().unwrap_or("");
                path_words(self, seg_cwd.as_deref(), false);
                if [
                    "apply",
                    "checkout",
                    "restore",
                    "reset",
                    "stash",
                    "clean",
                    "rm",
                    "mv",
                    "switch",
                    "pull",
                    "merge",
                    "rebase",
                    "cherry-pick",
                    "revert",
                    "am",
                    "worktree",
                    "config",
                ]
                .contains(&sub)
                {
                    self.writes = true;
                    self.read_only = false;
                    path_words(self, seg_cwd.as_deref(), true);
                } else if ![
                    "log",
                    "show",
                    "diff",
                    "status",
                    "grep",
                    "blame",
                    "ls-files",
                    "rev-parse",
                    "describe",
                    "remote",
                    "branch",
                    "tag",
                    "shortlog",
                    "reflog",
                    "cat-file",
                    "ls-tree",
                ]
                .contains(&sub)
                {
                    self.read_only = false;
                }
                return;
            }
            "eval" => {
                if any_dyn {
                    self.opaque = true;
                } else {
                    let inner = argv.join(" ");
                    self.merge(analyze_depth(&inner, cwd.as_deref(), home, depth + 1));
                }
                self.read_only = false;
                return;
            }
            "source" | "." => {
                self.read_only = false;
                path_words(self, cwd.as_deref(), false);
                return;
            }
            _ => {}
        }
        if prog == "uas"
            || prog == "uas-cli"
            || (prog == "cargo"
                && argv.first() == Some(&"run")
                && argv.iter().any(|w| w.contains("uas-cli") || *w == "uas"))
        {
            let rest: Vec<&str> = if prog == "cargo" {
                argv.iter()
                    .skip_while(|w| **w != "--")
                    .skip(1)
                    .copied()
                    .collect()
            } else {
                argv.clone()
            };
            let mut sub: Vec<&str> = Vec::new();
            let mut it = rest.iter();
            while let Some(w) = it.next() {
                if *w == "--home" {
                    it.next();
                } else if *w == "--json" || w.starts_with("-v") || w.starts_with("--home=") {
                } else {
                    sub.push(w);
                }
            }
            let reads = UAS_READS
                .iter()
                .any(|r| sub.len() >= r.len() && sub[..r.len()] == **r)
                || (sub.first() == Some(&"setup") && sub.contains(&"--dry-run"))
                || sub == ["sop", "mode"];
            if !reads || any_dyn {
                self.uas_change = Some(sub.join(" "));
                self.read_only = false;
            }
            path_words(self, cwd.as_deref(), false);
            return;
        }
        if SHELLS.contains(&prog) {
            self.read_only = false;
            let c_at = argv
                .iter()
                .position(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('c'));
            match c_at {
                Some(i) => match args.get(i + 1) {
                    Some((script, false)) => {
                        self.merge(analyze_depth(script, cwd.as_deref(), home, depth + 1))
                    }
                    _ => self.opaque = true,
                },
                None => {
                    let script = argv.iter().find(|w| !w.starts_with('-'));
                    match script {
                        // `… | sh`, `sh -s`: code from stdin.
                        None => self.opaque = true,
                        Some(_) if piped_in && argv.contains(&"-s") => self.opaque = true,
                        Some(_) => path_words(self, cwd.as_deref(), false),
                    }
                }
            }
            return;
        }
        let interp = INTERPRETERS.contains(&prog)
            || prog.starts_with("python3.")
            || prog.starts_with("python2.");
        if interp {
            self.read_only = false;
            if matches!(prog, "awk" | "gawk" | "mawk" | "nawk") {
                if argv
                    .iter()
                    .any(|w| w.contains("system") || w.contains('>') || w.contains("-i"))
                {
                    self.opaque = true;
                }
                path_words(self, cwd.as_deref(), false);
                return;
            }
            if matches!(prog, "perl" | "ruby")
                && argv.iter().any(|w| {
                    w.starts_with("-i")
                        || (w.starts_with('-')
                            && !w.starts_with("--")
                            && w.contains('i')
                            && w.contains('p'))
                })
            {
                self.writes = true;
            }
            let code_at = argv.iter().position(|w| {
                matches!(
                    *w,
                    "-c" | "-e" | "-E" | "--eval" | "-p" | "--print" | "-r" | "eval"
                ) || (w.starts_with('-')
                    && !w.starts_with("--")
                    && (w.ends_with('e') || w.ends_with('c'))
                    && w.len() <= 4)
            });
            match code_at {
                Some(i) => {
                    let code = argv.get(i + 1).copied().unwrap_or("");
                    if any_dyn || !harmless_code(code) {
                        self.opaque = true;
                    }
                    // Paths named inside the code count as named; next to a
                    // home lookup (`env.HOME + '/.x'`), also under the home.
                    let home_ref = ["HOME", "homedir", "expanduser", "home_dir", "Path.home"]
                        .iter()
                        .any(|h| code.contains(h));
                    for tok in code
                        .split(|ch: char| !(ch.is_ascii_alphanumeric() || "/._-~$".contains(ch)))
                    {
                        if tok.contains('/') || tok.starts_with('.') {
                            let t = match (tok.strip_prefix("~/"), home) {
                                (Some(rest), Some(h)) => {
                                    format!("{}/{rest}", h.trim_end_matches('/'))
                                }
                                _ => tok.replace("$HOME", home.unwrap_or("$HOME")),
                            };
                            if home_ref
                                && t.starts_with('/')
                                && let Some(h) = home
                            {
                                self.add_path(
                                    &format!("{}{t}", h.trim_end_matches('/')),
                                    None,
                                    false,
                                );
                            }
                            self.add_path(&t, cwd.as_deref(), false);
                        }
                    }
                }
                None if argv.iter().all(|w| w.starts_with('-'))
                    && !argv
                        .iter()
                        .any(|w| matches!(*w, "--version" | "-V" | "--help" | "-h")) =>
                {
                    self.opaque = true
                }
                None => path_words(self, cwd.as_deref(), false),
            }
            return;
        }
        let writer = WRITERS.contains(&prog)
            || (prog == "sed"
                && argv.iter().any(|w| {
                    w.starts_with("-i")
                        || *w == "--in-place"
                        || (w.starts_with('-') && !w.starts_with("--") && w.contains('i'))
                }))
            || (prog == "find"
                && argv.iter().any(|w| {
                    matches!(
                        *w,
                        "-delete"
                            | "-exec"
                            | "-execdir"
                            | "-ok"
                            | "-okdir"
                            | "-fprint"
                            | "-fprintf"
                            | "-fls"
                    )
                }))
            || (prog == "curl"
                && argv.iter().any(|w| {
                    matches!(*w, "-o" | "-O" | "--output" | "--remote-name")
                        || w.starts_with("--output=")
                        || w.starts_with("-o")
                }))
            || (prog == "jq" && argv.contains(&"-i"))
            || (prog == "yq" && argv.iter().any(|w| *w == "-i" || *w == "--inplace"));
        if writer {
            self.writes = true;
            self.read_only = false;
            path_words(self, cwd.as_deref(), true);
            if any_dyn && argv.iter().any(|w| !w.starts_with('-')) {
                // `rm "$f"`: where it writes is only known at run time.
                self.opaque |= args.iter().any(|(_, d)| *d);
            }
            return;
        }
        if !READERS.contains(&prog) {
            self.read_only = false;
        }
        path_words(self, cwd.as_deref(), false);
    }
}
