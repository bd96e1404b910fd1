//! What a skill says about itself.
//!
//! The Agent Skills format puts YAML frontmatter in `SKILL.md`: `name`,
//! `description`, optional `license`, `compatibility`, `allowed-tools` and
//! `metadata` (a string -> string map). Our version and dependencies travel
//! as strings in that map (`metadata.version: "1.2.0"`,
//! `metadata.dependencies: "base-notes@^1.0, lint@~2.1"`) or in an optional
//! `skill.toml` beside `SKILL.md`. A skill without a version gets
//! `0.0.0+<content hash>` so plain skills from anywhere install too.
//!
//! The frontmatter reader understands the subset of YAML that skills use:
//! `key: value` pairs, quoted strings, one nested map (`metadata`), lists,
//! and `|`/`>` block scalars. Anything else is a clear error, not a guess.

use crate::SkillError;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Longest skill name (Agent Skills spec).
pub const MAX_NAME_LEN: usize = 64;
/// Longest description (Agent Skills spec).
pub const MAX_DESCRIPTION_LEN: usize = 1024;

/// A validated skill manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillManifest {
    /// `[a-z0-9-]`, at most 64 characters.
    pub name: String,
    /// Semantic version (`0.0.0+<hash>` when the skill declares none).
    pub version: Version,
    /// What the skill is for.
    pub description: String,
    /// SPDX license, when given.
    pub license: Option<String>,
    /// Other skills this one needs, with semver requirements.
    pub dependencies: BTreeMap<String, VersionReq>,
    /// Departures from the Agent Skills spec that are not unsafe (a
    /// description over 1,024 characters): the skill still builds and
    /// installs, and the marketplace shows them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// `skill.toml`: the richer, optional manifest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillToml {
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    authors: Vec<String>,
    license: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    providers: Vec<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default)]
    #[allow(dead_code)]
    capabilities: Vec<String>,
}

/// Keys the Agent Skills spec allows at the top of the frontmatter.
const FRONTMATTER_KEYS: &[&str] = &[
    "name",
    "description",
    "license",
    "compatibility",
    "allowed-tools",
    "metadata",
];

/// Keys some agents add (Claude Code's skill options): accepted and left
/// for the agent, since a packaged skill is materialized byte for byte.
const AGENT_KEYS: &[&str] = &[
    "argument-hint",
    "disable-model-invocation",
    "user-invocable",
    "model",
    "context",
    "agent",
];

/// A frontmatter value: a string, a list of strings or a string map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlValue {
    /// `key: text`
    Str(String),
    /// `key: [a, b]` or `- a` lines.
    List(Vec<String>),
    /// Nested `key: value` lines.
    Map(BTreeMap<String, String>),
}

/// A skill name, version, dependency list or frontmatter is invalid. The
/// message names the offending text (and the frontmatter line) and says how
/// to write it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The skill name is empty.
    #[error("the skill name is empty")]
    EmptyName,
    /// The skill name is longer than [`MAX_NAME_LEN`].
    #[error("the skill name `{name}` is {len} characters; at most {MAX_NAME_LEN} are allowed")]
    NameTooLong {
        /// The name as written.
        name: String,
        /// Its length in bytes.
        len: usize,
    },
    /// The skill name holds a character outside `[a-z0-9-]`.
    #[error(
        "the skill name `{name}` contains `{found}`; use lowercase letters, digits and `-` only"
    )]
    NameCharacter {
        /// The name as written.
        name: String,
        /// The first character not allowed.
        found: char,
    },
    /// The skill name starts or ends with `-` or holds `--`.
    #[error("the skill name `{name}` must not start or end with `-` or contain `--`")]
    NameDashes {
        /// The name as written.
        name: String,
    },
    /// Not a semver requirement.
    #[error(
        "`{text}` is not a version requirement ({reason}); write e.g. `^1.2`, `~2.1.0` or `>=1, <3`"
    )]
    Requirement {
        /// The requirement as written.
        text: String,
        /// What the semver parser objected to.
        reason: String,
    },
    /// Not a semantic version.
    #[error("`{text}` is not a semantic version ({reason}); write three numbers, e.g. `1.2.0`")]
    Version {
        /// The version as written.
        text: String,
        /// What the semver parser objected to.
        reason: String,
    },
    /// One entry of a dependency list is invalid.
    #[error("dependency `{entry}`: {reason}")]
    Dependency {
        /// The entry as written (`name@req`).
        entry: String,
        /// What is wrong with its name or requirement.
        reason: Box<ManifestError>,
    },
    /// A dependency list names the same skill twice.
    #[error("dependency `{name}` is listed twice")]
    DuplicateDependency {
        /// The skill listed twice.
        name: String,
    },
    /// `SKILL.md` does not start with a `---` line.
    #[error(
        "SKILL.md must start with YAML frontmatter: a `---` line, `name:` and `description:`, then `---`"
    )]
    NoFrontmatter,
    /// The frontmatter is not closed.
    #[error("the frontmatter has no closing `---` line")]
    UnclosedFrontmatter,
    /// A top-level frontmatter line is indented.
    #[error("line {line}: unexpected indentation")]
    Indentation {
        /// Line number in `SKILL.md`.
        line: usize,
    },
    /// A frontmatter line is not `key: value`.
    #[error("line {line}: expected `key: value`")]
    NotKeyValue {
        /// Line number in `SKILL.md`.
        line: usize,
    },
    /// A nested line is not `key: value`.
    #[error("line {line}: expected `key: value` under `{parent}`")]
    NotKeyValueUnder {
        /// Line number in `SKILL.md`.
        line: usize,
        /// The key the line is nested under.
        parent: String,
    },
    /// A frontmatter key appears twice.
    #[error("line {line}: `{key}` appears twice")]
    DuplicateKey {
        /// Line number of the first occurrence.
        line: usize,
        /// The repeated key.
        key: String,
    },
    /// A quoted string has no closing quote.
    #[error("line {line}: unterminated string {text}")]
    UnterminatedString {
        /// Line number in `SKILL.md`.
        line: usize,
        /// The string as written.
        text: String,
    },
}

/// Checks a skill name against the Agent Skills rules.
pub fn validate_name(name: &str) -> Result<(), ManifestError> {
    if name.is_empty() {
        return Err(ManifestError::EmptyName);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(ManifestError::NameTooLong {
            name: name.to_owned(),
            len: name.len(),
        });
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(ManifestError::NameCharacter {
            name: name.to_owned(),
            found: c,
        });
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err(ManifestError::NameDashes {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// Parses `"base-notes@^1.0, lint@~2.1"` (a bare name means any version).
pub fn parse_dependencies(text: &str) -> Result<BTreeMap<String, VersionReq>, ManifestError> {
    let mut out = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, req) = match part.split_once('@') {
            Some((n, r)) => (n.trim(), r.trim()),
            None => (part, "*"),
        };
        let entry = |e: ManifestError| ManifestError::Dependency {
            entry: part.to_owned(),
            reason: Box::new(e),
        };
        validate_name(name).map_err(entry)?;
        let req = parse_req(req).map_err(entry)?;
        if out.insert(name.to_owned(), req).is_some() {
            return Err(ManifestError::DuplicateDependency {
                name: name.to_owned(),
            });
        }
    }
    Ok(out)
}

/// Parses a semver requirement with a friendly error.
pub fn parse_req(text: &str) -> Result<VersionReq, ManifestError> {
    VersionReq::parse(text).map_err(|e| ManifestError::Requirement {
        text: text.to_owned(),
        reason: e.to_string(),
    })
}

/// Parses a version with a friendly error.
pub fn parse_version(text: &str) -> Result<Version, ManifestError> {
    Version::parse(text.trim()).map_err(|e| ManifestError::Version {
        text: text.to_owned(),
        reason: e.to_string(),
    })
}

impl SkillManifest {
    /// Reads and validates the manifest of the skill folder `dir`.
    /// `content_hash` names the content for skills without a version;
    /// `folder_name`, when given, must equal the skill name.
    pub fn from_dir(
        dir: &Path,
        folder_name: Option<&str>,
        content_hash: &str,
    ) -> Result<Self, SkillError> {
        let skill_md = dir.join("SKILL.md");
        let text = std::fs::read_to_string(&skill_md)
            .map_err(|e| SkillError::io("cannot read", &skill_md, e))?;
        let toml_path = dir.join("skill.toml");
        let toml_text = match std::fs::read_to_string(&toml_path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(SkillError::io("cannot read", &toml_path, e)),
        };
        Self::parse(
            &skill_md,
            &text,
            toml_text.as_deref().map(|t| (toml_path.as_path(), t)),
            folder_name,
            content_hash,
        )
    }

    /// Validates manifest texts; paths are used in errors only.
    pub fn parse(
        skill_md: &Path,
        text: &str,
        skill_toml: Option<(&Path, &str)>,
        folder_name: Option<&str>,
        content_hash: &str,
    ) -> Result<Self, SkillError> {
        let err = |path: &Path, message: String| SkillError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        let invalid = |path: &Path, e: ManifestError| err(path, e.to_string());
        let front = frontmatter(text).map_err(|e| invalid(skill_md, e))?;
        let mut warnings = Vec::new();
        for key in front.keys() {
            if key == "version" || key == "dependencies" {
                return Err(err(
                    skill_md,
                    format!(
                        "`{key}` is not a top-level frontmatter key; write it under `metadata:` as a string (`  {key}: \"…\"`) or in skill.toml"
                    ),
                ));
            }
            if !FRONTMATTER_KEYS.contains(&key.as_str()) && !AGENT_KEYS.contains(&key.as_str()) {
                // Skills published in the wild carry keys of their own;
                // agents ignore them, so they are no reason to refuse.
                warnings.push(format!(
                    "unknown frontmatter key `{key}` (ignored); the spec's keys are {} (anything else belongs under `metadata`)",
                    FRONTMATTER_KEYS.join(", ")
                ));
            }
        }
        let string = |key: &str| -> Result<Option<String>, SkillError> {
            match front.get(key) {
                None => Ok(None),
                Some(YamlValue::Str(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err(skill_md, format!("`{key}` must be a string"))),
            }
        };
        let metadata = match front.get("metadata") {
            None => BTreeMap::new(),
            Some(YamlValue::Map(m)) => m.clone(),
            Some(YamlValue::Str(s)) if s.is_empty() => BTreeMap::new(),
            Some(_) => {
                return Err(err(
                    skill_md,
                    "`metadata` must be a map of strings (`metadata:` then indented `key: value` lines)".into(),
                ));
            }
        };
        let toml: Option<(PathBuf, SkillToml)> = match skill_toml {
            None => None,
            Some((p, t)) => Some((
                p.to_path_buf(),
                toml::from_str(t).map_err(|e| err(p, e.to_string().trim().to_owned()))?,
            )),
        };
        let tm = toml.as_ref().map(|(_, t)| t);
        let toml_path = toml.as_ref().map_or(skill_md, |(p, _)| p.as_path());

        let name = string("name")?
            .or_else(|| tm.and_then(|t| t.name.clone()))
            .ok_or_else(|| err(skill_md, "the frontmatter has no `name`".into()))?;
        validate_name(&name).map_err(|e| invalid(skill_md, e))?;
        if let Some(tn) = tm.and_then(|t| t.name.as_ref())
            && *tn != name
        {
            return Err(err(
                toml_path,
                format!("name `{tn}` differs from `{name}` in SKILL.md"),
            ));
        }
        if let Some(folder) = folder_name
            && folder != name
        {
            return Err(err(
                skill_md,
                format!(
                    "the skill is named `{name}` but its folder is `{folder}`; they must be equal"
                ),
            ));
        }
        let description = string("description")?
            .or_else(|| tm.and_then(|t| t.description.clone()))
            .unwrap_or_default();
        if description.trim().is_empty() {
            return Err(err(skill_md, "the frontmatter has no `description`".into()));
        }
        let chars = description.chars().count();
        if chars > MAX_DESCRIPTION_LEN {
            // Published skills in the wild do this; agents cut the text,
            // nothing breaks, so it is not worth refusing a registry over.
            warnings.push(format!(
                "the description is {chars} characters, over the Agent Skills limit of {MAX_DESCRIPTION_LEN}; agents may cut it"
            ));
        }
        let meta_version = metadata.get("version").cloned();
        let toml_version = tm.and_then(|t| t.version.clone());
        let version = match (&meta_version, &toml_version) {
            (Some(a), Some(b)) if a.trim() != b.trim() => {
                return Err(err(
                    toml_path,
                    format!("version `{b}` differs from metadata.version `{a}` in SKILL.md"),
                ));
            }
            (Some(v), _) => {
                parse_version(v).map_err(|m| err(skill_md, format!("metadata.version: {m}")))?
            }
            (None, Some(v)) => {
                parse_version(v).map_err(|m| err(toml_path, format!("version: {m}")))?
            }
            (None, None) => {
                let short: String = content_hash.chars().take(12).collect();
                parse_version(&format!("0.0.0+{short}")).map_err(|e| invalid(skill_md, e))?
            }
        };
        let mut dependencies = match metadata.get("dependencies") {
            Some(d) => parse_dependencies(d)
                .map_err(|m| err(skill_md, format!("metadata.dependencies: {m}")))?,
            None => BTreeMap::new(),
        };
        if let Some(t) = tm {
            for (dep, req) in &t.dependencies {
                validate_name(dep).map_err(|m| err(toml_path, format!("dependencies: {m}")))?;
                let req = parse_req(req)
                    .map_err(|m| err(toml_path, format!("dependencies.{dep}: {m}")))?;
                if let Some(other) = dependencies.get(dep)
                    && *other != req
                {
                    return Err(err(
                        toml_path,
                        format!("dependency `{dep}` is `{req}` here but `{other}` in SKILL.md"),
                    ));
                }
                dependencies.insert(dep.clone(), req);
            }
        }
        if dependencies.contains_key(&name) {
            return Err(err(skill_md, format!("`{name}` depends on itself")));
        }
        let license = string("license")?.or_else(|| tm.and_then(|t| t.license.clone()));
        Ok(Self {
            name,
            version,
            description: description.trim().to_owned(),
            license,
            dependencies,
            warnings,
        })
    }
}

/// Splits the YAML frontmatter (between `---` lines at the top) into keys.
pub fn frontmatter(text: &str) -> Result<BTreeMap<String, YamlValue>, ManifestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, l)) if l.trim_end() == "---" => {}
        _ => {
            return Err(ManifestError::NoFrontmatter);
        }
    }
    let mut body: Vec<(usize, &str)> = Vec::new();
    let mut closed = false;
    for (i, l) in lines {
        if l.trim_end() == "---" {
            closed = true;
            break;
        }
        body.push((i + 1, l));
    }
    if !closed {
        return Err(ManifestError::UnclosedFrontmatter);
    }
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < body.len() {
        let (line_no, line) = body[i];
        i += 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            return Err(ManifestError::Indentation { line: line_no });
        }
        let (key, rest) = line
            .split_once(':')
            .ok_or(ManifestError::NotKeyValue { line: line_no })?;
        let key = key.trim().to_owned();
        let rest = rest.trim();
        // Indented lines that follow belong to this key.
        let start = i;
        while i < body.len() && (body[i].1.starts_with([' ', '\t']) || body[i].1.trim().is_empty())
        {
            i += 1;
        }
        let children: Vec<(usize, &str)> = body[start..i]
            .iter()
            .copied()
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        let value =
            if rest == "|" || rest == ">" || rest.starts_with("|-") || rest.starts_with(">-") {
                let sep = if rest.starts_with('|') { "\n" } else { " " };
                YamlValue::Str(
                    children
                        .iter()
                        .map(|(_, l)| l.trim())
                        .collect::<Vec<_>>()
                        .join(sep),
                )
            } else if !rest.is_empty() {
                if !children.is_empty() {
                    // A plain scalar continued on indented lines.
                    let mut s = scalar(rest, line_no)?;
                    for (_, l) in &children {
                        s.push(' ');
                        s.push_str(l.trim());
                    }
                    YamlValue::Str(s)
                } else if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
                {
                    YamlValue::List(
                        inner
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| scalar(s, line_no))
                            .collect::<Result<_, _>>()?,
                    )
                } else {
                    YamlValue::Str(scalar(rest, line_no)?)
                }
            } else if children.is_empty() {
                YamlValue::Str(String::new())
            } else if children
                .iter()
                .all(|(_, l)| l.trim_start().starts_with('-'))
            {
                YamlValue::List(
                    children
                        .iter()
                        .map(|(n, l)| scalar(l.trim_start()[1..].trim(), *n))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                let mut map = BTreeMap::new();
                for (n, l) in children {
                    let (k, v) = l.trim().split_once(':').ok_or_else(|| {
                        ManifestError::NotKeyValueUnder {
                            line: n,
                            parent: key.clone(),
                        }
                    })?;
                    let v = scalar(v.trim(), n)?;
                    map.insert(k.trim().to_owned(), v);
                }
                YamlValue::Map(map)
            };
        if out.insert(key.clone(), value).is_some() {
            return Err(ManifestError::DuplicateKey { line: line_no, key });
        }
    }
    Ok(out)
}

/// An unquoted, `"double"` or `'single'` quoted scalar on frontmatter line `line`.
fn scalar(s: &str, line: usize) -> Result<String, ManifestError> {
    let s = s.trim();
    let unterminated = || ManifestError::UnterminatedString {
        line,
        text: s.to_owned(),
    };
    if let Some(inner) = s.strip_prefix('"') {
        let inner = inner.strip_suffix('"').ok_or_else(unterminated)?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        Ok(out)
    } else if let Some(inner) = s.strip_prefix('\'') {
        Ok(inner
            .strip_suffix('\'')
            .ok_or_else(unterminated)?
            .replace("''", "'"))
    } else {
        // Strip a trailing comment.
        Ok(match s.find(" #") {
            Some(i) => s[..i].trim_end().to_owned(),
            None => s.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(md: &str) -> Result<SkillManifest, SkillError> {
        SkillManifest::parse(Path::new("SKILL.md"), md, None, None, "abcdef0123456789")
    }

    #[test]
    fn version_and_dependencies_come_from_metadata_strings() {
        let m = parse("---\nname: lint\ndescription: >\n  Lints things\n  well.\nmetadata:\n  version: \"1.2.0\"\n  dependencies: \"base-notes@^1.0, fmt@~2.1\"\n---\nbody\n")
            .expect("parse");
        assert_eq!(m.version, Version::new(1, 2, 0));
        assert_eq!(m.description, "Lints things well.");
        assert_eq!(m.dependencies.len(), 2);
        assert!(m.dependencies["fmt"].matches(&Version::new(2, 1, 5)));
        assert!(!m.dependencies["fmt"].matches(&Version::new(2, 2, 0)));
    }

    #[test]
    fn a_skill_without_version_gets_a_content_version() {
        let m = parse("---\nname: plain\ndescription: d\n---\n").expect("parse");
        assert_eq!(m.version.to_string(), "0.0.0+abcdef012345");
    }

    #[test]
    fn bad_names_are_explained() {
        for (name, needle) in [
            ("Lint", "lowercase"),
            ("-lint", "start or end"),
            ("a--b", "`--`"),
            (&"x".repeat(65), "65 characters"),
        ] {
            let e = parse(&format!("---\nname: {name}\ndescription: d\n---\n"))
                .err()
                .map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(needle)),
                "{name}: {e:?}"
            );
        }
    }

    #[test]
    fn misplaced_versions_are_errors_and_unknown_keys_warnings() {
        let e = parse("---\nname: a\ndescription: d\nversion: 1\n---\n")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("under `metadata:`")));
        // An unknown key is a warning (skills in the wild have them).
        let m = parse("---\nname: a\ndescription: d\ncolour: red\n---\n").expect("parses");
        assert!(
            m.warnings
                .iter()
                .any(|w| w.contains("unknown frontmatter key `colour`")),
            "{:?}",
            m.warnings
        );
        assert!(parse("---\nname: a\ndescription: d\nuser-invocable: false\n---\n").is_ok());
        let e = parse("---\nname: a\ndescription: d\nmetadata:\n  version: one\n---\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.is_some_and(|e| e.contains("metadata.version") && e.contains("semantic version"))
        );
        let e = parse("---\nname: a\ndescription: d\nmetadata:\n  dependencies: \"b@^x\"\n---\n")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("dependency `b@^x`")));
    }

    #[test]
    fn skill_toml_adds_dependencies_and_rejects_unknown_fields() {
        let md = "---\nname: a\ndescription: d\nallowed-tools: [Read, Grep]\n---\n";
        let m = SkillManifest::parse(
            Path::new("SKILL.md"),
            md,
            Some((
                Path::new("skill.toml"),
                "version = \"2.0.0\"\n[dependencies]\nb = \"^1\"\n",
            )),
            Some("a"),
            "h",
        )
        .expect("parse");
        assert_eq!(m.version, Version::new(2, 0, 0));
        assert!(m.dependencies.contains_key("b"));
        let e = SkillManifest::parse(
            Path::new("SKILL.md"),
            md,
            Some((Path::new("skill.toml"), "versoin = \"2.0.0\"\n")),
            None,
            "h",
        )
        .err()
        .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("skill.toml") && e.contains("versoin")));
    }

    #[test]
    fn folder_name_must_match() {
        let e = SkillManifest::parse(
            Path::new("x/SKILL.md"),
            "---\nname: a\ndescription: d\n---\n",
            None,
            Some("b"),
            "h",
        )
        .err()
        .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("folder is `b`")));
    }

    proptest::proptest! {
        #[test]
        fn frontmatter_never_panics(text in "\\PC{0,300}") {
            let _ = frontmatter(&format!("---\n{text}\n---\n"));
            let _ = parse_dependencies(&text);
        }
    }
}
