//! Dependency resolution: semver requirements solved with pubgrub.
//!
//! Yanked versions are never chosen unless they are the locked (preferred)
//! version; pre-releases are never chosen (not supported yet). When a locked version
//! still satisfies every requirement it is kept, so installing one skill
//! does not silently upgrade others. Conflicts come back as a plain-language
//! derivation ("Because a 1.2.0 depends on b >=2.0.0, <3.0.0 and …"), and
//! time and graph-size limits stop pathological inputs with a clear error.

use crate::SkillError;
use pubgrub::{
    DefaultStringReporter, Dependencies, DependencyProvider, PackageResolutionStatistics,
    PubGrubError, Ranges, Reporter,
};
use semver::{Comparator, Op, Version, VersionReq};
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// One version a registry offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The version.
    pub version: Version,
    /// What it needs.
    pub dependencies: BTreeMap<String, VersionReq>,
    /// Withdrawn by its publisher.
    pub yanked: bool,
}

/// Every skill and version the resolver may choose from.
#[derive(Debug, Clone, Default)]
pub struct Universe {
    /// Name -> versions (any order).
    pub skills: HashMap<String, Vec<Candidate>>,
}

/// Resolution limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock budget.
    pub time: Duration,
    /// Most distinct skills visited.
    pub max_skills: u64,
}

/// A package in the solver: the user's request, or a skill.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Pkg {
    Root,
    Skill(String),
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => f.write_str("your request"),
            Pkg::Skill(s) => f.write_str(s),
        }
    }
}

/// Why the solver stopped early.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error(
        "dependency resolution took longer than {0:?} (skills.limits.resolve_timeout_ms) and was stopped; the search is too large or the requirements conflict in many ways; pin versions (`NAME@=1.2.3`) to narrow it, or raise the limit"
    )]
    Time(Duration),
    #[error(
        "dependency resolution visited more than {0} skills (skills.limits.max_resolve_skills) and was stopped"
    )]
    Size(u64),
}

/// A release version as the solver sees it: four integers compared in order
/// (the fourth orders build-metadata variants of one `x.y.z`, such as the
/// `0.0.0+<hash>` of unversioned skills). Much cheaper to compare than
/// `semver::Version`, which matters: the solver compares versions constantly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Packed {
    major: u64,
    minor: u64,
    patch: u64,
    build: u16,
}

impl fmt::Display for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

fn p(major: u64, minor: u64, patch: u64) -> Packed {
    Packed {
        major,
        minor,
        patch,
        build: 0,
    }
}

type Vs = Ranges<Packed>;

/// The versions a semver requirement admits. Build metadata never matters
/// (as in semver); pre-releases are not candidates at all.
fn req_to_ranges(req: &VersionReq) -> Vs {
    req.comparators.iter().fold(Ranges::full(), |acc, c| {
        acc.intersection(&comparator_range(c))
    })
}

fn comparator_range(c: &Comparator) -> Vs {
    let major = c.major;
    let lower = p(major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
    let pre = !c.pre.is_empty();
    // First version past the named prefix (`1` -> 2.0.0, `1.2` -> 1.3.0, `1.2.3` -> 1.2.4).
    let after_prefix = match (c.minor, c.patch) {
        (None, _) => p(major + 1, 0, 0),
        (Some(mi), None) => p(major, mi + 1, 0),
        (Some(mi), Some(pa)) => p(major, mi, pa + 1),
    };
    match c.op {
        Op::Exact if pre => Ranges::empty(),
        Op::Exact | Op::Wildcard => Ranges::between(lower, after_prefix),
        // `>1.0.0-beta` admits 1.0.0 itself.
        Op::Greater if pre => Ranges::higher_than(lower),
        Op::Greater => Ranges::higher_than(after_prefix),
        Op::GreaterEq => Ranges::higher_than(lower),
        Op::Less => Ranges::strictly_lower_than(lower),
        Op::LessEq if pre => Ranges::strictly_lower_than(lower),
        Op::LessEq => Ranges::strictly_lower_than(after_prefix),
        Op::Tilde => match c.minor {
            None => Ranges::between(lower, p(major + 1, 0, 0)),
            Some(mi) => Ranges::between(lower, p(major, mi + 1, 0)),
        },
        Op::Caret => {
            let upper = match (major, c.minor, c.patch) {
                (0, None, _) => p(1, 0, 0),
                (0, Some(0), None) => p(0, 1, 0),
                (0, Some(0), Some(pa)) => p(0, 0, pa + 1),
                (0, Some(mi), _) => p(0, mi + 1, 0),
                (maj, _, _) => p(maj + 1, 0, 0),
            };
            Ranges::between(lower, upper)
        }
        _ => Ranges::full(),
    }
}

/// Choosable candidates of one skill, newest first, with their packed versions.
type Choices<'a> = Rc<Vec<(Packed, &'a Candidate)>>;

struct Provider<'a> {
    universe: &'a Universe,
    /// Name -> choosable candidates, newest first (built on first use, so
    /// only the part of a big registry the search touches costs anything).
    choosable: RefCell<HashMap<String, Choices<'a>>>,
    roots: Vec<(String, Vs)>,
    preferred: &'a BTreeMap<String, Version>,
    start: Instant,
    limits: Limits,
    visited: Cell<u64>,
}

impl<'a> Provider<'a> {
    fn choosable(&self, name: &str) -> Choices<'a> {
        if let Some(c) = self.choosable.borrow().get(name) {
            return Rc::clone(c);
        }
        let mut list: Vec<&'a Candidate> = self
            .universe
            .skills
            .get(name)
            .into_iter()
            .flatten()
            .filter(|c| c.version.pre.is_empty())
            .filter(|c| !c.yanked || self.preferred.get(name) == Some(&c.version))
            .collect();
        list.sort_by(|a, b| a.version.cmp(&b.version));
        list.dedup_by(|a, b| a.version == b.version);
        // Oldest first: number the build-metadata variants of each x.y.z.
        let mut packed: Vec<(Packed, &'a Candidate)> = Vec::with_capacity(list.len());
        for c in list {
            let mut v = p(c.version.major, c.version.minor, c.version.patch);
            if let Some((last, _)) = packed.last()
                && (last.major, last.minor, last.patch) == (v.major, v.minor, v.patch)
            {
                v.build = last.build.saturating_add(1);
            }
            packed.push((v, c));
        }
        packed.reverse();
        let list = Rc::new(packed);
        self.choosable
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&list));
        list
    }

    fn packed_of(&self, name: &str, v: &Version) -> Option<Packed> {
        self.choosable(name)
            .iter()
            .find(|(_, c)| &c.version == v)
            .map(|(p, _)| *p)
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = Packed;
    type VS = Vs;
    type M = String;
    type Err = Stop;
    type Priority = Reverse<usize>;

    fn prioritize(
        &self,
        package: &Pkg,
        range: &Vs,
        _stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        // Fewest matching versions first. Measured on the 2,000 x 30 benchmark
        // with 200 requests: 87 ms, against 125 ms when ties are broken by
        // conflict counts and 490 ms when conflict counts come first.
        let count = match package {
            Pkg::Root => 1,
            Pkg::Skill(s) => self
                .choosable(s)
                .iter()
                .filter(|(v, _)| range.contains(v))
                .count(),
        };
        Reverse(count)
    }

    fn choose_version(&self, package: &Pkg, range: &Vs) -> Result<Option<Packed>, Stop> {
        match package {
            Pkg::Root => Ok(Some(p(0, 0, 0))),
            Pkg::Skill(s) => {
                if let Some(pref) = self.preferred.get(s).and_then(|v| self.packed_of(s, v))
                    && range.contains(&pref)
                {
                    return Ok(Some(pref));
                }
                Ok(self
                    .choosable(s)
                    .iter()
                    .find(|(v, _)| range.contains(v))
                    .map(|(v, _)| *v))
            }
        }
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &Packed,
    ) -> Result<Dependencies<Pkg, Vs, String>, Stop> {
        match package {
            Pkg::Root => Ok(Dependencies::Available(
                self.roots
                    .iter()
                    .map(|(n, r)| (Pkg::Skill(n.clone()), r.clone()))
                    .collect(),
            )),
            Pkg::Skill(s) => {
                self.visited.set(self.visited.get() + 1);
                match self.choosable(s).iter().find(|(v, _)| v == version) {
                    Some((_, c)) => Ok(Dependencies::Available(
                        c.dependencies
                            .iter()
                            .map(|(d, r)| (Pkg::Skill(d.clone()), req_to_ranges(r)))
                            .collect(),
                    )),
                    None => Ok(Dependencies::Unavailable(
                        "it is not in any registry".into(),
                    )),
                }
            }
        }
    }

    fn should_cancel(&self) -> Result<(), Stop> {
        if self.start.elapsed() > self.limits.time {
            return Err(Stop::Time(self.limits.time));
        }
        if self.visited.get() > self.limits.max_skills {
            return Err(Stop::Size(self.limits.max_skills));
        }
        Ok(())
    }
}

/// Picks one version per needed skill so that `roots` and every chosen
/// skill's dependencies hold. `preferred` (usually the lockfile) is kept
/// where it still fits.
pub fn resolve(
    universe: &Universe,
    roots: &BTreeMap<String, VersionReq>,
    preferred: &BTreeMap<String, Version>,
    limits: Limits,
) -> Result<BTreeMap<String, Version>, SkillError> {
    let provider = Provider {
        universe,
        choosable: RefCell::new(HashMap::new()),
        roots: roots
            .iter()
            .map(|(n, r)| (n.clone(), req_to_ranges(r)))
            .collect(),
        preferred,
        start: Instant::now(),
        limits,
        visited: Cell::new(0),
    };
    match pubgrub::resolve(&provider, Pkg::Root, p(0, 0, 0)) {
        Ok(sol) => Ok(sol
            .into_iter()
            .filter_map(|(pkg, v)| match pkg {
                Pkg::Skill(s) => {
                    let version = provider
                        .choosable(&s)
                        .iter()
                        .find(|(pv, _)| *pv == v)
                        .map(|(_, c)| c.version.clone())?;
                    Some((s, version))
                }
                Pkg::Root => None,
            })
            .collect()),
        Err(PubGrubError::NoSolution(mut tree)) => {
            tree.collapse_no_versions();
            Err(SkillError::Conflict(plain(&DefaultStringReporter::report(
                &tree,
            ))))
        }
        Err(PubGrubError::ErrorInShouldCancel(stop)) => {
            Err(SkillError::ResolveLimit(stop.to_string()))
        }
        Err(e) => Err(SkillError::Conflict(e.to_string())),
    }
}

/// Words the derivation in terms of the user's request rather than the
/// solver's synthetic root package.
fn plain(report: &str) -> String {
    let text = report
        .replace("your request 0.0.0 depends on", "you asked for")
        .replace(
            "your request 0.0.0 is forbidden",
            "your request cannot be met",
        )
        .replace("your request 0.0.0", "your request");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_EXPLANATION_LINES {
        return text;
    }
    // Long derivations keep their conclusion; the whole text goes to the debug log.
    tracing::debug!(explanation = %text, "full conflict explanation");
    let cut = lines.len() - MAX_EXPLANATION_LINES;
    format!(
        "({cut} earlier lines of the derivation omitted; run with -vv to see them)\n{}",
        lines[cut..].join("\n")
    )
}

/// How many lines of a conflict derivation an error shows.
pub const MAX_EXPLANATION_LINES: usize = 30;

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(s: &str) -> VersionReq {
        VersionReq::parse(s).expect("req")
    }

    fn limits() -> Limits {
        Limits {
            time: Duration::from_secs(10),
            max_skills: 10_000,
        }
    }

    fn universe(list: &[(&str, &str, &[(&str, &str)])]) -> Universe {
        let mut u = Universe::default();
        for (n, v, deps) in list {
            u.skills
                .entry((*n).to_owned())
                .or_default()
                .push(Candidate {
                    version: Version::parse(v).expect("v"),
                    dependencies: deps
                        .iter()
                        .map(|(d, r)| ((*d).to_owned(), req(r)))
                        .collect(),
                    yanked: false,
                });
        }
        u
    }

    #[test]
    fn conflicts_are_explained_in_terms_of_the_skills() {
        let u = universe(&[
            ("a", "1.2.0", &[("b", "^2")]),
            ("c", "0.4.0", &[("b", "^1")]),
            ("b", "1.0.0", &[]),
            ("b", "2.0.0", &[]),
        ]);
        let roots = BTreeMap::from([("a".to_owned(), req("*")), ("c".to_owned(), req("*"))]);
        let e = resolve(&u, &roots, &BTreeMap::new(), limits())
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("a depends on b >=2.0.0, <3.0.0"), "{e}");
        assert!(e.contains("c 0.4.0 depends on b >=1.0.0, <2.0.0"), "{e}");
        assert!(
            e.contains("you asked for a") && e.contains("cannot be met"),
            "{e}"
        );
        assert!(!e.contains("0.0.0"), "{e}");
    }

    #[test]
    fn long_explanations_keep_their_conclusion() {
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let out = plain(&long);
        assert_eq!(out.lines().count(), MAX_EXPLANATION_LINES + 1);
        assert!(
            out.starts_with("(70 earlier lines") && out.ends_with("line 99"),
            "{out}"
        );
    }

    #[test]
    fn locked_versions_are_kept_when_they_still_fit() {
        let u = universe(&[("a", "1.0.0", &[]), ("a", "1.1.0", &[])]);
        let roots = BTreeMap::from([("a".to_owned(), req("^1"))]);
        let pref = BTreeMap::from([("a".to_owned(), Version::new(1, 0, 0))]);
        let s = resolve(&u, &roots, &pref, limits()).expect("solve");
        assert_eq!(s["a"], Version::new(1, 0, 0));
        let s = resolve(&u, &roots, &BTreeMap::new(), limits()).expect("solve");
        assert_eq!(s["a"], Version::new(1, 1, 0));
    }

    #[test]
    fn yanked_versions_are_skipped() {
        let mut u = universe(&[("a", "1.0.0", &[]), ("a", "1.1.0", &[])]);
        if let Some(v) = u.skills.get_mut("a") {
            v[1].yanked = true;
        }
        let roots = BTreeMap::from([("a".to_owned(), req("^1"))]);
        let s = resolve(&u, &roots, &BTreeMap::new(), limits()).expect("solve");
        assert_eq!(s["a"], Version::new(1, 0, 0));
    }

    #[test]
    fn size_limit_stops_with_a_clear_error() {
        let u = universe(&[
            ("a", "1.0.0", &[("b", "*")]),
            ("b", "1.0.0", &[("c", "*")]),
            ("c", "1.0.0", &[]),
        ]);
        let roots = BTreeMap::from([("a".to_owned(), req("*"))]);
        let e = resolve(
            &u,
            &roots,
            &BTreeMap::new(),
            Limits {
                time: Duration::from_secs(5),
                max_skills: 2,
            },
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("max_resolve_skills"), "{e}");
    }

    #[test]
    fn ranges_agree_with_semver_on_release_versions() {
        let reqs = [
            "^1.2.3", "^0.2.3", "^0.0.3", "^1.2", "^0.0", "^0", "~1.2.3", "~1.2", "~1", "=1.2.3",
            "=1.2", "=1", ">1.2.3", ">1.2", ">1", ">=1.2", "<1.2.3", "<1.2", "<=1.2.3", "<=1.2",
            "<=1", "1.2.*", "1.*", "*", ">=1, <3",
        ];
        for r in reqs {
            let q = req(r);
            let ranges = req_to_ranges(&q);
            for ma in 0..4 {
                for mi in 0..4 {
                    for pa in 0..5 {
                        let v = Version::new(ma, mi, pa);
                        assert_eq!(ranges.contains(&p(ma, mi, pa)), q.matches(&v), "{r} vs {v}");
                        // Build metadata never changes whether a version matches.
                        let b = Version::parse(&format!("{v}+b7")).expect("v");
                        let packed_b = Packed {
                            build: 3,
                            ..p(ma, mi, pa)
                        };
                        assert_eq!(ranges.contains(&packed_b), q.matches(&b), "{r} vs {b}");
                    }
                }
            }
        }
    }

    const VERSIONS: [&str; 7] = [
        "0.1.0", "0.2.0", "1.0.0", "1.1.0", "2.0.0", "1.0.0+a", "1.0.0+b",
    ];
    const REQS: [&str; 8] = [
        "^1", "~1.0", ">=1.1", "<1", "*", "=2.0.0", "^0.1", ">0.1, <2",
    ];

    /// (name index, version index, yanked, deps as (name index, req index)).
    fn graph() -> impl Strategy<
        Value = (
            Vec<(usize, usize, bool, Vec<(usize, usize)>)>,
            Vec<(usize, usize)>,
        ),
    > {
        let entry = (
            0..4usize,
            0..VERSIONS.len(),
            proptest::bool::weighted(0.15),
            proptest::collection::vec((0..4usize, 0..8usize), 0..3),
        );
        (
            proptest::collection::vec(entry, 1..10),
            proptest::collection::vec((0..4usize, 0..8usize), 1..3),
        )
    }

    fn build(raw: &[(usize, usize, bool, Vec<(usize, usize)>)]) -> Universe {
        let mut u = Universe::default();
        for (n, v, y, deps) in raw {
            let name = format!("s{n}");
            let version = Version::parse(VERSIONS[*v]).expect("v");
            let list = u.skills.entry(name.clone()).or_default();
            if list.iter().any(|c| c.version == version) {
                continue;
            }
            let mut dependencies = BTreeMap::new();
            for (d, r) in deps {
                if d != n {
                    dependencies.insert(format!("s{d}"), req(REQS[*r]));
                }
            }
            list.push(Candidate {
                version,
                dependencies,
                yanked: *y,
            });
        }
        u
    }

    fn valid(
        u: &Universe,
        roots: &BTreeMap<String, VersionReq>,
        pick: &BTreeMap<String, Version>,
    ) -> bool {
        roots
            .iter()
            .all(|(n, r)| pick.get(n).is_some_and(|v| r.matches(v)))
            && pick.iter().all(|(n, v)| {
                u.skills
                    .get(n)
                    .and_then(|cs| cs.iter().find(|c| &c.version == v))
                    .is_some_and(|c| {
                        !c.yanked
                            && c.dependencies
                                .iter()
                                .all(|(d, r)| pick.get(d).is_some_and(|dv| r.matches(dv)))
                    })
            })
    }

    /// Tries every assignment (each skill absent or at one version).
    fn brute_force(u: &Universe, roots: &BTreeMap<String, VersionReq>) -> bool {
        let names: Vec<&String> = u.skills.keys().collect();
        let sizes: Vec<usize> = names.iter().map(|n| u.skills[*n].len() + 1).collect();
        let total: usize = sizes.iter().product();
        (0..total).any(|mut i| {
            let mut pick = BTreeMap::new();
            for (k, n) in names.iter().enumerate() {
                let choice = i % sizes[k];
                i /= sizes[k];
                if choice > 0 {
                    pick.insert((*n).clone(), u.skills[*n][choice - 1].version.clone());
                }
            }
            valid(u, roots, &pick)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn resolver_agrees_with_brute_force((raw, root_raw) in graph()) {
            let u = build(&raw);
            let roots: BTreeMap<String, VersionReq> =
                root_raw.iter().map(|(n, r)| (format!("s{n}"), req(REQS[*r]))).collect();
            let expected = brute_force(&u, &roots);
            match resolve(&u, &roots, &BTreeMap::new(), limits()) {
                Ok(sol) => {
                    prop_assert!(valid(&u, &roots, &sol), "invalid solution {sol:?}");
                    prop_assert!(expected, "resolver found {sol:?} but brute force found none");
                }
                Err(SkillError::Conflict(_)) => prop_assert!(!expected, "resolver said conflict but a solution exists"),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
    }
}
