//! A test upload's outcomes packed into one blob at ingest: per test, its
//! key, status, flaky mark and duration, sorted by key. A run-vs-run diff
//! reads one row per upload instead of one per test (100,000 rows cost
//! SQLite tens of milliseconds; the blob decodes in one).
//!
//! Little-endian: `b"ATD1"`, count (u32), then per test: key (i64), status
//! code (u8), flaky (u8: 0 or 1), duration in seconds (f32, NaN when the
//! report gave none).
//!
//! A test that appears more than once (twice in one report, or in two
//! uploads of one job) is folded into one outcome by [`Outcome::fold`],
//! the way the job's counts see it: failed if any copy failed.

use crate::TestStatus;

const MAGIC: &[u8; 4] = b"ATD1";
const RECORD: usize = 14;

/// One test's outcome in a job.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub key: i64,
    pub status: TestStatus,
    pub flaky: bool,
    pub duration_s: Option<f32>,
}

impl Outcome {
    /// Two copies of one test as one: the worst failure if either failed,
    /// else passed if either passed, else skipped; durations add.
    pub fn fold(self, other: Outcome) -> Outcome {
        let status = match (self.status, other.status) {
            (a, b) if a.is_bad() || b.is_bad() => {
                if a == TestStatus::Failed || b == TestStatus::Failed {
                    TestStatus::Failed
                } else {
                    TestStatus::Error
                }
            }
            (TestStatus::Passed, _) | (_, TestStatus::Passed) => TestStatus::Passed,
            _ => TestStatus::Skipped,
        };
        let duration_s = match (self.duration_s, other.duration_s) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        Outcome {
            key: self.key,
            status,
            flaky: status == TestStatus::Passed && (self.flaky || other.flaky),
            duration_s,
        }
    }
}

/// Sorts by key and folds repeated keys.
pub fn normalise(mut outcomes: Vec<Outcome>) -> Vec<Outcome> {
    outcomes.sort_by_key(|o| o.key);
    let mut out: Vec<Outcome> = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        match out.last_mut() {
            Some(last) if last.key == o.key => *last = last.fold(o),
            _ => out.push(o),
        }
    }
    out
}

/// Packs outcomes (normalised first).
pub fn encode(outcomes: Vec<Outcome>) -> Vec<u8> {
    encode_normalised(&normalise(outcomes))
}

/// Packs outcomes that are already normalised (sorted, no key twice).
pub fn encode_normalised(outcomes: &[Outcome]) -> Vec<u8> {
    debug_assert!(outcomes.windows(2).all(|w| w[0].key < w[1].key), "outcomes not normalised");
    let mut out = Vec::with_capacity(8 + outcomes.len() * RECORD);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(outcomes.len() as u32).to_le_bytes());
    for o in outcomes {
        out.extend_from_slice(&o.key.to_le_bytes());
        out.push(o.status.code() as u8);
        out.push(u8::from(o.flaky));
        out.extend_from_slice(&o.duration_s.unwrap_or(f32::NAN).to_le_bytes());
    }
    out
}

/// Unpacks a digest: sorted by key, no key twice.
pub fn decode(bytes: &[u8]) -> Result<Vec<Outcome>, String> {
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err("test digest: not an ATD1 blob".into());
    }
    let count = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes")) as usize;
    let body = &bytes[8..];
    if body.len() != count * RECORD {
        return Err(format!("test digest: {count} records need {} bytes, found {}", count * RECORD, body.len()));
    }
    let mut out = Vec::with_capacity(count);
    for (i, r) in body.chunks_exact(RECORD).enumerate() {
        let key = i64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
        let status = TestStatus::from_code(i16::from(r[8]))
            .ok_or_else(|| format!("test digest: record {i} has status code {}", r[8]))?;
        let duration = f32::from_le_bytes(r[10..14].try_into().expect("4 bytes"));
        out.push(Outcome { key, status, flaky: r[9] != 0, duration_s: (!duration.is_nan()).then_some(duration) });
    }
    if out.windows(2).any(|w| w[0].key >= w[1].key) {
        return Err("test digest: keys out of order".into());
    }
    Ok(out)
}

/// The outcomes of a job from its uploads' digest blobs, oldest first.
pub fn decode_job(blobs: &[Vec<u8>]) -> Result<Vec<Outcome>, String> {
    let uploads = blobs.iter().map(|b| decode(b)).collect::<Result<Vec<_>, _>>()?;
    Ok(merge(uploads))
}

/// The outcomes of a job from its uploads' digests, oldest first.
pub fn merge(uploads: Vec<Vec<Outcome>>) -> Vec<Outcome> {
    match uploads.len() {
        0 => Vec::new(),
        1 => uploads.into_iter().next().expect("one"),
        _ => normalise(uploads.into_iter().flatten().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(key: i64, status: TestStatus, d: Option<f32>) -> Outcome {
        Outcome { key, status, flaky: false, duration_s: d }
    }

    #[test]
    fn round_trips_sorted_and_folded() {
        let packed = encode(vec![
            o(5, TestStatus::Passed, Some(1.5)),
            o(-3, TestStatus::Skipped, None),
            o(5, TestStatus::Failed, Some(0.5)),
        ]);
        let back = decode(&packed).unwrap();
        assert_eq!(back, vec![o(-3, TestStatus::Skipped, None), o(5, TestStatus::Failed, Some(2.0))]);
    }

    #[test]
    fn folding_prefers_failure_then_pass() {
        let s = |a, b| o(1, a, None).fold(o(1, b, None)).status;
        assert_eq!(s(TestStatus::Passed, TestStatus::Error), TestStatus::Error);
        assert_eq!(s(TestStatus::Error, TestStatus::Failed), TestStatus::Failed);
        assert_eq!(s(TestStatus::Skipped, TestStatus::Passed), TestStatus::Passed);
        assert_eq!(s(TestStatus::Skipped, TestStatus::Skipped), TestStatus::Skipped);
    }

    #[test]
    fn corrupt_blobs_are_refused() {
        assert!(decode(b"nope").is_err());
        let mut packed = encode(vec![o(1, TestStatus::Passed, None)]);
        packed.pop();
        assert!(decode(&packed).unwrap_err().contains("need 14 bytes"));
        let mut bad = encode(vec![o(1, TestStatus::Passed, None)]);
        bad[8 + 8] = 9;
        assert!(decode(&bad).unwrap_err().contains("status code 9"));
    }

    #[test]
    fn uploads_merge_into_one_outcome_per_test() {
        let a = vec![o(1, TestStatus::Passed, Some(1.0)), o(2, TestStatus::Passed, None)];
        let b = vec![o(2, TestStatus::Failed, None), o(3, TestStatus::Passed, None)];
        let m = merge(vec![a, b]);
        assert_eq!(
            m.iter().map(|o| (o.key, o.status)).collect::<Vec<_>>(),
            vec![(1, TestStatus::Passed), (2, TestStatus::Failed), (3, TestStatus::Passed)]
        );
    }
}
