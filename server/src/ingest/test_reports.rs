//! The test-report kind: JUnit XML, TRX, NUnit and xUnit.net, parsed by
//! `shared::report` and stored as test results.
//!
//! Parsing runs on a blocking thread and streams batches of test cases
//! through a bounded channel to the task writing them, so a 200 MB report
//! never sits in memory. Counts come from the parser and are added to the
//! job and the run once per request, in [`Kind::roll_up`].

use super::clusters::Failed;
use super::spool::Spooled;
use super::{Kind, Stored};
use crate::db::ingest::{self as store, BATCH, Prepared};
use crate::db::uploads::{Figures, Target, UploadRow};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use shared::Counts;
use shared::analytics::digest::{self, Outcome};
use shared::model::{IngestedFile, UploadKind};
use shared::report::{self, FormatChoice, ParseOutcome, ReportFormat, Stop, TestCase, retries};

/// Longest text kept in one field of one test result. Longer output is cut
/// (with a marker and a warning on the upload) rather than refused.
pub const MAX_FIELD_BYTES: usize = 4 * 1024 * 1024;

/// Test reports, in the format given or detected per file.
pub struct TestReports {
    pub format: FormatChoice,
}

#[async_trait::async_trait]
impl Kind for TestReports {
    const KIND: UploadKind = UploadKind::TestReport;
    type Answer = IngestedFile;
    type Ready = ();

    fn nothing_sent(&self) -> ApiError {
        ApiError::BadRequest("no report file in the request (send them as multipart/form-data file fields)".into())
    }

    fn check(&self, _files: &[Spooled]) -> ApiResult<()> {
        Ok(())
    }

    async fn prepare(&self, _file: &Spooled) -> ApiResult<()> {
        Ok(())
    }

    async fn store(
        &self,
        tx: &mut Tx,
        target: Target,
        upload_id: i64,
        file: &Spooled,
        (): (),
    ) -> ApiResult<Stored<IngestedFile>> {
        let (outcome, outcomes, failed) = parse_into(tx, target, upload_id, file, self.format).await?;
        super::clusters::observe(tx, target, upload_id, failed, &outcomes).await?;
        db::analytics::insert_digest(tx, target.job_id, upload_id, &digest::encode_normalised(&outcomes)).await?;
        super::flaky::observe(tx, target, &outcomes).await?;
        let mut c = outcome.counts;
        c.quarantined = super::quarantine::apply(tx, target, &outcomes).await?;
        Ok(Stored {
            answer: figures(upload_id, &file.filename, outcome.format, &c, false, outcome.warnings.clone()),
            format: outcome.format.as_str().to_owned(),
            figures: Figures { counts: Some(c), ..Figures::default() },
            audit: format!(
                "{} tests: {} passed, {} failed, {} errors, {} skipped{}, {}",
                c.total,
                c.passed,
                c.failed,
                c.errors,
                c.skipped,
                if c.quarantined > 0 { format!(" ({} failures quarantined)", c.quarantined) } else { String::new() },
                outcome.format
            ),
            warnings: outcome.warnings,
        })
    }

    async fn answer_for(&self, _tx: &mut Tx, upload: &UploadRow) -> ApiResult<IngestedFile> {
        let format: ReportFormat = upload
            .format
            .parse()
            .map_err(|e| ApiError::internal(format!("upload {}: stored format: {e}", upload.id)))?;
        let counts = upload
            .summary
            .0
            .counts
            .ok_or_else(|| ApiError::internal(format!("upload {} has no stored counts", upload.id)))?;
        Ok(figures(upload.id, &upload.filename, format, &counts, true, upload.warnings.0.clone()))
    }

    async fn roll_up(&self, tx: &mut Tx, target: Target, new: &[&Stored<IngestedFile>]) -> ApiResult<()> {
        let mut added = Counts::default();
        for s in new {
            if let Some(c) = &s.figures.counts {
                added.add(c);
            }
        }
        db::jobs::add_counts(tx, target.job_id, &added).await?;
        db::runs::add_counts(tx, target.run_id, &added).await?;
        db::runs::refresh_status(tx, target.run_id).await?;
        Ok(())
    }
}

fn figures(
    upload_id: i64,
    filename: &str,
    format: ReportFormat,
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
        quarantined: c.quarantined,
        duplicate,
        warnings,
    }
}

/// Parses one spooled file into the transaction; answers with its
/// outcomes, one per test, sorted by key (see `shared::analytics::digest`). On a parse error
/// nothing is committed (the caller's transaction is dropped and rolls
/// back).
async fn parse_into(
    tx: &mut Tx,
    target: Target,
    upload_id: i64,
    file: &Spooled,
    format: FormatChoice,
) -> ApiResult<(ParseOutcome, Vec<Outcome>, Vec<Failed>)> {
    let (send, mut recv) = tokio::sync::mpsc::channel::<Result<Prepared, sqlx::Error>>(4);
    let path = file.path.to_path_buf();
    let backend = tx.backend();
    let since = std::sync::Arc::new(db::analytics::failing_since(tx, target).await?);
    let since_in_parser = since.clone();
    type Parsed = (ParseOutcome, usize, Vec<Outcome>, Vec<Failed>);
    let parser = tokio::task::spawn_blocking(move || -> Result<Parsed, report::ParseError> {
        let input =
            std::fs::File::open(&path).map_err(|e| report::ParseError::new(format!("cannot read the upload: {e}")))?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut truncated = 0usize;
        let mut outcomes = Vec::new();
        let mut failed = Vec::new();
        let flush = |batch: Vec<TestCase>| {
            send.blocking_send(store::prepare(backend, batch, &since_in_parser)).map_err(|_| Stop)
        };
        let result = report::parse(input, format, |mut case| {
            truncated += usize::from(truncate_fields(&mut case));
            outcomes.push(outcome_of(&case));
            if case.status.is_bad() && failed.len() < super::clusters::MAX_PER_UPLOAD {
                failed.extend(Failed::of(&case));
            }
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
                Ok((outcome, truncated, outcomes, failed))
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
    let (mut outcome, truncated, mut outcomes, failed) = parsed.map_err(|e| {
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
    let mut merged_outcomes = std::collections::HashMap::new();
    for group in &outcome.retry_groups {
        let attempts = store::attempts(tx, target.job_id, upload_id, group.key).await?;
        if attempts.len() < 2 {
            continue;
        }
        let ids: Vec<i64> = attempts.iter().map(|(id, _)| *id).collect();
        let merged = retries::merge_attempts(attempts.into_iter().map(|(_, c)| c).collect());
        store::replace_attempts(tx, ids[0], &merged, &ids[1..], &since).await?;
        merged_outcomes.insert(group.key, outcome_of(&merged));
    }
    // The attempts of a rerun are one test whose outcome is the merged one
    // (passed on retry is a flaky pass, not a failure).
    if !merged_outcomes.is_empty() {
        outcomes.retain(|o| !merged_outcomes.contains_key(&o.key));
        outcomes.extend(merged_outcomes.into_values());
    }
    let outcomes = tokio::task::spawn_blocking(move || digest::normalise(outcomes))
        .await
        .map_err(|e| ApiError::internal(format!("digest task failed: {e}")))?;
    Ok((outcome, outcomes, failed))
}

fn outcome_of(case: &TestCase) -> Outcome {
    Outcome { key: case.key(), status: case.status, flaky: case.flaky, duration_s: case.duration_s.map(|d| d as f32) }
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
