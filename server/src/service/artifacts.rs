//! Artifacts: reading them back (metadata, downloads, pages of lines,
//! searches) and deleting them. Uploads go through the ingest pipeline
//! ([`crate::ingest::artifacts`]).

use super::access::Access;
use super::read::{self, Ident};
use crate::blobs::{BlobError, Blobs, Read};
use crate::db::artifacts::{self as rows, ArtifactRow};
use crate::db::audit::{self, Entry};
use crate::db::rows::ProjectRow;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use crate::ingest::lines::LineIndex;
use shared::accounts::Role;
use shared::model::{Artifact, ArtifactLines, ArtifactSearch, ArtifactTest, LineMatch};
use std::collections::HashMap;

/// Most lines in one page of the log viewer.
pub const MAX_PAGE_LINES: i64 = 2000;
/// Most bytes read for one page; a longer line is cut.
pub const MAX_PAGE_BYTES: u64 = 2 * 1024 * 1024;
/// Bytes one search request reads before it stops and says where to go on.
pub const SEARCH_BYTES: u64 = 256 * 1024 * 1024;
/// Matches one search request returns at most.
pub const SEARCH_MATCHES: usize = 200;
/// Longest line a match shows.
const MATCH_CHARS: usize = 400;

/// An artifact the caller may read, with its project.
pub async fn readable(db: &Db, access: &Access, id: i64) -> ApiResult<(ProjectRow, ArtifactRow)> {
    let row = rows::by_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("artifact {id}")))?;
    let project = db::projects::by_id(db, row.project_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("artifact {id} belongs to no project")))?;
    access.require_read(db, &project).await?;
    Ok((project, row))
}

pub async fn get(db: &Db, access: &Access, id: i64) -> ApiResult<Artifact> {
    let (project, row) = readable(db, access, id).await?;
    let tests = rows::tests(db, id).await?;
    Ok(row.into_json(&project.slug, tests))
}

/// A job's artifacts, oldest first.
pub async fn for_job(db: &Db, project: &ProjectRow, job_id: i64) -> ApiResult<Vec<Artifact>> {
    let mut tests: HashMap<i64, Vec<ArtifactTest>> = HashMap::new();
    for (artifact, test) in rows::tests_for_job(db, job_id).await? {
        tests.entry(artifact).or_default().push(test);
    }
    Ok(rows::for_job(db, job_id)
        .await?
        .into_iter()
        .map(|r| {
            let t = tests.remove(&r.id).unwrap_or_default();
            r.into_json(&project.slug, t)
        })
        .collect())
}

/// The artifacts linked to one test result.
pub async fn for_result(db: &Db, project: &ProjectRow, result_id: i64) -> ApiResult<Vec<Artifact>> {
    let mut out = Vec::new();
    for row in rows::for_result(db, result_id).await? {
        let tests = rows::tests(db, row.id).await?;
        out.push(row.into_json(&project.slug, tests));
    }
    Ok(out)
}

pub async fn list<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
) -> ApiResult<Vec<Artifact>> {
    let (p, _, j) = read::job_path(db, access, slug, run, job).await?;
    for_job(db, &p, j.id).await
}

/// Deletes an artifact (project admins). Its blob goes once nothing else
/// refers to it, at the next pruning.
pub async fn delete(db: &Db, access: &Access, id: i64) -> ApiResult<()> {
    let (project, row) = readable(db, access, id).await?;
    access.require(db, &project, Role::Admin).await?;
    let mut tx = db.begin_write().await?;
    remove_in(&mut tx, &row).await?;
    let entry = Entry {
        project_id: Some(project.id),
        action: "artifact.delete",
        target: row.name.clone(),
        detail: Some(format!("{} bytes, sha256 {}", row.size_bytes, row.sha256)),
    };
    audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an artifact with its upload, and takes it off the job's
/// roll-ups.
pub async fn remove_in(tx: &mut db::Tx, row: &ArtifactRow) -> ApiResult<()> {
    db::uploads::delete(tx, row.upload_id).await?;
    db::jobs::add_uploads(tx, row.job_id, -1).await?;
    db::jobs::add_artifacts(tx, row.job_id, -1, -row.size_bytes).await?;
    Ok(())
}

fn blob_error(row: &ArtifactRow, e: BlobError) -> ApiError {
    match e {
        BlobError::NotFound(_) => ApiError::internal(format!(
            "artifact {} ({}): its blob {} is missing from the object store",
            row.id, row.name, row.sha256
        )),
        BlobError::Range => ApiError::RangeNotSatisfiable { size: row.size_bytes as u64 },
        other => ApiError::internal(format!("artifact {}: {other}", row.id)),
    }
}

async fn text_artifact(db: &Db, access: &Access, id: i64) -> ApiResult<(ArtifactRow, LineIndex)> {
    let (_, row) = readable(db, access, id).await?;
    if !row.is_text {
        return Err(ApiError::Conflict(format!(
            "artifact {id} ({}, {}) is not text: download it instead",
            row.name, row.content_type
        )));
    }
    let checkpoints: Vec<(i64, u64)> = match rows::line_index(db, id).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| ApiError::internal(format!("artifact {id}: stored line index: {e}")))?,
        None => vec![(1, 0)],
    };
    let index = LineIndex { lines: row.line_count.unwrap_or(0), checkpoints };
    Ok((row, index))
}

/// Lines `from` to `from + count - 1` of a text artifact, read from the
/// nearest checkpoint with one range read: a page of a 500 MB log never
/// reads the whole file.
pub async fn lines(
    db: &Db,
    blobs: &Blobs,
    access: &Access,
    id: i64,
    from: i64,
    count: i64,
) -> ApiResult<ArtifactLines> {
    let (row, index) = text_artifact(db, access, id).await?;
    let count = count.clamp(1, MAX_PAGE_LINES);
    let from = from.max(1);
    if from > index.lines.max(1) {
        return Err(ApiError::BadRequest(format!(
            "line {from} is past the end: {} has {} lines",
            row.name, index.lines
        )));
    }
    let (at_line, offset) = index.before(from);
    let end = (offset + MAX_PAGE_BYTES).min(row.size_bytes as u64);
    let bytes = blobs.read_range(&row.sha256, offset..end).await.map_err(|e| blob_error(&row, e))?;
    let reached_end = end == row.size_bytes as u64;
    let mut out = Vec::new();
    let mut cut = false;
    let mut line = at_line;
    let mut rest: &[u8] = &bytes;
    while !rest.is_empty() && (out.len() as i64) < count {
        let (text, next, complete) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], reached_end),
        };
        if line >= from {
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            let mut s = String::from_utf8_lossy(text).into_owned();
            if !complete {
                // The page's byte budget ended inside this line.
                s.push_str(" … [line cut: download the file for the rest]");
                cut = true;
            }
            out.push(s);
        }
        if !complete {
            break;
        }
        rest = next;
        line += 1;
    }
    let last = from + out.len() as i64 - 1;
    let errors = db::log_parses::artifact_error_lines(db, row.id, from, last).await?;
    Ok(ArtifactLines { first_line: from, lines: out, line_count: index.lines, cut, errors })
}

/// Lines of a text artifact containing `query` (case-insensitive), from
/// line `from` on. One request reads at most [`SEARCH_BYTES`] and returns
/// at most [`SEARCH_MATCHES`]; `next_from` says where to go on.
pub async fn search(
    db: &Db,
    blobs: &Blobs,
    access: &Access,
    id: i64,
    query: &str,
    from: i64,
) -> ApiResult<ArtifactSearch> {
    use futures_util::StreamExt;
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Err(ApiError::BadRequest("give something to search for (q=)".into()));
    }
    if needle.len() > 1000 {
        return Err(ApiError::BadRequest("the search is longer than 1000 characters".into()));
    }
    let (row, index) = text_artifact(db, access, id).await?;
    let from = from.max(1);
    let (mut line, offset) = index.before(from);
    let size = row.size_bytes as u64;
    let end = (offset + SEARCH_BYTES).min(size);
    let Read { mut stream, .. } = blobs.get(&row.sha256, Some(offset..end)).await.map_err(|e| blob_error(&row, e))?;
    let mut matches = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut consumed = offset;
    let check = |line: i64, text: &[u8], matches: &mut Vec<LineMatch>| {
        if line < from {
            return;
        }
        let text = String::from_utf8_lossy(text.strip_suffix(b"\r").unwrap_or(text));
        if text.to_lowercase().contains(&needle) {
            let shown: String = text.chars().take(MATCH_CHARS).collect();
            matches.push(LineMatch { line, text: shown });
        }
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| blob_error(&row, e))?;
        consumed += chunk.len() as u64;
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(i) = memchr::memchr(b'\n', &pending[start..]) {
            check(line, &pending[start..start + i], &mut matches);
            line += 1;
            start += i + 1;
            if matches.len() >= SEARCH_MATCHES {
                return Ok(ArtifactSearch { query: query.to_owned(), matches, next_from: Some(line) });
            }
        }
        pending.drain(..start);
        // A line longer than a page is searched in what fits of it.
        if pending.len() as u64 > MAX_PAGE_BYTES {
            pending.truncate(MAX_PAGE_BYTES as usize);
        }
    }
    let at_end = consumed >= size;
    if at_end && !pending.is_empty() {
        check(line, &pending, &mut matches);
        line += 1;
    }
    let next_from = (!at_end).then_some(line);
    Ok(ArtifactSearch { query: query.to_owned(), matches, next_from })
}

/// A download about to be sent: what to send, and how to describe it.
pub struct Download {
    pub row: ArtifactRow,
    /// `None` when the client's copy is current (a 304).
    pub body: Option<Read>,
    /// A range was asked for (a 206).
    pub partial: bool,
}

/// Opens an artifact for download, honouring `Range` (one range) and
/// `If-None-Match`.
pub async fn download(
    db: &Db,
    blobs: &Blobs,
    access: &Access,
    id: i64,
    range: Option<&str>,
    if_none_match: Option<&str>,
) -> ApiResult<Download> {
    let (_, row) = readable(db, access, id).await?;
    let etag = etag(&row.sha256);
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
        return Ok(Download { row, body: None, partial: false });
    }
    let size = row.size_bytes as u64;
    let wanted = match range {
        Some(r) => Some(parse_range(r, size).ok_or(ApiError::RangeNotSatisfiable { size })?),
        None => None,
    };
    let partial = wanted.is_some();
    let body = blobs.get(&row.sha256, wanted).await.map_err(|e| blob_error(&row, e))?;
    Ok(Download { row, body: Some(body), partial })
}

/// The entity tag of a blob: its SHA-256, which names its content.
pub fn etag(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

/// One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) of a file of
/// `size` bytes, end exclusive; `None` if it cannot be satisfied or is not
/// one range.
pub fn parse_range(header: &str, size: u64) -> Option<std::ops::Range<u64>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.is_empty(), b.is_empty()) {
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            size.saturating_sub(n)..size
        }
        (false, true) => a.parse().ok()?..size,
        (false, false) => {
            let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
            if b < a {
                return None;
            }
            a..(b + 1).min(size)
        }
        (true, true) => return None,
    };
    (range.start < size && !range.is_empty()).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(0..10));
        assert_eq!(parse_range("bytes=90-", 100), Some(90..100));
        assert_eq!(parse_range("bytes=-10", 100), Some(90..100));
        assert_eq!(parse_range("bytes=95-200", 100), Some(95..100));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
        assert_eq!(parse_range("bytes=-0", 100), None);
    }
}
