//! Tests that got slower in a job key: each test's median duration over
//! the last N jobs against the N before, from the jobs' outcome digests.
//!
//! A test counts in a window when it ran (not skipped, with a duration) in
//! at least half of that window's jobs; it is slower when its recent
//! median exceeds the earlier one by at least
//! [`super::diff::MIN_DURATION_CHANGE_S`] and
//! [`super::diff::MIN_DURATION_CHANGE_RATIO`] of it (the thresholds of the
//! run-vs-run diff). Medians, not means, so that one slow run does not
//! make a trend.

use super::diff::{MIN_DURATION_CHANGE_RATIO, MIN_DURATION_CHANGE_S};
use super::digest::Outcome;
use crate::TestStatus;
use std::collections::HashMap;

/// Jobs per window unless asked otherwise, and at most.
pub const DEFAULT_WINDOW: usize = 5;
pub const MAX_WINDOW: usize = 20;

/// A test whose median duration grew.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slower {
    pub key: i64,
    pub before_s: f32,
    pub recent_s: f32,
}

impl Slower {
    pub fn change_s(&self) -> f32 {
        self.recent_s - self.before_s
    }
}

/// Each test's median duration over the jobs it ran in, for the tests that
/// ran in at least half of them.
fn medians(jobs: &[Vec<Outcome>]) -> HashMap<i64, f32> {
    let mut all: HashMap<i64, Vec<f32>> = HashMap::new();
    for job in jobs {
        for o in job {
            if o.status != TestStatus::Skipped
                && let Some(d) = o.duration_s
                && d.is_finite()
            {
                all.entry(o.key).or_default().push(d);
            }
        }
    }
    let needed = jobs.len().div_ceil(2).max(1);
    all.into_iter()
        .filter(|(_, v)| v.len() >= needed)
        .map(|(k, mut v)| {
            v.sort_by(f32::total_cmp);
            let n = v.len();
            let m = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
            (k, m)
        })
        .collect()
}

/// The tests slower in `recent` than in `before` (each a window of jobs'
/// outcomes), the largest increase first.
pub fn slower(recent: &[Vec<Outcome>], before: &[Vec<Outcome>]) -> Vec<Slower> {
    if recent.is_empty() || before.is_empty() {
        return Vec::new();
    }
    let then = medians(before);
    let mut out: Vec<Slower> = medians(recent)
        .into_iter()
        .filter_map(|(key, recent_s)| {
            let before_s = *then.get(&key)?;
            let change = recent_s - before_s;
            (change >= MIN_DURATION_CHANGE_S && change >= MIN_DURATION_CHANGE_RATIO * before_s).then_some(Slower {
                key,
                before_s,
                recent_s,
            })
        })
        .collect();
    out.sort_by(|a, b| b.change_s().total_cmp(&a.change_s()).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(tests: &[(i64, f32)]) -> Vec<Outcome> {
        tests
            .iter()
            .map(|&(key, d)| Outcome { key, status: TestStatus::Passed, flaky: false, duration_s: Some(d) })
            .collect()
    }

    #[test]
    fn medians_over_windows_find_the_tests_that_got_slower() {
        // Test 1 doubles; test 2 has one slow outlier (the median ignores
        // it); test 3 grows by 10 ms (under the 50 ms floor); test 4 only
        // ran once recently (under half the window).
        let before = vec![
            job(&[(1, 1.0), (2, 0.5), (3, 0.1), (4, 1.0)]),
            job(&[(1, 1.1), (2, 0.5), (3, 0.1), (4, 1.0)]),
            job(&[(1, 0.9), (2, 0.5), (3, 0.1), (4, 1.0)]),
        ];
        let recent = vec![
            job(&[(1, 2.0), (2, 5.0), (3, 0.11)]),
            job(&[(1, 2.2), (2, 0.5), (3, 0.11)]),
            job(&[(1, 1.8), (2, 0.5), (3, 0.11), (4, 9.0)]),
        ];
        let s = slower(&recent, &before);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].key, 1);
        assert_eq!((s[0].before_s, s[0].recent_s), (1.0, 2.0));
        assert!(slower(&recent, &[]).is_empty());
    }

    #[test]
    fn skipped_runs_and_missing_durations_do_not_count() {
        let mut skipped = job(&[(1, 30.0)]);
        skipped[0].status = TestStatus::Skipped;
        let before = vec![job(&[(1, 1.0)]), job(&[(1, 1.0)])];
        let recent = vec![skipped, job(&[(1, 1.0)])];
        assert!(slower(&recent, &before).is_empty());
        let even = vec![job(&[(1, 1.0)]), job(&[(1, 3.0)])];
        assert_eq!(
            slower(&even, &before)[0].recent_s,
            2.0,
            "the median of an even count is the mean of the middle two"
        );
    }
}
