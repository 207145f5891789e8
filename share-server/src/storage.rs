//! Share storage: the [`Storage`] trait the API talks to, and its types.
//!
//! The trait hides where ciphertext and metadata live, so that another backend (object
//! storage, say) can replace the embedded default, [`fs::FsStorage`] (blob files on
//! local disk plus SQLite metadata), without touching the HTTP layer.
//!
//! Storage knows nothing about HTTP or about the current time: callers pass `now` in,
//! which keeps expiry decisions testable with a fake clock.

pub mod fs;

use std::future::Future;
use std::io;
use std::pin::Pin;

use axum::body::Bytes;
use futures_util::Stream;
use tokio::io::AsyncRead;

use crate::ids::ShareId;

/// What the API asks storage to keep for a new share (besides the ciphertext itself).
#[derive(Debug, Clone)]
pub struct NewShare {
    /// The freshly generated id, also the name of the share's blob.
    pub id: ShareId,
    /// SHA-256 of the owner token; the token itself is never stored.
    pub owner_hash: [u8; 32],
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds; from this second on the share is expired.
    pub expires_at: u64,
    /// Views allowed; `None`: unlimited.
    pub max_views: Option<u64>,
}

/// A stored share's metadata.
#[derive(Debug, Clone)]
pub struct ShareRecord {
    /// The share's id.
    pub id: ShareId,
    /// Ciphertext size in bytes.
    pub size: u64,
    /// SHA-256 of the owner token, checked by `DELETE`.
    pub owner_hash: [u8; 32],
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds; from this second on the share is expired.
    pub expires_at: u64,
    /// Views allowed; `None`: unlimited.
    pub max_views: Option<u64>,
    /// Views counted so far; only counted for shares with `max_views`, so 0 otherwise.
    pub views: u64,
    /// Deleted by its owner; the row stays as a tombstone until the next sweep so that
    /// recipients are told "deleted" rather than "unknown".
    pub revoked: bool,
}

/// Why a share cannot be read, if it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Its expiry time has passed (410 `expired`).
    Expired,
    /// Deleted by its owner (410 `deleted`).
    Revoked,
    /// Every allowed view has been used (410 `view_limit_reached`).
    ViewsExhausted,
}

impl ShareRecord {
    /// `None` if the share may be read at `now`.
    pub fn unavailable(&self, now: u64) -> Option<Unavailable> {
        if self.revoked {
            Some(Unavailable::Revoked)
        } else if now >= self.expires_at {
            Some(Unavailable::Expired)
        } else if self.max_views.is_some_and(|max| self.views >= max) {
            Some(Unavailable::ViewsExhausted)
        } else {
            None
        }
    }

    /// Views still allowed; `None` means unlimited.
    pub fn views_left(&self) -> Option<u64> {
        self.max_views.map(|max| max.saturating_sub(self.views))
    }
}

/// Result of trying to count a view.
#[derive(Debug, Clone)]
pub enum ViewOutcome {
    /// The view was counted; the record is as it is after counting.
    Counted(ShareRecord),
    /// Nothing was counted: the share cannot be read, for this reason.
    Unavailable(Unavailable),
    /// No share with this id (never existed, or already swept).
    NotFound,
}

/// An upload stream failed for a reason that is not storage's fault.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The body exceeded the upload limit (413 `too_large`).
    #[error("upload larger than the configured limit")]
    TooLarge,
    /// The client went away or sent a broken body (400 `upload_interrupted`); carries
    /// the transport's error message for the log.
    #[error("upload interrupted: {0}")]
    Client(String),
}

/// Why a [`Storage`] operation failed. The API answers each with the status of the
/// `AppError` it converts to (500 unless noted).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The upload stream failed (413 or 400, see [`UploadError`]); nothing was stored.
    #[error(transparent)]
    Upload(#[from] UploadError),
    /// Storing the upload would exceed the configured storage quota (507
    /// `storage_full`); nothing of it is kept.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// The file system itself is out of space (ENOSPC or a disk quota), before the
    /// configured quota was reached. Like [`StorageError::QuotaExceeded`], nothing of the
    /// failed write is kept.
    #[error("disk full: {0}")]
    DiskFull(String),
    /// The new share's id is already taken (a 2^-128 chance); the existing share is
    /// left untouched and the upload is not stored.
    #[error("share id already exists")]
    Conflict,
    /// No such share, or its blob file is gone (404 `not_found`).
    #[error("share not found")]
    NotFound,
    /// Any other file-system error.
    #[error("storage I/O: {0}")]
    Io(io::Error),
    /// Any other SQLite error.
    #[error("metadata database: {0}")]
    Database(rusqlite::Error),
    /// The blocking task running a database operation panicked or was cancelled.
    #[error("storage task failed: {0}")]
    Task(String),
}

// Manual conversions (not `#[from]`) so that "out of space" is told apart from other
// failures wherever it happens: in a blob write, an fsync or a SQLite commit.
impl From<io::Error> for StorageError {
    fn from(err: io::Error) -> Self {
        if matches!(err.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded) {
            Self::DiskFull(err.to_string())
        } else {
            Self::Io(err)
        }
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(err: rusqlite::Error) -> Self {
        if matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull)) {
            Self::DiskFull(err.to_string())
        } else {
            Self::Database(err)
        }
    }
}

/// Reader over (a range of) a share's ciphertext.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// What one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Shares whose rows (and files) were removed, tombstones included.
    pub removed_shares: usize,
    /// Ciphertext bytes given back to the quota; revoked shares count 0 here, since
    /// their bytes were freed when they were deleted.
    pub freed_bytes: u64,
}

/// Where shares live. All methods are safe to call concurrently.
pub trait Storage: Send + Sync + 'static {
    /// Stores `body` as a new share. The share becomes visible only once the whole body
    /// has been stored durably; on any error nothing of it is readable or counted.
    fn create<S>(&self, share: NewShare, body: S) -> impl Future<Output = Result<ShareRecord, StorageError>> + Send
    where
        S: Stream<Item = Result<Bytes, UploadError>> + Send + Unpin + 'static;

    /// The share's metadata, tombstones and expired shares included.
    fn get(&self, id: &ShareId) -> impl Future<Output = Result<Option<ShareRecord>, StorageError>> + Send;

    /// Atomically counts one view if the share is readable at `now`. Shares without a
    /// view limit are only checked: there is nothing to count for them.
    fn record_view(&self, id: &ShareId, now: u64) -> impl Future<Output = Result<ViewOutcome, StorageError>> + Send;

    /// Opens `len` bytes of ciphertext starting at `start`.
    fn open_blob(
        &self,
        id: &ShareId,
        start: u64,
        len: u64,
    ) -> impl Future<Output = Result<BlobReader, StorageError>> + Send;

    /// Marks the share deleted and frees its ciphertext. `false` if it did not exist.
    fn revoke(&self, id: &ShareId) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Removes every share that is expired, revoked or out of views at `now`.
    fn sweep(&self, now: u64) -> impl Future<Output = Result<SweepReport, StorageError>> + Send;

    /// Bytes of ciphertext currently stored (or reserved by uploads in progress).
    fn used_bytes(&self) -> u64;

    /// Shares stored now, tombstones and expired ones not yet swept included.
    fn share_count(&self) -> impl Future<Output = Result<u64, StorageError>> + Send;
}
