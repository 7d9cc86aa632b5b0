//! Test comparisons: two jobs, or two runs with their jobs paired by key.
//!
//! Load (each job's outcome digests, one row per upload) → the pure diff
//! of `shared::analytics::diff` → name what is listed (the results of
//! those tests only, through the `(job_id, test_key)` index).

use super::access::Access;
use super::perf::readable_job;
use crate::db::analytics as store;
use crate::db::results::RunNames;
use crate::db::rows::{JobRow, ProjectRow, RunRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use shared::analytics::diff::{self, Pair, Slotted, TestDiff};
use shared::analytics::digest::{self, Outcome};
use shared::analytics::flaky::{FlakyRules, Rule};
use shared::analytics::wire::{
    ComparedJob, ComparedSide, DiffCounts, DiffResult, DiffTest, FlakyTest, FlakyTests, TestComparison,
};
use shared::model::FailingSince;
use std::collections::{BTreeSet, HashMap};

/// Tests listed per group unless asked otherwise, and at most.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// What is compared with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sides {
    Jobs { base: i64, head: i64 },
    Runs { base: i64, head: i64 },
}

impl Sides {
    /// From the query's four ids: two jobs or two runs, never a mix.
    pub fn from_params(
        base: Option<i64>,
        head: Option<i64>,
        base_run: Option<i64>,
        head_run: Option<i64>,
    ) -> ApiResult<Sides> {
        match (base, head, base_run, head_run) {
            (Some(base), Some(head), None, None) => Ok(Sides::Jobs { base, head }),
            (None, None, Some(base), Some(head)) => Ok(Sides::Runs { base, head }),
            (None, None, None, None) => Err(ApiError::BadRequest(
                "give two jobs (?base=JOB&head=JOB) or two runs (?base_run=RUN&head_run=RUN) to compare".into(),
            )),
            (Some(_), None, None, None) | (None, None, Some(_), None) => {
                Err(ApiError::BadRequest("head: give the job or run to compare the base with".into()))
            }
            (None, Some(_), None, None) | (None, None, None, Some(_)) => {
                Err(ApiError::BadRequest("base: give the job or run to compare the head with".into()))
            }
            _ => Err(ApiError::BadRequest(
                "compare two jobs (base, head) or two runs (base_run, head_run), not a job with a run".into(),
            )),
        }
    }
}

/// One side, loaded.
struct Side {
    run: RunRow,
    jobs: Vec<JobRow>,
}

async fn readable_run(db: &Db, access: &Access, id: i64) -> ApiResult<(ProjectRow, RunRow)> {
    let run = db::runs::by_global_id(db, id).await?.ok_or_else(|| ApiError::not_found(format!("run #{id}")))?;
    let project =
        db::projects::by_id(db, run.project_id).await?.ok_or_else(|| ApiError::not_found(format!("run #{id}")))?;
    if !access.can_read(db, &project).await? {
        return Err(ApiError::not_found(format!("run #{id}")));
    }
    Ok((project, run))
}

async fn load_job_side(db: &Db, access: &Access, id: i64) -> ApiResult<(ProjectRow, Side)> {
    let mut projects = HashMap::new();
    let (project, job) = readable_job(db, access, &mut projects, id).await?;
    let run = db::runs::by_id(db, project.id, job.run_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("run of job #{id}")))?;
    Ok((project, Side { run, jobs: vec![job] }))
}

async fn load_run_side(db: &Db, access: &Access, id: i64) -> ApiResult<(ProjectRow, Side)> {
    let (project, run) = readable_run(db, access, id).await?;
    let jobs = db::jobs::list(db, run.id).await?;
    Ok((project, Side { run, jobs }))
}

/// A job's outcomes: from its uploads' digests, or read from its results
/// when an upload predates digests.
pub(crate) async fn job_outcomes(db: &Db, job_id: i64) -> ApiResult<Vec<Outcome>> {
    match store::job_digests(db, job_id).await? {
        Some(blobs) => digest::decode_job(&blobs).map_err(|e| ApiError::internal(format!("job #{job_id}: {e}"))),
        None => Ok(digest::normalise(store::job_outcomes(db, job_id).await?)),
    }
}

/// Compares two jobs or two runs.
pub async fn compare(db: &Db, access: &Access, sides: Sides, limit: Option<i64>) -> ApiResult<TestComparison> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit: give 1 to {MAX_LIMIT} tests per group")));
    }
    let ((project, base), (_, head), by_key) = match sides {
        Sides::Jobs { base, head } => {
            (load_job_side(db, access, base).await?, load_job_side(db, access, head).await?, false)
        }
        Sides::Runs { base, head } => {
            (load_run_side(db, access, base).await?, load_run_side(db, access, head).await?, true)
        }
    };
    // Job slots: one for a job-vs-job comparison, one per job key for runs.
    let keys: Vec<String> = if by_key {
        base.jobs.iter().chain(&head.jobs).map(|j| j.key.clone()).collect::<BTreeSet<_>>().into_iter().collect()
    } else {
        Vec::new()
    };
    let slot_of =
        |job: &JobRow| -> u32 { if by_key { keys.binary_search(&job.key).map(|i| i as u32).unwrap_or(0) } else { 0 } };
    let mut sides_outcomes = Vec::with_capacity(2);
    for side in [&base, &head] {
        let mut all = Vec::new();
        let mut jobs: Vec<&JobRow> = side.jobs.iter().collect();
        jobs.sort_by_key(|j| slot_of(j));
        for job in jobs {
            let slot = slot_of(job);
            all.extend(job_outcomes(db, job.id).await?.into_iter().map(|outcome| Slotted { slot, outcome }));
        }
        sides_outcomes.push(all);
    }
    let head_outcomes = sides_outcomes.pop().expect("two sides");
    let base_outcomes = sides_outcomes.pop().expect("two sides");
    let d = tokio::task::spawn_blocking(move || diff::diff(&base_outcomes, &head_outcomes))
        .await
        .map_err(|e| ApiError::internal(format!("diff task failed: {e}")))?;
    name(db, &project, base, head, by_key, &keys, d, limit).await
}

/// Which job of a side holds a slot.
fn job_in<'a>(side: &'a Side, by_key: bool, keys: &[String], slot: u32) -> Option<&'a JobRow> {
    if by_key { side.jobs.iter().find(|j| keys.get(slot as usize) == Some(&j.key)) } else { side.jobs.first() }
}

#[allow(clippy::too_many_arguments)]
async fn name(
    db: &Db,
    project: &ProjectRow,
    base: Side,
    head: Side,
    by_key: bool,
    keys: &[String],
    d: TestDiff,
    limit: i64,
) -> ApiResult<TestComparison> {
    let take = limit as usize;
    let groups: [&[Pair]; 7] =
        [&d.new_failures, &d.fixed, &d.still_failing, &d.newly_skipped, &d.added, &d.removed, &d.durations];
    // The tests to name, per job.
    let mut wanted: HashMap<i64, Vec<i64>> = HashMap::new();
    for group in groups {
        for p in group.iter().take(take) {
            for (side, present) in [(&base, p.base.is_some()), (&head, p.head.is_some())] {
                if present && let Some(job) = job_in(side, by_key, keys, p.slot) {
                    wanted.entry(job.id).or_default().push(p.key);
                }
            }
        }
    }
    let mut named: HashMap<(i64, i64), store::NamedResult> = HashMap::new();
    for (job_id, mut ks) in wanted {
        ks.sort_unstable();
        ks.dedup();
        for r in store::named_results(db, job_id, &ks).await? {
            named.entry((job_id, r.test_key)).or_insert(r);
        }
    }
    let mut since_ids: Vec<i64> = named.values().filter_map(|r| r.failing_since).collect();
    since_ids.sort_unstable();
    since_ids.dedup();
    let names: RunNames = store::run_names(db, &since_ids).await?.into_iter().collect();

    let result = |side: &Side, p: &Pair, o: Option<Outcome>| -> Option<(DiffResult, &store::NamedResult)> {
        let o = o?;
        let job = job_in(side, by_key, keys, p.slot)?;
        let r = named.get(&(job.id, p.key))?;
        Some((
            DiffResult {
                run_id: side.run.id,
                job_id: job.id,
                result_id: r.id,
                status: o.status,
                duration_s: o.duration_s.map(f64::from),
                summary: r.summary.clone(),
            },
            r,
        ))
    };
    let list = |group: &[Pair], by_name: bool| -> Vec<DiffTest> {
        let mut out: Vec<DiffTest> = group
            .iter()
            .take(take)
            .filter_map(|p| {
                let b = result(&base, p, p.base);
                let h = result(&head, p, p.head);
                let r = h.as_ref().map(|(_, r)| *r).or(b.as_ref().map(|(_, r)| *r))?;
                let failing_since = h.as_ref().filter(|(d, _)| d.status.is_bad()).and_then(|(_, r)| {
                    r.failing_since.map(|id| FailingSince {
                        new: id == head.run.id,
                        run_id: id,
                        run: names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                    })
                });
                Some(DiffTest {
                    job_key: by_key.then(|| keys.get(p.slot as usize).cloned()).flatten(),
                    suite: r.suite.clone(),
                    classname: r.classname.clone(),
                    name: r.name.clone(),
                    duration_change_s: p.duration_change().map(f64::from),
                    base: b.map(|(d, _)| d),
                    head: h.map(|(d, _)| d),
                    failing_since,
                })
            })
            .collect();
        if by_name {
            out.sort_by(|a, b| {
                (&a.job_key, &a.suite, &a.classname, &a.name).cmp(&(&b.job_key, &b.suite, &b.classname, &b.name))
            });
        }
        out
    };
    let n = |v: &Vec<Pair>| v.len() as i64;
    let counts = DiffCounts {
        compared: d.compared as i64,
        new_failures: n(&d.new_failures),
        fixed: n(&d.fixed),
        still_failing: n(&d.still_failing),
        newly_skipped: n(&d.newly_skipped),
        added: n(&d.added),
        removed: n(&d.removed),
        slower: d.slower as i64,
        faster: d.faster as i64,
    };
    let out = TestComparison {
        project: project.slug.clone(),
        counts,
        new_failures: list(&d.new_failures, true),
        fixed: list(&d.fixed, true),
        still_failing: list(&d.still_failing, true),
        newly_skipped: list(&d.newly_skipped, true),
        added: list(&d.added, true),
        removed: list(&d.removed, true),
        durations: list(&d.durations, false),
        limit,
        base: side_json(base),
        head: side_json(head),
    };
    Ok(out)
}

fn side_json(side: Side) -> ComparedSide {
    ComparedSide {
        run_id: side.run.id,
        run: side.run.name,
        revision: side.run.revision,
        branch: side.run.branch,
        created_at: side.run.created_at,
        jobs: side
            .jobs
            .into_iter()
            .map(|j| ComparedJob { id: j.id, key: j.key, name: j.name, platform: j.platform })
            .collect(),
    }
}

/// The run to compare a run with: the newest earlier run on its branch.
pub async fn previous_run(db: &Db, run: &RunRow) -> ApiResult<Option<i64>> {
    Ok(store::previous_run(db, run.project_id, run.id, run.branch.as_deref()).await?)
}

/// How a flaky-tests list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlakySort {
    LastFlake,
    Rate,
    Flakes,
    FirstSeen,
    Name,
}

impl FlakySort {
    pub fn parse(s: Option<&str>) -> ApiResult<FlakySort> {
        Ok(match s.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("last_flake") => FlakySort::LastFlake,
            Some("rate") => FlakySort::Rate,
            Some("flakes") => FlakySort::Flakes,
            Some("first_seen") => FlakySort::FirstSeen,
            Some("name") => FlakySort::Name,
            Some(o) => {
                return Err(ApiError::BadRequest(format!(
                    "sort: '{o}' is not one of last_flake, rate, flakes, first_seen, name"
                )));
            }
        })
    }
}

/// What a flaky-tests list shows.
#[derive(Debug, Clone, Default)]
pub struct FlakyQuery {
    /// Also tests that recovered.
    pub recovered: bool,
    pub rule: Option<String>,
    pub q: Option<String>,
    pub job: Option<String>,
    pub sort: Option<String>,
}

impl FlakyQuery {
    /// From a query string's fields; `state` is `flaky` (default) or `all`.
    pub fn from_params(
        state: Option<&str>,
        rule: Option<String>,
        q: Option<String>,
        job: Option<String>,
        sort: Option<String>,
    ) -> ApiResult<FlakyQuery> {
        let recovered = match state.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("flaky") => false,
            Some("all") => true,
            Some(o) => return Err(ApiError::BadRequest(format!("state: '{o}' is not flaky or all"))),
        };
        Ok(FlakyQuery { recovered, rule, q, job, sort })
    }
}

/// A project's flaky tests, filtered and sorted (from their stored rows:
/// nothing is recomputed on read).
pub async fn flaky_tests(db: &Db, access: &Access, slug: &str, query: &FlakyQuery) -> ApiResult<FlakyTests> {
    let project = super::read::readable(db, access, slug).await?;
    let sort = FlakySort::parse(query.sort.as_deref())?;
    let rule =
        match query.rule.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(Rule::parse(r).ok_or_else(|| {
                ApiError::BadRequest(format!("rule: '{r}' is not one of same_revision, retries, flips"))
            })?),
        };
    let needle = query.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
    let rules = db::flaky::rules(db, project.id).await?;
    let rows = db::flaky::list(db, project.id, query.recovered).await?;
    // Live trends: each listed job key's windows blob, read once.
    let mut windows: HashMap<String, shared::analytics::flaky::Windows> = HashMap::new();
    for r in &rows {
        if !windows.contains_key(&r.job_key)
            && let Some(blob) = db::flaky::windows(db, project.id, &r.job_key).await?
        {
            let w = shared::analytics::flaky::decode_windows(&blob)
                .map_err(|e| ApiError::internal(format!("job key '{}': {e}", r.job_key)))?;
            windows.insert(r.job_key.clone(), w);
        }
    }
    // Owners, from the properties of each test's last flaky result.
    let ids: Vec<i64> = rows.iter().map(|r| r.last_result_id).collect();
    let owners: HashMap<i64, String> = db::flaky::result_properties(db, &ids)
        .await?
        .into_iter()
        .filter_map(|(id, props)| Some((id, shared::analytics::wire::owner_of(&props)?)))
        .collect();
    let mut tests = Vec::new();
    for r in rows {
        let owner = owners.get(&r.last_result_id).cloned();
        let row_rule = Rule::parse(&r.rule)
            .ok_or_else(|| ApiError::internal(format!("flaky_tests.rule: unknown rule '{}'", r.rule)))?;
        if rule.is_some_and(|want| want != row_rule) {
            continue;
        }
        if query.job.as_deref().is_some_and(|j| !j.is_empty() && j != r.job_key) {
            continue;
        }
        if let Some(n) = &needle
            && ![Some(&r.name), Some(&r.classname), Some(&r.suite), owner.as_ref()]
                .iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(n.as_str()))
        {
            continue;
        }
        let live = windows.get(&r.job_key).and_then(|w| w.get(r.test_key));
        let (trend, rate) = match live {
            Some(t) => (t.stat.trend(rules.window), crate::ingest::flaky::rate(&t.stat, rules.window)),
            None => (r.trend, r.rate),
        };
        tests.push(FlakyTest {
            job_key: r.job_key,
            suite: r.suite,
            classname: r.classname,
            name: r.name,
            rule: row_rule,
            flaky: r.flaky,
            flakes: r.flakes,
            rate,
            trend,
            first_flake_at: r.first_flake_at,
            last_flake_at: r.last_flake_at,
            last_run_id: r.last_run_id,
            last_run: r.last_run.unwrap_or_else(|| format!("#{} (deleted)", r.last_run_id)),
            last_job_id: r.last_job_id,
            last_result_id: r.last_result_id,
            other_run_id: r.other_run_id,
            other_run: r.other_run,
            recovered_at: r.recovered_at,
            owner,
        });
    }
    match sort {
        FlakySort::LastFlake => tests.sort_by_key(|t| std::cmp::Reverse(t.last_flake_at)),
        FlakySort::Rate => tests.sort_by(|a, b| b.rate.total_cmp(&a.rate).then(b.last_flake_at.cmp(&a.last_flake_at))),
        FlakySort::Flakes => tests.sort_by(|a, b| b.flakes.cmp(&a.flakes).then(b.last_flake_at.cmp(&a.last_flake_at))),
        FlakySort::FirstSeen => tests.sort_by_key(|t| t.first_flake_at),
        FlakySort::Name => tests.sort_by(|a, b| (&a.name, &a.job_key).cmp(&(&b.name, &b.job_key))),
    }
    Ok(FlakyTests { project: project.slug, rules, tests })
}

/// Sets a project's flaky rules (project admins); they apply to the
/// executions stored from then on.
pub async fn set_flaky_rules(db: &Db, access: &Access, slug: &str, rules: FlakyRules) -> ApiResult<FlakyRules> {
    let p = super::read::readable(db, access, slug).await?;
    access.require(db, &p, shared::accounts::Role::Admin).await?;
    super::access::require_writable(&p)?;
    rules.validate().map_err(ApiError::BadRequest)?;
    let mut tx = db.begin_write().await?;
    db::flaky::save_rules(&mut tx, p.id, &rules).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "flaky.rules",
        target: p.slug.clone(),
        detail: Some(format!(
            "{} flips in {} executions on {}; recovery after {}; infrastructure above {:.0}%",
            rules.min_flips,
            rules.window,
            rules.branches.join(", "),
            rules.recovery_runs,
            rules.infra_ratio * 100.0
        )),
    };
    db::audit::record(&mut tx, &access.actor(), entry).await?;
    tx.commit().await?;
    Ok(rules)
}
