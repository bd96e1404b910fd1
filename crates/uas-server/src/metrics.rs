//! `/metrics` in the Prometheus text exposition format. Counters of events
//! start from the database's counts when the service starts and follow the
//! feed from there; violations by rule and the hook decision latency
//! (from each event's recorded `hook_us`) count what the service saw since
//! it started.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use uas_audit::Record;

/// Upper bounds of the hook latency histogram, in seconds.
const BUCKETS: &[f64] = &[0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

/// What `/metrics` reports that only the service can count.
#[derive(Debug, Default)]
pub struct Metrics {
    events: Mutex<BTreeMap<(String, String, String), u64>>,
    violations: Mutex<BTreeMap<String, u64>>,
    latency: Mutex<(Vec<u64>, u64, f64)>,
    /// Skill operations run through the service.
    pub skill_ops: AtomicU64,
    /// Webhook deliveries that failed.
    pub webhook_failures: AtomicU64,
}

impl Metrics {
    /// Seeds the event counters (the database's counts at start).
    pub fn seed(&self, counts: Vec<(String, String, String, u64)>) {
        if let Ok(mut m) = self.events.lock() {
            for (a, k, s, n) in counts {
                *m.entry((a, k, s)).or_default() += n;
            }
        }
    }

    /// Counts one new record.
    pub fn observe(&self, r: &Record) {
        if let Ok(mut m) = self.events.lock() {
            *m.entry((r.agent.clone(), r.kind.clone(), r.severity.clone()))
                .or_default() += 1;
        }
        let decision: serde_json::Value = r
            .decision
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        if decision["action"] == "deny"
            && let Ok(mut v) = self.violations.lock()
        {
            let rule = decision["rule"].as_str().unwrap_or("none").to_owned();
            *v.entry(rule).or_default() += 1;
        }
        let payload: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
        if let Some(us) = payload["hook_us"].as_u64()
            && let Ok(mut l) = self.latency.lock()
        {
            let secs = us as f64 / 1e6;
            if l.0.is_empty() {
                l.0 = vec![0; BUCKETS.len()];
            }
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    l.0[i] += 1;
                }
            }
            l.1 += 1;
            l.2 += secs;
        }
    }

    /// The exposition text; `gauges` are (name, help, value) read at scrape.
    pub fn render(&self, gauges: &[(&str, &str, u64)]) -> String {
        let mut out = String::new();
        let esc = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        };
        out.push_str("# HELP uas_events_total Audit events recorded, by agent, kind and severity.\n# TYPE uas_events_total counter\n");
        if let Ok(m) = self.events.lock() {
            for ((a, k, s), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "uas_events_total{{agent=\"{}\",kind=\"{}\",severity=\"{}\"}} {n}",
                    esc(a),
                    esc(k),
                    esc(s)
                );
            }
        }
        out.push_str("# HELP uas_violations_total Denied tool calls since the service started, by rule.\n# TYPE uas_violations_total counter\n");
        if let Ok(v) = self.violations.lock() {
            for (rule, n) in v.iter() {
                let _ = writeln!(out, "uas_violations_total{{rule=\"{}\"}} {n}", esc(rule));
            }
        }
        out.push_str("# HELP uas_hook_decision_seconds Hook time from reading the event to deciding (hook_us), since the service started.\n# TYPE uas_hook_decision_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for (i, b) in BUCKETS.iter().enumerate() {
                let n = l.0.get(i).copied().unwrap_or(0);
                let _ = writeln!(out, "uas_hook_decision_seconds_bucket{{le=\"{b}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "uas_hook_decision_seconds_bucket{{le=\"+Inf\"}} {}",
                l.1
            );
            let _ = writeln!(out, "uas_hook_decision_seconds_sum {}", l.2);
            let _ = writeln!(out, "uas_hook_decision_seconds_count {}", l.1);
        }
        for (name, help, value) in gauges.iter().copied().chain([
            (
                "uas_skill_operations_total",
                "Skill installs, updates, rollbacks and removals run through the service.",
                self.skill_ops.load(Ordering::Relaxed),
            ),
            (
                "uas_webhook_failures_total",
                "Webhook deliveries that failed.",
                self.webhook_failures.load(Ordering::Relaxed),
            ),
        ]) {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}
