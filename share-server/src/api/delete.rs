//! `DELETE /api/shares/{id}` with `Authorization: Bearer <owner_token>`.
//!
//! 401 without a bearer token, 403 with the wrong one, 204 once deleted. The token is
//! hashed and compared in constant time against the stored hash; it is never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};

use super::{ApiState, parse_id};
use crate::error::AppError;
use crate::ids::token_matches;
use crate::metrics::Metrics;
use crate::storage::Storage;

/// Handler of `DELETE /api/shares/{id}`: 204 once the share is deleted (again 204 for a
/// share already deleted but not yet swept); 400 for a malformed id, 401 without a
/// bearer token, 404 for an unknown share, 403 when the token is not the owner's.
pub async fn delete<S: Storage>(
    State(state): State<ApiState<S>>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let id = parse_id(&raw_id)?;
    let token = bearer_token(&headers).ok_or(AppError::MissingToken)?;
    let record = state.storage.get(&id).await?.ok_or(AppError::NotFound)?;
    if !token_matches(token, &record.owner_hash) {
        tracing::info!(id = %id, "delete with wrong owner token");
        return Err(AppError::WrongToken);
    }
    // Deleting twice is fine (idempotent); the tombstone says "deleted" until swept.
    if !state.storage.revoke(&id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(id = %id, "share deleted by owner");
    Metrics::add(&state.metrics.deletions, 1);
    Ok(StatusCode::NO_CONTENT)
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
