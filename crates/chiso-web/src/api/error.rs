//! The API's errors: a status and a JSON body naming every bad field.

use crate::error::store_status;
use axum::Json;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One bad field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Where: `observations[2].period`.
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, error: impl Into<String>) -> ApiError {
        ApiError { status, body: ErrorBody { error: error.into(), errors: Vec::new() } }
    }

    pub(super) fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not found")
    }

    pub(super) fn fields(errors: Vec<FieldError>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody { error: "invalid request".into(), errors },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        let status = store_status(&error);
        if status.is_server_error() {
            tracing::error!(%error, "API request failed");
            return ApiError::new(status, "internal error");
        }
        ApiError::new(status, error.to_string())
    }
}

impl From<crate::error::AppError> for ApiError {
    fn from(error: crate::error::AppError) -> ApiError {
        match error {
            crate::error::AppError::NotFound => ApiError::not_found(),
            crate::error::AppError::Store(e) => e.into(),
            other => {
                tracing::error!(error = %other, "API request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
