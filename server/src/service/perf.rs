//! Performance reads: job comparisons, series and their points.

use super::access::Access;
use crate::db::perf::{self as store, SeriesRow};
use crate::db::rows::{JobRow, ProjectRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::perf::compare::{self, CompareJob, Comparison, Measurement, View};
use shared::perf::pack;
use shared::perf::regressions::{self, Regression, TaggedJob};
use shared::perf::{SeriesPoint, SeriesPoints, SeriesSummary};
use std::collections::HashMap;

/// Most jobs one comparison takes.
pub const MAX_COMPARE_JOBS: usize = shared::perf::regressions::MAX_COMPARED;
/// Most points one request for a series returns.
pub const MAX_POINTS: i64 = 50_000;
/// Most series one listing returns.
pub const MAX_SERIES: i64 = 1_000;

/// `"12,15"` → job ids, each once, in order.
pub fn parse_job_ids(list: &str) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: i64 = part.parse().map_err(|_| {
            ApiError::BadRequest(format!("jobs: '{part}' is not a job id (give ids separated by commas)"))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() < 2 {
        return Err(ApiError::BadRequest("jobs: give at least two job ids to compare, e.g. ?jobs=12,15".into()));
    }
    if ids.len() > MAX_COMPARE_JOBS {
        return Err(ApiError::BadRequest(format!("jobs: at most {MAX_COMPARE_JOBS} jobs can be compared at once")));
    }
    Ok(ids)
}

/// A job the caller may read, with its project.
pub(crate) async fn readable_job(
    db: &Db,
    access: &Access,
    projects: &mut HashMap<i64, ProjectRow>,
    id: i64,
) -> ApiResult<(ProjectRow, JobRow)> {
    let job = db::jobs::by_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("job #{id}")))?;
    let project = match projects.get(&job.project_id) {
        Some(p) => p.clone(),
        None => {
            let p = db::projects::by_id(db, job.project_id)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("job #{id}")))?;
            // A job of a project the caller may not read is not found.
            if !access.can_read(db, &p).await? {
                return Err(ApiError::not_found(format!("job #{id}")));
            }
            projects.insert(p.id, p.clone());
            p
        }
    };
    Ok((project, job))
}

/// Compares jobs: rows of each test and metric, first job as baseline.
pub async fn compare(db: &Db, access: &Access, ids: &[i64], view: &View) -> ApiResult<Comparison> {
    let mut projects = HashMap::new();
    let mut jobs = Vec::with_capacity(ids.len());
    let mut measurements = Vec::with_capacity(ids.len());
    for &id in ids {
        let (project, job) = readable_job(db, access, &mut projects, id).await?;
        let run = db::runs::by_id(db, project.id, job.run_id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("run of job #{id}")))?;
        measurements.push(job_measurements(db, job.id).await?);
        jobs.push(CompareJob {
            id: job.id,
            project: project.slug.clone(),
            run_id: run.id,
            run: run.name,
            key: job.key,
            name: job.name,
            revision: run.revision,
            branch: run.branch,
            platform: job.platform,
            machine: job.machine,
            regression: job.regression,
            created_at: job.created_at,
        });
    }
    // The statistics are CPU work: off the async workers.
    let view = view.clone();
    tokio::task::spawn_blocking(move || compare::compare(jobs, measurements, &view))
        .await
        .map_err(|e| ApiError::internal(format!("comparison task failed: {e}")))
}

/// A job's measurements: from its uploads' packs (one row each), or from
/// its points for uploads stored before packs existed.
async fn job_measurements(db: &Db, job_id: i64) -> ApiResult<Vec<Measurement>> {
    if let Some(packs) = store::job_packs(db, job_id).await? {
        let mut out = Vec::new();
        for p in packs {
            out.extend(pack::decode(&p).map_err(|e| ApiError::internal(format!("job #{job_id}: {e}")))?);
        }
        return Ok(out);
    }
    let rows = store::job_measurements(db, job_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| Measurement {
            series_id: r.series_id,
            test: r.test,
            group: r.test_group,
            category: r.category,
            metric: r.metric,
            unit: r.unit,
            direction: r.direction,
            value: r.value,
            samples: store::decode_f64s(r.samples.as_deref()),
        })
        .collect())
}

/// The same job in the run before this one on the same branch that has
/// perf results: what "compare with the previous run" compares with.
pub async fn previous_job(db: &Db, access: &Access, job_id: i64) -> ApiResult<Option<i64>> {
    let mut projects = HashMap::new();
    let (_, job) = readable_job(db, access, &mut projects, job_id).await?;
    Ok(store::previous_job(db, &job).await?)
}

pub fn series_json(s: SeriesRow, project: &str) -> SeriesSummary {
    SeriesSummary {
        id: s.id,
        project: project.to_owned(),
        test: s.test,
        group: s.test_group,
        category: s.category,
        metric: s.metric,
        unit: s.unit,
        direction: s.direction,
        platform: s.platform,
        machine: s.machine,
        labels: s.labels.0,
        point_count: s.point_count,
        last_value: s.last_value,
        updated_at: s.updated_at,
    }
}

/// A project's series, filtered.
pub async fn series(
    db: &Db,
    access: &Access,
    slug: &str,
    test: Option<&str>,
    metric: Option<&str>,
    platform: Option<&str>,
) -> ApiResult<Vec<SeriesSummary>> {
    let p = super::read::readable(db, access, slug).await?;
    let rows = store::series_list(db, p.id, test, metric, platform, MAX_SERIES).await?;
    Ok(rows.into_iter().map(|s| series_json(s, &p.slug)).collect())
}

/// A project's regression tags with their jobs, oldest first (one tag,
/// with `tag`).
pub async fn regressions(db: &Db, access: &Access, slug: &str, tag: Option<&str>) -> ApiResult<Vec<Regression>> {
    let p = super::read::readable(db, access, slug).await?;
    let rows = store::tagged_jobs(db, p.id, tag).await?;
    Ok(regressions::group(
        rows.into_iter()
            .map(|r| {
                let job = TaggedJob {
                    job_id: r.job_id,
                    run_id: r.run_id,
                    run: r.run,
                    job: r.job,
                    revision: r.revision,
                    machine: r.machine,
                    result: r.result.effective(r.state, r.bad).as_str().to_owned(),
                    perf_tests: r.perf_tests,
                    at: r.tagged_at,
                };
                (r.tag, job)
            })
            .collect(),
    ))
}

/// A series the caller may read, with its project.
pub async fn readable_series(db: &Db, access: &Access, id: i64) -> ApiResult<(ProjectRow, SeriesRow)> {
    let s = store::series_by_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("series #{id}")))?;
    let p = db::projects::by_id(db, s.project_id).await?.ok_or_else(|| ApiError::not_found(format!("series #{id}")))?;
    if !access.can_read(db, &p).await? {
        return Err(ApiError::not_found(format!("series #{id}")));
    }
    Ok((p, s))
}

/// A series' points, oldest first, within `from..=to`.
pub async fn points(
    db: &Db,
    access: &Access,
    id: i64,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<SeriesPoints> {
    let (p, s) = readable_series(db, access, id).await?;
    let mut rows = store::points(db, s.id, from, to, MAX_POINTS + 1).await?;
    let truncated = rows.len() as i64 > MAX_POINTS;
    rows.truncate(MAX_POINTS as usize);
    let points = rows
        .into_iter()
        .map(|r| SeriesPoint {
            id: r.id,
            job_id: r.job_id,
            job: r.job_key,
            run_id: r.run_id,
            run: r.run_name,
            revision: r.revision,
            branch: r.branch,
            value: r.value,
            n: r.n,
            mean: r.mean,
            stddev: r.stddev,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            created_at: r.created_at,
        })
        .collect();
    Ok(SeriesPoints { series: series_json(s, &p.slug), points, truncated })
}
