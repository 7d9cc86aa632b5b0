//! Reruns written as repeated test cases.
//!
//! Rerun tools (gotestsum `--rerun-fails`, pytest-rerunfailures, several
//! CI wrappers) write each attempt of a test as its own `<testcase>` with
//! the same suite, class and name. A user expects such a test to count
//! once: passed-but-flaky if any attempt passed, otherwise failed.
//!
//! But repeated names are also legitimate distinct tests: jest `it.each`
//! titles, TestNG data providers (which also write retried attempts as
//! *skipped*), Go subtests run twice. Merging those would hide tests, so a
//! repeated case is taken as an attempt only when the repeats look like a
//! rerun: at least one attempt failed or errored, and none was skipped.
//! Repeats that all passed stay separate tests, as their tools report them.

use super::{RetryGroup, TestCase};
use crate::counts::Counts;
use crate::status::TestStatus;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Test keys are already xxh3 hashes: use their bits as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_i64(&mut self, v: i64) {
        self.0 = v as u64;
    }
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Single(TestStatus, bool),
    Group(u32),
}

/// Watches test keys during a parse to find repeated cases.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    seen: HashMap<i64, Slot, BuildHasherDefault<KeyHasher>>,
    groups: Vec<(i64, Vec<(TestStatus, bool)>)>,
}

impl Tracker {
    pub(crate) fn see(&mut self, key: i64, status: TestStatus, flaky: bool) {
        match self.seen.get_mut(&key) {
            None => {
                self.seen.insert(key, Slot::Single(status, flaky));
            }
            Some(Slot::Single(first, first_flaky)) => {
                let idx = self.groups.len() as u32;
                self.groups.push((key, vec![(*first, *first_flaky), (status, flaky)]));
                self.seen.insert(key, Slot::Group(idx));
            }
            Some(Slot::Group(idx)) => self.groups[*idx as usize].1.push((status, flaky)),
        }
    }

    /// Counts with every rerun group counted once, and those groups.
    pub(crate) fn finish(self, mut counts: Counts) -> (Counts, Vec<RetryGroup>) {
        let mut merged = Vec::new();
        for (key, attempts) in self.groups {
            let statuses: Vec<TestStatus> = attempts.iter().map(|a| a.0).collect();
            if !is_rerun(&statuses) {
                continue;
            }
            for &(status, flaky) in &attempts {
                counts.unrecord(status, flaky);
            }
            let (status, flaky) = merged_status(&statuses);
            counts.record(status, flaky, None);
            merged.push(RetryGroup { key, attempts: attempts.len() as u32 });
        }
        (counts, merged)
    }
}

/// Whether repeated cases with these outcomes are attempts of one test.
pub fn is_rerun(statuses: &[TestStatus]) -> bool {
    statuses.len() >= 2 && statuses.iter().any(|s| s.is_bad()) && !statuses.contains(&TestStatus::Skipped)
}

/// Outcome of a test from its attempts: passed (and flaky) if any attempt
/// passed, else the last attempt's outcome.
pub fn merged_status(statuses: &[TestStatus]) -> (TestStatus, bool) {
    if statuses.contains(&TestStatus::Passed) {
        (TestStatus::Passed, statuses.iter().any(|s| s.is_bad()))
    } else {
        (*statuses.last().unwrap_or(&TestStatus::Failed), false)
    }
}

/// One test from its attempts, in the order they ran.
///
/// The result keeps the failure of the last failed attempt (for a flaky
/// test that is what the user wants to read), the summed duration, and,
/// when several attempts failed or printed, each of them under a heading.
pub fn merge_attempts(mut attempts: Vec<TestCase>) -> TestCase {
    if attempts.len() == 1 {
        return attempts.pop().expect("one attempt");
    }
    let n = attempts.len();
    let statuses: Vec<TestStatus> = attempts.iter().map(|a| a.status).collect();
    let (status, flaky) = merged_status(&statuses);
    let base_idx =
        if status == TestStatus::Passed { statuses.iter().rposition(|s| s.is_bad()).unwrap_or(n - 1) } else { n - 1 };
    let bad: Vec<usize> = (0..n).filter(|&i| statuses[i].is_bad()).collect();
    let mut merged = attempts[base_idx].clone();
    merged.status = status;
    merged.flaky = flaky || attempts.iter().any(|a| a.flaky);
    merged.retries = (n as u32 - 1) + attempts.iter().map(|a| a.retries).sum::<u32>();
    let durations: Vec<f64> = attempts.iter().filter_map(|a| a.duration_s).collect();
    merged.duration_s = (!durations.is_empty()).then(|| durations.iter().sum());
    if bad.len() > 1 {
        let mut details = String::new();
        for &i in &bad {
            let a = &attempts[i];
            if !details.is_empty() {
                details.push_str("\n\n");
            }
            details.push_str(&format!("── attempt {} of {n}: {} ──", i + 1, a.status));
            if let Some(m) = &a.message {
                details.push('\n');
                details.push_str(m);
            }
            if let Some(d) = &a.details {
                details.push('\n');
                details.push_str(d);
            }
        }
        merged.details = Some(details);
    }
    merged.stdout = join_attempts(&attempts, |a| a.stdout.as_deref());
    merged.stderr = join_attempts(&attempts, |a| a.stderr.as_deref());
    merged
}

fn join_attempts(attempts: &[TestCase], get: impl Fn(&TestCase) -> Option<&str>) -> Option<String> {
    let n = attempts.len();
    let present: Vec<(usize, &str)> = attempts.iter().enumerate().filter_map(|(i, a)| get(a).map(|t| (i, t))).collect();
    match present.as_slice() {
        [] => None,
        [(_, only)] => Some((*only).to_owned()),
        many => Some(
            many.iter().map(|(i, t)| format!("── attempt {} of {n} ──\n{t}", i + 1)).collect::<Vec<_>>().join("\n\n"),
        ),
    }
}

/// Merges the attempts of each group in a parsed list, in place of the
/// first attempt.
pub fn apply_groups(cases: Vec<TestCase>, groups: &[RetryGroup]) -> Vec<TestCase> {
    if groups.is_empty() {
        return cases;
    }
    let keys: HashMap<i64, usize> = groups.iter().enumerate().map(|(i, g)| (g.key, i)).collect();
    let mut attempts: Vec<Vec<TestCase>> = vec![Vec::new(); groups.len()];
    let mut out: Vec<Option<TestCase>> = Vec::with_capacity(cases.len());
    let mut first_pos: Vec<Option<usize>> = vec![None; groups.len()];
    for case in cases {
        match keys.get(&case.key()) {
            Some(&g) if !case.name.is_empty() => {
                if first_pos[g].is_none() {
                    first_pos[g] = Some(out.len());
                    out.push(None);
                }
                attempts[g].push(case);
            }
            _ => out.push(Some(case)),
        }
    }
    for (g, pos) in first_pos.into_iter().enumerate() {
        if let Some(pos) = pos {
            out[pos] = Some(merge_attempts(std::mem::take(&mut attempts[g])));
        }
    }
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestStatus::*;

    fn case(status: TestStatus, msg: Option<&str>) -> TestCase {
        TestCase {
            suite: "s".into(),
            classname: "c".into(),
            name: "t".into(),
            status,
            duration_s: Some(1.0),
            message: msg.map(str::to_owned),
            ..TestCase::default()
        }
    }

    #[test]
    fn which_repeats_are_reruns() {
        assert!(is_rerun(&[Failed, Passed]));
        assert!(is_rerun(&[Passed, Failed, Error]));
        assert!(is_rerun(&[Failed, Failed, Error]));
        assert!(!is_rerun(&[Passed, Passed]), "it.each titles");
        assert!(!is_rerun(&[Skipped, Failed]), "TestNG data provider");
        assert!(!is_rerun(&[Passed, Skipped]), "TestNG retry marks attempts skipped: keep the tool's count");
        assert!(!is_rerun(&[Failed]));
    }

    #[test]
    fn merged_outcome() {
        assert_eq!(merged_status(&[Failed, Passed]), (Passed, true));
        assert_eq!(merged_status(&[Passed, Failed, Error]), (Passed, true));
        assert_eq!(merged_status(&[Failed, Failed, Error]), (Error, false));
    }

    #[test]
    fn merging_keeps_the_failure_of_a_flaky_test() {
        let m = merge_attempts(vec![case(Failed, Some("boom")), case(Passed, None)]);
        assert_eq!((m.status, m.flaky, m.retries), (Passed, true, 1));
        assert_eq!(m.message.as_deref(), Some("boom"));
        assert_eq!(m.duration_s, Some(2.0));
        let m = merge_attempts(vec![case(Failed, Some("one")), case(Error, Some("two"))]);
        assert_eq!((m.status, m.flaky, m.retries), (Error, false, 1));
        let d = m.details.unwrap();
        assert!(d.contains("attempt 1 of 2: failed") && d.contains("two"), "{d}");
    }

    #[test]
    fn tracker_counts_a_rerun_group_once() {
        let mut t = Tracker::default();
        let mut counts = Counts::default();
        for s in [Failed, Passed] {
            t.see(1, s, false);
            counts.record(s, false, Some(1.0));
        }
        for s in [Passed, Passed] {
            t.see(2, s, false);
            counts.record(s, false, Some(1.0));
        }
        let (c, groups) = t.finish(counts);
        assert_eq!(groups, vec![RetryGroup { key: 1, attempts: 2 }]);
        assert_eq!((c.total, c.passed, c.failed, c.flaky), (3, 3, 0, 1));
        assert_eq!(c.duration_s, 4.0);
    }

    #[test]
    fn apply_groups_puts_the_merged_test_where_the_first_attempt_was() {
        let mut other = case(Passed, None);
        other.name = "other".into();
        let cases = vec![case(Failed, Some("x")), other.clone(), case(Passed, None)];
        let key = cases[0].key();
        let out = apply_groups(cases, &[RetryGroup { key, attempts: 2 }]);
        assert_eq!(out.len(), 2);
        assert!(out[0].flaky);
        assert_eq!(out[1], other);
    }
}
