//! The ui's files, embedded at build time (see `build.rs`). Unknown paths
//! get `index.html` (the ui routes by the address fragment).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));

const NOT_BUILT: &str = "<!doctype html><title>Universal Agent</title><p>The ui was not built into this uas. Run <code>./x setup</code> (it builds <code>ui/dist</code> before uas).</p>";

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Serves a file of the ui.
pub(crate) async fn file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let found = FILES
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| FILES.iter().find(|(p, _)| *p == "index.html"));
    match found {
        Some((p, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type(p)),
                // The page must not be framed by another site.
                (header::X_FRAME_OPTIONS, "DENY"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            *bytes,
        )
            .into_response(),
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response(),
    }
}
