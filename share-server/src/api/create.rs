//! `POST /api/shares`: stores an uploaded ciphertext as a new share.
//!
//! Query parameters: `expires_in` (seconds, default one day, clamped to 30 days; the
//! client offers 1 h, 1 d, 7 d and 30 d) and `max_views` (optional, ≥ 1). The body is
//! streamed straight to storage chunk by chunk, so memory use does not grow with the
//! upload size.

use axum::Json;
use axum::RequestExt;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http_body_util::LengthLimitError;
use serde::{Deserialize, Serialize};

use super::ApiState;
use crate::config::MAX_EXPIRY_SECS;
use crate::error::AppError;
use crate::ids::{OwnerToken, ShareId};
use crate::metrics::Metrics;
use crate::storage::{NewShare, Storage, StorageError, UploadError};

/// Lifetime when the client does not say: one day.
pub const DEFAULT_EXPIRY_SECS: u64 = 24 * 60 * 60;

/// Query parameters of `POST /api/shares`; one that is not a plain non-negative integer
/// is a 400 `invalid_query`.
#[derive(Debug, Deserialize)]
pub struct CreateParams {
    /// Requested lifetime in seconds. Absent: [`DEFAULT_EXPIRY_SECS`] (one day); `0`: 400
    /// `invalid_expiry`; anything above [`MAX_EXPIRY_SECS`] (30 days) is clamped to it.
    #[serde(default, deserialize_with = "saturating_u64")]
    pub expires_in: Option<u64>,
    /// How many downloads of the ciphertext are allowed (`GET`s, ranged or not).
    /// Absent: no limit; `0`: 400 `invalid_max_views`.
    #[serde(default, deserialize_with = "saturating_u64")]
    pub max_views: Option<u64>,
}

/// A non-negative integer of any length; beyond `u64::MAX` it saturates. The API
/// promises that any positive `expires_in` is accepted (and clamped to 30 days), and a
/// huge `max_views` simply means "no practical limit", so a number too long for 64 bits
/// must not be a 400. Anything that is not a plain integer still is.
fn saturating_u64<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.parse::<u64>() {
        Ok(value) => Ok(Some(value)),
        Err(err) if matches!(err.kind(), std::num::IntErrorKind::PosOverflow) => Ok(Some(u64::MAX)),
        Err(err) => Err(serde::de::Error::custom(err)),
    }
}

/// The creator's receipt. `owner_token` is shown exactly once; only its hash is kept.
#[derive(Debug, Serialize)]
pub struct Created {
    /// The new share's id (22 base64url characters), which goes into the share URL.
    pub id: String,
    /// The secret that authorises `DELETE` (as `Authorization: Bearer <owner_token>`);
    /// returned only in this response, never stored or logged.
    pub owner_token: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// Ciphertext bytes stored.
    pub size: u64,
}

/// Handler of `POST /api/shares`: streams the body (opaque ciphertext) into storage as a
/// new share and answers 201 with [`Created`] and `Cache-Control: no-store`.
///
/// Errors: 400 for bad query parameters or an interrupted upload, 413 when the body
/// (declared or as streamed) exceeds the upload limit, 507 when the quota or the disk
/// is full. Logs only the id's prefix, never the token.
pub async fn create<S: Storage>(
    State(state): State<ApiState<S>>,
    params: Result<Query<CreateParams>, QueryRejection>,
    request: Request,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|_| AppError::BadRequest("invalid_query"))?;
    let expires_in = match params.expires_in {
        Some(0) => return Err(AppError::BadRequest("invalid_expiry")),
        // The server, not the client, enforces the 30-day maximum.
        Some(seconds) => seconds.min(MAX_EXPIRY_SECS),
        None => DEFAULT_EXPIRY_SECS,
    };
    if params.max_views == Some(0) {
        return Err(AppError::BadRequest("invalid_max_views"));
    }
    // Refuse an announced oversize body before reading any of it.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > state.max_upload_bytes) {
        return Err(AppError::TooLarge);
    }

    let id = ShareId::generate().map_err(|err| AppError::Internal(err.to_string()))?;
    let token = OwnerToken::generate().map_err(|err| AppError::Internal(err.to_string()))?;
    let now = state.clock.now_unix();
    let share = NewShare {
        id: id.clone(),
        owner_hash: token.hash,
        created_at: now,
        expires_at: now.saturating_add(expires_in),
        max_views: params.max_views,
    };
    // `into_limited_body` applies the route's `DefaultBodyLimit`, which also catches
    // chunked uploads that declared no length.
    let body = request.into_limited_body().into_data_stream().map(|chunk| chunk.map_err(upload_error));
    let record = match state.storage.create(share, body).await {
        Ok(record) => record,
        Err(err) => {
            if !matches!(err, StorageError::Upload(_) | StorageError::QuotaExceeded) {
                tracing::error!(id = %id, %err, "storing share failed");
            } else {
                tracing::info!(id = %id, %err, "upload rejected");
            }
            return Err(err.into());
        }
    };
    tracing::info!(id = %id, size = record.size, expires_at = record.expires_at, "share created");
    Metrics::add(&state.metrics.uploads, 1);
    Metrics::add(&state.metrics.upload_bytes, record.size);

    let created = Created {
        id: id.as_str().to_owned(),
        owner_token: token.secret,
        expires_at: record.expires_at,
        size: record.size,
    };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    // The body holds the owner token: nothing may cache it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Tells the body-limit error apart from a client that went away.
fn upload_error(err: axum::Error) -> UploadError {
    let inner = err.into_inner();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
    while let Some(err) = source {
        if err.is::<LengthLimitError>() {
            return UploadError::TooLarge;
        }
        source = err.source();
    }
    UploadError::Client(inner.to_string())
}
