//! Desktop notifications through `notify-rust`: what `uas_api::alerts`
//! decided to show, with its actions (open the event; approve or refuse a
//! request).
//!
//! Actions are read off the session bus by our own listener, not by
//! `notify-rust`'s: its listener takes an `ActionInvoked` signal from any
//! sender, so any program on the bus (an agent's shell among them) could
//! emit `ActionInvoked(id, "approve")` and approve its own request. Ours
//! asks the bus for signals whose sender owns `org.freedesktop.Notifications`
//! only (the bus daemon resolves that name and stamps the real sender).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uas_api::alerts::{Violation, ViolationSummary};
use uas_api::{ApprovalItem, ApprovalKind};

/// The application name notifications carry.
pub const APP_NAME: &str = "Universal Agent";

/// What a click on a notification does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Click {
    /// Open the window at this route (`#/monitor/12`).
    Open(String),
    /// Answer an approval request (`approve` or `refuse` was clicked).
    Answer {
        /// The request.
        id: String,
        /// The answer.
        approve: bool,
    },
}

type Handler = Arc<dyn Fn(Click) + Send + Sync>;

/// Shows notifications and routes their actions to `on_click`.
pub struct Notifier {
    pending: Arc<Mutex<HashMap<u32, PendingNote>>>,
    actions: bool,
}

/// What a shown notification's actions mean.
struct PendingNote {
    open: String,
    approval: Option<String>,
}

impl Notifier {
    /// Connects to the notification server and starts the action listener.
    /// Without a server notifications are skipped (the tray still counts).
    pub fn start(on_click: impl Fn(Click) + Send + Sync + 'static) -> Self {
        let caps = notify_rust::get_capabilities().unwrap_or_else(|e| {
            tracing::warn!("no notification server answers ({e}); alerts show in the tray only");
            Vec::new()
        });
        let actions = caps.iter().any(|c| c == "actions");
        let pending: Arc<Mutex<HashMap<u32, PendingNote>>> = Arc::default();
        let handler: Handler = Arc::new(on_click);
        if actions {
            let p = Arc::clone(&pending);
            let _ = std::thread::Builder::new()
                .name("uas-desktop-actions".into())
                .spawn(move || {
                    if let Err(e) = listen(&p, &handler) {
                        tracing::warn!("notification actions are not available: {e}");
                    }
                });
        }
        Self { pending, actions }
    }

    /// One violation; a click opens its event.
    pub fn violation(&self, v: &Violation) {
        let open = if v.seq > 0 {
            format!("#/monitor/{}", v.seq)
        } else {
            "#/health".to_owned()
        };
        let urgency = match v.kind {
            uas_api::alerts::ViolationKind::Denied => notify_rust::Urgency::Normal,
            _ => notify_rust::Urgency::Critical,
        };
        self.show(&v.title(), &v.body(), urgency, open, None);
    }

    /// A flood, summarized; a click opens the live monitor there.
    pub fn summary(&self, s: &ViolationSummary) {
        let open = format!("#/monitor/{}", s.last_seq);
        self.show(&s.title, &s.body, notify_rust::Urgency::Normal, open, None);
    }

    /// A request waiting for a person, with Approve and Refuse buttons
    /// where the server shows buttons.
    pub fn approval(&self, a: &ApprovalItem) {
        let title = match a.kind {
            ApprovalKind::Rule => format!("Approve? {} ({})", a.rule.as_deref().unwrap_or("SOP"), a.agent),
            ApprovalKind::Plan => format!("Approve the plan? ({})", a.agent),
        };
        let mut body = format!("{}\n{}", a.what, a.reason);
        if !self.actions {
            body.push_str("\nAnswer it in Universal Agent (Approvals).");
        }
        self.show(
            &title,
            &body,
            notify_rust::Urgency::Critical,
            "#/approvals".to_owned(),
            Some(a.id.clone()),
        );
    }

    /// A plain notice (no keyring, …).
    pub fn notice(&self, title: &str, body: &str, open: &str) {
        self.show(title, body, notify_rust::Urgency::Normal, open.to_owned(), None);
    }

    fn show(
        &self,
        title: &str,
        body: &str,
        urgency: notify_rust::Urgency,
        open: String,
        approval: Option<String>,
    ) {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME)
            .summary(title)
            .body(body)
            .icon("dialog-warning")
            .urgency(urgency);
        if self.actions {
            n.action("default", "Open");
            if approval.is_some() {
                n.action("approve", "Approve").action("refuse", "Refuse");
            }
        }
        match n.show() {
            Ok(handle) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.insert(handle.id(), PendingNote { open, approval });
                }
                // Dropping the handle neither closes nor waits.
            }
            Err(e) => tracing::warn!("notification not shown: {e}"),
        }
    }
}

/// Waits for `ActionInvoked`/`NotificationClosed` from the notification
/// server (and nobody else) and calls `handler` for ours.
fn listen(
    pending: &Mutex<HashMap<u32, PendingNote>>,
    handler: &Handler,
) -> Result<(), zbus::Error> {
    let conn = zbus::blocking::Connection::session()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender("org.freedesktop.Notifications")?
        .interface("org.freedesktop.Notifications")?
        .path("/org/freedesktop/Notifications")?
        .build();
    let server = zbus::blocking::fdo::DBusProxy::new(&conn)?;
    for msg in zbus::blocking::MessageIterator::for_match_rule(rule, &conn, Some(64))? {
        let msg = msg?;
        let header = msg.header();
        // The rule already names the sender; check it again against the
        // name's owner in case the server was replaced since.
        let owner = server
            .get_name_owner("org.freedesktop.Notifications".try_into()?)
            .ok();
        if owner.as_ref().map(|o| o.as_str()) != header.sender().map(|s| s.as_str()) {
            tracing::warn!("ignored a notification signal from {:?}", header.sender());
            continue;
        }
        match header.member().map(|m| m.as_str()) {
            Some("ActionInvoked") => {
                let Ok((id, action)) = msg.body().deserialize::<(u32, String)>() else {
                    continue;
                };
                let note = pending.lock().ok().and_then(|mut p| p.remove(&id));
                let Some(note) = note else { continue };
                let click = match (action.as_str(), note.approval) {
                    ("approve", Some(id)) => Click::Answer { id, approve: true },
                    ("refuse", Some(id)) => Click::Answer { id, approve: false },
                    _ => Click::Open(note.open),
                };
                handler(click);
            }
            Some("NotificationClosed") => {
                if let Ok((id, _reason)) = msg.body().deserialize::<(u32, u32)>()
                    && let Ok(mut p) = pending.lock()
                {
                    p.remove(&id);
                }
            }
            _ => {}
        }
    }
    Ok(())
}
