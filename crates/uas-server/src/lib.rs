//! The local service (`uas serve`): the ui and a JSON API over the one
//! facade, [`uas_api::App`], plus what a long-running process owns (the
//! audit feed that wakes live clients, metrics, spool import and WAL
//! checkpoints, webhook forwarding).
//!
//! Handlers are one facade call each, run on the blocking pool (the facade
//! is synchronous). Security is in [`guard`]: loopback by default, the
//! per-install token on every route but `/health`, Host and Origin checked
//! against DNS rebinding, bodies limited, no CORS. The routes are listed in
//! `docs/api.md`.

mod assets;
mod duties;
mod guard;
mod live;
mod metrics;
mod reply;
mod routes;

pub use live::{LAG, LiveMessage};
pub use metrics::Metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};
use uas_api::App;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler shares.
pub struct Shared {
    /// The facade.
    pub app: App,
    /// The per-install token.
    token: String,
    /// Host names (and `host:port`) requests may be addressed to.
    hosts: Vec<String>,
    /// The newest audit sequence number seen by the feed.
    head: watch::Receiver<u64>,
    /// Progress of long operations, for live clients.
    progress: broadcast::Sender<LiveMessage>,
    /// Counters for `/metrics`.
    metrics: Arc<Metrics>,
}

/// How to run the service.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Run the long-running duties (the first service of a home does).
    pub duties: bool,
}

/// A bound, running service.
pub struct Service {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The token clients present.
    pub token: String,
    router: axum::Router,
    listener: tokio::net::TcpListener,
}

impl Service {
    /// Binds `opts.addr` and starts the feed (and the duties); `serve`
    /// then answers requests. Call inside a tokio runtime.
    pub async fn bind(app: App, opts: ServeOptions) -> Result<Self, uas_api::ApiError> {
        let token = blocking(&app, App::api_token).await?;
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|e| {
                uas_api::ApiError::Internal(format!("cannot listen on {}: {e}", opts.addr))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| uas_api::ApiError::Internal(format!("no local address: {e}")))?;
        let metrics = Arc::new(Metrics::default());
        let head = duties::start_feed(&app, Arc::clone(&metrics)).await?;
        if opts.duties {
            duties::start(&app, Arc::clone(&metrics));
        }
        let (progress, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            app,
            token: token.clone(),
            hosts: guard::allowed_hosts(addr),
            head,
            progress,
            metrics,
        });
        Ok(Self {
            addr,
            token,
            router: routes::router(shared),
            listener,
        })
    }

    /// Answers requests until the process ends (or the future is dropped).
    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

/// Starts the long-running duties (spool import, WAL checkpoints, webhook
/// forwarding) without a listener: the desktop app runs them when it holds
/// `serve.lock`. No tokio runtime needed.
pub fn start_duties(app: &App) {
    duties::start(app, Arc::new(Metrics::default()));
}

/// Runs a facade call on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &App,
    call: impl FnOnce(&App) -> Result<T, uas_api::ApiError> + Send + 'static,
) -> Result<T, uas_api::ApiError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || call(&app))
        .await
        .unwrap_or_else(|e| {
            Err(uas_api::ApiError::Internal(format!(
                "the call did not finish: {e}"
            )))
        })
}
