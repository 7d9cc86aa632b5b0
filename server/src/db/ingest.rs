//! Writes of an ingest: uploads and their test results, in the caller's
//! transaction. Bulk inserts differ by backend: multi-row `VALUES` on
//! SQLite, `UNNEST` of column arrays on PostgreSQL (one statement, one
//! round trip and one cached plan per batch, whatever its size).

use super::Tx;
use super::rows::{RESULT_DETAIL_COLUMNS, ResultDetailRow, UPLOAD_COLUMNS, UploadRow};
use crate::on_tx;
use shared::Counts;
use shared::report::{ReportFormat, TestCase};
use shared::{TestStatus, model::Property};

/// Where an upload's rows belong.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub project_id: i64,
    pub run_id: i64,
    pub job_id: i64,
}

/// SQLite allows 32766 parameters per statement; 20 columns × 1000 rows
/// stays well under it and amortises the per-statement cost.
pub const BATCH: usize = 1000;

pub async fn find_upload(
    tx: &mut Tx,
    job_id: i64,
    sha256: &str,
) -> Result<Option<UploadRow>, sqlx::Error> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE job_id = $1 AND sha256 = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(job_id).bind(sha256).fetch_optional(&mut *c).await)
}

pub async fn insert_upload(
    tx: &mut Tx,
    t: Target,
    filename: &str,
    format: ReportFormat,
    sha256: &str,
    size: i64,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO uploads (job_id, run_id, project_id, filename, format, sha256, size_bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.job_id)
    .bind(t.run_id)
    .bind(t.project_id)
    .bind(filename)
    .bind(format.as_str())
    .bind(sha256)
    .bind(size)
    .bind(super::now())
    .fetch_one(&mut *c)
    .await)
}

pub async fn finish_upload(
    tx: &mut Tx,
    upload_id: i64,
    format: ReportFormat,
    c: &Counts,
    warnings: &[String],
) -> Result<(), sqlx::Error> {
    let warnings = serde_json::to_string(warnings).unwrap_or_else(|_| "[]".into());
    on_tx!(tx, conn => sqlx::query(
        "UPDATE uploads SET format = $1, total = $2, passed = $3, failed = $4, errors = $5, skipped = $6, \
         flaky = $7, duration_s = $8, warnings = $9 WHERE id = $10",
    )
    .bind(format.as_str())
    .bind(c.total)
    .bind(c.passed)
    .bind(c.failed)
    .bind(c.errors)
    .bind(c.skipped)
    .bind(c.flaky)
    .bind(c.duration_s)
    .bind(warnings)
    .bind(upload_id)
    .execute(&mut *conn)
    .await.map(|_| ()))?;
    Ok(())
}

fn properties_json(p: &[Property]) -> Option<String> {
    (!p.is_empty()).then(|| serde_json::to_string(p).unwrap_or_default())
}

const RESULT_INSERT_COLUMNS: &str = "upload_id, job_id, run_id, project_id, test_key, suite, classname, name, status, \
    flaky, retries, duration_s, message, failure_type, details, stdout, stderr, properties, file, line";

pub async fn insert_results(
    tx: &mut Tx,
    t: Target,
    upload_id: i64,
    cases: &[TestCase],
) -> Result<(), sqlx::Error> {
    if cases.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Sqlite(conn) => {
            for chunk in cases.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                    "INSERT INTO test_results ({RESULT_INSERT_COLUMNS}) "
                ));
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(upload_id)
                        .push_bind(t.job_id)
                        .push_bind(t.run_id)
                        .push_bind(t.project_id)
                        .push_bind(c.key())
                        .push_bind(c.suite.as_str())
                        .push_bind(c.classname.as_str())
                        .push_bind(c.name.as_str())
                        .push_bind(c.status.code())
                        .push_bind(c.flaky)
                        .push_bind(i64::from(c.retries))
                        .push_bind(c.duration_s)
                        .push_bind(c.message.as_deref())
                        .push_bind(c.failure_type.as_deref())
                        .push_bind(c.details.as_deref())
                        .push_bind(c.stdout.as_deref())
                        .push_bind(c.stderr.as_deref())
                        .push_bind(properties_json(&c.properties))
                        .push_bind(c.file.as_deref())
                        .push_bind(c.line);
                });
                qb.build().persistent(true).execute(&mut **conn).await?;
            }
        }
        Tx::Postgres(conn) => {
            let sql = format!(
                "INSERT INTO test_results ({RESULT_INSERT_COLUMNS}) \
                 SELECT $1, $2, $3, $4, * FROM UNNEST($5::bigint[], $6::text[], $7::text[], $8::text[], $9::smallint[], \
                 $10::boolean[], $11::bigint[], $12::float8[], $13::text[], $14::text[], $15::text[], $16::text[], \
                 $17::text[], $18::text[], $19::text[], $20::bigint[])"
            );
            for chunk in cases.chunks(BATCH * 4) {
                let col = |f: &dyn Fn(&TestCase) -> Option<String>| {
                    chunk.iter().map(f).collect::<Vec<_>>()
                };
                sqlx::query(&sql)
                    .bind(upload_id)
                    .bind(t.job_id)
                    .bind(t.run_id)
                    .bind(t.project_id)
                    .bind(chunk.iter().map(TestCase::key).collect::<Vec<i64>>())
                    .bind(
                        chunk
                            .iter()
                            .map(|c| c.suite.clone())
                            .collect::<Vec<String>>(),
                    )
                    .bind(
                        chunk
                            .iter()
                            .map(|c| c.classname.clone())
                            .collect::<Vec<String>>(),
                    )
                    .bind(
                        chunk
                            .iter()
                            .map(|c| c.name.clone())
                            .collect::<Vec<String>>(),
                    )
                    .bind(chunk.iter().map(|c| c.status.code()).collect::<Vec<i16>>())
                    .bind(chunk.iter().map(|c| c.flaky).collect::<Vec<bool>>())
                    .bind(
                        chunk
                            .iter()
                            .map(|c| i64::from(c.retries))
                            .collect::<Vec<i64>>(),
                    )
                    .bind(
                        chunk
                            .iter()
                            .map(|c| c.duration_s)
                            .collect::<Vec<Option<f64>>>(),
                    )
                    .bind(col(&|c| c.message.clone()))
                    .bind(col(&|c| c.failure_type.clone()))
                    .bind(col(&|c| c.details.clone()))
                    .bind(col(&|c| c.stdout.clone()))
                    .bind(col(&|c| c.stderr.clone()))
                    .bind(col(&|c| properties_json(&c.properties)))
                    .bind(col(&|c| c.file.clone()))
                    .bind(chunk.iter().map(|c| c.line).collect::<Vec<Option<i64>>>())
                    .execute(&mut **conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The stored attempts of one test in an upload, oldest first.
pub async fn attempts(
    tx: &mut Tx,
    upload_id: i64,
    key: i64,
) -> Result<Vec<(i64, TestCase)>, sqlx::Error> {
    let sql = format!(
        "SELECT {RESULT_DETAIL_COLUMNS} FROM test_results WHERE upload_id = $1 AND test_key = $2 ORDER BY id"
    );
    let rows: Vec<ResultDetailRow> =
        on_tx!(tx, c => sqlx::query_as(&sql).bind(upload_id).bind(key).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let props = r
                .properties
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default();
            (
                r.row.id,
                TestCase {
                    suite: r.row.suite,
                    classname: r.row.classname,
                    name: r.row.name,
                    status: TestStatus::from_code(r.row.status).unwrap_or(TestStatus::Error),
                    duration_s: r.row.duration_s,
                    message: r.row.message,
                    failure_type: r.row.failure_type,
                    details: r.details,
                    stdout: r.stdout,
                    stderr: r.stderr,
                    properties: props,
                    file: r.file,
                    line: r.line,
                    retries: u32::try_from(r.row.retries).unwrap_or(0),
                    flaky: r.row.flaky,
                },
            )
        })
        .collect())
}

/// Stores `merged` in row `keep` and deletes the other attempts.
pub async fn replace_attempts(
    tx: &mut Tx,
    keep: i64,
    merged: &TestCase,
    remove: &[i64],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE test_results SET status = $1, flaky = $2, retries = $3, duration_s = $4, message = $5, \
         failure_type = $6, details = $7, stdout = $8, stderr = $9 WHERE id = $10",
    )
    .bind(merged.status.code())
    .bind(merged.flaky)
    .bind(i64::from(merged.retries))
    .bind(merged.duration_s)
    .bind(merged.message.as_deref())
    .bind(merged.failure_type.as_deref())
    .bind(merged.details.as_deref())
    .bind(merged.stdout.as_deref())
    .bind(merged.stderr.as_deref())
    .bind(keep)
    .execute(&mut *c)
    .await.map(|_| ()))?;
    for id in remove {
        on_tx!(tx, c => sqlx::query("DELETE FROM test_results WHERE id = $1").bind(id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}
