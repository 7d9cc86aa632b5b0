//! Quarantine at ingest, in the upload's transaction: failures of the
//! project's quarantined tests are marked and counted apart (they no
//! longer turn the job or run red), and each passing execution of one
//! adds to its clean streak. One indexed read when nothing is quarantined.

use crate::db::Tx;
use crate::db::quarantine as store;
use crate::db::uploads::Target;
use crate::error::ApiResult;
use shared::TestStatus;
use shared::analytics::digest::Outcome;

/// How many of the upload's failed and errored tests are quarantined
/// (outcomes sorted by key, one per test).
pub async fn apply(tx: &mut Tx, target: Target, outcomes: &[Outcome]) -> ApiResult<i64> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let active = store::active_in(tx, target.project_id).await?;
    if active.is_empty() {
        return Ok(0);
    }
    let mut quarantined = 0;
    let mut clean = Vec::new();
    for (id, key) in active {
        let Ok(at) = outcomes.binary_search_by_key(&key, |o| o.key) else { continue };
        match outcomes[at].status {
            s if s.is_bad() => {
                quarantined += 1;
                store::record_failures(tx, target.job_id, id, key, 1).await?;
            }
            TestStatus::Passed => clean.push(id),
            _ => {}
        }
    }
    store::record_clean(tx, &clean).await?;
    Ok(quarantined)
}
