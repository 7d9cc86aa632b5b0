//! Ingesting test reports: every file of a request is parsed and stored in
//! one transaction, so a request stores all its files or nothing.
//!
//! Parsing runs on a blocking thread and streams batches of test cases
//! through a bounded channel to the task writing them, so a 200 MB report
//! never sits in memory. Counts come from the parser and are added to the
//! upload, the job and the run once, here.

pub mod spool;

use crate::db::audit::{self, Actor, Entry};
use crate::db::ingest::{self as store, BATCH, Prepared, Target};
use crate::db::{self, Db, Tx};
use crate::error::{ApiError, ApiResult};
use shared::Counts;
use shared::model::{IngestSummary, IngestedFile};
use shared::report::{self, FormatChoice, ParseOutcome, Stop, TestCase, retries};
use spool::Spooled;
use std::collections::HashMap;

/// Longest text kept in one field of one test result. Longer output is cut
/// (with a marker and a warning on the upload) rather than refused.
pub const MAX_FIELD_BYTES: usize = 4 * 1024 * 1024;

/// Stores the files of one request for `target`; `label` names the run
/// and job in the audit log.
pub async fn ingest(
    db: &Db,
    actor: &Actor,
    target: Target,
    label: &str,
    files: Vec<Spooled>,
    format: FormatChoice,
) -> ApiResult<IngestSummary> {
    if files.is_empty() {
        return Err(ApiError::BadRequest(
            "no report file in the request (send them as multipart/form-data file fields)".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let mut out: Vec<IngestedFile> = Vec::with_capacity(files.len());
    let mut added = Counts::default();
    let mut new_uploads = 0;
    let mut in_this_request: HashMap<String, usize> = HashMap::new();
    for file in &files {
        if let Some(&earlier) = in_this_request.get(&file.sha256) {
            let mut again: IngestedFile = out[earlier].clone();
            again.filename = file.filename.clone();
            again.duplicate = true;
            out.push(again);
            continue;
        }
        if let Some(existing) = store::find_upload(&mut tx, target.job_id, &file.sha256).await? {
            let c: Counts = existing.counts.into();
            in_this_request.insert(file.sha256.clone(), out.len());
            out.push(figures(existing.id, &file.filename, existing.format(), &c, true, existing.warnings()));
            continue;
        }
        let (outcome, upload_id) = store_one(&mut tx, target, file, format).await?;
        let c = &outcome.counts;
        let entry = Entry {
            project_id: Some(target.project_id),
            action: "upload.create",
            target: format!("{label}: {}", file.filename),
            detail: Some(format!(
                "{} tests: {} passed, {} failed, {} errors, {} skipped ({}, sha256 {})",
                c.total, c.passed, c.failed, c.errors, c.skipped, outcome.format, file.sha256
            )),
        };
        audit::record(&mut tx, actor, entry).await?;
        added.add(&outcome.counts);
        new_uploads += 1;
        in_this_request.insert(file.sha256.clone(), out.len());
        out.push(figures(upload_id, &file.filename, outcome.format, &outcome.counts, false, outcome.warnings));
    }
    if new_uploads > 0 {
        db::jobs::add_counts(&mut tx, target.job_id, &added, new_uploads).await?;
        db::runs::add_counts(&mut tx, target.run_id, &added).await?;
        db::runs::refresh_status(&mut tx, target.run_id).await?;
    }
    tx.commit().await?;
    if new_uploads > 0 {
        db.checkpoint_if_large().await;
    }
    Ok(IngestSummary::from_files(out))
}

fn figures(
    upload_id: i64,
    filename: &str,
    format: report::ReportFormat,
    c: &Counts,
    duplicate: bool,
    warnings: Vec<String>,
) -> IngestedFile {
    IngestedFile {
        upload_id,
        filename: filename.to_owned(),
        format,
        total: c.total,
        passed: c.passed,
        failed: c.failed,
        errors: c.errors,
        skipped: c.skipped,
        flaky: c.flaky,
        duplicate,
        warnings,
    }
}

/// Parses one spooled file into the transaction. On a parse error nothing
/// is committed (the caller's transaction is dropped and rolls back).
async fn store_one(
    tx: &mut Tx,
    target: Target,
    file: &Spooled,
    format: FormatChoice,
) -> ApiResult<(ParseOutcome, i64)> {
    let placeholder = match format {
        FormatChoice::Exactly(f) => f,
        FormatChoice::Auto => report::ReportFormat::Junit,
    };
    let upload_id =
        store::insert_upload(tx, target, &file.filename, placeholder, &file.sha256, file.size as i64).await?;
    let (send, mut recv) = tokio::sync::mpsc::channel::<Result<Prepared, sqlx::Error>>(4);
    let path = file.path.to_path_buf();
    let backend = tx.backend();
    let parser = tokio::task::spawn_blocking(move || -> Result<(ParseOutcome, usize), report::ParseError> {
        let input =
            std::fs::File::open(&path).map_err(|e| report::ParseError::new(format!("cannot read the upload: {e}")))?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut truncated = 0usize;
        let flush = |batch: Vec<TestCase>| send.blocking_send(store::prepare(backend, batch)).map_err(|_| Stop);
        let result = report::parse(input, format, |mut case| {
            truncated += usize::from(truncate_fields(&mut case));
            batch.push(case);
            if batch.len() == BATCH {
                flush(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
            }
            Ok(())
        });
        match result {
            Ok(outcome) => {
                if !batch.is_empty() {
                    flush(batch).map_err(|_| report::ParseError::new("ingest stopped"))?;
                }
                Ok((outcome, truncated))
            }
            Err(err) => Err(match std::fs::File::open(&path) {
                Ok(again) => err.locate(again),
                Err(_) => err,
            }),
        }
    });
    let mut write_error = None;
    let mut sql_cache = None;
    while let Some(prepared) = recv.recv().await {
        let result = match prepared {
            Ok(batch) => store::insert_prepared(tx, target, upload_id, batch, &mut sql_cache).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            write_error = Some(e);
            break;
        }
    }
    drop(recv);
    if sql_cache.is_some() && write_error.is_none() {
        store::release_statements(tx).await?;
    }
    let parsed = parser.await.map_err(|e| ApiError::internal(format!("parser task failed: {e}")))?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    let (mut outcome, truncated) = parsed.map_err(|e| {
        if e.io {
            ApiError::internal(format!("{}: {}", file.filename, e.message))
        } else {
            ApiError::Parse { file: file.filename.clone(), detail: e.to_string(), line: e.line, column: e.column }
        }
    })?;
    if truncated > 0 {
        outcome.warnings.push(format!(
            "{truncated} test results had output longer than {} MiB; it was cut to that length",
            MAX_FIELD_BYTES / (1024 * 1024)
        ));
    }
    for group in &outcome.retry_groups {
        let attempts = store::attempts(tx, target.project_id, upload_id, group.key).await?;
        if attempts.len() < 2 {
            continue;
        }
        let ids: Vec<i64> = attempts.iter().map(|(id, _)| *id).collect();
        let merged = retries::merge_attempts(attempts.into_iter().map(|(_, c)| c).collect());
        store::replace_attempts(tx, ids[0], &merged, &ids[1..]).await?;
    }
    store::finish_upload(tx, upload_id, outcome.format, &outcome.counts, &outcome.warnings).await?;
    Ok((outcome, upload_id))
}

/// Cuts over-long text fields; true if anything was cut.
fn truncate_fields(case: &mut TestCase) -> bool {
    let mut cut = false;
    for field in [&mut case.message, &mut case.details, &mut case.stdout, &mut case.stderr] {
        if let Some(text) = field
            && text.len() > MAX_FIELD_BYTES
        {
            let mut end = MAX_FIELD_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let dropped = text.len() - end;
            text.truncate(end);
            text.push_str(&format!("\n… [{dropped} more bytes cut by Assay]"));
            cut = true;
        }
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fields_are_cut_on_a_char_boundary() {
        let mut case = TestCase { stdout: Some("é".repeat(MAX_FIELD_BYTES)), ..TestCase::default() };
        assert!(truncate_fields(&mut case));
        let out = case.stdout.unwrap();
        assert!(out.len() < MAX_FIELD_BYTES + 100);
        assert!(out.ends_with("cut by Assay]"));
        let mut short = TestCase { stdout: Some("ok".into()), ..TestCase::default() };
        assert!(!truncate_fields(&mut short));
    }
}
