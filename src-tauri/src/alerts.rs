//! Desktop notifications through `notify-rust`: what `uas_api::alerts`
//! decided to show, with its actions (open the event; approve or refuse a
//! request).
//!
//! Violations, summaries and notices go through `notify-rust`; a click on
//! one only opens the window, so its listener is good enough there.
//! Approval requests do not: `notify-rust`'s listener takes an
//! `ActionInvoked` signal from any sender, so any program on the bus (an
//! agent's shell among them) could emit `ActionInvoked(id, "approve")` and
//! approve its own request. A request is sent on our own connection (the
//! server sends its action signals to the connection that asked), and our
//! listener on it takes a signal only when its sender is the current owner
//! of `org.freedesktop.Notifications` (the bus daemon stamps every message
//! with its real sender, which a program cannot forge).

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

/// Notes whose click is listened for at once (one thread and connection
/// each, until the note closes); later ones show without the Open action.
const LISTENED: usize = 8;

/// Shows notifications and routes their actions to `on_click`.
pub struct Notifier {
    /// Requests on screen: notification id -> request id.
    pending: Arc<Mutex<HashMap<u32, String>>>,
    /// Our connection (approval requests and their actions).
    conn: Option<zbus::blocking::Connection>,
    handler: Handler,
    actions: bool,
    /// Notes whose click is being listened for.
    listened: Arc<std::sync::atomic::AtomicUsize>,
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
        tracing::debug!("notification server capabilities: {caps:?}");
        let pending: Arc<Mutex<HashMap<u32, String>>> = Arc::default();
        let handler: Handler = Arc::new(on_click);
        let conn = zbus::blocking::Connection::session()
            .map_err(|e| {
                tracing::warn!("no session bus ({e}): approvals are answered in the window")
            })
            .ok();
        if actions && let Some(conn) = conn.clone() {
            let (p, h) = (Arc::clone(&pending), Arc::clone(&handler));
            let _ = std::thread::Builder::new()
                .name("uas-desktop-actions".into())
                .spawn(move || {
                    if let Err(e) = listen(&conn, &p, &h) {
                        tracing::warn!("notification actions are not available: {e}");
                    }
                });
        }
        Self {
            pending,
            conn,
            handler,
            actions,
            listened: Arc::default(),
        }
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
        self.show(&v.title(), &v.body(), urgency, open);
    }

    /// A flood, summarized; a click opens the live monitor there.
    pub fn summary(&self, s: &ViolationSummary) {
        let open = format!("#/monitor/{}", s.last_seq);
        self.show(&s.title, &s.body, notify_rust::Urgency::Normal, open);
    }

    /// A request waiting for a person, with Approve and Refuse buttons
    /// where the server shows buttons.
    pub fn approval(&self, a: &ApprovalItem) {
        let title = match a.kind {
            ApprovalKind::Rule => format!(
                "Approve? {} ({})",
                a.rule.as_deref().unwrap_or("SOP"),
                a.agent
            ),
            ApprovalKind::Plan => format!("Approve the plan? ({})", a.agent),
        };
        let mut body = format!("{}\n{}", a.what, a.reason);
        let Some(conn) = self.conn.as_ref().filter(|_| self.actions) else {
            body.push_str("\nAnswer it in Universal Agent (Approvals).");
            self.show(
                &title,
                &body,
                notify_rust::Urgency::Critical,
                "#/approvals".to_owned(),
            );
            return;
        };
        let actions = ["default", "Open", "approve", "Approve", "refuse", "Refuse"];
        let mut hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
        hints.insert("urgency", zbus::zvariant::Value::U8(2));
        let sent = conn.call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "Notify",
            &(
                APP_NAME,
                0u32,
                "dialog-question",
                title.as_str(),
                body.as_str(),
                &actions[..],
                hints,
                -1i32,
            ),
        );
        match sent.and_then(|reply| reply.body().deserialize::<u32>()) {
            Ok(id) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.insert(id, a.id.clone());
                }
            }
            Err(e) => tracing::warn!("approval notification not shown: {e}"),
        }
    }

    /// Takes down the request notifications whose request is no longer
    /// in `pending` (answered in the window, lapsed, used).
    pub fn retire(&self, pending: &std::collections::BTreeSet<String>) {
        let (Some(conn), Ok(mut shown)) = (self.conn.as_ref(), self.pending.lock()) else {
            return;
        };
        shown.retain(|nid, request| {
            if pending.contains(request) {
                return true;
            }
            let _ = conn.call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "CloseNotification",
                &(*nid,),
            );
            false
        });
    }

    /// A plain notice (no keyring, …).
    pub fn notice(&self, title: &str, body: &str, open: &str) {
        self.show(title, body, notify_rust::Urgency::Normal, open.to_owned());
    }

    fn show(&self, title: &str, body: &str, urgency: notify_rust::Urgency, open: String) {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME)
            .summary(title)
            .body(body)
            .icon("dialog-warning")
            .urgency(urgency);
        use std::sync::atomic::Ordering;
        let listen = self.actions && self.listened.fetch_add(1, Ordering::SeqCst) < LISTENED;
        if self.actions && !listen {
            self.listened.fetch_sub(1, Ordering::SeqCst);
        }
        if listen {
            n.action("default", "Open");
        }
        match n.show() {
            Ok(handle) if listen => {
                // Until the note is clicked or closed (it expires).
                let handler = Arc::clone(&self.handler);
                let listened = Arc::clone(&self.listened);
                let spawned = std::thread::Builder::new()
                    .name("uas-desktop-note".into())
                    .spawn(move || {
                        handle.wait_for_action(|action| {
                            if action == "default" {
                                handler(Click::Open(open));
                            }
                        });
                        listened.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    self.listened.fetch_sub(1, Ordering::SeqCst);
                }
            }
            Ok(_) => {}
            Err(e) => {
                if listen {
                    self.listened.fetch_sub(1, Ordering::SeqCst);
                }
                tracing::warn!("notification not shown: {e}");
            }
        }
    }
}

/// Waits for `ActionInvoked`/`NotificationClosed` from the notification
/// server (and nobody else) and calls `handler` for ours.
fn listen(
    conn: &zbus::blocking::Connection,
    pending: &Mutex<HashMap<u32, String>>,
    handler: &Handler,
) -> Result<(), zbus::Error> {
    // No `sender` in the rule: zbus compares a rule's sender with the
    // message's unique sender name, which a well-known name never equals.
    // The check is below, against the name's owner.
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("org.freedesktop.Notifications")?
        .path("/org/freedesktop/Notifications")?
        .build();
    let server = zbus::blocking::fdo::DBusProxy::new(conn)?;
    let signals = zbus::blocking::MessageIterator::for_match_rule(rule, conn, Some(64))?;
    tracing::debug!("listening for notification actions");
    for msg in signals {
        let msg = msg?;
        let header = msg.header();
        tracing::debug!(
            "notification signal {:?} from {:?}",
            header.member(),
            header.sender()
        );
        // Only the notification server may say what was clicked.
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
                tracing::debug!(
                    "action {action} on notification {id} (ours: {})",
                    note.is_some()
                );
                let Some(request) = note else { continue };
                let click = match action.as_str() {
                    "approve" => Click::Answer {
                        id: request,
                        approve: true,
                    },
                    "refuse" => Click::Answer {
                        id: request,
                        approve: false,
                    },
                    _ => Click::Open("#/approvals".to_owned()),
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
