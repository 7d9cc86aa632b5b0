//! Test counts: computed once at ingest, stored per upload, and rolled up
//! per job and per run, so that no read ever re-counts test rows.

use crate::TestStatus;
use serde::{Deserialize, Serialize};

/// How many tests ended in each status.
///
/// `total = passed + failed + errors + skipped`. `flaky` counts tests that
/// passed only after one or more failed attempts; they are also in `passed`.
/// `duration_s` is the sum of the test cases' own durations.
/// `quarantined` counts the failed and errored tests whose failure was
/// quarantined (they are also in `failed` or `errors`): they no longer
/// turn a job or run red.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    pub total: i64,
    pub passed: i64,
    pub failed: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
    pub duration_s: f64,
    #[serde(default)]
    pub quarantined: i64,
}

impl Counts {
    pub fn record(&mut self, status: TestStatus, flaky: bool, duration_s: Option<f64>) {
        self.total += 1;
        *self.slot(status) += 1;
        if flaky {
            self.flaky += 1;
        }
        if let Some(d) = duration_s {
            self.duration_s += d;
        }
    }

    /// Takes back one [`Counts::record`] of `status` (its duration stays).
    pub fn unrecord(&mut self, status: TestStatus, flaky: bool) {
        self.total -= 1;
        *self.slot(status) -= 1;
        if flaky {
            self.flaky -= 1;
        }
    }

    pub fn add(&mut self, other: &Counts) {
        self.total += other.total;
        self.passed += other.passed;
        self.failed += other.failed;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.flaky += other.flaky;
        self.duration_s += other.duration_s;
        self.quarantined += other.quarantined;
    }

    pub fn of(&self, status: TestStatus) -> i64 {
        match status {
            TestStatus::Failed => self.failed,
            TestStatus::Error => self.errors,
            TestStatus::Skipped => self.skipped,
            TestStatus::Passed => self.passed,
        }
    }

    /// Failed plus errored tests whose failure counts: the quarantined
    /// ones left out.
    pub fn bad(&self) -> i64 {
        self.failed + self.errors - self.quarantined
    }

    /// Share of executed (not skipped) tests that passed, in percent.
    pub fn pass_rate(&self) -> Option<f64> {
        let executed = self.total - self.skipped;
        (executed > 0).then(|| self.passed as f64 * 100.0 / executed as f64)
    }

    fn slot(&mut self, status: TestStatus) -> &mut i64 {
        match status {
            TestStatus::Failed => &mut self.failed,
            TestStatus::Error => &mut self.errors,
            TestStatus::Skipped => &mut self.skipped,
            TestStatus::Passed => &mut self.passed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_add_and_unrecord_keep_the_invariant() {
        let mut c = Counts::default();
        c.record(TestStatus::Passed, false, Some(1.5));
        c.record(TestStatus::Failed, false, None);
        c.record(TestStatus::Passed, true, Some(0.5));
        c.record(TestStatus::Skipped, false, None);
        assert_eq!((c.total, c.passed, c.failed, c.skipped, c.flaky), (4, 2, 1, 1, 1));
        assert_eq!(c.duration_s, 2.0);
        let mut sum = c;
        sum.add(&c);
        assert_eq!(sum.total, 8);
        sum.unrecord(TestStatus::Failed, false);
        assert_eq!((sum.total, sum.failed), (7, 1));
        assert_eq!(c.total, c.passed + c.failed + c.errors + c.skipped);
        assert_eq!(c.pass_rate().map(|r| r.round()), Some(67.0));
        assert_eq!(Counts::default().pass_rate(), None);
    }
}
