//! How steady a test is across its recent results.

use crate::TestStatus;
use serde::{Deserialize, Serialize};

/// Summary of a test's recent outcomes (newest first in the input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Flakiness {
    /// Results considered (skipped ones excluded).
    pub executed: usize,
    pub passed: usize,
    /// Failed or errored.
    pub failed: usize,
    /// Passed only after retries within a run.
    pub flaky_passes: usize,
    /// Changes between pass and fail from one result to the next.
    pub flips: usize,
}

impl Flakiness {
    /// `outcomes`: (status, flaky) per result, in time order either way.
    pub fn of(outcomes: impl IntoIterator<Item = (TestStatus, bool)>) -> Flakiness {
        let mut f = Flakiness::default();
        let mut last: Option<bool> = None;
        for (status, flaky) in outcomes {
            if status == TestStatus::Skipped {
                continue;
            }
            f.executed += 1;
            let ok = status == TestStatus::Passed;
            if ok {
                f.passed += 1;
                if flaky {
                    f.flaky_passes += 1;
                }
            } else {
                f.failed += 1;
            }
            if let Some(prev) = last
                && prev != ok
            {
                f.flips += 1;
            }
            last = Some(ok);
        }
        f
    }

    /// Share of transitions that flipped, in percent: 0 for a test that
    /// always passes or always fails, high for one that alternates.
    pub fn flip_rate(&self) -> Option<f64> {
        (self.executed > 1).then(|| self.flips as f64 * 100.0 / (self.executed - 1) as f64)
    }

    /// A test is called flaky when it both passed and failed recently, or
    /// needed retries to pass.
    pub fn is_flaky(&self) -> bool {
        (self.passed > 0 && self.failed > 0) || self.flaky_passes > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestStatus::*;

    #[test]
    fn steady_and_alternating_tests() {
        let steady = Flakiness::of([(Passed, false); 5]);
        assert_eq!((steady.executed, steady.flips, steady.flip_rate()), (5, 0, Some(0.0)));
        assert!(!steady.is_flaky());
        let broken = Flakiness::of([(Failed, false), (Failed, false), (Passed, false)]);
        assert_eq!((broken.failed, broken.flips), (2, 1));
        assert!(broken.is_flaky());
        let alternating = Flakiness::of([(Passed, false), (Failed, false), (Passed, false), (Error, false)]);
        assert_eq!(alternating.flip_rate(), Some(100.0));
        let skipped = Flakiness::of([(Skipped, false), (Passed, true)]);
        assert_eq!((skipped.executed, skipped.flaky_passes), (1, 1));
        assert!(skipped.is_flaky());
        assert_eq!(skipped.flip_rate(), None);
    }
}
