//! A real full disk: the server's data directory is a 4 MiB tmpfs while its own quota
//! is 64 MiB, so uploads run into ENOSPC, not into the quota. It proves that then
//!
//! - the upload that does not fit gets a clean `507 {"error":"storage_full"}` (and so
//!   does the next one), never a 500 or a dropped connection,
//! - nothing of it stays: no temporary file, no row, no bytes counted as stored,
//! - every earlier share still reads back byte for byte (reading a share without a
//!   view limit writes nothing, so it works on a full disk),
//! - deleting a share frees space and a new upload then succeeds.
//!
//! A delete itself needs a few KiB for SQLite's log. The test keeps a 64 KiB file of
//! its own in the tmpfs and removes it before deleting, as an operator would free
//! some space; a delete on a disk with no byte left answers 507 and changes nothing
//! (checked too).
//!
//! Mounting needs root (CI runs as root). Otherwise the test prints why it is skipped
//! and passes; as root, a failing mount is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::data::{blob_names, payload, receipt, sha256, share_rows};
use common::http::Client;
use common::start;

const TMPFS_SIZE: &str = "4m";
/// Well above the tmpfs, so the quota never answers first.
const QUOTA_BYTES: &str = "67108864";
const UPLOAD_BYTES: usize = 256 * 1024;
/// 4 MiB / 256 KiB = 16 uploads fill it; more attempts than that mean ENOSPC is never hit.
const MAX_UPLOADS: usize = 40;
/// Space the test holds back and frees before deleting (see the overview).
const SPARE_BYTES: usize = 64 * 1024;

/// Unmounts the tmpfs when the test ends, also when it fails half-way.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).status().is_ok_and(|s| s.success());
        if !unmounted {
            // Something still has a file open (a server that did not die yet): detach lazily.
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn mount_tmpfs(dir: &Path) -> Mount {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE},mode=0700"), "tmpfs"])
        .arg(dir)
        .status()
        .expect("run mount");
    assert!(status.success(), "mount -t tmpfs failed as root: {status}");
    Mount(dir.to_path_buf())
}

/// Bytes free for unprivileged writers on the file system holding `dir` (`stat -f`).
fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("stat").args(["-f", "--format=%a %S"]).arg(dir).output().expect("run stat -f");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace().map(|n| n.parse::<u64>().expect("stat -f prints numbers"));
    let (blocks, block_bytes) = (numbers.next().expect("free blocks"), numbers.next().expect("block size"));
    blocks * block_bytes
}

/// `name value` of a Prometheus gauge or counter.
fn metric(client: &mut Client, name: &str) -> u64 {
    let text = client.request("GET", "/metrics", &[], &[]).expect("GET /metrics").text();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or_else(|| panic!("metric {name} in {text}"))
}

#[test]
fn full_disk_gives_507_and_keeps_every_share() {
    if !is_root() {
        println!("SKIPPED full_disk_gives_507_and_keeps_every_share: mounting a tmpfs needs root (id -u is not 0)");
        return;
    }
    let web_dir = tempfile::tempdir().expect("temp dir");
    let mount_point = tempfile::tempdir().expect("temp dir");
    // Declared before the server, so dropped after it: the server is dead when unmounting.
    let _mount = mount_tmpfs(mount_point.path());
    let data_dir = mount_point.path();
    // Outside `blobs/`: the server never looks at it.
    let spare_path = data_dir.join("spare-space-of-the-test");
    std::fs::write(&spare_path, vec![0u8; SPARE_BYTES]).expect("write the spare file");
    let args = ["--quota-bytes", QUOTA_BYTES, "--create-per-minute", "0", "--reads-per-minute", "0"];
    let running = start(web_dir.path(), data_dir, &args, Stdio::null());
    let mut client = Client::new(&running.addr);

    let mut stored: Vec<(String, String, [u8; 32])> = Vec::new();
    let full = loop {
        assert!(stored.len() < MAX_UPLOADS, "{MAX_UPLOADS} uploads of {UPLOAD_BYTES} B fit in a {TMPFS_SIZE} tmpfs?");
        let body = payload(stored.len() as u64, UPLOAD_BYTES);
        let response = client.request("POST", "/api/shares", &[], &body).expect("upload answered");
        match response.status {
            201 => {
                let (id, token, _) = receipt(&response.body);
                stored.push((id, token, sha256(&body)));
            }
            _ => break response,
        }
    };
    println!("disk full: {} uploads of {UPLOAD_BYTES} B fitted, then {}", stored.len(), full.status);
    assert_eq!(full.status, 507, "the first upload that does not fit: {}", full.text());
    assert_eq!(full.error_code().as_deref(), Some("storage_full"));
    assert!(stored.len() >= 4, "only {} uploads fitted before the disk was full", stored.len());
    // Still full, still clean: a bigger upload fails the same way.
    let bigger = client.request("POST", "/api/shares", &[], &payload(999, 4 * UPLOAD_BYTES)).expect("answered");
    assert_eq!((bigger.status, bigger.error_code().as_deref()), (507, Some("storage_full")), "{}", bigger.text());

    // Nothing half-visible: exactly the stored shares as files and rows, no temp file,
    // and the failed uploads' bytes were given back.
    let mut ids: Vec<String> = stored.iter().map(|(id, _, _)| id.clone()).collect();
    ids.sort();
    assert_eq!(blob_names(data_dir), ids, "only complete shares on disk, no temporary files");
    assert_eq!(share_rows(data_dir), (ids.clone(), Vec::new()), "only complete shares have rows");
    assert_eq!(metric(&mut client, "share_server_stored_bytes"), (stored.len() * UPLOAD_BYTES) as u64);
    assert_eq!(metric(&mut client, "share_server_rejections_total{reason=\"storage_full\"}"), 2);

    for (id, _, checksum) in &stored {
        let response = client.request("GET", &format!("/api/shares/{id}"), &[], &[]).expect("read");
        assert_eq!(response.status, 200, "{}", response.text());
        assert!(sha256(&response.body) == *checksum, "share {id} changed when the disk filled up");
    }

    // With no byte left, a delete may find no room for SQLite's log: then it is a 507
    // and the share stays intact; or it fits, and the share is deleted.
    let (id, token, checksum) = stored.remove(0);
    let authorization = format!("Authorization: Bearer {token}");
    let delete_path = format!("/api/shares/{id}");
    let free_when_full_bytes = free_bytes(data_dir);
    let on_full_disk = client.request("DELETE", &delete_path, &[&authorization], &[]).expect("delete");
    println!("disk full: delete with no space left answered {}", on_full_disk.status);
    match on_full_disk.status {
        204 => {}
        507 => {
            assert_eq!(on_full_disk.error_code().as_deref(), Some("storage_full"));
            let read = client.request("GET", &delete_path, &[], &[]).expect("read");
            assert!(read.status == 200 && sha256(&read.body) == checksum, "a failed delete changes nothing");
        }
        status => panic!("delete on a full disk answered {status}: {}", on_full_disk.text()),
    }

    // Some space back (the operator's part), and the share's bytes freed by the delete:
    // an upload bigger than the spare file and what was left fits only thanks to the delete.
    std::fs::remove_file(&spare_path).expect("remove the spare file");
    if on_full_disk.status == 507 {
        let deleted = client.request("DELETE", &delete_path, &[&authorization], &[]).expect("delete");
        assert_eq!(deleted.status, 204, "{}", deleted.text());
    }
    let free_without_delete_bytes = usize::try_from(free_when_full_bytes).expect("small") + SPARE_BYTES;
    let body = payload(1000, free_without_delete_bytes + UPLOAD_BYTES / 2);
    let response = client.request("POST", "/api/shares", &[], &body).expect("upload answered");
    assert_eq!(
        response.status,
        201,
        "{} B free without the delete; this upload of {} B only fits in what it freed: {}",
        free_without_delete_bytes,
        body.len(),
        response.text()
    );
    let (new_id, _, _) = receipt(&response.body);
    let read = client.request("GET", &format!("/api/shares/{new_id}"), &[], &[]).expect("read");
    assert!(read.status == 200 && read.body == body, "the new share reads back");
    for (id, _, checksum) in &stored {
        let read = client.request("GET", &format!("/api/shares/{id}"), &[], &[]).expect("read");
        assert!(read.status == 200 && sha256(&read.body) == *checksum, "share {id} intact at the end");
    }
    drop(running);
}
