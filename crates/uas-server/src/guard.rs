//! Who may call: every request's `Host` must name this service (a page on
//! another site that rebinds its DNS name to 127.0.0.1 sends its own name),
//! an `Origin`, when sent, must be this service's own (no CORS headers are
//! ever sent, so other origins cannot read answers either), and every route
//! but `/health` and the ui's static files needs the token.

use crate::Shared;
use crate::reply::Failure;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

/// The names a request may address this service by.
pub(crate) fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "[::1]".to_owned(),
    ];
    let own = match addr.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    if !names.contains(&own) && !addr.ip().is_unspecified() {
        names.push(own);
    }
    names.iter().map(|n| format!("{n}:{port}")).collect()
}

/// Whether the route is open without a token: the health probe and the
/// ui's files (which hold no secret: the token reaches the page in the
/// address fragment, which browsers never send).
fn open_route(path: &str) -> bool {
    path == "/health" || !(path.starts_with("/api/") || path == "/metrics")
}

/// Compares in time independent of where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// The token a request carries: `Authorization: Bearer …`, or for the
/// WebSocket (browsers cannot set its headers) `?token=…`.
fn presented(req: &Request<Body>) -> Option<String> {
    if let Some(v) = req.headers().get(header::AUTHORIZATION) {
        return v
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
    }
    if req.uri().path() == "/api/events" {
        return req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(str::to_owned)
        });
    }
    None
}

/// The middleware.
pub(crate) async fn check(
    State(shared): State<Arc<Shared>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !shared.hosts.contains(&host) {
        return Failure::new(
            StatusCode::FORBIDDEN,
            "host_refused",
            format!(
                "this service answers requests addressed to {} only, not `{host}`",
                shared.hosts.join(", ")
            ),
        )
        .into_response();
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default().to_ascii_lowercase();
        let own = shared.hosts.iter().any(|h| origin == format!("http://{h}"));
        if !own {
            return Failure::new(
                StatusCode::FORBIDDEN,
                "origin_refused",
                format!(
                    "requests from the page `{origin}` are refused; open the ui this service serves"
                ),
            )
            .into_response();
        }
    }
    if !open_route(req.uri().path()) {
        match presented(&req) {
            None => {
                return Failure::new(
                    StatusCode::UNAUTHORIZED,
                    "token_missing",
                    "this call needs the access token: open the address `uas serve` printed, or send `Authorization: Bearer <token>`",
                )
                .into_response();
            }
            Some(t) if !same_secret(&t, &shared.token) => {
                return Failure::new(
                    StatusCode::UNAUTHORIZED,
                    "token_invalid",
                    "the access token is not this installation's: open the address `uas serve` printed",
                )
                .into_response();
            }
            Some(_) => {}
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_are_allowed_with_the_port_and_nothing_else() {
        let hosts = allowed_hosts("127.0.0.1:7878".parse().expect("addr"));
        assert!(hosts.contains(&"127.0.0.1:7878".to_owned()));
        assert!(hosts.contains(&"localhost:7878".to_owned()));
        assert!(!hosts.iter().any(|h| h.starts_with("evil")));
        assert!(
            !hosts.contains(&"localhost".to_owned()),
            "the port is part of the name"
        );
    }

    #[test]
    fn only_health_and_static_files_are_open() {
        assert!(open_route("/health"));
        assert!(open_route("/"));
        assert!(open_route("/assets/index.js"));
        assert!(!open_route("/metrics"));
        assert!(!open_route("/api/status"));
        assert!(!open_route("/api/events"));
    }
}
