//! Comparing jobs' performance results, PerfTracker's way: one row per
//! test and metric, one cell per job, each cell's change against the first
//! job and whether it is significant.
//!
//! Pure: the server hands in each job's measurements and gets the rows;
//! filtering and sorting are here too, so the API, the page and the CSV
//! say the same thing.

use super::stats::{self, TestUsed};
use super::{Direction, mean};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Two-sided p-value below which a change is significant.
pub const ALPHA: f64 = 0.05;

/// One job in a comparison, as its column header shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareJob {
    pub id: i64,
    pub project: String,
    pub run_id: i64,
    pub run: String,
    pub key: String,
    pub name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub platform: Option<String>,
    pub machine: Option<String>,
    pub regression: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What a cell says against the first job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The first job's cell: what the others are compared with.
    Baseline,
    /// Significantly better, by the metric's direction.
    Improvement,
    /// Significantly worse.
    Regression,
    /// No significant difference.
    NoChange,
    /// Too few samples on one side (fewer than 3) to judge, or no baseline.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Baseline => "baseline",
            Verdict::Improvement => "improvement",
            Verdict::Regression => "regression",
            Verdict::NoChange => "no-change",
            Verdict::Unknown => "unknown",
        }
    }

    /// A symbol beside the colour, for those who cannot tell the colours.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Baseline => "",
            Verdict::Improvement => "▲",
            Verdict::Regression => "▼",
            Verdict::NoChange => "=",
            Verdict::Unknown => "?",
        }
    }
}

/// One job's value for a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareCell {
    /// The series this value belongs to (its graph).
    pub series_id: i64,
    /// The tool's summary (the mean of the samples, for tools that give
    /// only samples).
    pub value: f64,
    /// Samples behind the value (0: the tool gave the value only).
    pub n: usize,
    /// 95% interval of the mean, from the samples.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Change against the first job's value, in %.
    pub change_pct: Option<f64>,
    /// Two-sided p-value of the difference from the first job.
    pub p_value: Option<f64>,
    pub test: Option<TestUsed>,
    pub verdict: Verdict,
}

/// One test and metric across the jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareRow {
    pub test: String,
    pub group: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    /// One per job, in the order of the jobs; `None` where that job has no
    /// such result.
    pub cells: Vec<Option<CompareCell>>,
}

impl CompareRow {
    /// The worst verdict among the cells (regression before improvement).
    pub fn verdict(&self) -> Verdict {
        let has = |v: Verdict| self.cells.iter().flatten().any(|c| c.verdict == v);
        if has(Verdict::Regression) {
            Verdict::Regression
        } else if has(Verdict::Improvement) {
            Verdict::Improvement
        } else if has(Verdict::NoChange) {
            Verdict::NoChange
        } else {
            Verdict::Unknown
        }
    }

    /// The largest change against the first job, by magnitude.
    pub fn max_change(&self) -> Option<f64> {
        self.cells.iter().flatten().filter_map(|c| c.change_pct).max_by(|a, b| a.abs().total_cmp(&b.abs()))
    }
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub jobs: Vec<CompareJob>,
    /// Rows after the filter, in the order asked for.
    pub rows: Vec<CompareRow>,
    /// Rows before the filter.
    pub total_rows: usize,
    pub regressions: usize,
    pub improvements: usize,
    /// The groups present, for the filter's choices.
    pub groups: Vec<String>,
    pub categories: Vec<String>,
    pub alpha: f64,
}

/// One measurement of one job, as the server reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub series_id: i64,
    pub test: String,
    pub group: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    pub value: f64,
    pub samples: Vec<f64>,
}

/// Which rows to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Only {
    #[default]
    All,
    /// Rows with a significant change, either way.
    Changed,
    Regressions,
    Improvements,
}

impl std::str::FromStr for Only {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "all" => Ok(Only::All),
            "changed" => Ok(Only::Changed),
            "regressions" => Ok(Only::Regressions),
            "improvements" => Ok(Only::Improvements),
            _ => Err(crate::status::UnknownValue {
                kind: "filter",
                value: s.into(),
                expected: "all, changed, regressions, improvements",
            }),
        }
    }
}

/// The column rows are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SortBy {
    /// Group, category, test, metric: as the jobs wrote them.
    #[default]
    Name,
    /// The largest change against the first job.
    Change,
    /// Regressions, then improvements, then the rest.
    Verdict,
    /// The value of the n-th job (0-based).
    Value(usize),
}

impl std::str::FromStr for SortBy {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "name" => Ok(SortBy::Name),
            "change" => Ok(SortBy::Change),
            "verdict" => Ok(SortBy::Verdict),
            v if v.starts_with("value") && v[5..].parse::<usize>().is_ok() => {
                Ok(SortBy::Value(v[5..].parse().unwrap_or(0)))
            }
            _ => Err(crate::status::UnknownValue {
                kind: "sort",
                value: s.into(),
                expected: "name, change, verdict, value0, value1, …",
            }),
        }
    }
}

impl SortBy {
    pub fn as_param(self) -> String {
        match self {
            SortBy::Name => "name".into(),
            SortBy::Change => "change".into(),
            SortBy::Verdict => "verdict".into(),
            SortBy::Value(i) => format!("value{i}"),
        }
    }
}

/// Filter and order of a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub only: Only,
    pub group: Option<String>,
    pub category: Option<String>,
    /// Case-insensitive substring of the test or metric name.
    pub name: Option<String>,
    pub sort: SortBy,
    pub descending: bool,
}

/// A comparison's parameters as a URL carries them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewParams {
    pub only: Option<String>,
    pub group: Option<String>,
    pub category: Option<String>,
    pub name: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<bool>,
}

impl ViewParams {
    /// The view, or what is wrong with a parameter.
    pub fn view(&self) -> Result<View, String> {
        let nonblank = |v: &Option<String>| v.clone().filter(|g| !g.trim().is_empty());
        Ok(View {
            only: self.only.as_deref().unwrap_or("").parse::<Only>().map_err(|e| format!("only: {e}"))?,
            group: nonblank(&self.group),
            category: nonblank(&self.category),
            name: nonblank(&self.name),
            sort: self.sort.as_deref().unwrap_or("").parse::<SortBy>().map_err(|e| format!("sort: {e}"))?,
            descending: self.desc.unwrap_or(false),
        })
    }
}

/// Builds the rows: one per (group, category, test, metric) in the order
/// first met, one cell per job. Several measurements of one key in one job
/// (the same test uploaded twice) are pooled: their samples together, the
/// mean of their values.
pub fn compare(jobs: Vec<CompareJob>, measurements: Vec<Vec<Measurement>>, view: &View) -> Comparison {
    let width = jobs.len();
    // Rows in the order they first appear, keyed without copying names.
    let mut index: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
    let slots: Vec<Vec<usize>> = measurements
        .iter()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    let next = index.len();
                    *index.entry((&m.group, &m.category, &m.test, &m.metric)).or_insert(next)
                })
                .collect()
        })
        .collect();
    let row_count = index.len();
    drop(index);
    let mut pooled: Vec<Vec<Option<(Measurement, usize)>>> = (0..row_count).map(|_| vec![None; width]).collect();
    for (j, (ms, rows)) in measurements.into_iter().zip(&slots).enumerate() {
        for (m, &row) in ms.into_iter().zip(rows) {
            match &mut pooled[row][j] {
                slot @ None => *slot = Some((m, 1)),
                Some((acc, count)) => {
                    acc.value += m.value;
                    acc.samples.extend(m.samples);
                    *count += 1;
                }
            }
        }
    }
    let pooled: Vec<Vec<Option<Measurement>>> = pooled
        .into_iter()
        .map(|cells| {
            cells
                .into_iter()
                .map(|c| {
                    c.map(|(mut m, count)| {
                        m.value /= count as f64;
                        m
                    })
                })
                .collect()
        })
        .collect();
    let mut rows = rows_of(&pooled);
    let total_rows = rows.len();
    let regressions = rows.iter().filter(|r| r.verdict() == Verdict::Regression).count();
    let improvements = rows.iter().filter(|r| r.verdict() == Verdict::Improvement).count();
    let mut groups: Vec<String> = rows.iter().map(|r| r.group.clone()).filter(|g| !g.is_empty()).collect();
    groups.sort();
    groups.dedup();
    let mut categories: Vec<String> = rows.iter().map(|r| r.category.clone()).filter(|g| !g.is_empty()).collect();
    categories.sort();
    categories.dedup();
    rows.retain(|r| keep(r, view));
    sort(&mut rows, view);
    Comparison { jobs, rows, total_rows, regressions, improvements, groups, categories, alpha: ALPHA }
}

/// The rows' statistics, on every core for a large comparison (natively;
/// in one thread in the browser).
fn rows_of(pooled: &[Vec<Option<Measurement>>]) -> Vec<CompareRow> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if threads > 1 && pooled.len() >= 2048 {
            let chunk = pooled.len().div_ceil(threads);
            return std::thread::scope(|s| {
                let parts: Vec<_> = pooled
                    .chunks(chunk)
                    .map(|part| s.spawn(move || part.iter().map(|cells| row(cells)).collect::<Vec<_>>()))
                    .collect();
                parts.into_iter().flat_map(|p| p.join().expect("a comparison thread")).collect()
            });
        }
    }
    pooled.iter().map(|cells| row(cells)).collect()
}

fn row(cells: &[Option<Measurement>]) -> CompareRow {
    let first = cells.iter().flatten().next().expect("a row has a measurement");
    let base = cells.first().and_then(|c| c.as_ref());
    let out = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.as_ref().map(|m| {
                let summary = stats::summarise(&m.samples);
                let (ci_low, ci_high) = match summary.and_then(|s| s.ci) {
                    Some((lo, hi)) => (Some(lo), Some(hi)),
                    None => (None, None),
                };
                let mut cell = CompareCell {
                    series_id: m.series_id,
                    value: m.value,
                    n: m.samples.len(),
                    ci_low,
                    ci_high,
                    change_pct: None,
                    p_value: None,
                    test: None,
                    verdict: if i == 0 { Verdict::Baseline } else { Verdict::Unknown },
                };
                if i > 0
                    && let Some(b) = base
                {
                    if b.value != 0.0 {
                        cell.change_pct = Some((m.value - b.value) / b.value.abs() * 100.0);
                    }
                    if let Some((p, test)) = stats::significance(&b.samples, &m.samples) {
                        cell.p_value = Some(p);
                        cell.test = Some(test);
                        cell.verdict = if p >= ALPHA {
                            Verdict::NoChange
                        } else {
                            let (bm, om) = (mean(&b.samples).unwrap_or(b.value), mean(&m.samples).unwrap_or(m.value));
                            let worse = match m.direction {
                                Direction::Lower => om > bm,
                                Direction::Higher => om < bm,
                            };
                            if worse { Verdict::Regression } else { Verdict::Improvement }
                        };
                    }
                }
                cell
            })
        })
        .collect();
    CompareRow {
        test: first.test.clone(),
        group: first.group.clone(),
        category: first.category.clone(),
        metric: first.metric.clone(),
        unit: first.unit.clone(),
        direction: first.direction,
        cells: out,
    }
}

fn keep(r: &CompareRow, view: &View) -> bool {
    let verdict = r.verdict();
    let by_change = match view.only {
        Only::All => true,
        Only::Changed => matches!(verdict, Verdict::Regression | Verdict::Improvement),
        Only::Regressions => verdict == Verdict::Regression,
        Only::Improvements => r.cells.iter().flatten().any(|c| c.verdict == Verdict::Improvement),
    };
    let by_group = view.group.as_ref().is_none_or(|g| g.is_empty() || &r.group == g);
    let by_category = view.category.as_ref().is_none_or(|c| c.is_empty() || &r.category == c);
    let by_name = view.name.as_ref().is_none_or(|n| {
        let n = n.to_lowercase();
        r.test.to_lowercase().contains(&n) || r.metric.to_lowercase().contains(&n)
    });
    by_change && by_group && by_category && by_name
}

fn sort(rows: &mut [CompareRow], view: &View) {
    let rank = |v: Verdict| match v {
        Verdict::Regression => 0,
        Verdict::Improvement => 1,
        Verdict::NoChange => 2,
        _ => 3,
    };
    match view.sort {
        // Rows are already in the order first met; a stable sort keeps it
        // within a group.
        SortBy::Name => {
            if view.descending {
                rows.reverse();
            }
            return;
        }
        SortBy::Change => rows.sort_by(|a, b| {
            let (a, b) = (a.max_change().map(f64::abs), b.max_change().map(f64::abs));
            b.unwrap_or(-1.0).total_cmp(&a.unwrap_or(-1.0))
        }),
        SortBy::Verdict => rows.sort_by(|a, b| {
            rank(a.verdict()).cmp(&rank(b.verdict())).then_with(|| {
                let (a, b) = (a.max_change().map(f64::abs), b.max_change().map(f64::abs));
                b.unwrap_or(-1.0).total_cmp(&a.unwrap_or(-1.0))
            })
        }),
        SortBy::Value(i) => rows.sort_by(|a, b| {
            let v = |r: &CompareRow| r.cells.get(i).and_then(|c| c.as_ref()).map(|c| c.value);
            v(b).unwrap_or(f64::NEG_INFINITY).total_cmp(&v(a).unwrap_or(f64::NEG_INFINITY))
        }),
    }
    if view.descending {
        rows.reverse();
    }
}

/// The comparison as CSV: one line per row and job.
pub fn to_csv(c: &Comparison) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
    }
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut out = String::from(
        "group,category,test,metric,unit,direction,job_id,run,job,value,n,ci_low,ci_high,change_pct,p_value,test_used,verdict\n",
    );
    for r in &c.rows {
        for (job, cell) in c.jobs.iter().zip(&r.cells) {
            let Some(cell) = cell else { continue };
            let test_used = match cell.test {
                Some(TestUsed::Welch) => "welch",
                Some(TestUsed::MannWhitney) => "mann-whitney",
                None => "",
            };
            let line = [
                field(&r.group),
                field(&r.category),
                field(&r.test),
                field(&r.metric),
                field(&r.unit),
                r.direction.as_str().to_owned(),
                job.id.to_string(),
                field(&job.run),
                field(&job.key),
                cell.value.to_string(),
                cell.n.to_string(),
                num(cell.ci_low),
                num(cell.ci_high),
                num(cell.change_pct),
                num(cell.p_value),
                test_used.to_owned(),
                cell.verdict.as_str().to_owned(),
            ];
            out.push_str(&line.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: i64) -> CompareJob {
        CompareJob {
            id,
            project: "p".into(),
            run_id: id,
            run: format!("r{id}"),
            key: "bench".into(),
            name: "bench".into(),
            revision: None,
            branch: None,
            platform: None,
            machine: None,
            regression: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn m(test: &str, direction: Direction, samples: &[f64]) -> Measurement {
        Measurement {
            series_id: 1,
            test: test.into(),
            group: "g".into(),
            category: String::new(),
            metric: "time".into(),
            unit: "ms".into(),
            direction,
            value: mean(samples).unwrap(),
            samples: samples.to_vec(),
        }
    }

    #[test]
    fn verdicts_follow_the_direction() {
        let base = vec![
            m("slower", Direction::Lower, &[10.0, 10.1, 9.9, 10.0, 10.05]),
            m("faster", Direction::Lower, &[10.0, 10.1, 9.9, 10.0, 10.05]),
            m("same", Direction::Lower, &[10.0, 10.1, 9.9, 10.0, 10.05]),
            m("throughput", Direction::Higher, &[100.0, 101.0, 99.0, 100.5]),
            m("one sample", Direction::Lower, &[5.0]),
            m("only in first", Direction::Lower, &[1.0, 1.0, 1.0]),
        ];
        let other = vec![
            m("slower", Direction::Lower, &[12.0, 12.1, 11.9, 12.0, 12.05]),
            m("faster", Direction::Lower, &[8.0, 8.1, 7.9, 8.0, 8.05]),
            m("same", Direction::Lower, &[10.05, 9.95, 10.0, 10.1, 9.9]),
            m("throughput", Direction::Higher, &[90.0, 91.0, 89.0, 90.5]),
            m("one sample", Direction::Lower, &[6.0]),
        ];
        let c = compare(vec![job(1), job(2)], vec![base, other], &View::default());
        let verdict = |name: &str| c.rows.iter().find(|r| r.test == name).unwrap().cells[1].as_ref().map(|c| c.verdict);
        assert_eq!(verdict("slower"), Some(Verdict::Regression));
        assert_eq!(verdict("faster"), Some(Verdict::Improvement));
        assert_eq!(verdict("same"), Some(Verdict::NoChange));
        assert_eq!(verdict("throughput"), Some(Verdict::Regression), "higher is better, and it fell");
        assert_eq!(verdict("one sample"), Some(Verdict::Unknown));
        assert_eq!(verdict("only in first"), None);
        let slower = &c.rows[0].cells[1].as_ref().unwrap();
        assert!((slower.change_pct.unwrap() - 20.0).abs() < 0.1);
        assert_eq!(c.rows[0].cells[0].as_ref().unwrap().verdict, Verdict::Baseline);
        assert_eq!((c.regressions, c.improvements, c.total_rows), (2, 1, 6));

        let only = View { only: Only::Regressions, ..View::default() };
        let r = compare(vec![job(1), job(2)], vec![c_measurements(), c_measurements_other()], &only);
        assert!(r.rows.iter().all(|r| r.verdict() == Verdict::Regression));
        let csv = to_csv(&c);
        assert!(csv.lines().nth(1).unwrap().starts_with("g,,slower,time,ms,lower,1,r1,bench,"));
    }

    fn c_measurements() -> Vec<Measurement> {
        vec![m("a", Direction::Lower, &[1.0, 1.1, 0.9]), m("b", Direction::Lower, &[1.0, 1.1, 0.9])]
    }

    fn c_measurements_other() -> Vec<Measurement> {
        vec![m("a", Direction::Lower, &[2.0, 2.1, 1.9]), m("b", Direction::Lower, &[1.0, 1.1, 0.9])]
    }

    #[test]
    fn sorts_and_filters() {
        let c = compare(
            vec![job(1), job(2)],
            vec![c_measurements(), c_measurements_other()],
            &View { sort: SortBy::Change, ..View::default() },
        );
        assert_eq!(c.rows[0].test, "a");
        let c = compare(
            vec![job(1), job(2)],
            vec![c_measurements(), c_measurements_other()],
            &View { name: Some("B".into()), ..View::default() },
        );
        assert_eq!(c.rows.len(), 1);
        assert_eq!("value1".parse::<SortBy>().unwrap(), SortBy::Value(1));
        assert!("bogus".parse::<SortBy>().is_err());
    }
}
