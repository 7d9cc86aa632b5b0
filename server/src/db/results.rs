//! Reading test results: a job's table, one result, a test's history.

use super::Db;
use super::rows::JsonText;
use crate::on_db;
use chrono::{DateTime, Utc};
use shared::TestStatus;
use shared::model::{FailingSince, Property, TestHistoryEntry, TestResultDetail, TestResultRow};
use std::collections::HashMap;

/// The list columns of a test result; the message is cut to what a table
/// row shows.
pub const RESULT_ROW_COLUMNS: &str = "id, suite, classname, name, status, flaky, retries, duration_s, \
    substr(message, 1, 400) AS message, failure_type, summary, failing_since, run_id, test_key";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    #[sqlx(try_from = "i16")]
    pub status: TestStatus,
    pub flaky: bool,
    pub retries: i64,
    pub duration_s: Option<f64>,
    pub message: Option<String>,
    pub failure_type: Option<String>,
    pub summary: Option<String>,
    pub failing_since: Option<i64>,
    pub run_id: i64,
    pub test_key: i64,
}

/// Names of the runs failures have been failing since, by id.
pub type RunNames = HashMap<i64, String>;

impl ResultRow {
    pub fn into_json(self, names: &RunNames) -> TestResultRow {
        let failing_since = self.failing_since.filter(|_| self.status.is_bad()).map(|id| FailingSince {
            new: id == self.run_id,
            run_id: id,
            run: names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
        });
        TestResultRow {
            id: self.id,
            suite: self.suite,
            classname: self.classname,
            name: self.name,
            status: self.status,
            flaky: self.flaky,
            retries: self.retries,
            duration_s: self.duration_s,
            message: self.message,
            failure_type: self.failure_type,
            summary: self.summary,
            failing_since,
            flaky_test: None,
            quarantined: false,
            cluster: None,
        }
    }
}

/// The names of the runs these rows' failures have been failing since.
pub async fn since_names(db: &Db, rows: &[&ResultRow]) -> Result<RunNames, sqlx::Error> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.failing_since).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(super::analytics::run_names(db, &ids).await?.into_iter().collect())
}

pub const RESULT_DETAIL_COLUMNS: &str = "id, suite, classname, name, status, flaky, retries, duration_s, message, \
    failure_type, summary, failing_since, test_key, details, stdout, stderr, properties, file, line, upload_id, job_id, \
    run_id, project_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultDetailRow {
    #[sqlx(flatten)]
    pub row: ResultRow,
    pub details: Option<String>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    #[sqlx(try_from = "Option<String>")]
    pub properties: JsonText<Vec<Property>>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub upload_id: i64,
    pub job_id: i64,
    pub project_id: i64,
}

impl ResultDetailRow {
    pub fn into_json(self, names: &RunNames) -> TestResultDetail {
        let run_id = self.row.run_id;
        TestResultDetail {
            row: self.row.into_json(names),
            details: self.details,
            stdout: self.stdout,
            stderr: self.stderr,
            properties: self.properties.0,
            file: self.file,
            line: self.line,
            upload_id: self.upload_id,
            job_id: self.job_id,
            run_id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub result_id: i64,
    pub run_id: i64,
    pub run_name: String,
    pub revision: Option<String>,
    pub job_id: i64,
    pub job_key: String,
    pub job_name: String,
    #[sqlx(try_from = "i16")]
    pub status: TestStatus,
    pub flaky: bool,
    pub duration_s: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl HistoryRow {
    pub fn into_json(self) -> TestHistoryEntry {
        TestHistoryEntry {
            result_id: self.result_id,
            run_id: self.run_id,
            run_name: self.run_name,
            revision: self.revision,
            job_id: self.job_id,
            job_key: self.job_key,
            job_name: self.job_name,
            status: self.status,
            flaky: self.flaky,
            duration_s: self.duration_s,
            created_at: self.created_at,
        }
    }
}

/// Which results of a job to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Status(TestStatus),
    Flaky,
}

/// In which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Failed first, then in report order.
    Status,
    Name,
    /// Slowest first.
    Duration,
}

impl Order {
    fn sql(self) -> &'static str {
        match self {
            Order::Status => "status, id", // (see `list`: new failures first)
            Order::Name => "suite, classname, name, id",
            Order::Duration => "duration_s DESC NULLS LAST, id",
        }
    }
}

/// `%text%` for LIKE, with the user's `%`, `_` and `\` taken literally.
fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for ch in q.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// What to list of a job's results.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    pub filter: Filter,
    pub q: Option<&'a str>,
    pub order: Order,
    pub limit: i64,
    pub offset: i64,
    /// The count when it is already known from the stored roll-ups; used
    /// unless there is a search.
    pub known_total: Option<i64>,
}

/// One page of a job's results, and how many match.
pub async fn list(db: &Db, job_id: i64, query: ListQuery<'_>) -> Result<(Vec<ResultRow>, i64), sqlx::Error> {
    let ListQuery { filter, q, order, limit, offset, known_total } = query;
    let q = q.map(str::trim).filter(|q| !q.is_empty()).map(like_pattern);
    // Parameters are numbered as they are added: $1 is the job.
    let mut n = 1;
    let mut conds = String::from("job_id = $1");
    match filter {
        Filter::All => {}
        Filter::Status(_) => {
            n += 1;
            conds.push_str(&format!(" AND status = ${n}"));
        }
        Filter::Flaky => {
            n += 1;
            conds.push_str(&format!(" AND flaky = ${n}"));
        }
    }
    if q.is_some() {
        n += 1;
        conds.push_str(&format!(
            " AND (LOWER(name) LIKE ${n} ESCAPE '\\' OR LOWER(classname) LIKE ${n} ESCAPE '\\' OR LOWER(suite) LIKE ${n} ESCAPE '\\')"
        ));
    }
    let (lim_p, off_p) = (n + 1, n + 2);
    let count_sql = format!("SELECT COUNT(*) FROM test_results WHERE {conds}");
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query.bind(job_id);
            match filter {
                Filter::All => {}
                Filter::Status(s) => query = query.bind(s.code()),
                Filter::Flaky => query = query.bind(true),
            }
            if let Some(q) = &q {
                query = query.bind(q.clone());
            }
            query
        }};
    }
    let page = |extra: &str, order: &str| {
        format!(
            "SELECT {RESULT_ROW_COLUMNS} FROM test_results WHERE {conds}{extra} ORDER BY {order} LIMIT ${lim_p} OFFSET ${off_p}"
        )
    };
    let rows: Vec<ResultRow> = if order == Order::Status {
        // Failures first, new ones (failing since this run) before known
        // ones, then the rest by status: two index ranges of the job, so
        // the sort covers the failures only, never the whole job.
        let bad = format!(" AND status IN ({}, {})", TestStatus::Failed.code(), TestStatus::Error.code());
        let rest = format!(" AND status > {}", TestStatus::Error.code());
        let bad_count_sql = format!("SELECT COUNT(*) FROM test_results WHERE {conds}{bad}");
        let bad_count: i64 =
            on_db!(db, p => bind_filters!(sqlx::query_scalar::<_, i64>(&bad_count_sql)).fetch_one(p).await)?;
        let mut rows: Vec<ResultRow> = Vec::new();
        if offset < bad_count {
            let sql = page(&bad, "CASE WHEN failing_since = run_id THEN 0 ELSE 1 END, status, id");
            rows = on_db!(db, p => bind_filters!(sqlx::query_as(&sql)).bind(limit).bind(offset).fetch_all(p).await)?;
        }
        let wanted = limit - rows.len() as i64;
        if wanted > 0 {
            let sql = page(&rest, "status, id");
            let skip = (offset - bad_count).max(0);
            let more: Vec<ResultRow> =
                on_db!(db, p => bind_filters!(sqlx::query_as(&sql)).bind(wanted).bind(skip).fetch_all(p).await)?;
            rows.extend(more);
        }
        rows
    } else {
        let sql = page("", order.sql());
        on_db!(db, p => bind_filters!(sqlx::query_as(&sql)).bind(limit).bind(offset).fetch_all(p).await)?
    };
    let total = match known_total {
        Some(t) if q.is_none() => t,
        _ => on_db!(db, p => bind_filters!(sqlx::query_scalar::<_, i64>(&count_sql)).fetch_one(p).await)?,
    };
    Ok((rows, total))
}

pub async fn get(db: &Db, job_id: i64, id: i64) -> Result<Option<ResultDetailRow>, sqlx::Error> {
    let sql = format!("SELECT {RESULT_DETAIL_COLUMNS} FROM test_results WHERE job_id = $1 AND id = $2");
    on_db!(db, p => sqlx::query_as(&sql).bind(job_id).bind(id).fetch_optional(p).await)
}

/// How far back a test's history looks: its results in this many of the
/// project's newest runs on the branch.
pub const HISTORY_RUNS: i64 = 1000;

/// The test's results in the project's newest runs on `branch` (or on no
/// branch), newest first.
///
/// Results are found per job, through the `(job_id, test_key)` index: runs
/// newest first, their jobs, and in each the test, stopping once `limit`
/// are found. (An index by test across all runs would make every upload
/// write one index page per test, at random; per job, an upload's index
/// entries are appended together.)
pub async fn history(
    db: &Db,
    project_id: i64,
    test_key: i64,
    branch: Option<&str>,
    limit: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let branch_cond = if branch.is_some() { "branch = $3" } else { "branch IS NULL" };
    let (window_p, limit_p) = if branch.is_some() { ("$4", "$5") } else { ("$3", "$4") };
    let sql = format!(
        "SELECT tr.id AS result_id, tr.run_id, r.name AS run_name, r.revision, tr.job_id, j.key AS job_key, \
         j.name AS job_name, tr.status, tr.flaky, tr.duration_s, r.created_at \
         FROM runs r JOIN jobs j ON j.run_id = r.id \
         JOIN test_results tr ON tr.job_id = j.id AND tr.test_key = $2 \
         WHERE r.project_id = $1 AND r.{branch_cond} \
         AND r.id >= COALESCE((SELECT MIN(id) FROM (SELECT id FROM runs WHERE project_id = $1 AND {branch_cond} \
                               ORDER BY id DESC LIMIT {window_p}) AS recent), 0) \
         ORDER BY r.id DESC, tr.id DESC LIMIT {limit_p}"
    );
    on_db!(db, p => {
        let mut query = sqlx::query_as(&sql).bind(project_id).bind(test_key);
        if let Some(b) = branch {
            query = query.bind(b);
        }
        query.bind(HISTORY_RUNS).bind(limit).fetch_all(p).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("Foo_bar%"), "%foo\\_bar\\%%");
    }
}
