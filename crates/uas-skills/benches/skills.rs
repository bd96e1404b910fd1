//! Benchmarks of the skills package manager (`cargo bench -p uas-skills`):
//! resolving a synthetic 2,000 skills x 30 versions registry, a
//! pathological conflict graph, and installing 50 skills from a loopback
//! HTTP registry. Prints one line per figure.

use semver::{Version, VersionReq};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uas_skills::resolve::{self, Candidate, Limits, Universe};

/// A small deterministic PRNG (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn req(s: &str) -> VersionReq {
    VersionReq::parse(s).unwrap_or(VersionReq::STAR)
}

/// 2,000 skills, each with 30 versions (majors 1-3 x minors 0-9); every
/// version needs 0-3 lower-numbered skills with `^major` or `~major.minor`.
fn synthetic(skills: u64) -> Universe {
    let mut rng = Rng(0x5eed_1234_abcd);
    let mut u = Universe::default();
    for i in 0..skills {
        let mut versions = Vec::new();
        for major in 1..=3u64 {
            for minor in 0..10u64 {
                let mut deps = BTreeMap::new();
                if i > 0 {
                    for _ in 0..rng.below(4) {
                        let d = rng.below(i);
                        let r = if rng.below(3) == 0 {
                            format!("~{}.{}", 1 + rng.below(3), rng.below(10))
                        } else {
                            format!("^{}", 1 + rng.below(3))
                        };
                        deps.insert(format!("skill-{d}"), req(&r));
                    }
                }
                versions.push(Candidate {
                    version: Version::new(major, minor, 0),
                    dependencies: deps,
                    yanked: rng.below(50) == 0,
                });
            }
        }
        u.skills.insert(format!("skill-{i}"), versions);
    }
    u
}

/// Every version of `top-i` needs `mid` at a version only `top-(i+1)`
/// rejects, and the root asks for all tops: no solution, many paths.
fn pathological() -> (Universe, BTreeMap<String, VersionReq>) {
    let mut u = Universe::default();
    let n = 60u64;
    let mut roots = BTreeMap::new();
    for i in 0..n {
        let mut versions = Vec::new();
        for v in 0..30u64 {
            let mut deps = BTreeMap::new();
            deps.insert(
                "shared".to_owned(),
                req(&format!("={}.{}.0", i % 7 + 1, v % 10)),
            );
            deps.insert(
                format!("top-{}", (i + 1) % n),
                req(&format!("<{}.0.0", v % 5 + 1)),
            );
            versions.push(Candidate {
                version: Version::new(v % 5 + 1, v / 5, 0),
                dependencies: deps,
                yanked: false,
            });
        }
        u.skills.insert(format!("top-{i}"), versions);
        roots.insert(format!("top-{i}"), VersionReq::STAR);
    }
    let shared = (1..=7u64)
        .flat_map(|ma| {
            (0..10u64).map(move |mi| Candidate {
                version: Version::new(ma, mi, 0),
                dependencies: BTreeMap::new(),
                yanked: false,
            })
        })
        .collect();
    u.skills.insert("shared".into(), shared);
    (u, roots)
}

/// `n` skills must each take one of `n - 1` slots exclusively: no solution,
/// and resolution-based solvers need exponential time to prove it.
fn pigeonhole(n: u64) -> (Universe, BTreeMap<String, VersionReq>) {
    let mut u = Universe::default();
    let mut roots = BTreeMap::new();
    for k in 0..n {
        let versions = (1..n)
            .map(|slot| Candidate {
                version: Version::new(slot, 0, 0),
                dependencies: BTreeMap::from([(format!("slot-{slot}"), req(&format!("={k}.0.0")))]),
                yanked: false,
            })
            .collect();
        u.skills.insert(format!("bird-{k}"), versions);
        roots.insert(format!("bird-{k}"), VersionReq::STAR);
    }
    for slot in 1..n {
        let versions = (0..n)
            .map(|k| Candidate {
                version: Version::new(k, 0, 0),
                dependencies: BTreeMap::new(),
                yanked: false,
            })
            .collect();
        u.skills.insert(format!("slot-{slot}"), versions);
    }
    (u, roots)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let limits = Limits {
        time: Duration::from_secs(10),
        max_skills: 10_000,
    };

    let t = Instant::now();
    let u = synthetic(2000);
    let build = t.elapsed();
    for roots_n in [10u64, 200] {
        let roots: BTreeMap<String, VersionReq> = (0..roots_n)
            .map(|k| {
                (
                    format!("skill-{}", 1999 - k * (if roots_n == 10 { 2 } else { 1 })),
                    req("*"),
                )
            })
            .collect();
        let mut times = Vec::new();
        let mut outcome = String::new();
        for _ in 0..5 {
            let t = Instant::now();
            let r = resolve::resolve(&u, &roots, &BTreeMap::new(), limits);
            times.push(t.elapsed());
            outcome = match r {
                Ok(sol) => format!("solved, {} skills chosen", sol.len()),
                Err(e) => format!(
                    "no solution: {}",
                    e.to_string().lines().next().unwrap_or("")
                ),
            };
        }
        println!(
            "resolve 2000 skills x 30 versions, {roots_n} roots: median {:?} of 5 (min {:?}, max {:?}); {outcome}; universe built once in {build:?}",
            median(times.clone()),
            times.iter().min().copied().unwrap_or_default(),
            times.iter().max().copied().unwrap_or_default(),
        );
    }
    let all: BTreeMap<String, VersionReq> = (1800..2000)
        .map(|i| (format!("skill-{i}"), req("*")))
        .collect();
    let tight = Limits {
        time: Duration::from_millis(1),
        max_skills: 10_000,
    };
    let t = Instant::now();
    let r = resolve::resolve(&u, &all, &BTreeMap::new(), tight);
    println!(
        "same graph with a 1 ms time limit: stopped after {:?}: {}",
        t.elapsed(),
        r.err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "finished within 1 ms".into())
    );

    let (pu, proots) = pathological();
    let t = Instant::now();
    let r = resolve::resolve(&pu, &proots, &BTreeMap::new(), limits);
    let took = t.elapsed();
    let what = match r {
        Ok(sol) => format!("solved ({} skills)", sol.len()),
        Err(e) => {
            let text = e.to_string();
            format!(
                "{} ({} lines of explanation)",
                text.lines().next().unwrap_or(""),
                text.lines().count()
            )
        }
    };
    println!("pathological conflict graph (60 skills x 30 versions + shared): {took:?}; {what}");

    for n in [6u64, 8, 10] {
        let (hu, hroots) = pigeonhole(n);
        let two_s = Limits {
            time: Duration::from_secs(2),
            max_skills: 10_000,
        };
        let t = Instant::now();
        let r = resolve::resolve(&hu, &hroots, &BTreeMap::new(), two_s);
        let what = match r {
            Ok(_) => "solved (unexpected)".to_owned(),
            Err(e) => e
                .to_string()
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(90)
                .collect(),
        };
        println!(
            "pigeonhole conflict, {n} skills into {} slots (2 s limit): {:?}; {what}",
            n - 1,
            t.elapsed()
        );
    }

    match install_50() {
        Ok(line) => println!("{line}"),
        Err(e) => println!("install of 50 skills failed: {e}"),
    }
}

fn install_50() -> Result<String, Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let src = tmp.path().join("src");
    for i in 0..50 {
        let dir = src.join(format!("bench-{i}"));
        std::fs::create_dir_all(dir.join("scripts"))?;
        let deps = if i > 0 {
            format!("bench-{}@^1", i - 1)
        } else {
            String::new()
        };
        std::fs::write(
            dir.join("SKILL.md"),
            format!(
                "---\nname: bench-{i}\ndescription: benchmark skill {i}\nmetadata:\n  version: \"1.0.0\"\n  dependencies: \"{deps}\"\n---\n{}\n",
                "Instructions. ".repeat(200)
            ),
        )?;
        std::fs::write(
            dir.join("scripts/run.sh"),
            "#!/bin/sh\necho hi\n".repeat(50),
        )?;
    }
    let key = uas_skills::sign::generate()?;
    let reg = tmp.path().join("registry");
    uas_skills::index::build(&src, &reg, Some(&key))?;
    // The server runs on the runtime's worker thread, outside this thread,
    // which uses the blocking HTTP client.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let server = uas_skills::serve::BackgroundServer::start(runtime.handle(), reg)?;
    let config = uas_core::config::SkillsConfig {
        registries: vec![uas_core::config::RegistryConfig {
            name: "bench".into(),
            url: server.url(),
            priority: 0,
        }],
        trusted_keys: vec![uas_skills::sign::public_text(&key.verifying_key())],
        ..Default::default()
    };
    let home = uas_core::Home::new(tmp.path().join("home"));
    let skills = uas_skills::ops::Skills::new(&home, &config);
    let t = Instant::now();
    let r = skills.install(
        &[("bench-49".to_owned(), None)],
        &Default::default(),
        &mut |_| {},
    )?;
    let took = t.elapsed();
    Ok(format!(
        "install 50 skills (chain of dependencies, signed, loopback HTTP, fsync on): {took:?} total, {:?} per skill; {} downloaded",
        took / 50,
        r.downloaded.len()
    ))
}
