//! Which tests are flaky, on evidence a user can check, kept up to date at
//! ingest one execution at a time (no history is re-read).
//!
//! A test (per job key) is flaky when:
//! 1. **same revision**: it passed and failed on the same revision (two
//!    jobs of the same key, e.g. a re-run);
//! 2. **retries**: it passed only after failed attempts within one run
//!    (JUnit rerun/flaky markers);
//! 3. **flips**: its pass/fail outcome changed at least `min_flips` times
//!    over its last `window` executions on a watched branch (each such
//!    change is a flake; a repeated outcome is a clean execution).
//!
//! Jobs in which most executed tests failed (more than `infra_ratio`, with
//! at least [`INFRA_MIN_TESTS`] executed) are an infrastructure failure and
//! left out of the evidence. A flaky test recovers after
//! `recovery_runs` consecutive clean executions.
//!
//! Only tests that failed recently (or are or were flaky) are tracked: a
//! test that never failed has nothing to count, so ingest touches no row
//! for it.

use crate::TestStatus;
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Most executions a window can span (bits of [`Stat::window`]).
pub const MAX_WINDOW: u32 = 32;
/// An infrastructure failure needs at least this many executed tests.
pub const INFRA_MIN_TESTS: usize = 10;

/// A project's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FlakyRules {
    /// Branches whose runs count for the flip rule (runs without a branch
    /// count too).
    pub branches: Vec<String>,
    /// Executions the flip rule looks back over (2 to 32).
    pub window: u32,
    /// Flips within the window that make a test flaky (1 to window − 1).
    pub min_flips: u32,
    /// Consecutive clean executions after which a flaky test recovers.
    pub recovery_runs: u32,
    /// Share of failed tests above which a job is an infrastructure
    /// failure (0.5 to 1).
    pub infra_ratio: f64,
}

impl Default for FlakyRules {
    fn default() -> Self {
        FlakyRules {
            branches: vec!["main".into(), "master".into()],
            window: 20,
            min_flips: 3,
            recovery_runs: 20,
            infra_ratio: 0.8,
        }
    }
}

impl FlakyRules {
    /// The first rule that is out of range, named.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_WINDOW).contains(&self.window) {
            return Err(format!("window: give 2 to {MAX_WINDOW} executions"));
        }
        if self.min_flips == 0 || self.min_flips >= self.window {
            return Err(format!("min_flips: give 1 to {} (less than the window)", self.window - 1));
        }
        if !(1..=1000).contains(&self.recovery_runs) {
            return Err("recovery_runs: give 1 to 1000 clean executions".into());
        }
        if !(0.5..=1.0).contains(&self.infra_ratio) {
            return Err("infra_ratio: give a share from 0.5 to 1".into());
        }
        if self.branches.iter().any(|b| b.trim().is_empty()) {
            return Err("branches: a branch name is empty".into());
        }
        Ok(())
    }

    /// Whether a run on `branch` counts for the flip rule.
    pub fn watches(&self, branch: Option<&str>) -> bool {
        branch.is_none_or(|b| self.branches.iter().any(|w| w == b))
    }
}

/// Why a test is flaky.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    SameRevision,
    Retries,
    Flips,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SameRevision => "same_revision",
            Rule::Retries => "retries",
            Rule::Flips => "flips",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        [Rule::SameRevision, Rule::Retries, Rule::Flips].into_iter().find(|r| r.as_str() == s)
    }

    /// What the rule says, for people.
    pub fn label(self) -> &'static str {
        match self {
            Rule::SameRevision => "passed and failed on the same revision",
            Rule::Retries => "passed only after retries",
            Rule::Flips => "flipped between pass and fail",
        }
    }
}

/// A tracked test's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    /// The last executions, newest in bit 0: 1 = failed.
    pub window: u32,
    /// Valid bits of `window`.
    pub executions: u32,
    pub clean_streak: u32,
    /// Flaky and not recovered.
    pub flaky: bool,
}

impl Stat {
    /// Changes between consecutive outcomes over the last `window`.
    pub fn flips(&self, window: u32) -> u32 {
        let n = self.executions.min(window).min(MAX_WINDOW);
        if n < 2 {
            return 0;
        }
        let bits = self.window ^ (self.window >> 1);
        (bits & ((1u32 << (n - 1)) - 1)).count_ones()
    }

    /// Failed executions over the last `window`.
    pub fn failures(&self, window: u32) -> u32 {
        let n = self.executions.min(window).min(MAX_WINDOW);
        let mask = if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
        (self.window & mask).count_ones()
    }

    /// The recent outcomes as text, oldest first: `P` passed, `F` failed.
    pub fn trend(&self, window: u32) -> String {
        let n = self.executions.min(window).min(MAX_WINDOW);
        (0..n).rev().map(|i| if self.window >> i & 1 == 1 { 'F' } else { 'P' }).collect()
    }
}

/// What one execution changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    /// The rules this execution gave evidence for.
    pub flake: Option<Rule>,
    /// The test recovered with this execution.
    pub recovered: bool,
}

/// One execution of a tracked (or newly failing) test.
///
/// `other_same_revision`: its outcome in another job of the same key on
/// the same revision, if any; `watched`: the run's branch counts for the
/// flip rule (the window moves only then).
pub fn observe(
    stat: &mut Stat,
    status: TestStatus,
    passed_on_retry: bool,
    other_same_revision: Option<TestStatus>,
    watched: bool,
    rules: &FlakyRules,
) -> Observed {
    if status == TestStatus::Skipped {
        return Observed::default();
    }
    let failed = status.is_bad();
    let mut flake = None;
    if passed_on_retry {
        flake = Some(Rule::Retries);
    }
    if let Some(other) = other_same_revision
        && other != TestStatus::Skipped
        && other.is_bad() != failed
    {
        flake = flake.or(Some(Rule::SameRevision));
    }
    if watched {
        stat.window = (stat.window << 1) | u32::from(failed);
        stat.executions = (stat.executions + 1).min(MAX_WINDOW);
        // Evidence is the flip itself: a repeat of the last outcome is a
        // clean execution, however many flips the window still holds.
        let flipped = stat.executions >= 2 && (stat.window & 1) != ((stat.window >> 1) & 1);
        if flake.is_none() && flipped && stat.flips(rules.window) >= rules.min_flips {
            flake = Some(Rule::Flips);
        }
    }
    let clean = !failed && !passed_on_retry;
    let mut recovered = false;
    if flake.is_some() {
        stat.flaky = true;
        stat.clean_streak = 0;
    } else if clean {
        stat.clean_streak += 1;
        if stat.flaky && stat.clean_streak >= rules.recovery_runs {
            stat.flaky = false;
            recovered = true;
        }
    } else {
        stat.clean_streak = 0;
    }
    Observed { flake, recovered }
}

/// Whether a job is an infrastructure failure: most of its executed tests
/// failed.
pub fn infra_failure(failed: usize, executed: usize, rules: &FlakyRules) -> bool {
    executed >= INFRA_MIN_TESTS && failed as f64 > rules.infra_ratio * executed as f64
}

/// Whether an untracked test needs a row after this execution (it failed,
/// or passed only on retry).
pub fn worth_tracking(status: TestStatus, passed_on_retry: bool) -> bool {
    status.is_bad() || passed_on_retry
}

/// Whether a tracked test can be forgotten: it has not run in the job
/// key's last `max(window, recovery_runs)` uploads (renamed, deleted or no
/// longer run: its window would be stale), or it is not flaky, never was,
/// and has no failure left in its window.
pub fn forgettable(t: &Tracked, seq: u32, rules: &FlakyRules) -> bool {
    let idle = seq.saturating_sub(t.last_seq);
    idle > rules.window.max(rules.recovery_runs)
        || (!t.stat.flaky && !t.ever_flaky && t.stat.failures(rules.window) == 0)
}

/// A tracked test in a job key's windows blob.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tracked {
    pub key: i64,
    pub stat: Stat,
    /// Was flaky at some point (its `flaky_tests` row exists).
    pub ever_flaky: bool,
    /// The job key's upload count when this test last ran.
    pub last_seq: u32,
}

/// A job key's tracked tests, and how many uploads it has had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Windows {
    pub seq: u32,
    /// Sorted by key.
    pub tracked: Vec<Tracked>,
}

impl Windows {
    pub fn get(&self, key: i64) -> Option<&Tracked> {
        self.tracked.binary_search_by_key(&key, |t| t.key).ok().map(|i| &self.tracked[i])
    }
}

const WINDOWS_MAGIC: &[u8; 4] = b"ATW2";
const WINDOWS_RECORD: usize = 20;

/// Packs a job key's tracked tests (sorted by key) into one blob:
/// `b"ATW2"`, upload count (u32), test count (u32), then per test: key
/// (i64), window (u32), executions (u8), clean streak (u16, saturating),
/// flags (u8: 1 flaky, 2 ever flaky), upload count when last run (u32).
/// One row per job key is read and written per upload, whatever the
/// number of tests.
pub fn encode_windows(w: &Windows) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + w.tracked.len() * WINDOWS_RECORD);
    out.extend_from_slice(WINDOWS_MAGIC);
    out.extend_from_slice(&w.seq.to_le_bytes());
    out.extend_from_slice(&(w.tracked.len() as u32).to_le_bytes());
    for t in &w.tracked {
        out.extend_from_slice(&t.key.to_le_bytes());
        out.extend_from_slice(&t.stat.window.to_le_bytes());
        out.push(t.stat.executions.min(MAX_WINDOW) as u8);
        out.extend_from_slice(&(t.stat.clean_streak.min(u32::from(u16::MAX)) as u16).to_le_bytes());
        out.push(u8::from(t.stat.flaky) | (u8::from(t.ever_flaky) << 1));
        out.extend_from_slice(&t.last_seq.to_le_bytes());
    }
    out
}

pub fn decode_windows(bytes: &[u8]) -> Result<Windows, String> {
    if bytes.len() < 12 || &bytes[..4] != WINDOWS_MAGIC {
        return Err("test windows: not an ATW2 blob".into());
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let (seq, count) = (word(4), word(8) as usize);
    let body = &bytes[12..];
    if body.len() != count * WINDOWS_RECORD {
        return Err(format!(
            "test windows: {count} records need {} bytes, found {}",
            count * WINDOWS_RECORD,
            body.len()
        ));
    }
    let tracked: Vec<Tracked> = body
        .chunks_exact(WINDOWS_RECORD)
        .map(|r| Tracked {
            key: i64::from_le_bytes(r[..8].try_into().expect("8 bytes")),
            stat: Stat {
                window: u32::from_le_bytes(r[8..12].try_into().expect("4 bytes")),
                executions: u32::from(r[12]),
                clean_streak: u32::from(u16::from_le_bytes(r[13..15].try_into().expect("2 bytes"))),
                flaky: r[15] & 1 != 0,
            },
            ever_flaky: r[15] & 2 != 0,
            last_seq: u32::from_le_bytes(r[16..20].try_into().expect("4 bytes")),
        })
        .collect();
    if tracked.windows(2).any(|w| w[0].key >= w[1].key) {
        return Err("test windows: keys out of order".into());
    }
    Ok(Windows { seq, tracked })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestStatus::*;

    #[test]
    fn windows_round_trip() {
        let tracked = vec![
            Tracked {
                key: -4,
                stat: Stat { window: 0b1010, executions: 4, clean_streak: 70_000, flaky: true },
                ever_flaky: true,
                last_seq: 7,
            },
            Tracked {
                key: 9,
                stat: Stat { window: 1, executions: 1, clean_streak: 0, flaky: false },
                ever_flaky: false,
                last_seq: 9,
            },
        ];
        let w = Windows { seq: 9, tracked };
        let back = decode_windows(&encode_windows(&w)).unwrap();
        assert_eq!(back.seq, 9);
        assert_eq!(back.tracked[0].stat.clean_streak, u32::from(u16::MAX));
        assert_eq!(back.tracked[1], w.tracked[1]);
        assert_eq!(back.get(-4).map(|t| t.last_seq), Some(7));
        assert!(back.get(5).is_none());
        assert!(decode_windows(b"ATW2\x01\0\0\0\x01\0\0\0").is_err());
    }

    #[test]
    fn tests_that_stop_running_are_forgotten() {
        let rules = FlakyRules::default();
        let failing = Tracked {
            key: 1,
            stat: Stat { window: 1, executions: 1, ..Stat::default() },
            ever_flaky: false,
            last_seq: 10,
        };
        assert!(!forgettable(&failing, 30, &rules), "20 uploads without it: kept");
        assert!(forgettable(&failing, 31, &rules), "21: gone");
        let flaky = Tracked { ever_flaky: true, stat: Stat { flaky: true, ..failing.stat }, ..failing };
        assert!(!forgettable(&flaky, 12, &rules));
        let clean = Tracked { stat: Stat { window: 0, executions: 5, ..Stat::default() }, ..failing };
        assert!(forgettable(&clean, 10, &rules), "nothing left to count");
    }

    fn run(stat: &mut Stat, outcomes: &str, rules: &FlakyRules) -> Vec<Observed> {
        outcomes
            .chars()
            .map(|c| {
                let status = if c == 'F' { Failed } else { Passed };
                observe(stat, status, false, None, true, rules)
            })
            .collect()
    }

    #[test]
    fn three_flips_in_the_window_make_a_test_flaky() {
        let rules = FlakyRules::default();
        let mut s = Stat::default();
        let seen = run(&mut s, "FPF", &rules);
        assert!(seen.iter().all(|o| o.flake.is_none()), "two flips are not enough");
        assert_eq!(s.flips(20), 2);
        let last = run(&mut s, "P", &rules);
        assert_eq!(last[0].flake, Some(Rule::Flips));
        assert!(s.flaky);
        assert_eq!(s.trend(20), "FPFP");
        assert_eq!(s.failures(20), 2);
        // A second pass repeats the outcome: clean, not another flake.
        assert_eq!(run(&mut s, "P", &rules)[0].flake, None);
        assert_eq!(s.clean_streak, 1);
    }

    #[test]
    fn a_steady_failure_is_not_flaky() {
        let rules = FlakyRules::default();
        let mut s = Stat::default();
        run(&mut s, "PPPPFFFFFFFFFF", &rules);
        assert!(!s.flaky);
        assert_eq!(s.flips(20), 1);
    }

    #[test]
    fn flips_outside_the_window_do_not_count() {
        let rules = FlakyRules { window: 4, min_flips: 3, ..FlakyRules::default() };
        let mut s = Stat::default();
        // Three flips in all, but never three within four executions.
        let seen = run(&mut s, "FPPPPFP", &rules);
        assert!(seen.iter().all(|o| o.flake.is_none()), "{seen:?}");
        assert_eq!(s.flips(4), 2);
        assert_eq!(s.flips(20), 3);
    }

    #[test]
    fn same_revision_and_retries_are_evidence_at_once() {
        let rules = FlakyRules::default();
        let mut s = Stat::default();
        let o = observe(&mut s, Failed, false, Some(Passed), false, &rules);
        assert_eq!(o.flake, Some(Rule::SameRevision));
        let mut s = Stat::default();
        let o = observe(&mut s, Passed, true, None, false, &rules);
        assert_eq!(o.flake, Some(Rule::Retries));
        // The same outcome on the same revision is no evidence.
        let mut s = Stat::default();
        assert_eq!(observe(&mut s, Failed, false, Some(Error), false, &rules).flake, None);
        assert_eq!(observe(&mut s, Passed, false, Some(Skipped), false, &rules).flake, None);
    }

    #[test]
    fn recovery_after_enough_clean_executions() {
        let rules = FlakyRules { recovery_runs: 3, ..FlakyRules::default() };
        let mut s = Stat::default();
        observe(&mut s, Passed, true, None, true, &rules);
        assert!(s.flaky);
        let seen = run(&mut s, "PP", &rules);
        assert!(seen.iter().all(|o| !o.recovered) && s.flaky);
        let seen = run(&mut s, "P", &rules);
        assert!(seen[0].recovered && !s.flaky);
        // A failure resets the streak.
        let mut s = Stat { flaky: true, ..Stat::default() };
        run(&mut s, "PPF", &rules);
        assert_eq!(s.clean_streak, 0);
        assert!(s.flaky);
    }

    #[test]
    fn infrastructure_failures_are_recognised() {
        let rules = FlakyRules::default();
        assert!(infra_failure(90, 100, &rules));
        assert!(!infra_failure(80, 100, &rules));
        assert!(!infra_failure(5, 5, &rules), "a small job failing entirely is not infrastructure");
    }

    #[test]
    fn skipped_executions_change_nothing() {
        let rules = FlakyRules::default();
        let mut s = Stat { window: 1, executions: 1, ..Stat::default() };
        let before = s;
        observe(&mut s, Skipped, false, Some(Passed), true, &rules);
        assert_eq!(s, before);
    }

    #[test]
    fn rules_are_validated() {
        assert!(FlakyRules::default().validate().is_ok());
        let bad = FlakyRules { window: 40, ..FlakyRules::default() };
        assert!(bad.validate().unwrap_err().starts_with("window"));
        let bad = FlakyRules { min_flips: 20, ..FlakyRules::default() };
        assert!(bad.validate().unwrap_err().starts_with("min_flips"));
        let bad = FlakyRules { infra_ratio: 0.2, ..FlakyRules::default() };
        assert!(bad.validate().unwrap_err().starts_with("infra_ratio"));
        assert!(FlakyRules::default().watches(Some("main")) && FlakyRules::default().watches(None));
        assert!(!FlakyRules::default().watches(Some("feature/x")));
    }
}
