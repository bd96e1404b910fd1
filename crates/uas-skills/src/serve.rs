//! `uas registry serve DIR`: a static HTTP server for a registry folder,
//! bound to loopback by default. Files are sent with an ETag (their SHA-256)
//! and `If-None-Match` gets a 304.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The router serving `root`.
pub fn router(root: PathBuf) -> Router {
    Router::new()
        .route("/{*path}", get(file))
        .with_state(Arc::new(root))
}

async fn file(
    State(root): State<Arc<PathBuf>>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(rel) = crate::archive::safe_relative_path(path.as_bytes()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let full = root.join(rel);
    let bytes = match tokio::task::spawn_blocking(move || std::fs::read(full)).await {
        Ok(Ok(b)) => b,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let etag = format!("\"{}\"", crate::index::sha256_hex(&bytes));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let kind = if path.ends_with(".json") {
        "application/json"
    } else {
        "application/gzip"
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::ETAG, etag),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// Serves `root` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, root: PathBuf) -> std::io::Result<()> {
    axum::serve(listener, router(root)).await
}

/// A server running as a task on a runtime the caller owns (tests and
/// benchmarks); stops when dropped. The library never builds a runtime: the
/// caller passes a handle to a multi-thread runtime, so the server keeps
/// answering while the caller's own thread blocks (for example on the
/// blocking HTTP client, which must not run inside the runtime).
#[derive(Debug)]
pub struct BackgroundServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl BackgroundServer {
    /// Serves `root` on 127.0.0.1 with an OS-chosen port, as a task on
    /// `runtime`.
    pub fn start(runtime: &tokio::runtime::Handle, root: PathBuf) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            // Registering the socket needs the runtime's reactor.
            let _in_runtime = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            let _ = axum::serve(listener, router(root))
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            stop: Some(tx),
        })
    }

    /// `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
