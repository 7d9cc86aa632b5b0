//! The diff of two jobs' (or two runs') test outcomes: what newly fails,
//! what got fixed, what still fails, what is newly skipped, what was added
//! or removed, and whose duration changed most.
//!
//! Pure: both sides come in as outcomes sorted by (job slot, test key) and
//! the answer is the groups as pairs of outcomes; the server names them.
//! A job-vs-job diff puts every test in slot 0 on both sides; a run-vs-run
//! diff gives each job key its own slot, so a test is compared with itself
//! in the job of the same key.
//!
//! Groups (a test can be in more than one: a test added failing is both a
//! new failure and added):
//! - **new failures**: failed or errored in head, not in base (passed,
//!   skipped or absent);
//! - **fixed**: failed or errored in base, passed in head;
//! - **still failing**: failed or errored in both;
//! - **newly skipped**: skipped in head, run (passed or failed) in base;
//! - **added** / **removed**: in one side only;
//! - **duration changes**: run (not skipped) in both with a duration, the
//!   change at least
//!   [`MIN_DURATION_CHANGE_S`] and at least [`MIN_DURATION_CHANGE_RATIO`]
//!   of the base; listed by the size of the change, largest first.

use super::digest::Outcome;
use crate::TestStatus;
use std::cmp::Ordering;

/// Changes smaller than this (seconds) are timer noise, not a change.
pub const MIN_DURATION_CHANGE_S: f32 = 0.05;
/// Nor are changes smaller than this fraction of the base duration.
pub const MIN_DURATION_CHANGE_RATIO: f32 = 0.2;

/// A test's outcome under its job slot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slotted {
    pub slot: u32,
    pub outcome: Outcome,
}

/// One test on both sides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub slot: u32,
    pub key: i64,
    pub base: Option<Outcome>,
    pub head: Option<Outcome>,
}

impl Pair {
    /// Head's duration minus base's, when both have one.
    pub fn duration_change(&self) -> Option<f32> {
        Some(self.head?.duration_s? - self.base?.duration_s?)
    }
}

/// The groups, each in (slot, key) order except `durations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestDiff {
    pub compared: usize,
    pub new_failures: Vec<Pair>,
    pub fixed: Vec<Pair>,
    pub still_failing: Vec<Pair>,
    pub newly_skipped: Vec<Pair>,
    pub added: Vec<Pair>,
    pub removed: Vec<Pair>,
    /// Largest change first.
    pub durations: Vec<Pair>,
    pub slower: usize,
    pub faster: usize,
}

fn significant(p: &Pair) -> bool {
    // A skipped test's time is the runner's, not the test's.
    if [p.base, p.head].iter().any(|o| o.is_none_or(|o| o.status == TestStatus::Skipped)) {
        return false;
    }
    match (p.base.and_then(|b| b.duration_s), p.duration_change()) {
        (Some(base), Some(change)) => {
            change.abs() >= MIN_DURATION_CHANGE_S && change.abs() >= MIN_DURATION_CHANGE_RATIO * base
        }
        _ => false,
    }
}

/// Diffs `base` against `head`; both sorted by (slot, key), no pair twice.
pub fn diff(base: &[Slotted], head: &[Slotted]) -> TestDiff {
    let mut d = TestDiff::default();
    let (mut i, mut j) = (0, 0);
    let order = |s: &Slotted| (s.slot, s.outcome.key);
    while i < base.len() || j < head.len() {
        let pair = match (base.get(i), head.get(j)) {
            (Some(b), Some(h)) => match order(b).cmp(&order(h)) {
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                    Pair { slot: b.slot, key: b.outcome.key, base: Some(b.outcome), head: Some(h.outcome) }
                }
                Ordering::Less => {
                    i += 1;
                    Pair { slot: b.slot, key: b.outcome.key, base: Some(b.outcome), head: None }
                }
                Ordering::Greater => {
                    j += 1;
                    Pair { slot: h.slot, key: h.outcome.key, base: None, head: Some(h.outcome) }
                }
            },
            (Some(b), None) => {
                i += 1;
                Pair { slot: b.slot, key: b.outcome.key, base: Some(b.outcome), head: None }
            }
            (None, Some(h)) => {
                j += 1;
                Pair { slot: h.slot, key: h.outcome.key, base: None, head: Some(h.outcome) }
            }
            (None, None) => unreachable!("loop condition"),
        };
        classify(&mut d, pair);
    }
    d.durations.sort_by(|a, b| {
        let (x, y) = (a.duration_change().unwrap_or(0.0).abs(), b.duration_change().unwrap_or(0.0).abs());
        y.total_cmp(&x).then((a.slot, a.key).cmp(&(b.slot, b.key)))
    });
    d
}

fn classify(d: &mut TestDiff, p: Pair) {
    let base = p.base.map(|o| o.status);
    let head = p.head.map(|o| o.status);
    match (base, head) {
        (Some(b), Some(h)) => {
            d.compared += 1;
            if h.is_bad() && b.is_bad() {
                d.still_failing.push(p);
            } else if h.is_bad() {
                d.new_failures.push(p);
            } else if b.is_bad() && h == TestStatus::Passed {
                d.fixed.push(p);
            }
            if h == TestStatus::Skipped && b != TestStatus::Skipped {
                d.newly_skipped.push(p);
            }
            if significant(&p) {
                if p.duration_change().unwrap_or(0.0) > 0.0 {
                    d.slower += 1;
                } else {
                    d.faster += 1;
                }
                d.durations.push(p);
            }
        }
        (None, Some(h)) => {
            if h.is_bad() {
                d.new_failures.push(p);
            }
            d.added.push(p);
        }
        (Some(_), None) => d.removed.push(p),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestStatus::*;

    fn s(slot: u32, key: i64, status: TestStatus, d: Option<f32>) -> Slotted {
        Slotted { slot, outcome: Outcome { key, status, flaky: false, duration_s: d } }
    }

    fn keys(ps: &[Pair]) -> Vec<(u32, i64)> {
        ps.iter().map(|p| (p.slot, p.key)).collect()
    }

    #[test]
    fn every_group_on_a_constructed_pair_of_runs() {
        let base = vec![
            s(0, 1, Passed, Some(1.0)),  // → fails: new failure
            s(0, 2, Failed, None),       // → passes: fixed
            s(0, 3, Error, None),        // → fails: still failing
            s(0, 4, Passed, None),       // → skipped: newly skipped
            s(0, 5, Passed, Some(1.0)),  // → 3 s: slower
            s(0, 6, Passed, Some(2.0)),  // → 1 s: faster
            s(0, 7, Passed, Some(1.0)),  // → 1.01 s: noise
            s(0, 10, Passed, Some(1.0)), // → skipped in 0 s: not faster
            s(0, 8, Passed, None),       // removed
            s(1, 1, Passed, None),       // same key, other job: unchanged
            s(1, 2, Skipped, None),      // skipped → skipped: nothing
        ];
        let head = vec![
            s(0, 1, Failed, Some(1.0)),
            s(0, 2, Passed, None),
            s(0, 3, Failed, None),
            s(0, 4, Skipped, None),
            s(0, 5, Passed, Some(3.0)),
            s(0, 6, Passed, Some(1.0)),
            s(0, 7, Passed, Some(1.01)),
            s(0, 9, Error, None), // added, failing
            s(0, 10, Skipped, Some(0.0)),
            s(1, 1, Passed, None),
            s(1, 2, Skipped, None),
            s(1, 3, Passed, None), // added
        ];
        let d = diff(&base, &head);
        assert_eq!(d.compared, 10);
        assert_eq!(keys(&d.new_failures), vec![(0, 1), (0, 9)]);
        assert_eq!(keys(&d.fixed), vec![(0, 2)]);
        assert_eq!(keys(&d.still_failing), vec![(0, 3)]);
        assert_eq!(keys(&d.newly_skipped), vec![(0, 4), (0, 10)]);
        assert_eq!(keys(&d.added), vec![(0, 9), (1, 3)]);
        assert_eq!(keys(&d.removed), vec![(0, 8)]);
        assert_eq!(keys(&d.durations), vec![(0, 5), (0, 6)]);
        assert_eq!((d.slower, d.faster), (1, 1));
        assert_eq!(d.durations[0].duration_change(), Some(2.0));
    }

    #[test]
    fn identical_sides_differ_in_nothing() {
        let side = vec![s(0, 1, Passed, Some(1.0)), s(0, 2, Failed, None)];
        let d = diff(&side, &side);
        assert_eq!(d.compared, 2);
        assert!(d.new_failures.is_empty() && d.fixed.is_empty() && d.added.is_empty() && d.removed.is_empty());
        assert_eq!(keys(&d.still_failing), vec![(0, 2)]);
    }

    #[test]
    fn empty_sides() {
        let side = vec![s(0, 1, Failed, None)];
        let d = diff(&[], &side);
        assert_eq!((d.added.len(), d.new_failures.len(), d.compared), (1, 1, 0));
        let d = diff(&side, &[]);
        assert_eq!((d.removed.len(), d.compared), (1, 0));
    }
}
