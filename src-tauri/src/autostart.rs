//! Launch at login with `auto-launch`: on Linux an XDG autostart entry,
//! `~/.config/autostart/uas-desktop.desktop`, that starts the app hidden in
//! the tray. We only ever remove or replace an entry we wrote (its `Exec`
//! line runs this program with `--hidden`); a file of the same name that a
//! person wrote is refused with what to do.

use auto_launch::{AutoLaunch, AutoLaunchBuilder, LinuxLaunchMode};
use std::path::{Path, PathBuf};

/// The entry's name (and file name).
const NAME: &str = "uas-desktop";
/// What the app is started with at login.
pub const HIDDEN: &str = "--hidden";

/// The app's launch-at-login entry.
pub struct Autostart {
    launcher: AutoLaunch,
    exe: String,
    entry: PathBuf,
}

/// What went wrong, with the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    /// A file we did not write is where our entry goes.
    #[error(
        "{0} exists and was not written by Universal Agent; remove or rename it, then turn Start at login on again"
    )]
    Foreign(PathBuf),
    /// The launcher failed.
    #[error("cannot change the autostart entry {path}: {reason}")]
    Launcher {
        /// The entry.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl Autostart {
    /// The entry for `exe` under the user's `home` (where auto-launch
    /// writes it: `$HOME/.config/autostart`).
    pub fn new(exe: &Path, home: &Path) -> Result<Self, AutostartError> {
        let exe = exe.display().to_string();
        let entry = home
            .join(".config/autostart")
            .join(format!("{NAME}.desktop"));
        let launcher = AutoLaunchBuilder::new()
            .set_app_name(NAME)
            .set_app_path(&exe)
            .set_args(&[HIDDEN])
            .set_linux_launch_mode(LinuxLaunchMode::XdgAutostart)
            .build()
            .map_err(|e| AutostartError::Launcher {
                path: entry.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            launcher,
            exe,
            entry,
        })
    }

    /// Where the entry lives.
    pub fn entry(&self) -> &Path {
        &self.entry
    }

    /// Whether our entry is there.
    pub fn enabled(&self) -> bool {
        ours(&self.entry, &self.exe) == Some(true)
    }

    /// Turns launch at login on or off; returns whether it is on.
    pub fn set(&self, on: bool) -> Result<bool, AutostartError> {
        match ours(&self.entry, &self.exe) {
            Some(false) => return Err(AutostartError::Foreign(self.entry.clone())),
            None if !on => return Ok(false),
            Some(true) if on => return Ok(true),
            _ => {}
        }
        let r = if on {
            self.launcher.enable()
        } else {
            self.launcher.disable()
        };
        r.map_err(|e| AutostartError::Launcher {
            path: self.entry.clone(),
            reason: e.to_string(),
        })?;
        tracing::info!(
            "start at login {}: {}",
            if on { "on" } else { "off" },
            self.entry.display()
        );
        Ok(self.enabled())
    }
}

/// `None`: no file; `Some(true)`: our entry for `exe`; `Some(false)`:
/// someone else's file (or one we cannot read, which we leave alone).
fn ours(entry: &Path, exe: &str) -> Option<bool> {
    match std::fs::read_to_string(entry) {
        Ok(text) => {
            let exec = format!("Exec={exe} {HIDDEN}");
            Some(
                text.lines().any(|l| l.trim_end() == exec)
                    && text.lines().any(|l| l == format!("Name={NAME}")),
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => Some(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_entry_that_runs_this_program_hidden_is_ours() {
        let dir = tempfile::tempdir().expect("tempdir");
        let entry = dir.path().join("uas-desktop.desktop");
        assert_eq!(ours(&entry, "/usr/bin/uas-desktop"), None);
        std::fs::write(
            &entry,
            "[Desktop Entry]\nType=Application\nVersion=1.0\nName=uas-desktop\nComment=uas-desktop startup script\nExec=/usr/bin/uas-desktop --hidden\nStartupNotify=false\nTerminal=false",
        )
        .expect("write");
        assert_eq!(ours(&entry, "/usr/bin/uas-desktop"), Some(true));
        assert_eq!(ours(&entry, "/opt/other/uas-desktop"), Some(false));
        std::fs::write(
            &entry,
            "[Desktop Entry]\nName=My own launcher\nExec=/usr/bin/uas-desktop\n",
        )
        .expect("write");
        assert_eq!(ours(&entry, "/usr/bin/uas-desktop"), Some(false));
    }

    #[test]
    fn a_persons_file_of_the_same_name_is_refused_and_kept() {
        let home = tempfile::tempdir().expect("tempdir");
        let a = Autostart::new(Path::new("/usr/bin/uas-desktop"), home.path()).expect("builder");
        std::fs::create_dir_all(a.entry().parent().expect("parent")).expect("mkdir");
        let mine = "[Desktop Entry]\nName=mine\nExec=/home/me/bin/start-things\n";
        std::fs::write(a.entry(), mine).expect("write");
        for on in [true, false] {
            let err = a.set(on).expect_err("refused");
            assert!(
                err.to_string()
                    .contains("was not written by Universal Agent")
            );
        }
        assert_eq!(std::fs::read_to_string(a.entry()).expect("kept"), mine);
        assert!(!a.enabled());
    }
}
