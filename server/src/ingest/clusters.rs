//! Failure clusters at ingest, in the upload's transaction: each failed or
//! errored test's signature (computed on the parser's thread, see
//! `shared::analytics::cluster`) moves its project's cluster on — the
//! failure counted, the test and the job counted when new to it — and
//! marks the failure for the job page. Uploads without failures cost
//! nothing; an upload's first [`MAX_PER_UPLOAD`] failures are clustered
//! (an upload failing more than that is one infrastructure failure, not
//! news about each test).

use crate::db::Tx;
use crate::db::clusters::{self as store, At, Seen, TestFailure};
use crate::db::uploads::Target;
use crate::error::ApiResult;
use shared::analytics::cluster::signature_with;
use shared::analytics::digest::Outcome;
use shared::report::TestCase;
use std::collections::{BTreeMap, HashMap};

/// Failures clustered per upload, at most.
pub const MAX_PER_UPLOAD: usize = 10_000;

/// One failed test's signature, as parsed.
#[derive(Debug, Clone)]
pub struct Failed {
    key: i64,
    signature: i64,
    pattern: String,
    example: Option<String>,
    suite: String,
    classname: String,
    name: String,
}

impl Failed {
    /// `None` when the report says nothing about the failure.
    pub fn of(case: &TestCase) -> Option<Failed> {
        let example = crate::db::ingest::failure_summary(case);
        let sig = signature_with(case.failure_type.as_deref(), example.as_deref(), case.details.as_deref())?;
        Some(Failed {
            key: case.key(),
            signature: sig.key,
            pattern: sig.text,
            example,
            suite: case.suite.clone(),
            classname: case.classname.clone(),
            name: case.name.clone(),
        })
    }
}

/// Clusters the upload's failures (`outcomes` sorted by key: a test that
/// passed on a retry is not a failure).
pub async fn observe(
    tx: &mut Tx,
    target: Target,
    upload_id: i64,
    failed: Vec<Failed>,
    outcomes: &[Outcome],
) -> ApiResult<()> {
    if failed.is_empty() {
        return Ok(());
    }
    // The last failed attempt of each test that ended failed, in report order.
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut kept: Vec<Failed> = Vec::new();
    for f in failed {
        let bad = outcomes.binary_search_by_key(&f.key, |o| o.key).is_ok_and(|i| outcomes[i].status.is_bad());
        if !bad {
            continue;
        }
        match index.get(&f.key) {
            Some(&i) => kept[i] = f,
            None => {
                index.insert(f.key, kept.len());
                kept.push(f);
            }
        }
    }
    if kept.is_empty() {
        return Ok(());
    }
    // The stored rows' ids (the last row of a test, if it is twice).
    let ids: HashMap<i64, i64> =
        store::upload_failures(tx, target.job_id, upload_id).await?.into_iter().map(|(id, key)| (key, id)).collect();
    let mut by_signature: BTreeMap<i64, Vec<&Failed>> = BTreeMap::new();
    for f in &kept {
        by_signature.entry(f.signature).or_default().push(f);
    }
    let seen: Vec<Seen> = by_signature
        .iter()
        .map(|(&signature, tests)| Seen {
            signature,
            pattern: &tests[0].pattern,
            example: tests[0].example.as_deref(),
            failures: tests.len() as i64,
        })
        .collect();
    let at = At { project_id: target.project_id, run_id: target.run_id, job_id: target.job_id };
    store::record(tx, at, &seen, |clusters| {
        kept.iter()
            .filter_map(|t| {
                Some(TestFailure {
                    cluster_id: clusters[&t.signature],
                    test_key: t.key,
                    suite: &t.suite,
                    classname: &t.classname,
                    name: &t.name,
                    result_id: *ids.get(&t.key)?,
                })
            })
            .collect()
    })
    .await?;
    Ok(())
}
