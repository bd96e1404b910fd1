//! The skills package manager and registries, for every front end: each
//! changing call updates the store and `skills.lock`, then re-runs the setup
//! machinery (`repair`) for the agents uas already manages, so their skills
//! folders show the change at once.

use crate::{AgentSelection, ApiError, App, SetupOptions, SetupReport};
use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::Config;
use uas_skills::ops::{self, ChangeOptions, ChangeReport, Skills};

pub use uas_skills::ops::ProgressEvent as SkillProgress;

/// Options of install / update / rollback / remove.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillOptions {
    /// Show what would change; change nothing.
    pub dry_run: bool,
    /// Accept archives without a trusted signature.
    pub allow_unsigned: bool,
    /// Install exactly what `skills.lock` says.
    pub locked: bool,
    /// Test failpoints; empty unless uas-skills is built with the
    /// `failpoints` feature (only the CLI's journey tests do that). Never
    /// on the wire.
    #[serde(skip)]
    #[ts(skip)]
    pub failpoints: uas_skills::ops::Failpoints,
}

/// One skill whose active version changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillChangeDto {
    /// Skill name.
    pub name: String,
    /// Version before (none: added).
    pub from: Option<String>,
    /// Version after (none: removed).
    pub to: Option<String>,
}

/// Result of a changing skill command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillsReport {
    /// `install`, `update`, `rollback` or `remove`.
    pub command: String,
    /// Nothing was written.
    pub dry_run: bool,
    /// Skills whose active version changes.
    pub changes: Vec<SkillChangeDto>,
    /// Archives downloaded and verified.
    pub downloaded: Vec<String>,
    /// Advice.
    pub notices: Vec<String>,
    /// What was written into agents' folders (none when nothing changed).
    pub materialized: Option<SetupReport>,
}

/// One installed skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct InstalledSkillDto {
    /// Name.
    pub name: String,
    /// Active version.
    pub version: String,
    /// Requirement asked for; none when only a dependency.
    pub requested: Option<String>,
    /// Registry it came from.
    pub registry: String,
    /// Versions kept in the store (rollback targets).
    pub stored: Vec<String>,
    /// Newest published (with `--outdated`).
    pub latest: Option<String>,
    /// Newest the requirements allow (with `--outdated`).
    pub compatible: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillSearchHit {
    /// Name.
    pub name: String,
    /// Newest non-yanked version.
    pub version: String,
    /// Description.
    pub description: String,
    /// Registry.
    pub registry: String,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillVersionDto {
    /// Version.
    pub version: String,
    /// Description.
    pub description: String,
    /// `name requirement` per dependency.
    pub dependencies: Vec<String>,
    /// Signing key, when signed.
    pub signed_by: Option<String>,
    /// Withdrawn by the publisher.
    pub yanked: bool,
    /// Archive size in bytes.
    #[ts(type = "number")]
    pub size: u64,
}

/// `uas skill info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillInfoDto {
    /// Name.
    pub name: String,
    /// Registry providing it.
    pub registry: String,
    /// Active version here.
    pub installed: Option<String>,
    /// Newest first.
    pub versions: Vec<SkillVersionDto>,
}

/// `uas skill verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillVerifyReport {
    /// Everything wrong (empty: the store matches the lockfile).
    pub problems: Vec<String>,
}

/// `uas registry build`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RegistryBuildReport {
    /// `name version` newly published.
    pub added: Vec<String>,
    /// `name version` already present with the same content.
    pub unchanged: Vec<String>,
    /// The index written.
    #[ts(type = "string")]
    pub index: PathBuf,
    /// Things skipped, with advice.
    pub notes: Vec<String>,
}

/// Parses `name`, `name@^1.2` or `name@=1.0.0`.
pub fn parse_request(text: &str) -> Result<(String, Option<semver::VersionReq>), ApiError> {
    let (name, req) = match text.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (text, None),
    };
    let bad = |e: uas_skills::manifest::ManifestError| {
        ApiError::Skills(uas_skills::SkillError::Refused(e.to_string()))
    };
    uas_skills::manifest::validate_name(name).map_err(bad)?;
    let req = req
        .map(|r| uas_skills::manifest::parse_req(r).map_err(bad))
        .transpose()?;
    Ok((name.to_owned(), req))
}

fn change_options(o: &SkillOptions) -> ChangeOptions {
    ChangeOptions {
        dry_run: o.dry_run,
        allow_unsigned: o.allow_unsigned,
        failpoints: o.failpoints,
    }
}

impl App {
    fn skills_config(&self) -> Result<Config, ApiError> {
        Ok(Config::load(&self.home.config_file())?)
    }

    /// `skills.lock` as it is now, read before a change (`None`: missing).
    fn lock_before(&self) -> Option<Vec<u8>> {
        std::fs::read(self.home.skills_lock_file()).ok()
    }

    /// Turns a package-manager result into the report, materializing into
    /// the configured agents when something changed. The apply that does
    /// it also records `skills.lock` as it was before (`lock_before`), so
    /// `uas rollback-setup` of that apply puts the lock file and the
    /// agents' skills folders back together.
    fn skills_finish(
        &self,
        command: &str,
        r: ChangeReport,
        lock_before: Option<Vec<u8>>,
    ) -> Result<SkillsReport, ApiError> {
        let materialized = if r.dry_run || (r.changes.is_empty() && r.downloaded.is_empty()) {
            None
        } else {
            let path = self.home.skills_lock_file();
            let now = std::fs::read(&path).ok();
            let lock = (now != lock_before).then(|| uas_providers::plan::FileChange {
                reason: format!("skills.lock as `uas skill {command}` left it"),
                path,
                agents: Vec::new(),
                kind: uas_providers::plan::ChangeKind::OwnedFile,
                before: lock_before,
                before_link: None,
                after: now,
                executable: false,
            });
            Some(self.repair_with(
                &SetupOptions {
                    agents: AgentSelection::Detected,
                    dry_run: false,
                    project: None,
                    partial: false,
                    failpoints: uas_providers::apply::Failpoints::default(),
                },
                lock.into_iter().collect(),
            )?)
        };
        Ok(SkillsReport {
            command: command.to_owned(),
            dry_run: r.dry_run,
            changes: r
                .changes
                .into_iter()
                .map(|c| SkillChangeDto {
                    name: c.name,
                    from: c.from.map(|v| v.to_string()),
                    to: c.to.map(|v| v.to_string()),
                })
                .collect(),
            downloaded: r.downloaded,
            notices: r.notices,
            materialized,
        })
    }

    /// `uas skill install [NAME[@REQ]…] [--locked]`.
    pub fn skill_install(
        &self,
        requests: &[String],
        opts: &SkillOptions,
        progress: &mut dyn FnMut(&SkillProgress),
    ) -> Result<SkillsReport, ApiError> {
        let _lock = (!opts.dry_run)
            .then(|| self.exclusive("uas skill install"))
            .transpose()?;
        let config = self.skills_config()?;
        let before = self.lock_before();
        let skills = Skills::new(&self.home, &config.skills);
        let r = if opts.locked {
            if !requests.is_empty() {
                return Err(ApiError::Skills(uas_skills::SkillError::Refused(
                    "--locked installs exactly what skills.lock says; drop the skill names".into(),
                )));
            }
            skills.install_locked(&change_options(opts), progress)?
        } else {
            if requests.is_empty() {
                return Err(ApiError::Skills(uas_skills::SkillError::Refused(
                    "name the skills to install, or pass --locked to install skills.lock".into(),
                )));
            }
            let parsed = requests
                .iter()
                .map(|r| parse_request(r))
                .collect::<Result<Vec<_>, _>>()?;
            skills.install(&parsed, &change_options(opts), progress)?
        };
        self.skills_finish("install", r, before)
    }

    /// `uas skill update [NAME…]` (no names: all).
    pub fn skill_update(
        &self,
        names: &[String],
        opts: &SkillOptions,
        progress: &mut dyn FnMut(&SkillProgress),
    ) -> Result<SkillsReport, ApiError> {
        let _lock = (!opts.dry_run)
            .then(|| self.exclusive("uas skill update"))
            .transpose()?;
        let config = self.skills_config()?;
        let before = self.lock_before();
        let r = Skills::new(&self.home, &config.skills).update(
            names,
            &change_options(opts),
            progress,
        )?;
        self.skills_finish("update", r, before)
    }

    /// `uas skill rollback NAME [--to V]`.
    pub fn skill_rollback(
        &self,
        name: &str,
        to: Option<&str>,
        opts: &SkillOptions,
    ) -> Result<SkillsReport, ApiError> {
        let _lock = (!opts.dry_run)
            .then(|| self.exclusive("uas skill rollback"))
            .transpose()?;
        let config = self.skills_config()?;
        let before = self.lock_before();
        let to = to
            .map(|v| {
                uas_skills::manifest::parse_version(v)
                    .map_err(|m| ApiError::Skills(uas_skills::SkillError::Refused(m.to_string())))
            })
            .transpose()?;
        let r = Skills::new(&self.home, &config.skills).rollback(
            name,
            to.as_ref(),
            &change_options(opts),
        )?;
        self.skills_finish("rollback", r, before)
    }

    /// `uas skill remove NAME`.
    pub fn skill_remove(&self, name: &str, opts: &SkillOptions) -> Result<SkillsReport, ApiError> {
        let _lock = (!opts.dry_run)
            .then(|| self.exclusive("uas skill remove"))
            .transpose()?;
        let config = self.skills_config()?;
        let before = self.lock_before();
        let r = Skills::new(&self.home, &config.skills).remove(name, &change_options(opts))?;
        self.skills_finish("remove", r, before)
    }

    /// `uas skill list [--outdated]`.
    pub fn skill_list(&self, outdated: bool) -> Result<Vec<InstalledSkillDto>, ApiError> {
        let config = self.skills_config()?;
        let s = |v: &semver::Version| v.to_string();
        Ok(Skills::new(&self.home, &config.skills)
            .list(outdated)?
            .into_iter()
            .map(|i| InstalledSkillDto {
                version: s(&i.version),
                stored: i.stored.iter().map(s).collect(),
                latest: i.latest.as_ref().map(s),
                compatible: i.compatible.as_ref().map(s),
                name: i.name,
                requested: i.requested,
                registry: i.registry,
            })
            .collect())
    }

    /// `uas skill verify`.
    pub fn skill_verify(&self) -> Result<SkillVerifyReport, ApiError> {
        let config = self.skills_config()?;
        Ok(SkillVerifyReport {
            problems: Skills::new(&self.home, &config.skills).verify()?,
        })
    }

    /// `uas skill search QUERY`.
    pub fn skill_search(&self, query: &str) -> Result<Vec<SkillSearchHit>, ApiError> {
        let config = self.skills_config()?;
        Ok(Skills::new(&self.home, &config.skills)
            .search(query)?
            .into_iter()
            .map(|h| SkillSearchHit {
                name: h.name,
                version: h.version.to_string(),
                description: h.description,
                registry: h.registry,
            })
            .collect())
    }

    /// `uas skill info NAME`.
    pub fn skill_info(&self, name: &str) -> Result<SkillInfoDto, ApiError> {
        let config = self.skills_config()?;
        let i = Skills::new(&self.home, &config.skills).info(name)?;
        Ok(SkillInfoDto {
            name: i.name,
            registry: i.registry,
            installed: i.installed.map(|v| v.to_string()),
            versions: i
                .versions
                .into_iter()
                .map(|v: ops::VersionInfo| SkillVersionDto {
                    version: v.version.to_string(),
                    description: v.description,
                    dependencies: v.dependencies,
                    signed_by: v.signed_by,
                    yanked: v.yanked,
                    size: v.size,
                })
                .collect(),
        })
    }
}

/// `uas registry build SRC --out OUT [--key FILE]`.
pub fn registry_build(
    src: &Path,
    out: &Path,
    key: Option<&Path>,
) -> Result<RegistryBuildReport, ApiError> {
    let key = key
        .map(|k| {
            uas_skills::sign::read_secret(k)
                .map_err(|e| ApiError::Skills(uas_skills::SkillError::Refused(e.to_string())))
        })
        .transpose()?;
    let r = uas_skills::index::build(src, out, key.as_ref())?;
    Ok(RegistryBuildReport {
        added: r.added,
        unchanged: r.unchanged,
        index: r.index,
        notes: r.notes,
    })
}

/// `uas registry keygen --out FILE`: writes a new secret key (never
/// overwriting) and returns the public key to put in `skills.trusted_keys`.
pub fn registry_keygen(out: &Path) -> Result<String, ApiError> {
    let refused = |m: String| ApiError::Skills(uas_skills::SkillError::Refused(m));
    let key = uas_skills::sign::generate().map_err(|e| refused(e.to_string()))?;
    let written = uas_core::fsx::write_atomic(
        out,
        uas_skills::sign::secret_text(&key).as_bytes(),
        uas_core::fsx::Overwrite::CreateOnly,
    )?;
    if written == uas_core::fsx::Written::Kept {
        return Err(refused(format!(
            "{} already exists; choose another file",
            out.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| refused(format!("cannot restrict {}: {e}", out.display())))?;
    }
    Ok(uas_skills::sign::public_text(&key.verifying_key()))
}

/// `uas registry yank DIR NAME VERSION [--undo]`.
pub fn registry_yank(dir: &Path, name: &str, version: &str, yanked: bool) -> Result<(), ApiError> {
    let v = uas_skills::manifest::parse_version(version)
        .map_err(|m| ApiError::Skills(uas_skills::SkillError::Refused(m.to_string())))?;
    Ok(uas_skills::index::set_yanked(dir, name, &v, yanked)?)
}

/// `uas registry serve DIR`: serves until the process ends; `ready` gets
/// the bound address first (port 0 picks a free one).
pub async fn registry_serve(
    dir: PathBuf,
    addr: std::net::SocketAddr,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ApiError> {
    let io = |e: std::io::Error| {
        ApiError::Skills(uas_skills::SkillError::Io {
            action: "cannot serve",
            path: dir.clone(),
            source: e,
        })
    };
    if !dir.join(uas_skills::index::INDEX_FILE).is_file() {
        return Err(ApiError::Skills(uas_skills::SkillError::Refused(format!(
            "{} has no index.json; run `uas registry build` first",
            dir.display()
        ))));
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
    ready(listener.local_addr().map_err(io)?);
    uas_skills::serve::serve(listener, dir.clone())
        .await
        .map_err(io)
}
