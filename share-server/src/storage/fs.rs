//! Default storage: one file per share on local disk, metadata in SQLite.
//!
//! Layout of the data directory:
//!
//! - `shares.sqlite3`: one row per share (size, owner-token hash, expiry, views);
//! - `blobs/<id>`: the ciphertext, exactly as uploaded;
//! - `blobs/.tmp-<random>`: uploads in progress.
//!
//! An upload is written to a temporary file in the same directory (so the final rename
//! is atomic), fsynced, renamed to its id, the directory fsynced, and only then is the
//! row inserted. A share is readable only through its row, so a crash at any point
//! leaves at most an unreferenced file, never a readable partial share. When the store
//! is opened, leftover temporary files and blob files without a row are removed (and
//! so are rows of live shares whose file is missing, which no crash can produce but a
//! damaged disk could), so that rows and files agree again before the first request.
//!
//! Running out of disk space (ENOSPC, a disk quota, SQLite's "database or disk is
//! full") is [`StorageError::DiskFull`], answered like the quota: the upload's
//! temporary file is removed and no row is written.
//!
//! The quota is enforced while bytes arrive: every chunk reserves its size before it is
//! written, so concurrent uploads can never together exceed the quota, and an upload
//! that would is aborted before it touches anything already stored.

use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::{Stream, StreamExt};
use rusqlite::{Connection, OptionalExtension, params};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::{BlobReader, NewShare, ShareRecord, Storage, StorageError, SweepReport, UploadError, ViewOutcome};
use crate::ids::ShareId;
use axum::body::Bytes;

const DATABASE_FILE: &str = "shares.sqlite3";
const BLOB_DIR: &str = "blobs";
const TEMP_PREFIX: &str = ".tmp-";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shares (
    id TEXT PRIMARY KEY NOT NULL,
    size INTEGER NOT NULL,
    owner_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_views INTEGER,
    views INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS shares_expires_at ON shares (expires_at);
";

const COLUMNS: &str = "id, size, owner_hash, created_at, expires_at, max_views, views, revoked";

/// Blob files on disk plus SQLite metadata. Cheap to clone (shared state).
#[derive(Clone)]
pub struct FsStorage {
    inner: Arc<Inner>,
}

struct Inner {
    blob_dir: PathBuf,
    quota_bytes: u64,
    /// Stored plus reserved bytes. A plain mutex: it is held for a few instructions only.
    used_bytes: Mutex<u64>,
    /// One connection is plenty for metadata this small; SQLite serialises writes anyway.
    db: Mutex<Connection>,
}

impl FsStorage {
    /// Opens (creating if needed) the store in `data_dir`.
    pub fn open(data_dir: &Path, quota_bytes: u64) -> Result<Self, StorageError> {
        let blob_dir = data_dir.join(BLOB_DIR);
        std::fs::create_dir_all(&blob_dir)?;
        remove_temp_files(&blob_dir)?;
        let db = Connection::open(data_dir.join(DATABASE_FILE))?;
        // WAL + FULL sync: a committed row survives power loss, readers never block writers.
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.execute_batch(SCHEMA)?;
        reconcile(&db, &blob_dir)?;
        // Revoked shares already gave their bytes back (their blob is gone or going).
        let used: i64 =
            db.query_row("SELECT COALESCE(SUM(size), 0) FROM shares WHERE revoked = 0", [], |row| row.get(0))?;
        let inner = Inner {
            blob_dir,
            quota_bytes,
            used_bytes: Mutex::new(u64::try_from(used).unwrap_or(0)),
            db: Mutex::new(db),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    fn blob_path(&self, id: &ShareId) -> PathBuf {
        // Safe as a file name: `ShareId` only holds base64url characters.
        self.inner.blob_dir.join(id.as_str())
    }

    /// Runs a database closure on the blocking pool, keeping SQLite's disk I/O off the
    /// async workers.
    async fn with_db<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&lock(&inner.db)))
            .await
            .map_err(|err| StorageError::Task(err.to_string()))?
    }

    fn reserve(&self, bytes: u64) -> Result<(), StorageError> {
        let mut used = lock(&self.inner.used_bytes);
        let total = used.checked_add(bytes).ok_or(StorageError::QuotaExceeded)?;
        if total > self.inner.quota_bytes {
            return Err(StorageError::QuotaExceeded);
        }
        *used = total;
        Ok(())
    }

    fn release(&self, bytes: u64) {
        let mut used = lock(&self.inner.used_bytes);
        *used = used.saturating_sub(bytes);
    }

    /// Streams `body` into the upload's temporary file, reserving quota chunk by chunk
    /// (recorded in `pending`, whose drop gives it back unless the share is committed).
    async fn write_temp<S>(&self, body: &mut S, pending: &mut PendingUpload) -> Result<(), StorageError>
    where
        S: Stream<Item = Result<Bytes, UploadError>> + Send + Unpin,
    {
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&pending.temp_path).await?;
        let mut writer = BufWriter::with_capacity(256 * 1024, file);
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            let len = chunk.len() as u64;
            self.reserve(len)?;
            pending.reserved += len;
            writer.write_all(&chunk).await?;
        }
        writer.flush().await?;
        // Durable before it gets a name that makes it part of a share.
        writer.get_ref().sync_all().await?;
        Ok(())
    }
}

/// An upload not yet committed: its temporary file and the quota it reserved.
///
/// Cleanup lives in `Drop` rather than in error branches because hyper drops the
/// handler future when a client disconnects mid-upload; neither the file nor the
/// reservation may leak then.
struct PendingUpload {
    storage: FsStorage,
    temp_path: PathBuf,
    reserved: u64,
    committed: bool,
}

impl Drop for PendingUpload {
    fn drop(&mut self) {
        if !self.committed {
            self.storage.release(self.reserved);
            // Best effort (and usually already gone): leftovers are removed on next open.
            let _ = std::fs::remove_file(&self.temp_path);
        }
    }
}

impl Storage for FsStorage {
    async fn create<S>(&self, share: NewShare, mut body: S) -> Result<ShareRecord, StorageError>
    where
        S: Stream<Item = Result<Bytes, UploadError>> + Send + Unpin + 'static,
    {
        let temp_name = format!("{TEMP_PREFIX}{}", ShareId::generate().map_err(io::Error::other)?.as_str());
        let mut pending = PendingUpload {
            storage: self.clone(),
            temp_path: self.inner.blob_dir.join(temp_name),
            reserved: 0,
            committed: false,
        };
        self.write_temp(&mut body, &mut pending).await?;

        let final_path = self.blob_path(&share.id);
        let record = ShareRecord {
            id: share.id.clone(),
            size: pending.reserved,
            owner_hash: share.owner_hash,
            created_at: share.created_at,
            expires_at: share.expires_at,
            max_views: share.max_views,
            views: 0,
            revoked: false,
        };
        let this = self.clone();
        let row = record.clone();
        // `pending` moves into the blocking task: if this future is dropped meanwhile, the
        // task still finishes and either commits or cleans up, never both.
        self.with_db(move |db| {
            let mut pending = pending;
            let temp_path = pending.temp_path.clone();
            // A hard link is the atomic "rename unless the target exists": an id
            // collision (2^-128, but cheap to rule out) can never overwrite a share.
            let linked = std::fs::hard_link(&temp_path, &final_path);
            let _ = std::fs::remove_file(&temp_path);
            match linked {
                Err(err) if err.kind() == ErrorKind::AlreadyExists => return Err(StorageError::Conflict),
                other => other?,
            }
            // The new name must be durable before the row points at the file.
            std::fs::File::open(&this.inner.blob_dir)?.sync_all()?;
            let inserted = db.execute(
                &format!("INSERT INTO shares ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0)"),
                params![
                    row.id.as_str(),
                    to_sql_int(row.size),
                    &row.owner_hash[..],
                    to_sql_int(row.created_at),
                    to_sql_int(row.expires_at),
                    row.max_views.map(to_sql_int),
                ],
            );
            match inserted {
                Ok(_) => {
                    pending.committed = true;
                    Ok(())
                }
                Err(err) => {
                    let _ = std::fs::remove_file(&final_path);
                    if matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation)) {
                        Err(StorageError::Conflict)
                    } else {
                        Err(err.into())
                    }
                }
            }
        })
        .await?;
        Ok(record)
    }

    async fn get(&self, id: &ShareId) -> Result<Option<ShareRecord>, StorageError> {
        let id = id.clone();
        self.with_db(move |db| select(db, &id)).await
    }

    async fn record_view(&self, id: &ShareId, now: u64) -> Result<ViewOutcome, StorageError> {
        let id = id.clone();
        self.with_db(move |db| {
            let Some(current) = select(db, &id)? else { return Ok(ViewOutcome::NotFound) };
            if current.max_views.is_none() {
                // Without a view limit there is nothing to count (`views_left` is null and
                // the metrics count downloads in memory), so a read stays a read: cheaper,
                // and still possible when the disk is too full for SQLite to write.
                // `max_views` never changes after creation, so this check cannot race.
                return Ok(match current.unavailable(now) {
                    Some(reason) => ViewOutcome::Unavailable(reason),
                    None => ViewOutcome::Counted(current),
                });
            }
            // One conditional UPDATE: two concurrent readers of the last allowed view
            // cannot both succeed.
            let changed = db.execute(
                "UPDATE shares SET views = views + 1
                 WHERE id = ?1 AND revoked = 0 AND expires_at > ?2 AND (max_views IS NULL OR views < max_views)",
                params![id.as_str(), to_sql_int(now)],
            )?;
            let record = select(db, &id)?;
            Ok(match (changed, record) {
                (_, None) => ViewOutcome::NotFound,
                (0, Some(record)) => match record.unavailable(now) {
                    Some(reason) => ViewOutcome::Unavailable(reason),
                    // Cannot happen (the UPDATE's condition is `unavailable() == None`).
                    None => ViewOutcome::NotFound,
                },
                (_, Some(record)) => ViewOutcome::Counted(record),
            })
        })
        .await
    }

    async fn open_blob(&self, id: &ShareId, start: u64, len: u64) -> Result<BlobReader, StorageError> {
        let mut file = match tokio::fs::File::open(self.blob_path(id)).await {
            Ok(file) => file,
            Err(err) if err.kind() == ErrorKind::NotFound => return Err(StorageError::NotFound),
            Err(err) => return Err(err.into()),
        };
        file.seek(io::SeekFrom::Start(start)).await?;
        Ok(Box::pin(file.take(len)))
    }

    async fn revoke(&self, id: &ShareId) -> Result<bool, StorageError> {
        let id = id.clone();
        let this = self.clone();
        let freed = self
            .with_db(move |db| {
                let size: Option<i64> = db
                    .query_row("SELECT size FROM shares WHERE id = ?1 AND revoked = 0", params![id.as_str()], |row| {
                        row.get(0)
                    })
                    .optional()?;
                let Some(size) = size else {
                    let exists = select(db, &id)?.is_some();
                    return Ok(exists.then_some(0));
                };
                db.execute("UPDATE shares SET revoked = 1 WHERE id = ?1", params![id.as_str()])?;
                // The row now says "deleted", so the file can go; if removal fails the
                // sweeper tries again.
                remove_if_exists(&this.blob_path(&id))?;
                Ok(Some(u64::try_from(size).unwrap_or(0)))
            })
            .await?;
        match freed {
            Some(bytes) => {
                self.release(bytes);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn share_count(&self) -> Result<u64, StorageError> {
        self.with_db(|db| {
            let count: i64 = db.query_row("SELECT COUNT(*) FROM shares", [], |row| row.get(0))?;
            Ok(u64::try_from(count).unwrap_or(0))
        })
        .await
    }

    async fn sweep(&self, now: u64) -> Result<SweepReport, StorageError> {
        let this = self.clone();
        let report = self
            .with_db(move |db| {
                let mut statement = db.prepare(&format!(
                    "SELECT {COLUMNS} FROM shares
                     WHERE revoked = 1 OR expires_at <= ?1 OR (max_views IS NOT NULL AND views >= max_views)"
                ))?;
                let doomed =
                    statement.query_map(params![to_sql_int(now)], record_from_row)?.collect::<Result<Vec<_>, _>>()?;
                let mut report = SweepReport::default();
                for record in doomed {
                    // File first: a row without a file reads as gone, a file without a
                    // row would be an unreachable leak.
                    remove_if_exists(&this.blob_path(&record.id))?;
                    db.execute("DELETE FROM shares WHERE id = ?1", params![record.id.as_str()])?;
                    report.removed_shares += 1;
                    if !record.revoked {
                        report.freed_bytes += record.size;
                    }
                }
                Ok(report)
            })
            .await?;
        self.release(report.freed_bytes);
        Ok(report)
    }

    fn used_bytes(&self) -> u64 {
        *lock(&self.inner.used_bytes)
    }
}

fn select(db: &Connection, id: &ShareId) -> Result<Option<ShareRecord>, StorageError> {
    let record = db
        .query_row(&format!("SELECT {COLUMNS} FROM shares WHERE id = ?1"), params![id.as_str()], record_from_row)
        .optional()?;
    Ok(record)
}

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ShareRecord> {
    let id: String = row.get(0)?;
    let id = ShareId::parse(&id)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err)))?;
    let hash: Vec<u8> = row.get(2)?;
    let owner_hash = <[u8; 32]>::try_from(hash.as_slice())
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Blob, Box::new(err)))?;
    let max_views: Option<i64> = row.get(5)?;
    Ok(ShareRecord {
        id,
        size: from_sql_int(row.get(1)?),
        owner_hash,
        created_at: from_sql_int(row.get(3)?),
        expires_at: from_sql_int(row.get(4)?),
        max_views: max_views.map(from_sql_int),
        views: from_sql_int(row.get(6)?),
        revoked: row.get::<_, i64>(7)? != 0,
    })
}

/// SQLite integers are signed; every value we store (sizes, Unix seconds, counts) is far
/// below `i64::MAX`, so saturating is only a guard against nonsense input.
fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_sql_int(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

/// Makes rows and blob files agree after a crash: removes files no row names (a crash
/// between linking the blob and inserting its row) and rows of live shares whose file
/// is gone. Rows of deleted, expired or used-up shares may lack their file; the sweeper
/// removes those rows as usual.
fn reconcile(db: &Connection, blob_dir: &Path) -> Result<(), StorageError> {
    let mut statement = db.prepare("SELECT id, revoked FROM shares")?;
    let rows = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? != 0)))?
        .collect::<Result<Vec<_>, _>>()?;
    let named: std::collections::HashSet<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    let mut orphan_files = 0usize;
    for entry in std::fs::read_dir(blob_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Only share-named files: anything else in the directory is not ours to judge.
        let is_share_file = !name.starts_with(TEMP_PREFIX) && ShareId::parse(&name).is_ok();
        if is_share_file && !named.contains(name.as_ref()) {
            remove_if_exists(&entry.path())?;
            orphan_files += 1;
        }
    }
    let mut missing_files = 0usize;
    for (id, revoked) in &rows {
        if !revoked && !blob_dir.join(id).exists() {
            db.execute("DELETE FROM shares WHERE id = ?1", params![id])?;
            missing_files += 1;
        }
    }
    if orphan_files > 0 || missing_files > 0 {
        // Counts only: ids are half of what opens a share and are never logged whole.
        tracing::warn!(orphan_files, missing_files, "reconciled share files and rows at start-up");
    }
    Ok(())
}

/// Uploads interrupted by a crash; they were never part of a share.
fn remove_temp_files(blob_dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(blob_dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            remove_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

/// A poisoned lock only means another thread panicked mid-operation; the guarded data
/// (a counter, a connection) is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
