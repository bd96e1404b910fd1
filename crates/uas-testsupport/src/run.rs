//! Running the built `uas` binary inside a [`TempHome`]: cleared
//! environment, `HOME` and `PATH` set, stdin piped, output captured.

use crate::TempHome;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A [`TempHome`] and the `uas` binary to run in it. The binary path is
/// passed in because `CARGO_BIN_EXE_uas` exists only in uas-cli's tests:
/// `Sandbox::new(env!("CARGO_BIN_EXE_uas"))`.
#[derive(Debug)]
pub struct Sandbox {
    home: TempHome,
    bin: PathBuf,
    path_var: OsString,
}

impl std::ops::Deref for Sandbox {
    type Target = TempHome;

    fn deref(&self) -> &TempHome {
        &self.home
    }
}

impl Sandbox {
    /// An empty home; `PATH` is an empty folder, so no agent is installed.
    pub fn new(bin: impl AsRef<Path>) -> Self {
        Self::in_home(bin, TempHome::empty())
    }

    /// A copy of `fixture` as the user home (see [`crate::fixture_home`]).
    pub fn with_fixture(bin: impl AsRef<Path>, fixture: &Path) -> Self {
        Self::in_home(bin, TempHome::from_fixture(fixture))
    }

    fn in_home(bin: impl AsRef<Path>, home: TempHome) -> Self {
        let path_var = home.bin_dir().into_os_string();
        Self {
            home,
            bin: bin.as_ref().to_path_buf(),
            path_var,
        }
    }

    /// The binary's `PATH` from now on (e.g. `/usr/bin:/bin` for `git`).
    pub fn with_path(mut self, path: impl Into<OsString>) -> Self {
        self.path_var = path.into();
        self
    }

    /// A shell whose process is named `claude` (a copy of `/bin/sh` in
    /// `<home>/<name>/claude`), as an agent's hooks and tool calls have above
    /// them: what it starts has an AI agent among its ancestors.
    pub fn fake_agent(&self, name: &str) -> Command {
        let dir = self.user_home().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let exe = dir.join("claude");
        if !exe.exists() {
            std::fs::copy("/bin/sh", &exe).expect("copy sh");
            // A child another test thread forked while the copy was open
            // holds it for writing until that child execs: wait that out.
            for _ in 0..200 {
                match Command::new(&exe).args(["-c", "true"]).status() {
                    Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                        std::thread::sleep(std::time::Duration::from_millis(10));
                    }
                    _ => break,
                }
            }
        }
        let mut c = Command::new(exe);
        c.env_clear()
            .env("HOME", self.user_home())
            .env("PATH", "/usr/bin:/bin")
            .env("UAS_DEV", "1");
        c
    }

    /// The path of the `uas` binary.
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// `uas args…` with only `HOME`, `PATH` and `UAS_DEV=1` set (the binary
    /// under test is a cargo build, which setup registers in hooks only on
    /// purpose); add `.env(…)` or `.env_remove(…)` as needed.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .env_clear()
            .env("HOME", self.user_home())
            .env("PATH", &self.path_var)
            .env("UAS_DEV", "1");
        cmd
    }

    /// Runs `uas args…` with empty stdin.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, b"")
    }

    /// Runs `uas args…` with `input` on stdin (then closed).
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn uas");
        let mut stdin = child.stdin.take().expect("stdin");
        // A command that exits without reading its stdin closes the pipe;
        // that is its answer, not a test failure.
        let _ = stdin.write_all(input);
        drop(stdin);
        child.wait_with_output().expect("wait for uas")
    }

    /// Runs `uas args…`, asserts it succeeded and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "uas {args:?} failed:\n{}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }
}

/// The output's stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The output's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The output's stdout as JSON; panics with the text when it is not.
pub fn json_stdout(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}
