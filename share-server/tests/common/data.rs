//! Test payloads and what the tests compare them by.

use sha2::{Digest, Sha256};

/// Reproducible pseudo-random bytes (xorshift64, eight bytes per step so that
/// megabytes are cheap in an unoptimised test build), different per seed. A prefix of
/// a longer payload equals the shorter payload, so a range can be checked by
/// regenerating only up to its end.
pub fn payload(seed: u64, len_bytes: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(len_bytes + 8);
    while bytes.len() < len_bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len_bytes);
    bytes
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Names in the data directory's `blobs/`, sorted: share ids and `.tmp-…` uploads.
pub fn blob_names(data_dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir.join("blobs"))
        .expect("read blobs directory")
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `(id, owner_token, size)` from a 201 receipt.
pub fn receipt(body: &[u8]) -> (String, String, u64) {
    let json: serde_json::Value = serde_json::from_slice(body).expect("create receipt is JSON");
    let id = json["id"].as_str().expect("receipt has an id").to_owned();
    let token = json["owner_token"].as_str().expect("receipt has an owner token").to_owned();
    let size = json["size"].as_u64().expect("receipt has a size");
    assert_eq!(id.len(), 22, "share ids are 22 characters: {id}");
    (id, token, size)
}

/// Ids of the share rows in the data directory's database, read-only, split into
/// (live or expired, deleted-by-owner tombstones).
pub fn share_rows(data_dir: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let db = rusqlite::Connection::open_with_flags(
        data_dir.join("shares.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open share database read-only");
    let mut statement = db.prepare("SELECT id, revoked FROM shares ORDER BY id").expect("prepare");
    let rows = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? != 0)))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    let (revoked, kept): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, revoked)| *revoked);
    (kept.into_iter().map(|(id, _)| id).collect(), revoked.into_iter().map(|(id, _)| id).collect())
}

/// Resident memory of a process in bytes, from `/proc/<pid>/status` (Linux).
pub fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/<pid>/status");
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).expect("VmRSS line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmRSS in kB");
    kib * 1024
}
