//! Reading the audit log as a stream: `tail`, `follow`, `export` and
//! webhook `forward` are facade calls, so the CLI, the coming server and
//! the desktop share one implementation ([`uas_audit::AuditFeed`]).

use crate::{ApiError, App};
use std::io::Write;
use std::time::Duration;
use uas_audit::export::{self, Format};
use uas_audit::sink::{self, Backoff, SinkProgress};
use uas_audit::{AuditFeed, Filter, Record, Subscription};

/// How long a reader waits for the database lock.
const BUSY: Duration = Duration::from_secs(5);

/// Records shown by `tail` without `--since`.
const TAIL_DEFAULT: u64 = 20;

/// A live view of the log from a position: [`AuditFollow::next`] returns
/// the records that arrived (waiting for writers in other processes).
#[derive(Debug)]
pub struct AuditFollow {
    sub: Subscription,
    // Keeps the wake-up thread alive for as long as the subscription.
    _feed: AuditFeed,
}

impl AuditFollow {
    /// The next records that pass the filter, waiting up to `wait` for
    /// them; an empty list means none arrived in time.
    pub fn next(&mut self, wait: Duration) -> Result<Vec<Record>, ApiError> {
        Ok(self.sub.next(wait)?)
    }

    /// The last sequence number read past.
    pub fn position(&self) -> u64 {
        self.sub.position()
    }
}

impl App {
    /// Where `tail` starts: after `since`, or the last 20 records.
    fn tail_start(&self, since: Option<u64>) -> Result<u64, ApiError> {
        Ok(match since {
            Some(s) => s,
            None => self
                .audit_log()?
                .head()?
                .map_or(0, |(s, _)| s.saturating_sub(TAIL_DEFAULT)),
        })
    }

    /// `uas audit tail`: the records after `since` (default: the last 20)
    /// that pass `filter`.
    pub fn audit_tail(&self, since: Option<u64>, filter: &Filter) -> Result<Vec<Record>, ApiError> {
        let log = self.audit_log()?;
        let mut after = self.tail_start(since)?;
        let mut out = Vec::new();
        loop {
            let batch = log.read_after(after, uas_audit::feed::BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            out.extend(batch.into_iter().filter(|r| filter.accepts(r)));
        }
        Ok(out)
    }

    /// `uas audit tail --follow`: follows the log from `since` (default: the
    /// last 20 records), across processes.
    pub fn audit_follow(
        &self,
        since: Option<u64>,
        filter: Filter,
    ) -> Result<AuditFollow, ApiError> {
        let feed = self.audit_feed()?;
        let sub = feed.subscribe(self.tail_start(since)?, filter)?;
        Ok(AuditFollow { sub, _feed: feed })
    }

    /// The feed of this home's log, for long-running consumers.
    pub fn audit_feed(&self) -> Result<AuditFeed, ApiError> {
        let config = self.config()?;
        Ok(AuditFeed::start(
            &self.audit_dir(),
            &self.home.database(&config.store.database),
            BUSY,
        )?)
    }

    /// `uas audit export`: writes the records after `since` to `out`;
    /// returns how many.
    pub fn audit_export(
        &self,
        format: Format,
        since: u64,
        out: &mut impl Write,
    ) -> Result<u64, ApiError> {
        let log = self.audit_log()?;
        let io = |e| ApiError::Invalid(format!("writing the export: {e}"));
        if format == Format::Csv {
            writeln!(out, "{}", export::CSV_HEADER).map_err(io)?;
        }
        let (mut after, mut n) = (since, 0);
        loop {
            let batch = log.read_after(after, 10_000)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for r in &batch {
                export::write_record(out, r, format).map_err(io)?;
                n += 1;
            }
        }
        out.flush().map_err(io)?;
        Ok(n)
    }

    /// `uas audit forward`: delivers to every `[[audit.webhooks]]`, calling
    /// `report` after each sink's round; with `follow`, keeps delivering
    /// new events until `report` returns false. The result is false when a
    /// sink stopped on an error (without `follow`).
    pub fn audit_forward(
        &self,
        follow: bool,
        batch: usize,
        mut report: impl FnMut(&SinkProgress) -> bool,
    ) -> Result<bool, ApiError> {
        let config = self.config()?;
        if config.audit.webhooks.is_empty() {
            return Err(ApiError::Invalid(format!(
                "no webhooks configured: add [[audit.webhooks]] with name and url to {}",
                self.home.config_file().display()
            )));
        }
        let client =
            uas_skills::client::http_client().map_err(|e| ApiError::Invalid(e.to_string()))?;
        let log = self.audit_log()?;
        let feed = follow.then(|| self.audit_feed()).transpose()?;
        let mut news = feed
            .as_ref()
            .map(|f| f.subscribe(0, Filter::default()))
            .transpose()?;
        loop {
            let mut failed = false;
            for hook in &config.audit.webhooks {
                let progress = sink::deliver(
                    &log,
                    &hook.name,
                    &hook.url,
                    batch,
                    Backoff::default(),
                    |body| {
                        let resp = client
                            .post(&hook.url)
                            .header("content-type", "application/json")
                            .body(body.to_vec())
                            .send()
                            .map_err(|e| e.to_string())?;
                        if resp.status().is_success() {
                            Ok(())
                        } else {
                            Err(format!("{} answered {}", hook.url, resp.status()))
                        }
                    },
                    std::thread::sleep,
                )?;
                failed |= progress.error.is_some();
                if (progress.delivered > 0 || progress.error.is_some()) && !report(&progress) {
                    return Ok(!failed);
                }
            }
            match news.as_mut() {
                None => return Ok(!failed),
                // Woken by a writer; after a failure retry within 5 s.
                Some(sub) => {
                    sub.wait_for_news(Duration::from_secs(if failed { 5 } else { 60 }))?;
                }
            }
        }
    }
}

/// `GET /api/audit`: which records, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct AuditQuery {
    /// Only this agent.
    pub agent: Option<String>,
    /// Only this session.
    pub session: Option<String>,
    /// Only this kind (`pre_tool`, `tamper`, …); comma-separated for several.
    pub kind: Option<String>,
    /// Only this severity and worse (`info`, `warning`, `error`, `critical`).
    pub severity: Option<String>,
    /// Only records older than this sequence number (the next page).
    pub before: Option<u64>,
    /// At most this many (default 100, at most 1,000).
    pub limit: Option<usize>,
}

/// A page of records, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditPage {
    /// The records.
    pub records: Vec<Record>,
    /// Pass as `before` for the next (older) page; none at the start.
    #[ts(type = "number | null")]
    pub next_before: Option<u64>,
}

const SEVERITIES: &[&str] = &["info", "warning", "error", "critical"];

impl App {
    /// The records `q` selects, newest first, a page at a time.
    pub fn audit_query(&self, q: &AuditQuery) -> Result<AuditPage, ApiError> {
        let limit = q.limit.unwrap_or(100).clamp(1, 1000);
        let severities = match q.severity.as_deref() {
            None | Some("") => Vec::new(),
            Some(s) => {
                let from = SEVERITIES.iter().position(|x| *x == s).ok_or_else(|| {
                    ApiError::Invalid(format!(
                        "unknown severity `{s}`; use one of {}",
                        SEVERITIES.join(", ")
                    ))
                })?;
                SEVERITIES[from..].iter().map(|s| (*s).to_owned()).collect()
            }
        };
        let kinds = q
            .kind
            .as_deref()
            .map(|k| {
                k.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let log = self.audit_log()?;
        let rows = uas_store::events::query(
            log.db(),
            &uas_store::events::EventQuery {
                agent: q.agent.clone().filter(|a| !a.is_empty()),
                session: q.session.clone().filter(|s| !s.is_empty()),
                kinds,
                severities,
                before: q.before,
                after: None,
                limit,
            },
        )?;
        let next_before = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.seq))
            .flatten();
        Ok(AuditPage {
            records: rows.into_iter().map(Record::from).collect(),
            next_before,
        })
    }
}

impl App {
    /// How many records there are per (agent, kind, severity).
    pub fn audit_counts(&self) -> Result<Vec<(String, String, String, u64)>, ApiError> {
        Ok(uas_store::events::counts(self.audit_log()?.db())?)
    }

    /// The newest sequence number (0: empty log).
    pub fn audit_head(&self) -> Result<u64, ApiError> {
        Ok(self.audit_log()?.head()?.map_or(0, |(s, _)| s))
    }

    /// The running service's periodic duty: an empty write imports the
    /// events hooks spooled while the database was unavailable, and keeps
    /// the write-ahead log from growing (its size limit applies at every
    /// write). Returns the head after it.
    pub fn service_tick(&self) -> Result<u64, ApiError> {
        let mut j = self.journal()?;
        j.write(|_| Ok::<_, ApiError>(()))?;
        self.audit_head()
    }
}
