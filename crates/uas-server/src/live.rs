//! `GET /api/events?since=SEQ`: audit records and coordination changes as
//! they happen, resuming after `since`.
//!
//! Each client is a reader of the store, not a queue: the server reads the
//! next batch after the client's position only when the previous one went
//! out, so a slow client holds at most one batch (the socket's send waits)
//! and never makes the server buffer without bound. A client further than
//! [`LAG`] behind is told so once; it keeps catching up from the store.

use crate::Shared;
use axum::extract::ws::{Message, WebSocket};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use uas_api::CoordEvent;
use uas_audit::Record;

/// Records per read.
const BATCH: usize = 500;
/// Records behind the head after which a client is told it lags.
pub const LAG: u64 = 10_000;
/// How often coordination changes are looked for (Redis publishes its own;
/// SQLite's commit with the audit event, which wakes the feed).
const COORD_POLL: Duration = Duration::from_secs(1);

/// One message to a live client.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum LiveMessage {
    /// Sent first: the newest sequence number when the client connected.
    Hello {
        /// The head.
        #[ts(type = "number")]
        head: u64,
    },
    /// One audit record, in sequence order.
    Event {
        /// The record.
        record: Record,
    },
    /// A coordination change.
    Coord {
        /// The change.
        event: CoordEvent,
    },
    /// The client is far behind; it keeps receiving from the store.
    Lagged {
        /// Where the client is.
        #[ts(type = "number")]
        from: u64,
        /// Where the log is.
        #[ts(type = "number")]
        head: u64,
    },
    /// A long operation's progress.
    Progress {
        /// `skill install`, …
        op: String,
        /// What it is doing.
        message: String,
        /// Finished.
        done: bool,
    },
}

async fn send(socket: &mut WebSocket, m: &LiveMessage) -> bool {
    let Ok(text) = serde_json::to_string(m) else {
        return true;
    };
    socket.send(Message::Text(text.into())).await.is_ok()
}

/// Serves one client until it goes away.
pub(crate) async fn serve(mut socket: WebSocket, shared: Arc<Shared>, since: Option<u64>) {
    let mut head_rx = shared.head.clone();
    let mut progress = shared.progress.subscribe();
    let head = *head_rx.borrow_and_update();
    let mut pos = since.unwrap_or(head);
    if !send(&mut socket, &LiveMessage::Hello { head }).await {
        return;
    }
    let mut coord_pos = crate::blocking(&shared.app, |a| {
        Ok(a.coord_events(0, usize::MAX)
            .map_or(0, |e| e.last().map_or(0, |l| l.seq)))
    })
    .await
    .unwrap_or(0);
    let mut lagging = false;
    let mut tick = tokio::time::interval(COORD_POLL);
    loop {
        // Catch up from the store, one batch at a time.
        // The head is read with the batch: the feed's may not have caught
        // up with a burst yet.
        let (batch, head) = crate::blocking(&shared.app, move |a| {
            let log = a.audit_log()?;
            let batch = log.read_after(pos, BATCH)?;
            Ok((batch, log.head()?.map_or(0, |(s, _)| s)))
        })
        .await
        .unwrap_or_default();
        if let Some(last) = batch.last() {
            if head.saturating_sub(last.seq) > LAG {
                if !lagging && !send(&mut socket, &LiveMessage::Lagged { from: pos, head }).await {
                    return;
                }
                lagging = true;
            } else {
                lagging = false;
            }
            pos = last.seq;
            for record in batch {
                if !send(&mut socket, &LiveMessage::Event { record }).await {
                    return;
                }
            }
            continue;
        }
        tokio::select! {
            changed = head_rx.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            p = progress.recv() => {
                if let Ok(m) = p && !send(&mut socket, &m).await {
                    return;
                }
            }
            _ = tick.tick() => {
                let after = coord_pos;
                let news = crate::blocking(&shared.app, move |a| a.coord_events(after, 500))
                    .await
                    .unwrap_or_default();
                for event in news {
                    coord_pos = coord_pos.max(event.seq);
                    if !send(&mut socket, &LiveMessage::Coord { event }).await {
                        return;
                    }
                }
            }
            incoming = socket.recv() => {
                match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}
