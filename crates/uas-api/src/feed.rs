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
