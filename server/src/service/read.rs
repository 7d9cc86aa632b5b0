//! Read models.

use super::access::Access;
use crate::db::rows::{JobRow, ProjectRow, RunRow};
use crate::db::{self, Db, results};
use crate::error::{ApiError, ApiResult};
use shared::model::{
    JobDetail, Page, Project, RunDetail, RunQuery, RunSummary, TestPage, TestResultQuery, TestResultRow, page_bounds,
};
use shared::{Counts, TestStatus};

/// How many earlier results of a test its page shows.
pub const HISTORY_LIMIT: i64 = 30;

/// A project by slug, whoever asks (permission checks work on it).
pub async fn project(db: &Db, slug: &str) -> ApiResult<ProjectRow> {
    db::projects::by_slug(db, slug).await?.ok_or_else(|| ApiError::not_found(format!("project '{slug}'")))
}

/// A project the caller may read.
pub async fn readable(db: &Db, access: &Access, slug: &str) -> ApiResult<ProjectRow> {
    let p = project(db, slug).await?;
    access.require_read(db, &p).await?;
    Ok(p)
}

/// How a path names a run or job: the REST API takes a name (or key) or a
/// numeric id, names first; the UI links by id only, so that any name
/// (even one that looks like a number, or holds a '/') has a stable URL.
#[derive(Debug, Clone, Copy)]
pub enum Ident<'a> {
    NameOrId(&'a str),
    Id(i64),
}

impl<'a> From<&'a str> for Ident<'a> {
    fn from(s: &'a str) -> Self {
        Ident::NameOrId(s)
    }
}

impl<'a> From<&'a String> for Ident<'a> {
    fn from(s: &'a String) -> Self {
        Ident::NameOrId(s)
    }
}

impl From<i64> for Ident<'_> {
    fn from(id: i64) -> Self {
        Ident::Id(id)
    }
}

impl std::fmt::Display for Ident<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ident::NameOrId(s) => f.write_str(s),
            Ident::Id(id) => write!(f, "#{id}"),
        }
    }
}

pub async fn run_row<'a>(db: &Db, project: &ProjectRow, run: impl Into<Ident<'a>>) -> ApiResult<RunRow> {
    let run = run.into();
    let found = match run {
        Ident::NameOrId(s) => db::runs::find(db, project.id, s).await?,
        Ident::Id(id) => db::runs::by_id(db, project.id, id).await?,
    };
    found.ok_or_else(|| ApiError::not_found(format!("run '{run}' in project '{}'", project.slug)))
}

pub async fn job_row<'a>(db: &Db, run: &RunRow, job: impl Into<Ident<'a>>) -> ApiResult<JobRow> {
    let job = job.into();
    let found = match job {
        Ident::NameOrId(s) => db::jobs::find(db, run.id, s).await?,
        Ident::Id(id) => db::jobs::by_id(db, id).await?.filter(|j| j.run_id == run.id),
    };
    found.ok_or_else(|| ApiError::not_found(format!("job '{job}' in run '{}'", run.name)))
}

/// Project, run and job from the names (or ids) in a path, if the caller
/// may read the project.
pub async fn job_path<'a>(
    db: &Db,
    access: &Access,
    project: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
) -> ApiResult<(ProjectRow, RunRow, JobRow)> {
    let p = readable(db, access, project).await?;
    let r = run_row(db, &p, run).await?;
    let j = job_row(db, &r, job).await?;
    Ok((p, r, j))
}

/// The projects the caller may read.
pub async fn projects(db: &Db, access: &Access) -> ApiResult<Vec<Project>> {
    let mut out = Vec::new();
    for (p, count, latest) in db::projects::list(db).await? {
        if !access.can_read(db, &p).await? {
            continue;
        }
        let slug = p.slug.clone();
        out.push(p.into_json(count, latest.map(|r| r.into_json(&slug))));
    }
    if out.is_empty() && !access.settings.anonymous_read && access.user().is_none() {
        return Err(ApiError::Unauthorized("sign in (or use an API token) to read projects".into()));
    }
    Ok(out)
}

pub async fn project_json(db: &Db, access: &Access, slug: &str) -> ApiResult<Project> {
    let p = readable(db, access, slug).await?;
    let (rows, count) = db::runs::list(db, p.id, None, 1, 0).await?;
    let latest = rows.into_iter().next().map(|r| r.into_json(&p.slug));
    Ok(p.into_json(count, latest))
}

pub async fn runs(db: &Db, access: &Access, slug: &str, query: &RunQuery) -> ApiResult<Page<RunSummary>> {
    let p = readable(db, access, slug).await?;
    let (limit, offset) = page_bounds(query.limit, query.offset);
    let branch = query.branch.as_deref().map(str::trim).filter(|b| !b.is_empty());
    let (rows, total) = db::runs::list(db, p.id, branch, limit, offset).await?;
    Ok(Page { items: rows.into_iter().map(|r| r.into_json(&p.slug)).collect(), total, limit, offset })
}

pub async fn branches(db: &Db, access: &Access, slug: &str) -> ApiResult<Vec<String>> {
    let p = readable(db, access, slug).await?;
    Ok(db::runs::branches(db, p.id).await?)
}

pub async fn run<'a>(db: &Db, access: &Access, slug: &str, run: impl Into<Ident<'a>>) -> ApiResult<RunDetail> {
    let p = readable(db, access, slug).await?;
    let r = run_row(db, &p, run).await?;
    let jobs = db::jobs::list(db, r.id).await?;
    let previous_run_id = super::analytics::previous_run(db, &r).await?;
    Ok(RunDetail {
        run: r.into_json(&p.slug),
        jobs: jobs.into_iter().map(JobRow::into_json).collect(),
        previous_run_id,
    })
}

pub async fn job<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
) -> ApiResult<JobDetail> {
    let (p, r, j) = job_path(db, access, slug, run, job).await?;
    let uploads = db::uploads::list(db, j.id).await?;
    let artifacts = super::artifacts::for_job(db, &p, j.id).await?;
    let previous_perf_job = if j.perf_metrics > 0 { db::perf::previous_job(db, &j).await? } else { None };
    let linked_artifacts = match db::perftracker::uuid_of(db, j.id).await? {
        Some(uuid) => crate::doors::perftracker::linked_artifacts(db, &uuid).await?,
        None => Vec::new(),
    };
    let treeherder = db::treeherder::info(db, j.id).await?.map(|t| t.view());
    let logs = super::logs::job_logs(db, &p.slug, r.id, j.id).await?;
    Ok(JobDetail {
        logs,
        previous_perf_job,
        linked_artifacts,
        treeherder,
        run: r.into_json(&p.slug),
        job: j.into_json(),
        uploads: uploads.into_iter().map(|u| u.into_json()).collect(),
        artifacts,
    })
}

pub async fn job_counts<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
) -> ApiResult<Counts> {
    let (_, _, j) = job_path(db, access, slug, run, job).await?;
    Ok(j.counts.into())
}

/// `status` and `order` words of a test-result query, checked.
pub fn parse_result_query(q: &TestResultQuery) -> ApiResult<(results::Filter, results::Order)> {
    let filter = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => results::Filter::All,
        Some("flaky") => results::Filter::Flaky,
        Some(s) => results::Filter::Status(s.parse::<TestStatus>().map_err(|_| {
            ApiError::BadRequest(format!(
                "unknown status '{s}' (expected one of: all, failed, error, skipped, passed, flaky)"
            ))
        })?),
    };
    let order = match q.order.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("status") => results::Order::Status,
        Some("name") => results::Order::Name,
        Some("duration") => results::Order::Duration,
        Some(o) => {
            return Err(ApiError::BadRequest(format!("unknown order '{o}' (expected one of: status, name, duration)")));
        }
    };
    Ok((filter, order))
}

pub async fn test_results<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    query: &TestResultQuery,
) -> ApiResult<Page<TestResultRow>> {
    let (filter, order) = parse_result_query(query)?;
    let (_, _, j) = job_path(db, access, slug, run, job).await?;
    let (limit, offset) = page_bounds(query.limit, query.offset);
    let counts: Counts = j.counts.into();
    let known_total = match filter {
        results::Filter::All => Some(counts.total),
        results::Filter::Status(s) => Some(counts.of(s)),
        results::Filter::Flaky => Some(counts.flaky),
    };
    let list = results::ListQuery { filter, q: query.q.as_deref(), order, limit, offset, known_total };
    let (rows, total) = results::list(db, j.id, list).await?;
    let names = results::since_names(db, &rows.iter().collect::<Vec<_>>()).await?;
    let keys: Vec<i64> = rows.iter().map(|r| r.test_key).collect();
    let flaky: std::collections::HashMap<i64, String> =
        db::flaky::marks(db, j.project_id, &j.key, &keys).await?.into_iter().collect();
    let bad_keys: Vec<i64> = rows.iter().filter(|r| r.status.is_bad()).map(|r| r.test_key).collect();
    let quarantined: std::collections::HashSet<i64> = if j.counts.quarantined > 0 {
        db::quarantine::job_marks(db, j.id, &bad_keys).await?.into_iter().collect()
    } else {
        Default::default()
    };
    let clusters: std::collections::HashMap<i64, shared::analytics::wire::Cluster> =
        db::clusters::job_marks(db, j.id, &bad_keys).await?.into_iter().map(|(k, c)| (k, c.into_json())).collect();
    let items = rows
        .into_iter()
        .map(|r| {
            let rule = flaky.get(&r.test_key).and_then(|s| shared::analytics::flaky::Rule::parse(s));
            let quarantined = r.status.is_bad() && quarantined.contains(&r.test_key);
            let cluster = if r.status.is_bad() { clusters.get(&r.test_key).cloned() } else { None };
            TestResultRow { flaky_test: rule, quarantined, cluster, ..r.into_json(&names) }
        })
        .collect();
    Ok(Page { items, total, limit, offset })
}

/// Project, run, job and one of the job's results from a path, if the
/// caller may read the project.
pub async fn result_path<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    id: i64,
) -> ApiResult<(ProjectRow, RunRow, JobRow, results::ResultDetailRow)> {
    let (p, r, j) = job_path(db, access, slug, run, job).await?;
    let row = results::get(db, j.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("test result {id} in job '{}'", j.key)))?;
    Ok((p, r, j, row))
}

pub async fn test_page<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    id: i64,
) -> ApiResult<TestPage> {
    let (p, r, j, row) = result_path(db, access, slug, run, job, id).await?;
    let history = results::history(db, p.id, row.row.test_key, r.branch.as_deref(), HISTORY_LIMIT).await?;
    let artifacts = super::artifacts::for_result(db, &p, id).await?;
    let names = results::since_names(db, &[&row.row]).await?;
    let quarantine = super::quarantine::for_test(db, p.id, row.row.test_key).await?;
    let marked = row.row.status.is_bad()
        && j.counts.quarantined > 0
        && !db::quarantine::job_marks(db, j.id, &[row.row.test_key]).await?.is_empty();
    let can_quarantine = access.abilities(db, &p).await?.upload;
    let cluster = if row.row.status.is_bad() {
        db::clusters::job_marks(db, j.id, &[row.row.test_key]).await?.into_iter().next().map(|(_, c)| c.into_json())
    } else {
        None
    };
    let mut result = row.into_json(&names);
    result.row.quarantined = marked;
    result.row.cluster = cluster;
    Ok(TestPage {
        run: r.into_json(&p.slug),
        job: j.into_json(),
        result,
        history: history.into_iter().map(|h| h.into_json()).collect(),
        artifacts,
        quarantine,
        can_quarantine,
    })
}
