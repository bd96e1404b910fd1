//! Answers: a DTO as JSON, or an `ErrorDto` `{code, message}` with the HTTP
//! status its code stands for.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uas_api::{ApiError, ErrorDto};

/// A handler's answer.
pub(crate) type Reply<T> = Result<Json<T>, Failure>;

/// An error on the wire.
#[derive(Debug)]
pub(crate) struct Failure(pub StatusCode, pub ErrorDto);

impl Failure {
    /// A failure with its own code.
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self(
            status,
            ErrorDto {
                code: code.to_owned(),
                message: message.into(),
            },
        )
    }
}

/// The HTTP status of an error code.
pub(crate) fn status_of(code: &str) -> StatusCode {
    match code {
        "invalid_request" | "bad_json" => StatusCode::BAD_REQUEST,
        "token_missing" | "token_invalid" => StatusCode::UNAUTHORIZED,
        "host_refused" | "origin_refused" => StatusCode::FORBIDDEN,
        "not_found" | "unknown_route" => StatusCode::NOT_FOUND,
        "conflict" | "operation_busy" => StatusCode::CONFLICT,
        "body_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "store_busy" | "coordination_unreachable" => StatusCode::SERVICE_UNAVAILABLE,
        "internal" | "io_error" | "store_error" | "store_corrupt" | "audit_error" => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        // Refusals: the request was understood and cannot be carried out
        // in this state (a broken agent config, a skill conflict, …).
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        let dto = e.to_dto();
        Self(status_of(&dto.code), dto)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

/// Wraps a facade result.
pub(crate) fn json<T: Serialize>(r: Result<T, ApiError>) -> Reply<T> {
    r.map(Json).map_err(Failure::from)
}
