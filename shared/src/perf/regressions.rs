//! Regression tags (PerfTracker's "regressions"): jobs that carry the same
//! tag (`--pt-regression-tag`, or `regression` in Assay's JSON) are grouped,
//! typically the runs of one release candidate, to be compared together.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most jobs one comparison takes.
pub const MAX_COMPARED: usize = 12;

/// A job carrying a regression tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedJob {
    pub job_id: i64,
    pub run_id: i64,
    pub run: String,
    pub job: String,
    pub revision: Option<String>,
    pub machine: Option<String>,
    /// The job's result as shown (`success`, `failure`, …).
    pub result: String,
    pub perf_tests: i64,
    /// When it finished (or was created, if it never said).
    pub at: DateTime<Utc>,
}

/// A regression tag and its jobs, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Regression {
    pub tag: String,
    pub jobs: Vec<TaggedJob>,
}

impl Regression {
    pub fn first(&self) -> Option<&TaggedJob> {
        self.jobs.first()
    }

    pub fn last(&self) -> Option<&TaggedJob> {
        self.jobs.last()
    }

    /// From the first job to the last, in seconds.
    pub fn span_seconds(&self) -> i64 {
        match (self.first(), self.last()) {
            (Some(a), Some(b)) => (b.at - a.at).num_seconds(),
            _ => 0,
        }
    }

    /// The comparison page of its jobs, the first as the baseline: all of
    /// them, or the first and the latest when there are more than one
    /// comparison takes ([`MAX_COMPARED`]).
    pub fn compare_href(&self) -> String {
        let n = self.jobs.len();
        let keep = |i: usize| i == 0 || n <= MAX_COMPARED || i > n - MAX_COMPARED;
        let ids: Vec<String> =
            self.jobs.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, j)| j.job_id.to_string()).collect();
        format!("/compare?jobs={}", ids.join(","))
    }
}

/// Groups jobs (sorted by tag, then time) by tag.
pub fn group(rows: Vec<(String, TaggedJob)>) -> Vec<Regression> {
    let mut out: Vec<Regression> = Vec::new();
    for (tag, job) in rows {
        match out.last_mut() {
            Some(r) if r.tag == tag => r.jobs.push(job),
            _ => out.push(Regression { tag, jobs: vec![job] }),
        }
    }
    out
}

/// "3 days 04:10" or "04:10" (hours:minutes), as PerfTracker shows a
/// regression's time range.
pub fn span_label(seconds: i64) -> String {
    let s = seconds.max(0);
    let (days, rest) = (s / 86_400, s % 86_400);
    let hm = format!("{:02}:{:02}", rest / 3600, rest % 3600 / 60);
    match days {
        0 => hm,
        1 => format!("1 day {hm}"),
        d => format!("{d} days {hm}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: i64, minutes: i64) -> TaggedJob {
        TaggedJob {
            job_id: id,
            run_id: id,
            run: format!("r{id}"),
            job: "j".into(),
            revision: None,
            machine: None,
            result: "success".into(),
            perf_tests: 1,
            at: DateTime::<Utc>::from_timestamp(1_700_000_000 + minutes * 60, 0).unwrap(),
        }
    }

    #[test]
    fn groups_by_tag_in_order() {
        let g = group(vec![("a".into(), job(1, 0)), ("a".into(), job(2, 60 * 24 * 3 + 250)), ("b".into(), job(3, 5))]);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].tag.as_str(), g[0].jobs.len(), g[1].jobs.len()), ("a", 2, 1));
        assert_eq!(g[0].compare_href(), "/compare?jobs=1,2");
        assert_eq!(span_label(g[0].span_seconds()), "3 days 04:10");
        assert_eq!(span_label(g[1].span_seconds()), "00:00");
        assert_eq!(span_label(86_400 + 60), "1 day 00:01");
        let many = Regression { tag: "m".into(), jobs: (1..=20).map(|i| job(i, i)).collect() };
        assert_eq!(many.compare_href(), "/compare?jobs=1,10,11,12,13,14,15,16,17,18,19,20");
    }
}
