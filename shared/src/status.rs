//! Statuses of tests, jobs and runs, and how a run's status is derived.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Outcome of one test case.
///
/// The discriminant order is the order users want to read results in:
/// failures first, passes last. It is also the value stored in the
/// database (`test_results.status`), so it must never be renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    Failed = 0,
    Error = 1,
    Skipped = 2,
    #[default]
    Passed = 3,
}

impl TestStatus {
    pub const ALL: [TestStatus; 4] = [Self::Failed, Self::Error, Self::Skipped, Self::Passed];

    pub fn code(self) -> i16 {
        self as i16
    }

    pub fn from_code(code: i16) -> Option<Self> {
        Self::ALL.get(usize::try_from(code).ok()?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Error => "error",
            Self::Skipped => "skipped",
            Self::Passed => "passed",
        }
    }

    /// Failed or errored: the test did not do what it should.
    pub fn is_bad(self) -> bool {
        matches!(self, Self::Failed | Self::Error)
    }
}

impl fmt::Display for TestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a status word that is not one of ours; it names the word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}' (expected one of: {expected})")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// The code stored in `test_results.status`; an unknown code is an error.
impl TryFrom<i16> for TestStatus {
    type Error = UnknownValue;
    fn try_from(code: i16) -> Result<Self, UnknownValue> {
        Self::from_code(code).ok_or_else(|| UnknownValue {
            kind: "test status code",
            value: code.to_string(),
            expected: "0, 1, 2, 3",
        })
    }
}

impl FromStr for TestStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownValue {
            kind: "test status",
            value: s.to_owned(),
            expected: "failed, error, skipped, passed",
        })
    }
}

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            #[default]
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// For values read back from storage: a word that is not ours is an
        /// error, never a silent default.
        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(s: String) -> Result<Self, UnknownValue> {
                s.parse()
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: concat!($($word, " "),+),
                    }),
                }
            }
        }
    };
}

word_enum!(
    /// Where a CI job is in its life.
    JobState, "job state", {
        Pending => "pending",
        Running => "running",
        Completed => "completed",
    }
);

word_enum!(
    /// What a CI job reported about itself. `Unknown` until it says;
    /// [`JobResult::effective`] fills the gap from the job's test counts.
    JobResult, "job result", {
        Unknown => "unknown",
        Success => "success",
        Failure => "failure",
        Error => "error",
        Cancelled => "cancelled",
        Skipped => "skipped",
    }
);

word_enum!(
    /// A run's status, derived from its jobs (see [`RunStatus::derive`]).
    RunStatus, "run status", {
        Pending => "pending",
        Running => "running",
        Passed => "passed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

impl JobResult {
    /// The result to show: what the job reported, or, when it reported
    /// nothing, what its tests say.
    pub fn effective(self, state: JobState, bad_tests: i64) -> JobResult {
        match self {
            JobResult::Unknown if bad_tests > 0 => JobResult::Failure,
            JobResult::Unknown if state == JobState::Completed => JobResult::Success,
            other => other,
        }
    }
}

/// The facts about one job that a run's status depends on.
#[derive(Debug, Clone, Copy)]
pub struct JobFacts {
    pub state: JobState,
    pub result: JobResult,
    /// failed + errored tests
    pub bad_tests: i64,
}

impl RunStatus {
    /// Failed as soon as any job has failed (even while others still run),
    /// running while any job is unfinished, then passed or cancelled.
    pub fn derive(jobs: impl IntoIterator<Item = JobFacts>) -> RunStatus {
        let mut any = false;
        let mut unfinished = false;
        let mut cancelled = false;
        for job in jobs {
            any = true;
            match job.result.effective(job.state, job.bad_tests) {
                JobResult::Failure | JobResult::Error => return RunStatus::Failed,
                JobResult::Cancelled => cancelled = true,
                _ => {}
            }
            if job.state != JobState::Completed {
                unfinished = true;
            }
        }
        match (any, unfinished, cancelled) {
            (false, _, _) => RunStatus::Pending,
            (true, true, _) => RunStatus::Running,
            (true, false, true) => RunStatus::Cancelled,
            (true, false, false) => RunStatus::Passed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, result: JobResult, bad_tests: i64) -> JobFacts {
        JobFacts { state, result, bad_tests }
    }

    #[test]
    fn status_codes_round_trip_and_order_failures_first() {
        for s in TestStatus::ALL {
            assert_eq!(TestStatus::from_code(s.code()), Some(s));
            assert_eq!(s.as_str().parse::<TestStatus>(), Ok(s));
        }
        assert!(TestStatus::Failed < TestStatus::Passed);
        assert_eq!(TestStatus::from_code(7), None);
    }

    #[test]
    fn unknown_words_are_named_in_the_error() {
        let err = "green".parse::<JobResult>().unwrap_err();
        assert!(err.to_string().contains("'green'"), "{err}");
        assert!(err.to_string().contains("success"), "{err}");
    }

    #[test]
    fn run_status_is_derived_from_jobs() {
        use JobResult as R;
        use JobState as S;
        assert_eq!(RunStatus::derive([]), RunStatus::Pending);
        assert_eq!(RunStatus::derive([job(S::Running, R::Unknown, 0)]), RunStatus::Running);
        assert_eq!(
            RunStatus::derive([job(S::Running, R::Unknown, 0), job(S::Completed, R::Unknown, 2)]),
            RunStatus::Failed
        );
        assert_eq!(RunStatus::derive([job(S::Completed, R::Unknown, 0)]), RunStatus::Passed);
        assert_eq!(
            RunStatus::derive([job(S::Completed, R::Success, 0), job(S::Completed, R::Cancelled, 0)]),
            RunStatus::Cancelled
        );
        assert_eq!(RunStatus::derive([job(S::Completed, R::Error, 0)]), RunStatus::Failed);
    }
}
