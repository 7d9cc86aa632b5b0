//! Writes of a test-report ingest: the test results of an upload, in the
//! caller's transaction. Bulk inserts differ by backend: multi-row `VALUES` on
//! SQLite, `UNNEST` of column arrays on PostgreSQL (one statement, one
//! round trip and one cached plan per batch, whatever its size).

use super::Tx;
use super::results::{RESULT_DETAIL_COLUMNS, ResultDetailRow};
use super::uploads::Target;
use crate::on_tx;
use shared::model::Property;
use shared::report::TestCase;

/// Rows per batch from the parser. SQLite allows 32766 parameters per
/// statement: 18 bound columns × 1800 rows stays under it, and amortises
/// the per-statement cost.
pub const BATCH: usize = 1800;

fn properties_json(p: &[Property]) -> Option<String> {
    (!p.is_empty()).then(|| serde_json::to_string(p).unwrap_or_default())
}

const RESULT_INSERT_COLUMNS: &str = "upload_id, job_id, run_id, project_id, test_key, suite, classname, name, status, \
    flaky, retries, duration_s, message, failure_type, details, stdout, stderr, properties, file, line, summary, failing_since";

/// A batch of test results made ready for one backend's bulk insert.
///
/// Preparing (moving every value into the driver's argument list) is pure
/// CPU work; it runs on the parser's thread, so that the database thread
/// only executes and the two overlap.
pub enum Prepared {
    Sqlite { rows: usize, args: sqlx::sqlite::SqliteArguments<'static> },
    Postgres(Box<PgColumns>),
}

/// Column arrays for PostgreSQL's `UNNEST`.
#[derive(Default)]
pub struct PgColumns {
    key: Vec<i64>,
    suite: Vec<String>,
    classname: Vec<String>,
    name: Vec<String>,
    status: Vec<i16>,
    flaky: Vec<bool>,
    retries: Vec<i64>,
    duration_s: Vec<Option<f64>>,
    message: Vec<Option<String>>,
    failure_type: Vec<Option<String>>,
    details: Vec<Option<String>>,
    stdout: Vec<Option<String>>,
    stderr: Vec<Option<String>>,
    properties: Vec<Option<String>>,
    file: Vec<Option<String>>,
    line: Vec<Option<i64>>,
    summary: Vec<Option<String>>,
    failing_since: Vec<Option<i64>>,
}

/// Which backend a batch is prepared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Since which run each failure of an upload has been failing: the
/// previous job's failures (test key → their run), and this run for the
/// others (a new failure). Written with the row, never updated after.
#[derive(Debug, Clone, Default)]
pub struct FailingSince {
    pub run_id: i64,
    pub previous: std::collections::HashMap<i64, i64>,
}

impl FailingSince {
    pub fn of(&self, key: i64, c: &TestCase) -> Option<i64> {
        c.status.is_bad().then(|| self.previous.get(&key).copied().unwrap_or(self.run_id))
    }
}

/// Moves a batch's values into the backend's bind arguments.
pub fn prepare(backend: Backend, cases: Vec<TestCase>, since: &FailingSince) -> Result<Prepared, sqlx::Error> {
    use sqlx::Arguments;
    match backend {
        Backend::Sqlite => {
            let rows = cases.len();
            let mut args = sqlx::sqlite::SqliteArguments::default();
            args.reserve(rows * SQLITE_BOUND_COLUMNS, 0);
            let err = |e| sqlx::Error::Encode(e);
            for c in cases {
                let key = c.key();
                let properties = properties_json(&c.properties);
                let summary = failure_summary(&c);
                let failing_since = since.of(key, &c);
                args.add(key).map_err(err)?;
                args.add(c.suite).map_err(err)?;
                args.add(c.classname).map_err(err)?;
                args.add(c.name).map_err(err)?;
                args.add(c.status.code()).map_err(err)?;
                args.add(c.flaky).map_err(err)?;
                args.add(i64::from(c.retries)).map_err(err)?;
                args.add(c.duration_s).map_err(err)?;
                args.add(c.message).map_err(err)?;
                args.add(c.failure_type).map_err(err)?;
                args.add(c.details).map_err(err)?;
                args.add(c.stdout).map_err(err)?;
                args.add(c.stderr).map_err(err)?;
                args.add(properties).map_err(err)?;
                args.add(c.file).map_err(err)?;
                args.add(c.line).map_err(err)?;
                args.add(summary).map_err(err)?;
                args.add(failing_since).map_err(err)?;
            }
            Ok(Prepared::Sqlite { rows, args })
        }
        Backend::Postgres => {
            let mut p = PgColumns::default();
            for c in cases {
                let key = c.key();
                p.key.push(key);
                p.properties.push(properties_json(&c.properties));
                p.summary.push(failure_summary(&c));
                p.failing_since.push(since.of(key, &c));
                p.suite.push(c.suite);
                p.classname.push(c.classname);
                p.name.push(c.name);
                p.status.push(c.status.code());
                p.flaky.push(c.flaky);
                p.retries.push(i64::from(c.retries));
                p.duration_s.push(c.duration_s);
                p.message.push(c.message);
                p.failure_type.push(c.failure_type);
                p.details.push(c.details);
                p.stdout.push(c.stdout);
                p.stderr.push(c.stderr);
                p.file.push(c.file);
                p.line.push(c.line);
            }
            Ok(Prepared::Postgres(Box::new(p)))
        }
    }
}

const SQLITE_BOUND_COLUMNS: usize = 18;

/// The short failure summary kept with a failed (or flaky) test.
pub fn failure_summary(c: &TestCase) -> Option<String> {
    (c.status.is_bad() || c.flaky)
        .then(|| shared::analytics::summary::summarize(c.message.as_deref(), c.details.as_deref()))
        .flatten()
}

/// `INSERT … VALUES (…), …` for `rows` rows. The upload's ids are the same
/// on every row: written into the statement as literals (integers we hold,
/// never user text), they save four bindings per row on the hot path.
fn sqlite_insert_sql(t: Target, upload_id: i64, rows: usize) -> String {
    let mut sql = format!("INSERT INTO test_results ({RESULT_INSERT_COLUMNS}) VALUES ");
    let head = format!("({upload_id}, {}, {}, {}", t.job_id, t.run_id, t.project_id);
    let tail = ", ?".repeat(SQLITE_BOUND_COLUMNS);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&head);
        sql.push_str(&tail);
        sql.push(')');
    }
    sql
}

/// Inserts prepared batches; `sql_cache` keeps the statement text per row
/// count for this upload (every full batch has the same).
pub async fn insert_prepared(
    tx: &mut Tx,
    t: Target,
    upload_id: i64,
    batch: Prepared,
    sql_cache: &mut Option<(usize, String)>,
) -> Result<(), sqlx::Error> {
    match (tx, batch) {
        (Tx::Sqlite(conn), Prepared::Sqlite { rows, args }) => {
            if rows == 0 {
                return Ok(());
            }
            if sql_cache.as_ref().is_none_or(|(n, _)| *n != rows) {
                *sql_cache = Some((rows, sqlite_insert_sql(t, upload_id, rows)));
            }
            let sql = &sql_cache.as_ref().expect("just set").1;
            sqlx::query_with(sql, args).persistent(true).execute(&mut **conn).await?;
        }
        (Tx::Postgres(conn), Prepared::Postgres(p)) => {
            if p.key.is_empty() {
                return Ok(());
            }
            let sql = format!(
                "INSERT INTO test_results ({RESULT_INSERT_COLUMNS}) \
                 SELECT $1, $2, $3, $4, * FROM UNNEST($5::bigint[], $6::text[], $7::text[], $8::text[], $9::smallint[], \
                 $10::boolean[], $11::bigint[], $12::float8[], $13::text[], $14::text[], $15::text[], $16::text[], \
                 $17::text[], $18::text[], $19::text[], $20::bigint[], $21::text[], $22::bigint[])"
            );
            let p = *p;
            sqlx::query(&sql)
                .bind(upload_id)
                .bind(t.job_id)
                .bind(t.run_id)
                .bind(t.project_id)
                .bind(p.key)
                .bind(p.suite)
                .bind(p.classname)
                .bind(p.name)
                .bind(p.status)
                .bind(p.flaky)
                .bind(p.retries)
                .bind(p.duration_s)
                .bind(p.message)
                .bind(p.failure_type)
                .bind(p.details)
                .bind(p.stdout)
                .bind(p.stderr)
                .bind(p.properties)
                .bind(p.file)
                .bind(p.line)
                .bind(p.summary)
                .bind(p.failing_since)
                .execute(&mut **conn)
                .await?;
        }
        _ => {
            return Err(sqlx::Error::Protocol("batch prepared for the other backend".into()));
        }
    }
    Ok(())
}

/// Frees the statements `insert_prepared` cached for an upload. On SQLite
/// they hold that upload's ids as literals, so no later upload can reuse
/// them, and a prepared 2,000-row insert is megabytes: left in the
/// connection's cache they would pile up to a gigabyte over many uploads.
pub async fn release_statements(tx: &mut Tx) -> Result<(), sqlx::Error> {
    match tx {
        Tx::Sqlite(conn) => sqlx::Connection::clear_cached_statements(&mut **conn).await,
        Tx::Postgres(_) => Ok(()),
    }
}

/// The stored attempts of one test in an upload, oldest first.
pub async fn attempts(tx: &mut Tx, job_id: i64, upload_id: i64, key: i64) -> Result<Vec<(i64, TestCase)>, sqlx::Error> {
    let sql = format!(
        "SELECT {RESULT_DETAIL_COLUMNS} FROM test_results \
         WHERE job_id = $1 AND test_key = $2 AND upload_id = $3 ORDER BY id"
    );
    let rows: Vec<ResultDetailRow> = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(job_id)
        .bind(key)
        .bind(upload_id)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            let retries = u32::try_from(r.row.retries).map_err(|_| {
                super::decode_error("test_results.retries", format!("{} is out of range", r.row.retries))
            })?;
            Ok((
                r.row.id,
                TestCase {
                    suite: r.row.suite,
                    classname: r.row.classname,
                    name: r.row.name,
                    status: r.row.status,
                    duration_s: r.row.duration_s,
                    message: r.row.message,
                    failure_type: r.row.failure_type,
                    details: r.details,
                    stdout: r.stdout,
                    stderr: r.stderr,
                    properties: r.properties.0,
                    file: r.file,
                    line: r.line,
                    retries,
                    flaky: r.row.flaky,
                },
            ))
        })
        .collect()
}

/// Stores `merged` in row `keep` and deletes the other attempts.
pub async fn replace_attempts(
    tx: &mut Tx,
    keep: i64,
    merged: &TestCase,
    remove: &[i64],
    since: &FailingSince,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE test_results SET status = $1, flaky = $2, retries = $3, duration_s = $4, message = $5, \
         failure_type = $6, details = $7, stdout = $8, stderr = $9, summary = $10, failing_since = $11 WHERE id = $12",
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
    .bind(failure_summary(merged))
    .bind(since.of(merged.key(), merged))
    .bind(keep)
    .execute(&mut *c)
    .await.map(|_| ()))?;
    for id in remove {
        on_tx!(tx, c => sqlx::query("DELETE FROM test_results WHERE id = $1").bind(id).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}
