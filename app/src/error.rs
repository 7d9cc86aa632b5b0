//! Errors of the UI's server functions: typed, so pages can tell "not
//! found" from "server trouble".

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The request clashes with what is stored (an archived project, a
    /// name taken…): a 409.
    #[error("{0}")]
    Conflict(String),
    /// The request is larger than the server accepts: a 413.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A file could not be read as what it claims to be: a 422.
    #[error("{0}")]
    Unprocessable(String),
    /// The request's content type is not one the server takes: a 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Internal(String),
    /// The server function call itself failed (network, encoding…).
    #[error("the server could not be reached: {0}")]
    Call(String),
}

impl AppError {
    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "Not found",
            AppError::BadRequest(_) => "Bad request",
            AppError::Unauthorized(_) => "Sign in needed",
            AppError::Forbidden(_) => "Not allowed",
            AppError::TooManyRequests(_) => "Too many attempts",
            AppError::Conflict(_) => "Conflict",
            AppError::PayloadTooLarge(_) => "Too large",
            AppError::Unprocessable(_) => "Cannot be read",
            AppError::UnsupportedMediaType(_) => "Unsupported type",
            AppError::Internal(_) | AppError::Call(_) => "Something went wrong",
        }
    }
}

impl AppError {
    /// The HTTP status of this error.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) | AppError::Call(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Call(value.to_string())
    }
}
