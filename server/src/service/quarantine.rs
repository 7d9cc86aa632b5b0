//! Quarantine: members take a test's failures out of the red/green verdict
//! of its jobs and runs, with a reason and an optional expiry. The test
//! keeps being ingested and shown ("failed (quarantined)"). Quarantining
//! also re-scores the project's jobs of the last [`RESCORE_DAYS`] days in
//! which the test failed, so the job that prompted it turns green; lifting
//! (by hand or at expiry) applies to the results stored from then on, and
//! jobs already scored keep their verdict. Both are audited.

use super::access::{Access, require_writable};
use crate::db::quarantine::{self as store, NewQuarantine, QuarantineRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use shared::accounts::Role;
use shared::analytics::wire::{Quarantine, QuarantineList, QuarantineRequest, QuarantineState, Quarantined, test_id};
use std::collections::BTreeSet;

/// How far back quarantining re-scores jobs.
pub const RESCORE_DAYS: i64 = 30;
/// Longest reason kept.
pub const MAX_REASON: usize = 2000;

impl QuarantineRow {
    pub fn state(&self, now: DateTime<Utc>) -> QuarantineState {
        match (&self.lifted_at, &self.lifted_by) {
            (Some(_), Some(_)) => QuarantineState::Lifted,
            (Some(_), None) => QuarantineState::Expired,
            (None, _) if self.expires_at.is_some_and(|e| e <= now) => QuarantineState::Expired,
            (None, _) => QuarantineState::Active,
        }
    }

    pub fn into_json(self, now: DateTime<Utc>, recovery_runs: i64) -> Quarantine {
        let state = self.state(now);
        Quarantine {
            id: self.id,
            test: test_id(&self.classname, &self.name),
            suggest_lift: state == QuarantineState::Active && self.clean_runs >= recovery_runs,
            state,
            lifted_at: self.lifted_at.or(if state == QuarantineState::Expired { self.expires_at } else { None }),
            suite: self.suite,
            classname: self.classname,
            name: self.name,
            reason: self.reason,
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            lifted_by: self.lifted_by,
            failures: self.failures,
            clean_runs: self.clean_runs,
            last_failed_at: self.last_failed_at,
        }
    }
}

async fn recovery_runs(db: &Db, project_id: i64) -> ApiResult<i64> {
    Ok(i64::from(db::flaky::rules(db, project_id).await?.recovery_runs))
}

/// The project's quarantines in force (with `all`, also the lifted and
/// expired ones, after them).
pub async fn list(db: &Db, access: &Access, slug: &str, all: bool) -> ApiResult<QuarantineList> {
    let p = super::read::readable(db, access, slug).await?;
    let recovery = recovery_runs(db, p.id).await?;
    let now = db::now();
    let mut tests: Vec<Quarantine> = db::quarantine::list(db, p.id, all)
        .await?
        .into_iter()
        .map(|r| r.into_json(now, recovery))
        .filter(|q| all || q.state == QuarantineState::Active)
        .collect();
    // In force first, then expired and lifted; newest first within each.
    tests.sort_by_key(|q| (q.state != QuarantineState::Active, std::cmp::Reverse(q.id)));
    Ok(QuarantineList { project: p.slug, recovery_runs: recovery, tests })
}

/// The test's quarantine in force, if any (for its pages).
pub async fn for_test(db: &Db, project_id: i64, test_key: i64) -> ApiResult<Option<Quarantine>> {
    let Some(row) = store::open_for(db, project_id, test_key).await? else { return Ok(None) };
    let recovery = recovery_runs(db, project_id).await?;
    let q = row.into_json(db::now(), recovery);
    Ok((q.state == QuarantineState::Active).then_some(q))
}

/// Quarantines a test (members); re-scores its recent failures.
pub async fn quarantine(db: &Db, access: &Access, slug: &str, req: QuarantineRequest) -> ApiResult<Quarantined> {
    let p = super::read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Member).await?;
    require_writable(&p)?;
    let name = req.name.trim();
    if name.is_empty() {
        return Err(ApiError::BadRequest("name: the test's name is required".into()));
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::BadRequest(
            "reason: say why the test is quarantined (it is shown with its failures)".into(),
        ));
    }
    if reason.len() > MAX_REASON {
        return Err(ApiError::BadRequest(format!("reason: {} bytes, at most {MAX_REASON}", reason.len())));
    }
    let now = db::now();
    if let Some(e) = req.expires_at
        && e <= now
    {
        return Err(ApiError::BadRequest(format!("expires_at: {} is not in the future", e.to_rfc3339())));
    }
    let test = test_id(&req.classname, name);
    let key = shared::test_key::test_key(&req.suite, &req.classname, name);
    let since = now - chrono::Duration::days(RESCORE_DAYS);
    let mut tx = db.begin_write().await?;
    if !store::seen(&mut tx, p.id, key, since).await? {
        return Err(ApiError::NotFound(format!(
            "test '{test}' (suite '{}') has no result in project '{}' in the last {RESCORE_DAYS} days",
            req.suite, p.slug
        )));
    }
    if let Some(open) = store::open_in(&mut tx, p.id, key).await? {
        match open.state(now) {
            QuarantineState::Active => {
                return Err(ApiError::Conflict(format!(
                    "test '{test}' is already quarantined (#{}, by {} since {})",
                    open.id,
                    open.created_by,
                    open.created_at.to_rfc3339()
                )));
            }
            // Expired: closed at its expiry, and quarantined anew below.
            _ => store::close(&mut tx, open.id, open.expires_at.unwrap_or(now), None).await?,
        }
    }
    let actor = access.actor();
    let row = store::insert(
        &mut tx,
        &NewQuarantine {
            project_id: p.id,
            test_key: key,
            suite: &req.suite,
            classname: &req.classname,
            name,
            reason,
            created_by: &actor.name,
            expires_at: req.expires_at,
        },
    )
    .await
    .map_err(|e| {
        // Quarantined by a concurrent request since the check above.
        if db::is_unique_violation(&e) {
            ApiError::Conflict(format!("test '{test}' is already quarantined"))
        } else {
            e.into()
        }
    })?;
    let rescored = store::rescore(&mut tx, p.id, row.id, key, since).await?;
    let runs: BTreeSet<i64> = rescored.iter().map(|r| r.run_id).collect();
    for run in runs {
        db::runs::refresh_status(&mut tx, run).await?;
    }
    let failures: i64 = rescored.iter().map(|r| r.failures).sum();
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "test.quarantine",
        target: test.clone(),
        detail: Some(format!(
            "{reason}{}; {} recent jobs re-scored",
            req.expires_at.map(|e| format!(" (until {})", e.to_rfc3339())).unwrap_or_default(),
            rescored.len()
        )),
    };
    db::audit::record(&mut tx, &actor, entry).await?;
    let row = QuarantineRow { failures: row.failures + failures, ..row };
    tx.commit().await?;
    let recovery = recovery_runs(db, p.id).await?;
    Ok(Quarantined { quarantine: row.into_json(now, recovery), rescored_jobs: rescored.len() as i64 })
}

/// Lifts a quarantine by hand (members): the test's failures stored from
/// now on count again.
pub async fn lift(db: &Db, access: &Access, slug: &str, id: i64) -> ApiResult<Quarantine> {
    let p = super::read::readable(db, access, slug).await?;
    access.require(db, &p, Role::Member).await?;
    require_writable(&p)?;
    let now = db::now();
    let mut tx = db.begin_write().await?;
    let row = store::get_in(&mut tx, p.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("quarantine #{id} in project '{}'", p.slug)))?;
    let test = test_id(&row.classname, &row.name);
    match row.state(now) {
        QuarantineState::Active => {}
        QuarantineState::Expired => {
            return Err(ApiError::Conflict(format!(
                "quarantine #{id} of '{test}' has already expired ({})",
                row.expires_at.map(|e| e.to_rfc3339()).unwrap_or_default()
            )));
        }
        QuarantineState::Lifted => {
            return Err(ApiError::Conflict(format!(
                "quarantine #{id} of '{test}' was already lifted by {}",
                row.lifted_by.as_deref().unwrap_or("someone")
            )));
        }
    }
    let actor = access.actor();
    store::close(&mut tx, id, now, Some(&actor.name)).await?;
    let entry = db::audit::Entry {
        project_id: Some(p.id),
        action: "test.unquarantine",
        target: test,
        detail: Some(format!("quarantine #{id} lifted after {} quarantined failures", row.failures)),
    };
    db::audit::record(&mut tx, &actor, entry).await?;
    tx.commit().await?;
    let recovery = recovery_runs(db, p.id).await?;
    let lifted = QuarantineRow { lifted_at: Some(now), lifted_by: Some(actor.name), ..row };
    Ok(lifted.into_json(now, recovery))
}
