//! Dependency resolution: semver requirements solved with pubgrub.
//!
//! Yanked versions are never chosen unless they are the locked (preferred)
//! version; pre-releases are only chosen when locked. When a locked version
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
        "dependency resolution took longer than {0:?} (skills.limits.resolve_timeout_ms) and was stopped; the requirements are probably contradictory in many ways — pin versions to narrow the search"
    )]
    Time(Duration),
    #[error(
        "dependency resolution visited more than {0} skills (skills.limits.max_resolve_skills) and was stopped"
    )]
    Size(u64),
}

type Vs = Ranges<Version>;

/// The range of versions a semver requirement admits (pre-releases aside).
pub fn req_to_ranges(req: &VersionReq) -> Ranges<Version> {
    req.comparators.iter().fold(Ranges::full(), |acc, c| {
        acc.intersection(&comparator_range(c))
    })
}

fn comparator_range(c: &Comparator) -> Vs {
    let major = c.major;
    let v = |maj: u64, min: u64, pat: u64| Version::new(maj, min, pat);
    let lower = {
        let mut l = v(major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
        l.pre = c.pre.clone();
        l
    };
    // First version past the named prefix (`1` -> 2.0.0, `1.2` -> 1.3.0).
    let after_prefix = match (c.minor, c.patch) {
        (None, _) => v(major + 1, 0, 0),
        (Some(mi), None) => v(major, mi + 1, 0),
        (Some(mi), Some(pa)) => v(major, mi, pa + 1),
    };
    match c.op {
        Op::Exact | Op::Wildcard => match (c.minor, c.patch) {
            (Some(_), Some(_)) if c.op == Op::Exact => Ranges::singleton(lower),
            _ => Ranges::between(lower, after_prefix),
        },
        Op::Greater => match (c.minor, c.patch) {
            (Some(_), Some(_)) => Ranges::strictly_higher_than(lower),
            _ => Ranges::higher_than(after_prefix),
        },
        Op::GreaterEq => Ranges::higher_than(lower),
        Op::Less => Ranges::strictly_lower_than(lower),
        Op::LessEq => match (c.minor, c.patch) {
            (Some(_), Some(_)) => Ranges::lower_than(lower),
            _ => Ranges::strictly_lower_than(after_prefix),
        },
        Op::Tilde => match c.minor {
            None => Ranges::between(lower, v(major + 1, 0, 0)),
            Some(mi) => Ranges::between(lower, v(major, mi + 1, 0)),
        },
        Op::Caret => {
            let upper = match (major, c.minor, c.patch) {
                (0, None, _) => v(1, 0, 0),
                (0, Some(0), None) => v(0, 1, 0),
                (0, Some(0), Some(pa)) => v(0, 0, pa + 1),
                (0, Some(mi), _) => v(0, mi + 1, 0),
                (maj, _, _) => v(maj + 1, 0, 0),
            };
            Ranges::between(lower, upper)
        }
        _ => Ranges::full(),
    }
}

struct Provider<'a> {
    universe: &'a Universe,
    /// Name -> choosable candidates, newest first (built on first use, so
    /// only the part of a big registry the search touches costs anything).
    choosable: RefCell<HashMap<String, Rc<Vec<&'a Candidate>>>>,
    roots: Vec<(String, Vs)>,
    preferred: &'a BTreeMap<String, Version>,
    start: Instant,
    limits: Limits,
    visited: Cell<u64>,
}

impl<'a> Provider<'a> {
    fn choosable(&self, name: &str) -> Rc<Vec<&'a Candidate>> {
        if let Some(c) = self.choosable.borrow().get(name) {
            return Rc::clone(c);
        }
        let pref = self.preferred.get(name);
        let mut list: Vec<&'a Candidate> = self
            .universe
            .skills
            .get(name)
            .into_iter()
            .flatten()
            .filter(|c| Some(&c.version) == pref || (!c.yanked && c.version.pre.is_empty()))
            .collect();
        list.sort_by(|a, b| b.version.cmp(&a.version));
        let list = Rc::new(list);
        self.choosable
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&list));
        list
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = Version;
    type VS = Vs;
    type M = String;
    type Err = Stop;
    type Priority = (u32, Reverse<usize>);

    fn prioritize(
        &self,
        package: &Pkg,
        range: &Vs,
        stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let count = match package {
            Pkg::Root => 1,
            Pkg::Skill(s) => self
                .choosable(s)
                .iter()
                .filter(|c| range.contains(&c.version))
                .count(),
        };
        (stats.conflict_count(), Reverse(count))
    }

    fn choose_version(&self, package: &Pkg, range: &Vs) -> Result<Option<Version>, Stop> {
        match package {
            Pkg::Root => Ok(Some(Version::new(0, 0, 0))),
            Pkg::Skill(s) => {
                let list = self.choosable(s);
                if let Some(p) = self.preferred.get(s)
                    && range.contains(p)
                    && list.iter().any(|c| &c.version == p)
                {
                    return Ok(Some(p.clone()));
                }
                Ok(list
                    .iter()
                    .find(|c| range.contains(&c.version))
                    .map(|c| c.version.clone()))
            }
        }
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &Version,
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
                match self.choosable(s).iter().find(|c| &c.version == version) {
                    Some(c) => Ok(Dependencies::Available(
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
    match pubgrub::resolve(&provider, Pkg::Root, Version::new(0, 0, 0)) {
        Ok(sol) => Ok(sol
            .into_iter()
            .filter_map(|(p, v)| match p {
                Pkg::Skill(s) => Some((s, v)),
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
    report
        .replace("your request 0.0.0 depends on", "you asked for")
        .replace(
            "your request 0.0.0 is forbidden",
            "your request cannot be met",
        )
        .replace("your request 0.0.0", "your request")
}

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
                        assert_eq!(ranges.contains(&v), q.matches(&v), "{r} vs {v}");
                    }
                }
            }
        }
    }

    const VERSIONS: [&str; 5] = ["0.1.0", "0.2.0", "1.0.0", "1.1.0", "2.0.0"];
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
            0..5usize,
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
