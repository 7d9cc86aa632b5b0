//! Flaky-test bookkeeping of a test upload, in its transaction: each test
//! execution moves its job key's windows (one blob row), and the rare
//! flakes and recoveries write the `flaky_tests` rows with their evidence.
//! Rules in `shared::analytics::flaky`.

use crate::db::Tx;
use crate::db::flaky::{self as store, Flake};
use crate::db::uploads::Target;
use crate::error::{ApiError, ApiResult};
use shared::TestStatus;
use shared::analytics::digest::{self, Outcome};
use shared::analytics::flaky::{self, Rule, Stat, Tracked, Windows};
use std::collections::HashMap;

struct JobInfo {
    key: String,
    branch: Option<String>,
    revision: Option<String>,
    has_previous: bool,
}

async fn job_info(tx: &mut Tx, job_id: i64) -> ApiResult<JobInfo> {
    let (key, branch, revision, previous): (String, Option<String>, Option<String>, Option<i64>) = crate::on_tx!(tx, c => sqlx::query_as(
            "SELECT j.key, r.branch, r.revision, j.previous_job_id FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.id = $1")
            .bind(job_id).fetch_one(&mut *c).await)?;
    Ok(JobInfo { key, branch, revision, has_previous: previous.is_some() })
}

/// What an execution changed, to be written. (Other executions of flaky
/// tests only move the windows blob: pages read their trend from it.)
enum Change {
    Flake { key: i64, rule: Rule, stat: Stat, other_run: Option<i64> },
    Recovered { key: i64, stat: Stat },
}

/// Observes one upload's outcomes (sorted by key, as in its digest).
pub async fn observe(tx: &mut Tx, target: Target, outcomes: &[Outcome]) -> ApiResult<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let rules = store::rules_in(tx, target.project_id).await?;
    let executed = outcomes.iter().filter(|o| o.status != TestStatus::Skipped).count();
    let failed = outcomes.iter().filter(|o| o.status.is_bad()).count();
    if flaky::infra_failure(failed, executed, &rules) {
        // An infrastructure failure says nothing about the tests.
        return Ok(());
    }
    // Recorded by the parse (see `db::analytics::failing_since`).
    let info = job_info(tx, target.job_id).await?;
    let watched = rules.watches(info.branch.as_deref());

    // Outcomes of the same tests on the same revision in other jobs of
    // this key (a re-run): the newest such job's outcome per test.
    let mut other: HashMap<i64, (TestStatus, i64)> = HashMap::new();
    if let Some(rev) = info.revision.as_deref().filter(|r| !r.is_empty()) {
        for (job_id, run_id) in store::same_revision_jobs(tx, target.project_id, rev, &info.key, target.job_id).await? {
            let blobs = store::job_digests_in(tx, job_id).await?;
            let outcomes = digest::decode_job(&blobs).map_err(|e| ApiError::internal(format!("job #{job_id}: {e}")))?;
            for o in outcomes {
                other.entry(o.key).or_insert((o.status, run_id));
            }
        }
    }

    let Windows { seq, mut tracked } = match store::windows_for_update(tx, target.project_id, &info.key).await? {
        Some(blob) => {
            flaky::decode_windows(&blob).map_err(|e| ApiError::internal(format!("job key '{}': {e}", info.key)))?
        }
        None => Windows::default(),
    };
    let seq = seq.wrapping_add(1);
    let mut changes = Vec::new();
    let mut added = Vec::new();
    let mut at = 0usize;
    for o in outcomes {
        while at < tracked.len() && tracked[at].key < o.key {
            at += 1;
        }
        let is_tracked = tracked.get(at).is_some_and(|t| t.key == o.key);
        let passed_on_retry = o.flaky && o.status == TestStatus::Passed;
        let other_here = other.get(&o.key).copied();
        let disagrees = other_here.is_some_and(|(s, _)| s != TestStatus::Skipped && s.is_bad() != o.status.is_bad());
        if !is_tracked && !flaky::worth_tracking(o.status, passed_on_retry) && !disagrees {
            continue;
        }
        let mut entry = if is_tracked {
            tracked[at]
        } else {
            // First failure in a while: its earlier executions on the
            // branch passed (else it would be tracked), if it ran before.
            let executions = u32::from(info.has_previous && watched);
            Tracked { key: o.key, stat: Stat { executions, ..Stat::default() }, ever_flaky: false, last_seq: seq }
        };
        entry.last_seq = seq;
        let seen =
            flaky::observe(&mut entry.stat, o.status, passed_on_retry, other_here.map(|(s, _)| s), watched, &rules);
        if let Some(rule) = seen.flake {
            entry.ever_flaky = true;
            let other_run = other_here.filter(|_| rule == Rule::SameRevision).map(|(_, r)| r);
            changes.push(Change::Flake { key: o.key, rule, stat: entry.stat, other_run });
        } else if seen.recovered {
            changes.push(Change::Recovered { key: o.key, stat: entry.stat });
        }
        if is_tracked {
            tracked[at] = entry;
        } else {
            added.push(entry);
        }
    }
    if !added.is_empty() {
        tracked.extend(added);
        tracked.sort_by_key(|t| t.key);
    }
    tracked.retain(|t| !flaky::forgettable(t, seq, &rules));
    store::save_windows(tx, target.project_id, &info.key, &flaky::encode_windows(&Windows { seq, tracked })).await?;

    if changes.is_empty() {
        return Ok(());
    }
    let keys: Vec<i64> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Flake { key, .. } => Some(*key),
            Change::Recovered { .. } => None,
        })
        .collect();
    let names: HashMap<i64, crate::db::analytics::NamedResult> =
        crate::db::analytics::named_results_in(tx, target.job_id, &keys)
            .await?
            .into_iter()
            .map(|n| (n.test_key, n))
            .collect();
    for change in changes {
        match change {
            Change::Flake { key, rule, stat, other_run } => {
                let Some(name) = names.get(&key) else { continue };
                let flake = Flake {
                    project_id: target.project_id,
                    job_key: &info.key,
                    name,
                    rule: rule.as_str(),
                    trend: stat.trend(rules.window),
                    rate: rate(&stat, rules.window),
                    run_id: target.run_id,
                    job_id: target.job_id,
                    other_run_id: other_run,
                };
                store::record_flake(tx, &flake).await?;
            }
            Change::Recovered { key, stat } => {
                let (trend, rate) = (stat.trend(rules.window), rate(&stat, rules.window));
                store::recovered(tx, target.project_id, &info.key, key, &trend, rate).await?;
            }
        }
    }
    Ok(())
}

/// Failed share of the recent executions.
pub fn rate(stat: &Stat, window: u32) -> f64 {
    let n = stat.executions.min(window);
    if n == 0 { 0.0 } else { f64::from(stat.failures(window)) / f64::from(n) }
}
