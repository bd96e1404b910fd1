//! How an agent is started with its hooks off (`claude --bare`,
//! `CLAUDE_CODE_SIMPLE=1`, `codex --disable hooks`, a moved config dir):
//! matched against a command line an agent wants to run (the SOP's
//! `unhooked_agent`) and against running processes (`uas status`).

/// How one agent is started with its hooks off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchOff {
    /// The agent (for the message).
    pub agent: String,
    /// Its program names (`claude`).
    pub programs: Vec<String>,
    /// Flags: `F` (the flag, or `F=…`), `F V` (the flag with the value `V`,
    /// or `F=V`), `F !V` (the flag with a value that lacks `V`).
    pub flags: Vec<String>,
    /// Variables that switch hooks off when set to anything but empty, `0`
    /// or `false`; and the variables that move its config dir.
    pub vars: Vec<String>,
}

impl LaunchOff {
    /// What in `launch` (program, then arguments) or `assigns` switches
    /// this agent's hooks off, e.g. `claude --bare`.
    pub fn find(&self, launch: &[String], assigns: &[String]) -> Option<String> {
        let (prog, args) = launch.split_first()?;
        if !self.programs.iter().any(|p| p == prog) {
            return None;
        }
        for spec in &self.flags {
            let (flag, want) = match spec.split_once(' ') {
                Some((f, v)) => (f, Some(v)),
                None => (spec.as_str(), None),
            };
            for (i, w) in args.iter().enumerate() {
                let value = match w.strip_prefix(flag) {
                    Some("") => args.get(i + 1).map(String::as_str),
                    Some(rest) if rest.starts_with('=') => Some(&rest[1..]),
                    _ => continue,
                };
                let hit = match (want, value) {
                    (None, _) => true,
                    (Some(v), Some(val)) => match v.strip_prefix('!') {
                        Some(lacks) => !val.contains(lacks),
                        None => val == v,
                    },
                    (Some(_), None) => false,
                };
                if hit {
                    let shown = match (want, value) {
                        (Some(_), Some(v)) => format!("{flag} {v}"),
                        _ => w.clone(),
                    };
                    return Some(format!("{prog} {shown}"));
                }
            }
        }
        assigns.iter().find_map(|a| {
            let (name, value) = a.split_once('=')?;
            (self.vars.iter().any(|v| v == name) && !matches!(value, "" | "0" | "false"))
                .then(|| format!("{a} {prog}"))
        })
    }
}
