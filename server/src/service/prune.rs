//! Pruning: expired artifacts, blob rows nothing refers to, and objects in
//! the store that no row names (left by a request that failed after its
//! blob was written). Run by `serve` every hour and by `assay prune`.
//!
//! Objects are only removed once older than the grace period, so a blob
//! written by a request still in flight (whose row is not committed yet)
//! is never taken; the age is checked again right before each delete.

use super::artifacts::remove_in;
use crate::blobs::Blobs;
use crate::db::audit::{self, Actor, Entry};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use chrono::Duration;
use futures_util::StreamExt;

/// What pruning removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub expired_artifacts: u64,
    pub unreferenced_blobs: u64,
    pub orphan_objects: u64,
    pub bytes: u64,
}

/// Default grace period for objects without a row.
pub fn default_grace() -> Duration {
    Duration::hours(1)
}

pub async fn prune(db: &Db, blobs: &Blobs, grace: Duration) -> ApiResult<Pruned> {
    let mut out = Pruned::default();
    let now = db::now();
    // 1. Expired artifacts, with their uploads.
    loop {
        let expired = db::artifacts::expired(db, now, 500).await?;
        if expired.is_empty() {
            break;
        }
        let mut tx = db.begin_write().await?;
        for row in &expired {
            remove_in(&mut tx, row).await?;
            let entry = Entry {
                project_id: Some(row.project_id),
                action: "artifact.expire",
                target: row.name.clone(),
                detail: Some(format!("{} bytes, expired at {}", row.size_bytes, row.expires_at.unwrap_or(now))),
            };
            audit::record(&mut tx, &Actor::system(), entry).await?;
        }
        tx.commit().await?;
        out.expired_artifacts += expired.len() as u64;
    }
    // PerfTracker's artifacts past their ttl: their content goes, the row
    // stays (as deleted), as PerfTracker keeps it.
    let expired = db::perftracker::expire_artifacts(db, now).await?;
    out.expired_artifacts += expired;
    // 2. Blob rows nothing refers to: row first, then its object.
    let before = now - grace;
    loop {
        let unreferenced = db::blobs::unreferenced(db, before, 500).await?;
        if unreferenced.is_empty() {
            break;
        }
        let mut progressed = false;
        for (sha, size) in unreferenced {
            let mut tx = db.begin_write().await?;
            match db::blobs::delete_if_unreferenced(&mut tx, &sha).await {
                Ok(true) => {}
                Ok(false) => continue,
                // A reference committed meanwhile: the foreign key keeps the row.
                Err(e) if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) => continue,
                Err(e) => return Err(e.into()),
            }
            tx.commit().await?;
            blobs.delete(&sha).await.map_err(|e| ApiError::internal(format!("deleting blob {sha}: {e}")))?;
            out.unreferenced_blobs += 1;
            out.bytes += size as u64;
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    // 3. Objects without a row, once past the grace period.
    let mut listing = blobs.list();
    let mut batch = Vec::new();
    loop {
        let next = listing.next().await;
        let done = next.is_none();
        if let Some(item) = next {
            let listed = item.map_err(|e| ApiError::internal(format!("listing the object store: {e}")))?;
            if listed.last_modified < before {
                batch.push(listed);
            }
        }
        if batch.len() >= 500 || (done && !batch.is_empty()) {
            let shas: Vec<String> = batch.iter().map(|l| l.sha256.clone()).collect();
            let known = db::blobs::known(db, &shas).await?;
            for l in batch.drain(..) {
                if known.contains(&l.sha256) {
                    continue;
                }
                // Written again since it was listed (an upload of the same
                // content in flight): leave it.
                let fresh = blobs
                    .last_modified(&l.sha256)
                    .await
                    .map_err(|e| ApiError::internal(format!("object store: {e}")))?;
                if fresh.is_none_or(|t| t >= before) {
                    continue;
                }
                blobs.delete(&l.sha256).await.map_err(|e| ApiError::internal(format!("deleting {}: {e}", l.sha256)))?;
                out.orphan_objects += 1;
                out.bytes += l.size;
            }
        }
        if done {
            break;
        }
    }
    Ok(out)
}
