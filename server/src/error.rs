//! The one error policy of the HTTP API.
//!
//! Every error is JSON `{error, detail}` with a stable `error` code:
//! - bad input → 400 (`bad_request`) naming the field, 413
//!   (`payload_too_large`) naming the limit, 415 (`unsupported_media_type`),
//!   422 (`parse_error`) naming the file, line and column;
//! - 416 (`range_not_satisfiable`) for a download range outside the file;
//! - 429 (`too_many_requests`) after too many failed sign-ins;
//! - 401 (`unauthorized`) without a valid token, 403 (`forbidden`) with a
//!   token that may not do this;
//! - 404 (`not_found`) naming what is missing; 409 (`conflict`) naming
//!   what clashes;
//! - anything else is 500 (`internal`): the detail is logged with an error
//!   id, and the user sees only that id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::model::ErrorBody;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Was here, deleted or expired.
    #[error("{0}")]
    Gone(String),
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: u64 },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the requested range is not within the {size} bytes of the file")]
    RangeNotSatisfiable { size: u64 },
    #[error("{file}: {detail}")]
    Parse { file: String, detail: String, line: Option<u64>, column: Option<u64> },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            ApiError::Parse { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone(_) => "gone",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::RangeNotSatisfiable { .. } => "range_not_satisfiable",
            ApiError::Parse { .. } => "parse_error",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(err.to_string())
    }

    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }

    /// The body users see; internal errors are logged here with an id.
    pub fn body(&self) -> ErrorBody {
        let detail = match self {
            ApiError::Internal(detail) => {
                let id = format!("{:016x}", rand::random::<u64>());
                tracing::error!(error_id = %id, "{detail}");
                format!("internal error (id {id}); the server log has the details")
            }
            other => other.to_string(),
        };
        let (file, line, column) = match self {
            ApiError::Parse { file, line, column, .. } => (Some(file.clone()), *line, *column),
            _ => (None, None, None),
        };
        ErrorBody { error: self.code().to_owned(), detail, file, line, column }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if crate::db::is_unique_violation(&err) {
            return ApiError::Conflict(format!("already exists ({err})"));
        }
        ApiError::Internal(format!("database: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::RangeNotSatisfiable { size } = self
            && let Ok(v) = axum::http::HeaderValue::from_str(&format!("bytes */{size}"))
        {
            res.headers_mut().insert(axum::http::header::CONTENT_RANGE, v);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
