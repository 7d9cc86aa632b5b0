//! Test durations: a job's slowest tests and the tests of its job key that
//! got slower (`shared::analytics::durations`, over the jobs' outcome
//! digests: one row per upload, not the result rows), and one test's
//! durations over its recent results on the branch.

use super::access::Access;
use super::read::{Ident, job_path};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::analytics::durations::{self, DEFAULT_WINDOW, MAX_WINDOW};
use shared::analytics::wire::{DurationTest, JobDurations, TestDurations};

/// Slowest tests listed.
pub const SLOWEST: i64 = 25;
/// Slower tests listed.
pub const SLOWER: usize = 50;
/// A test's results charted, at most.
pub const POINTS: i64 = 200;

pub async fn job<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    window: Option<i64>,
) -> ApiResult<JobDurations> {
    let window = match window {
        None => DEFAULT_WINDOW,
        Some(w) if (2..=MAX_WINDOW as i64).contains(&w) => w as usize,
        Some(w) => return Err(ApiError::BadRequest(format!("window: {w} is not from 2 to {MAX_WINDOW}"))),
    };
    let (p, r, j) = job_path(db, access, slug, run, job).await?;
    let slowest = db::analytics::slowest(db, j.id, SLOWEST)
        .await?
        .into_iter()
        .map(|(result_id, suite, classname, name, duration_s)| DurationTest {
            result_id,
            suite,
            classname,
            name,
            duration_s,
            before_s: None,
        })
        .collect();
    // This job and the ones before it of its key on the branch.
    let mut chain = vec![j.id];
    while chain.len() < 2 * window {
        let last = *chain.last().expect("one job");
        match db::analytics::previous_job_of(db, last).await? {
            Some(prev) if !chain.contains(&prev) => chain.push(prev),
            _ => break,
        }
    }
    let mut outcomes = Vec::with_capacity(chain.len());
    for id in &chain {
        outcomes.push(super::analytics::job_outcomes(db, *id).await?);
    }
    let split = chain.len().min(window);
    let (recent_jobs, before_jobs) = (split as i64, (chain.len() - split) as i64);
    let found = tokio::task::spawn_blocking(move || {
        let (recent, before) = outcomes.split_at(split);
        durations::slower(recent, before)
    })
    .await
    .map_err(|e| ApiError::internal(format!("durations task failed: {e}")))?;
    let found: Vec<_> = found.into_iter().take(SLOWER).collect();
    let keys: Vec<i64> = found.iter().map(|s| s.key).collect();
    let names: std::collections::HashMap<i64, db::analytics::NamedResult> =
        db::analytics::named_results(db, j.id, &keys).await?.into_iter().map(|n| (n.test_key, n)).rev().collect();
    let slower = found
        .into_iter()
        .filter_map(|s| {
            let n = names.get(&s.key)?;
            Some(DurationTest {
                result_id: n.id,
                suite: n.suite.clone(),
                classname: n.classname.clone(),
                name: n.name.clone(),
                duration_s: f64::from(s.recent_s),
                before_s: Some(f64::from(s.before_s)),
            })
        })
        .collect();
    Ok(JobDurations {
        project: p.slug,
        run_id: r.id,
        job_id: j.id,
        job_key: j.key,
        window: window as i64,
        recent_jobs,
        before_jobs,
        slowest,
        slower,
    })
}

pub async fn test<'a>(
    db: &Db,
    access: &Access,
    slug: &str,
    run: impl Into<Ident<'a>>,
    job: impl Into<Ident<'a>>,
    id: i64,
) -> ApiResult<TestDurations> {
    let (p, r, _, row) = super::read::result_path(db, access, slug, run, job, id).await?;
    let mut points: Vec<_> = db::results::history(db, p.id, row.row.test_key, r.branch.as_deref(), POINTS)
        .await?
        .into_iter()
        .map(|h| h.into_json())
        .collect();
    points.reverse();
    Ok(TestDurations {
        project: p.slug,
        suite: row.row.suite,
        classname: row.row.classname,
        name: row.row.name,
        branch: r.branch,
        result_id: id,
        points,
    })
}
