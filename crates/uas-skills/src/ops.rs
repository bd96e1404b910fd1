//! The changing operations behind `uas skill …`: install, update,
//! rollback, remove (the read-only ones are in [`crate::query`]).
//!
//! Every changing operation follows the same order: resolve -> fetch and
//! verify every archive (checksum, then signature against the trusted keys)
//! -> unpack into the store -> rewrite `skills.lock` atomically. Any error
//! before the last step leaves the lockfile, and therefore what agents see,
//! exactly as it was; new store folders are inert until the lock names them.

use crate::client::Registry;
use crate::index::IndexEntry;
use crate::lock::{LockedSkill, Lockfile};
use crate::registries::{Registries, limits, verify_archive};
use crate::resolve;
use crate::{SkillError, store};
use semver::{Version, VersionReq};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uas_core::Home;
use uas_core::config::SkillsConfig;

pub use crate::query::{InstalledSkill, SearchHit, SkillInfo, VersionInfo};

/// Download progress of one archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEvent {
    /// Skill.
    pub name: String,
    /// Version.
    pub version: Version,
    /// Bytes so far.
    pub done: u64,
    /// Bytes expected.
    pub total: u64,
}

/// Receives download progress.
pub type ProgressFn<'a> = &'a mut dyn FnMut(&ProgressEvent);

/// Options shared by the changing operations.
#[derive(Debug, Clone, Default)]
pub struct ChangeOptions {
    /// Compute and report, change nothing.
    pub dry_run: bool,
    /// Accept archives without a trusted signature.
    pub allow_unsigned: bool,
    /// Test failpoints (empty without the `failpoints` feature).
    pub failpoints: Failpoints,
}

/// Test failpoints of the changing operations. Empty unless built with the
/// `failpoints` feature, so a release build cannot be told to crash itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failpoints {
    /// Abort the process (as a crash would) after this many archives were
    /// stored, before the lockfile is written.
    #[cfg(feature = "failpoints")]
    pub abort_after_stored: Option<usize>,
}

impl Failpoints {
    /// Aborts the process when `stored` archives reach the failpoint.
    fn after_stored(&self, stored: usize) {
        #[cfg(feature = "failpoints")]
        if self.abort_after_stored == Some(stored) {
            tracing::warn!("failpoint: aborting after {stored} stored archive(s)");
            std::process::abort();
        }
        #[cfg(not(feature = "failpoints"))]
        let _ = stored;
    }
}

/// One skill whose active version changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillChange {
    /// Skill.
    pub name: String,
    /// Active before (none: newly added).
    pub from: Option<Version>,
    /// Active after (none: removed).
    pub to: Option<Version>,
}

/// What a changing operation did (or would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeReport {
    /// The changes, by name.
    pub changes: Vec<SkillChange>,
    /// Nothing was written.
    pub dry_run: bool,
    /// Archives downloaded.
    pub downloaded: Vec<String>,
    /// Advice (e.g. a hand-made skill shadows a packaged one).
    pub notices: Vec<String>,
}

/// The package manager for one home.
pub struct Skills<'a> {
    pub(crate) home: &'a Home,
    pub(crate) config: &'a SkillsConfig,
}

impl<'a> Skills<'a> {
    /// Operations on `home` with `config`.
    pub fn new(home: &'a Home, config: &'a SkillsConfig) -> Self {
        Self { home, config }
    }

    pub(crate) fn lock(&self) -> Result<Lockfile, SkillError> {
        Lockfile::load(&self.home.skills_lock_file())
    }

    /// Serializes changing operations across processes with the one
    /// operation lock of the home ([`uas_core::oplock`]), so two concurrent
    /// installs cannot lose each other's lockfile update. Re-entrant: the
    /// facade holds it already around a skill change and its repair.
    fn exclusive(&self) -> Result<uas_core::oplock::OpLock, SkillError> {
        Ok(uas_core::oplock::OpLock::acquire(
            &self.home.operation_lock_file(),
            "uas skill",
            uas_core::oplock::LockWait::Wait,
        )?)
    }

    fn roots(lock: &Lockfile) -> BTreeMap<String, VersionReq> {
        lock.skills
            .iter()
            .filter_map(|(n, s)| s.requested.clone().map(|r| (n.clone(), r)))
            .collect()
    }

    /// `uas skill install NAME[@REQ]…`.
    pub fn install(
        &self,
        requests: &[(String, Option<VersionReq>)],
        opts: &ChangeOptions,
        progress: ProgressFn<'_>,
    ) -> Result<ChangeReport, SkillError> {
        let _guard = (!opts.dry_run).then(|| self.exclusive()).transpose()?;
        let lock = self.lock()?;
        let regs = Registries::load(self.home, self.config)?;
        let mut roots = Self::roots(&lock);
        let mut open = Vec::new();
        for (name, req) in requests {
            if regs.lookup(name).is_none() {
                return Err(SkillError::UnknownSkill(name.clone()));
            }
            let req = match req.clone().or_else(|| roots.get(name).cloned()) {
                Some(r) => r,
                None => {
                    open.push(name.clone());
                    VersionReq::STAR
                }
            };
            roots.insert(name.clone(), req);
        }
        let preferred = lock
            .skills
            .iter()
            .map(|(n, s)| (n.clone(), s.version.clone()))
            .collect();
        let solution = resolve::resolve(&regs.universe(), &roots, &preferred, limits(self.config))?;
        // Like cargo and npm: a bare name records `^<chosen>`, so a later
        // `update` stays within the chosen major version.
        for name in open {
            if let Some(v) = solution.get(&name) {
                let caret = VersionReq::parse(&format!("^{}.{}.{}", v.major, v.minor, v.patch))
                    .unwrap_or(VersionReq::STAR);
                roots.insert(name, caret);
            }
        }
        self.apply(lock, &regs, &roots, solution, opts, progress)
    }

    /// `uas skill update [NAME…|--all]`: newest versions the recorded
    /// requirements allow.
    pub fn update(
        &self,
        names: &[String],
        opts: &ChangeOptions,
        progress: ProgressFn<'_>,
    ) -> Result<ChangeReport, SkillError> {
        let _guard = (!opts.dry_run).then(|| self.exclusive()).transpose()?;
        let lock = self.lock()?;
        for n in names {
            if !lock.skills.contains_key(n) {
                return Err(SkillError::Refused(format!(
                    "`{n}` is not installed; use `uas skill install {n}`"
                )));
            }
        }
        let regs = Registries::load(self.home, self.config)?;
        let roots = Self::roots(&lock);
        let preferred: BTreeMap<String, Version> = if names.is_empty() {
            BTreeMap::new()
        } else {
            lock.skills
                .iter()
                .filter(|(n, _)| !names.contains(n))
                .map(|(n, s)| (n.clone(), s.version.clone()))
                .collect()
        };
        let solution = resolve::resolve(&regs.universe(), &roots, &preferred, limits(self.config))?;
        self.apply(lock, &regs, &roots, solution, opts, progress)
    }

    /// Fetches, verifies and stores what `solution` needs, then switches the lock.
    fn apply(
        &self,
        lock: Lockfile,
        regs: &Registries,
        roots: &BTreeMap<String, VersionReq>,
        solution: BTreeMap<String, Version>,
        opts: &ChangeOptions,
        progress: ProgressFn<'_>,
    ) -> Result<ChangeReport, SkillError> {
        let mut changes = Vec::new();
        for (name, version) in &solution {
            let from = lock.skills.get(name).map(|s| s.version.clone());
            if from.as_ref() != Some(version) {
                changes.push(SkillChange {
                    name: name.clone(),
                    from,
                    to: Some(version.clone()),
                });
            }
        }
        for (name, s) in &lock.skills {
            if !solution.contains_key(name) {
                changes.push(SkillChange {
                    name: name.clone(),
                    from: Some(s.version.clone()),
                    to: None,
                });
            }
        }
        changes.sort_by(|a, b| a.name.cmp(&b.name));
        let notices = self.shadow_notices(solution.keys());
        let mut report = ChangeReport {
            changes,
            dry_run: opts.dry_run,
            downloaded: Vec::new(),
            notices,
        };
        if opts.dry_run {
            return Ok(report);
        }
        store::clean_stale_staging(self.home);
        let mut next = Lockfile::default();
        let mut stored = 0usize;
        for (name, version) in &solution {
            let old = lock.skills.get(name);
            let requested = roots.get(name).cloned();
            if let Some(o) = old
                && &o.version == version
            {
                let mut keep = o.clone();
                keep.requested = requested;
                next.skills.insert(name.clone(), keep);
                continue;
            }
            let (registry, entries) = regs
                .lookup(name)
                .ok_or_else(|| SkillError::UnknownSkill(name.clone()))?;
            let entry = entries
                .iter()
                .find(|e| &e.version == version)
                .ok_or_else(|| SkillError::UnknownSkill(format!("{name} {version}")))?;
            // A version from the history whose stored copy is intact needs no download.
            let past = old.and_then(|o| o.history.iter().find(|p| &p.version == version).cloned());
            let intact = past.as_ref().is_some_and(|p| {
                p.sha256 == entry.sha256
                    && store::tree_of(self.home, name, version).as_deref() == Some(p.tree.as_str())
            });
            let tree = if intact {
                past.as_ref().map(|p| p.tree.clone()).unwrap_or_default()
            } else {
                let bytes = self.download(registry, name, entry, progress)?;
                verify_archive(
                    name,
                    entry,
                    &bytes,
                    &self.config.trusted_keys,
                    opts.allow_unsigned,
                )?;
                let tree =
                    store::store_archive(self.home, name, version, &bytes, &self.config.limits)?;
                report.downloaded.push(format!("{name} {version}"));
                stored += 1;
                opts.failpoints.after_stored(stored);
                tree
            };
            let mut entry_new = LockedSkill {
                version: version.clone(),
                requested,
                registry: registry.name.clone(),
                sha256: entry.sha256.clone(),
                tree,
                dependencies: entry.dependencies.clone(),
                history: Vec::new(),
            };
            if let Some(o) = old {
                entry_new.remember(o.history.clone(), o.as_past());
            }
            next.skills.insert(name.clone(), entry_new);
        }
        next.save(&self.home.skills_lock_file())?;
        Ok(report)
    }

    fn download(
        &self,
        registry: &Registry,
        name: &str,
        entry: &IndexEntry,
        progress: ProgressFn<'_>,
    ) -> Result<Vec<u8>, SkillError> {
        let mut ev = ProgressEvent {
            name: name.to_owned(),
            version: entry.version.clone(),
            done: 0,
            total: entry.size,
        };
        progress(&ev);
        let max = self.config.limits.max_total_bytes;
        registry.archive(entry, max, &mut |done, total| {
            ev.done = done;
            ev.total = total;
            progress(&ev);
        })
    }

    fn shadow_notices<'n>(&self, names: impl Iterator<Item = &'n String>) -> Vec<String> {
        names
            .filter(|n| self.home.skills_dir().join(n.as_str()).join("SKILL.md").is_file())
            .map(|n| format!("a hand-made skill folder {} has the same name and wins over the packaged `{n}`; rename or remove it to use the package", self.home.skills_dir().join(n.as_str()).display()))
            .collect()
    }

    /// `uas skill install --locked`: make the store match `skills.lock`
    /// exactly (downloading missing versions and checking their hashes).
    pub fn install_locked(
        &self,
        opts: &ChangeOptions,
        progress: ProgressFn<'_>,
    ) -> Result<ChangeReport, SkillError> {
        let _guard = (!opts.dry_run).then(|| self.exclusive()).transpose()?;
        let lock = self.lock()?;
        let mut report = ChangeReport {
            changes: Vec::new(),
            dry_run: opts.dry_run,
            downloaded: Vec::new(),
            notices: Vec::new(),
        };
        let missing: Vec<(&String, &LockedSkill)> = lock
            .skills
            .iter()
            .filter(|(n, s)| {
                store::tree_of(self.home, n, &s.version).as_deref() != Some(s.tree.as_str())
            })
            .collect();
        if missing.is_empty() || opts.dry_run {
            report.changes = missing
                .iter()
                .map(|(n, s)| SkillChange {
                    name: (*n).clone(),
                    from: None,
                    to: Some(s.version.clone()),
                })
                .collect();
            return Ok(report);
        }
        let regs = Registries::load(self.home, self.config)?;
        for (name, locked) in missing {
            let (registry, entries) = regs
                .lookup(name)
                .ok_or_else(|| SkillError::UnknownSkill(name.clone()))?;
            let entry = entries
                .iter()
                .find(|e| e.version == locked.version)
                .ok_or_else(|| SkillError::UnknownSkill(format!("{name} {}", locked.version)))?;
            let bytes = self.download(registry, name, entry, progress)?;
            let pinned = IndexEntry {
                sha256: locked.sha256.clone(),
                ..entry.clone()
            };
            verify_archive(
                name,
                &pinned,
                &bytes,
                &self.config.trusted_keys,
                opts.allow_unsigned,
            )?;
            let tree = store::store_archive(
                self.home,
                name,
                &locked.version,
                &bytes,
                &self.config.limits,
            )?;
            if tree != locked.tree {
                return Err(SkillError::Checksum {
                    name: name.clone(),
                    version: locked.version.to_string(),
                    expected: locked.tree.clone(),
                    actual: tree,
                });
            }
            report.downloaded.push(format!("{name} {}", locked.version));
            report.changes.push(SkillChange {
                name: name.clone(),
                from: None,
                to: Some(locked.version.clone()),
            });
        }
        Ok(report)
    }

    /// `uas skill remove NAME`: refused while another skill depends on it.
    /// Dependencies nobody needs any more go too.
    pub fn remove(&self, name: &str, opts: &ChangeOptions) -> Result<ChangeReport, SkillError> {
        let _guard = (!opts.dry_run).then(|| self.exclusive()).transpose()?;
        let lock = self.lock()?;
        if !lock.skills.contains_key(name) {
            return Err(SkillError::Refused(format!("`{name}` is not installed")));
        }
        let dependents: Vec<String> = lock
            .dependents(name)
            .into_iter()
            .map(|(n, r)| format!("{n} {} (needs {name} {r})", lock.skills[&n].version))
            .collect();
        if !dependents.is_empty() {
            return Err(SkillError::Refused(format!(
                "cannot remove `{name}`: {} depend(s) on it; remove those first",
                dependents.join(", ")
            )));
        }
        let mut next = lock.clone();
        next.skills.remove(name);
        // Keep what the remaining requested skills still reach.
        let mut keep = BTreeSet::new();
        let mut stack: Vec<String> = next
            .skills
            .iter()
            .filter(|(_, s)| s.requested.is_some())
            .map(|(n, _)| n.clone())
            .collect();
        while let Some(n) = stack.pop() {
            if keep.insert(n.clone())
                && let Some(s) = next.skills.get(&n)
            {
                stack.extend(s.dependencies.keys().cloned());
            }
        }
        next.skills.retain(|n, _| keep.contains(n));
        let changes: Vec<SkillChange> = lock
            .skills
            .iter()
            .filter(|(n, _)| !next.skills.contains_key(*n))
            .map(|(n, s)| SkillChange {
                name: n.clone(),
                from: Some(s.version.clone()),
                to: None,
            })
            .collect();
        if !opts.dry_run {
            next.save(&self.home.skills_lock_file())?;
            for c in &changes {
                store::remove_all(self.home, &c.name)?;
            }
        }
        Ok(ChangeReport {
            changes,
            dry_run: opts.dry_run,
            downloaded: Vec::new(),
            notices: Vec::new(),
        })
    }

    /// `uas skill rollback NAME [--to V]`: back to the previous (or a given
    /// earlier) version still in the store, if every dependent accepts it.
    pub fn rollback(
        &self,
        name: &str,
        to: Option<&Version>,
        opts: &ChangeOptions,
    ) -> Result<ChangeReport, SkillError> {
        let _guard = (!opts.dry_run).then(|| self.exclusive()).transpose()?;
        let lock = self.lock()?;
        let current = lock
            .skills
            .get(name)
            .ok_or_else(|| SkillError::Refused(format!("`{name}` is not installed")))?;
        let target = match to {
            Some(v) => current
                .history
                .iter()
                .rev()
                .find(|p| &p.version == v)
                .ok_or_else(|| {
                    SkillError::Refused(format!(
                        "{name} {v} was never active here; earlier versions: {}",
                        list_versions(current.history.iter().map(|p| &p.version))
                    ))
                })?,
            None => current.history.last().ok_or_else(|| {
                SkillError::Refused(format!("{name} has no earlier version to roll back to"))
            })?,
        };
        if store::tree_of(self.home, name, &target.version).as_deref() != Some(target.tree.as_str())
        {
            return Err(SkillError::Refused(format!(
                "{name} {} is missing or changed in the store; reinstall it with `uas skill install {name}@={}`",
                target.version, target.version
            )));
        }
        for (dep_name, req) in lock.dependents(name) {
            if !req.matches(&target.version) {
                return Err(SkillError::Refused(format!(
                    "cannot roll {name} back to {}: {dep_name} {} needs {name} {req}",
                    target.version, lock.skills[&dep_name].version
                )));
            }
        }
        for (dep, req) in &target.dependencies {
            match lock.skills.get(dep) {
                Some(s) if req.matches(&s.version) => {}
                Some(s) => {
                    return Err(SkillError::Refused(format!(
                        "cannot roll {name} back to {}: it needs {dep} {req}, but {dep} {} is active",
                        target.version, s.version
                    )));
                }
                None => {
                    return Err(SkillError::Refused(format!(
                        "cannot roll {name} back to {}: it needs {dep} {req}, which is not installed",
                        target.version
                    )));
                }
            }
        }
        let mut next = lock.clone();
        let mut entry = LockedSkill {
            version: target.version.clone(),
            requested: current.requested.clone(),
            registry: target.registry.clone(),
            sha256: target.sha256.clone(),
            tree: target.tree.clone(),
            dependencies: target.dependencies.clone(),
            history: Vec::new(),
        };
        entry.remember(current.history.clone(), current.as_past());
        next.skills.insert(name.to_owned(), entry);
        if !opts.dry_run {
            next.save(&self.home.skills_lock_file())?;
        }
        Ok(ChangeReport {
            changes: vec![SkillChange {
                name: name.to_owned(),
                from: Some(current.version.clone()),
                to: Some(target.version.clone()),
            }],
            dry_run: opts.dry_run,
            downloaded: Vec::new(),
            notices: Vec::new(),
        })
    }
}

fn list_versions<'v>(vs: impl Iterator<Item = &'v Version>) -> String {
    let v: Vec<String> = vs.map(ToString::to_string).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}
