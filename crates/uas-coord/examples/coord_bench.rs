//! Lock throughput on both backends (run by `scripts/bench-coord`, which
//! puts `redis-benchmark` on the same server beside it):
//! uncontended acquire+release pairs per second on one connection, and the
//! same with 8 clients (each its own connection) fighting over one lock.
//!
//! Usage: coord_bench --sqlite <db> --redis <url> [--seconds S]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uas_coord::{Coordinator, RedisCoordinator, SqliteCoordinator};

fn open(spec: &Spec) -> Box<dyn Coordinator> {
    match spec {
        Spec::Sqlite(p) => Box::new(SqliteCoordinator::create(p).expect("sqlite")),
        Spec::Redis(u) => {
            Box::new(RedisCoordinator::connect(u, Duration::from_secs(5)).expect("redis"))
        }
    }
}

#[derive(Clone)]
enum Spec {
    Sqlite(PathBuf),
    Redis(String),
}

/// Pairs per second on one connection, each on its own resource.
fn uncontended(spec: &Spec, seconds: f64) -> f64 {
    let c = open(spec);
    let ttl = Duration::from_secs(30);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        let g = c
            .try_acquire("bench:free", "bench", ttl)
            .expect("acquire")
            .expect("free");
        assert!(
            c.release("bench:free", g.token, &g.secret)
                .expect("release")
        );
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Granted pairs per second across 8 clients trying one resource.
fn contended(spec: &Spec, seconds: f64) -> (f64, f64) {
    let granted = Arc::new(AtomicU64::new(0));
    let tries = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (spec, granted, tries) = (spec.clone(), granted.clone(), tries.clone());
            std::thread::spawn(move || {
                let c = open(&spec);
                let me = format!("client-{i}");
                while start.elapsed().as_secs_f64() < seconds {
                    tries.fetch_add(1, Ordering::Relaxed);
                    if let Some(g) = c
                        .try_acquire("bench:hot", &me, Duration::from_secs(30))
                        .expect("acquire")
                    {
                        assert!(c.release("bench:hot", g.token, &g.secret).expect("release"));
                        granted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client");
    }
    let s = start.elapsed().as_secs_f64();
    (
        granted.load(Ordering::Relaxed) as f64 / s,
        tries.load(Ordering::Relaxed) as f64 / s,
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let seconds: f64 = value("--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let mut specs = Vec::new();
    if let Some(p) = value("--sqlite") {
        specs.push(("sqlite", Spec::Sqlite(PathBuf::from(p))));
    }
    if let Some(u) = value("--redis") {
        specs.push(("redis", Spec::Redis(u)));
    }
    for (name, spec) in &specs {
        let u = uncontended(spec, seconds);
        let (g, t) = contended(spec, seconds);
        println!("{name:<7} uncontended acquire+release: {u:9.0} pairs/s (one connection)");
        println!(
            "{name:<7} contended, 8 clients on one lock: {g:9.0} grants/s, {t:9.0} attempts/s"
        );
    }
}
