//! Change-point detection for performance series: where a series' level
//! (or spread) changed, with a deterministic significance test, so that a
//! regression alerts once, where it began, and noise or a lone outlier
//! does not.
//!
//! The method is divisive, as E-divisive means is (and Apache Otava after
//! it): find the split of a segment where the two sides differ most,
//! keep it if the difference is significant, and split both sides again.
//! Two choices differ from E-divisive, each for a measured reason (see the
//! evaluation harness, `scripts/eval-detector.sh`):
//!
//! - The two sides are compared by their ranks (the Mann–Whitney
//!   statistic, standardised, with ties corrected) instead of by energy
//!   distances. Ranks make one outlier count as one point whatever its
//!   size, so it cannot pull a split towards it; they need no assumption
//!   about the noise's distribution (benchmark noise is skewed and
//!   heavy-tailed); and every split of a segment is scored from prefix
//!   sums in O(n log n), where E-divisive costs O(n²) — a 10,000-point
//!   series is judged in milliseconds.
//! - Significance is deterministic (no permutations): the best split's
//!   p-value is corrected for the number of splits it was chosen among
//!   (Bonferroni), so the chance of an alert on pure noise stays below
//!   `alpha` per segment however long the series.
//!
//! After the divisive pass every change point is tested again between its
//! neighbours and dropped if it no longer holds (a split found early can
//! lose its support once the segments around it are known). A change in
//! spread alone (variance) is looked for with the same test on the
//! distances from the segment's median and reported as such; only level
//! shifts become regression alerts. Lone outliers are reported apart, by
//! a robust rule (far from both neighbourhoods' medians in MADs), and
//! never alert.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// What the detector is told.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// Family-wise false-alarm rate per tested segment: lower is less
    /// sensitive.
    pub alpha: f64,
    /// Fewest points on each side of a change (and so the shortest series
    /// judged is twice this).
    pub min_segment: usize,
    /// Changes smaller than this (in % of the level before) do not alert.
    pub min_magnitude_pct: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { alpha: 0.001, min_segment: 4, min_magnitude_pct: 2.0 }
    }
}

/// What changed at a change point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The level moved.
    Shift,
    /// Only the spread did.
    Variance,
}

/// A change: the series is different from `index` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePoint {
    /// The first point after the change ("first bad"); the point before it
    /// is the last good one.
    pub index: usize,
    pub kind: ChangeKind,
    /// The corrected p-value of the split.
    pub p_value: f64,
    /// Medians of the segments on either side (robust levels).
    pub before: f64,
    pub after: f64,
    /// `(after - before) / |before|`, in %.
    pub magnitude_pct: f64,
}

impl ChangePoint {
    /// 1 − p: how sure the test is that something changed here.
    pub fn confidence(&self) -> f64 {
        1.0 - self.p_value
    }
}

/// A detector's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detection {
    /// Too few points to judge (fewer than twice the minimum segment):
    /// nothing is claimed either way.
    pub too_short: bool,
    /// In order of index.
    pub changes: Vec<ChangePoint>,
    /// Indices of lone outliers (not alerted).
    pub outliers: Vec<usize>,
}

impl Detection {
    /// The level shifts big enough to alert on.
    pub fn alerts<'a>(&'a self, s: &'a Settings) -> impl Iterator<Item = &'a ChangePoint> + 'a {
        self.changes.iter().filter(move |c| c.kind == ChangeKind::Shift && c.magnitude_pct.abs() >= s.min_magnitude_pct)
    }
}

/// Average ranks (1-based) of `x`, and the tie term Σ(t³ − t).
fn ranks(x: &[f64]) -> (Vec<f64>, f64) {
    let n = x.len();
    // Values with their places, sorted (the order among equal values does
    // not matter: ties share their mean rank).
    let mut order: Vec<(f64, usize)> = x.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut r = vec![0.0; n];
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && order[j + 1].0 == order[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &(_, k) in &order[i..=j] {
            r[k] = rank;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (r, ties)
}

/// Standardised rank-sum statistics of every split of one interval.
struct RankSplits {
    ranks: Vec<f64>,
    tie_factor: f64,
}

impl RankSplits {
    fn new(x: &[f64]) -> Option<RankSplits> {
        let n = x.len() as f64;
        let (ranks, ties) = ranks(x);
        let tie_factor = (n + 1.0) - ties / (n * (n - 1.0));
        (tie_factor > 1e-12).then_some(RankSplits { ranks, tie_factor })
    }

    /// The best split (left size k) with at least `min` points a side:
    /// (k, |z|, splits considered).
    fn best(&self, min: usize) -> Option<(usize, f64, usize)> {
        let n = self.ranks.len();
        let mut prefix = 0.0;
        let mut best: Option<(usize, f64)> = None;
        let mut candidates = 0;
        for k in 1..n {
            prefix += self.ranks[k - 1];
            if k < min || n - k < min {
                continue;
            }
            candidates += 1;
            let z = self.z(k, prefix);
            if best.is_none_or(|b| z > b.1) {
                best = Some((k, z));
            }
        }
        best.map(|(k, z)| (k, z, candidates))
    }

    fn z(&self, k: usize, prefix: f64) -> f64 {
        let n = self.ranks.len();
        let (kf, mf) = (k as f64, (n - k) as f64);
        let u = prefix - kf * (kf + 1.0) / 2.0;
        (u - kf * mf / 2.0).abs() / (kf * mf / 12.0 * self.tie_factor).sqrt()
    }
}

/// Seeded intervals (Kovács et al., 2020): the whole segment, its halves
/// overlapping by half, their halves, … down to `2 × min` points; a
/// change near others is found in an interval that holds it alone.
fn intervals(n: usize, min: usize) -> Vec<Vec<(usize, usize)>> {
    let mut scales = Vec::new();
    let mut len = n;
    while len >= 2 * min.max(1) {
        let step = (len / 2).max(1);
        let mut at = Vec::new();
        let mut start = 0;
        loop {
            let end = (start + len).min(n);
            at.push((end - len, end));
            if end == n {
                break;
            }
            start += step;
        }
        scales.push(at);
        if len == 2 * min {
            break;
        }
        len = (len / 2).max(2 * min);
    }
    scales
}

/// The most significant split of `x` over the seeded intervals: (k,
/// corrected p). In each interval the best split by ranks and the best by
/// Welch's t are each corrected for the splits they were chosen among
/// ([`max_p`]); the smaller p (doubled, for looking twice) is corrected
/// for the intervals of its scale (one for the whole segment), and the
/// split is then placed exactly ([`refine`]).
fn best_split(x: &[f64], min: usize) -> Option<(usize, f64)> {
    let mut best: Option<(usize, usize, usize, f64)> = None;
    for at in intervals(x.len(), min) {
        let count = at.len();
        for (a, b) in at {
            let part = &x[a..b];
            let by_rank = RankSplits::new(part).and_then(|s| s.best(min)).map(|(k, z, _)| (k, max_p(z, b - a, min)));
            let by_mean = welch_best(part, min).map(|(k, z)| (k, max_p(z, b - a, min)));
            let Some((k, p)) = [by_rank, by_mean].into_iter().flatten().min_by(|x, y| x.1.total_cmp(&y.1)) else {
                continue;
            };
            let p = (2.0 * p * count as f64).min(1.0);
            if best.is_none_or(|(_, _, _, bp)| p < bp) {
                best = Some((a, b, k, p));
            }
        }
    }
    let (a, b, k, p) = best?;
    Some((a + refine(&x[a..b], k, min), p))
}

/// The split with the largest Welch t, from prefix sums, and the normal
/// quantile of its two-sided p-value (so that [`max_p`] treats both
/// statistics alike). Two constant sides at different levels are an
/// infinitely clear change; a constant interval is none.
fn welch_best(x: &[f64], min: usize) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 2 * min.max(2) {
        return None;
    }
    // Centred first, for accurate sums of squares.
    let centre = x.iter().sum::<f64>() / n as f64;
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, v) in x.iter().enumerate() {
        let d = v - centre;
        s1[i + 1] = s1[i] + d;
        s2[i + 1] = s2[i] + d * d;
    }
    let var = |sum: f64, sq: f64, k: f64| ((sq - sum * sum / k) / (k - 1.0)).max(0.0);
    let mut best: Option<(usize, f64, f64)> = None;
    for k in min.max(2)..=(n - min.max(2)) {
        let (kf, mf) = (k as f64, (n - k) as f64);
        let (l1, l2) = (s1[k], s2[k]);
        let (r1, r2) = (s1[n] - l1, s2[n] - l2);
        let (ml, mr) = (l1 / kf, r1 / mf);
        let (vl, vr) = (var(l1, l2, kf) / kf, var(r1, r2, mf) / mf);
        let se2 = vl + vr;
        let diff = (mr - ml).abs();
        let scale = centre.abs().max(1e-300);
        let t = if se2 <= (1e-12 * scale).powi(2) {
            if diff > 1e-9 * scale { f64::INFINITY } else { 0.0 }
        } else {
            diff / se2.sqrt()
        };
        let df = if se2 > 0.0 {
            (se2 * se2 / (vl * vl / (kf - 1.0) + vr * vr / (mf - 1.0)).max(1e-300)).max(1.0)
        } else {
            (n - 2) as f64
        };
        if best.is_none_or(|b| t > b.1) {
            best = Some((k, t, df));
        }
    }
    let (k, t, df) = best?;
    if t == 0.0 {
        return None;
    }
    if t.is_infinite() {
        return Some((k, 40.0));
    }
    let tail = match statrs::distribution::StudentsT::new(0.0, 1.0, df) {
        Ok(d) => 2.0 * (1.0 - d.cdf(t)),
        Err(_) => return None,
    };
    // The normal quantile with the same tail (tails below 1e-300 are as
    // good as certain).
    let z = if tail <= 1e-300 { 37.0 } else { normal().inverse_cdf(1.0 - tail / 2.0) };
    Some((k, z.min(40.0)))
}

/// The p-value of the largest of the standardised split statistics of
/// `n` points (at least `min` a side) reaching `z`: the smaller of
/// Bonferroni's bound and the approximation for the maximum of a
/// standardised Brownian bridge over the splits' range (James, James and
/// Siegmund 1987: P ≈ 2·L·z·φ(z) with L = ½·ln(t₁(1−t₀)/(t₀(1−t₁)))),
/// which stays accurate where neighbouring splits are nearly the same test.
fn max_p(z: f64, n: usize, min: usize) -> f64 {
    let tests = (n + 1).saturating_sub(2 * min).max(1);
    let tail = 2.0 * (1.0 - normal().cdf(z));
    let bonferroni = tail * tests as f64;
    let (t0, t1) = (min as f64 / n as f64, 1.0 - min as f64 / n as f64);
    let span = if t1 > t0 { 0.5 * ((t1 * (1.0 - t0)) / (t0 * (1.0 - t1))).ln() } else { 0.0 };
    let phi = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let bridge = tail + 2.0 * span * z * phi;
    bonferroni.min(bridge).min(1.0)
}

/// Where exactly a change near split `k` is: the split, within a few points
/// of `k`, that leaves the least absolute deviation from each side's
/// median. (The rank statistic's maximum leans towards the middle of an
/// interval when the sides are unequal.)
fn refine(x: &[f64], k: usize, min: usize) -> usize {
    let n = x.len();
    let reach = 2 * min;
    let cost = |part: &[f64]| {
        let m = median(part);
        part.iter().map(|v| (v - m).abs()).sum::<f64>()
    };
    let lo = k.saturating_sub(reach).max(min);
    let hi = (k + reach).min(n.saturating_sub(min));
    if lo > hi {
        return k;
    }
    (lo..=hi).min_by(|&a, &b| (cost(&x[..a]) + cost(&x[a..])).total_cmp(&(cost(&x[..b]) + cost(&x[b..])))).unwrap_or(k)
}

fn normal() -> Normal {
    Normal::standard()
}

fn median(x: &[f64]) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    // Selection, not a sort: this runs for every point's neighbourhood.
    let mut v = x.to_vec();
    let (below, &mut upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().max_by(f64::total_cmp).expect("n ≥ 2");
        (lower + upper) / 2.0
    }
}

/// Distances from the median: a change in them is a change in spread.
fn spread(x: &[f64]) -> Vec<f64> {
    let m = median(x);
    x.iter().map(|v| (v - m).abs()).collect()
}

/// A significant split of `x`, by level first, else by spread.
fn split(x: &[f64], s: &Settings) -> Option<(usize, ChangeKind, f64)> {
    if let Some((k, p)) = best_split(x, s.min_segment)
        && p < s.alpha
    {
        return Some((k, ChangeKind::Shift, p));
    }
    let (k, p) = best_split(&spread(x), s.min_segment.max(8))?;
    (p < s.alpha).then_some((k, ChangeKind::Variance, p))
}

/// The p-value of a split fixed at `k` of `x` (the re-test between its
/// neighbours), corrected for the splits it could have been.
fn p_at(x: &[f64], k: usize, kind: ChangeKind, min_segment: usize) -> f64 {
    let x = match kind {
        ChangeKind::Shift => x.to_vec(),
        ChangeKind::Variance => spread(x),
    };
    let n = x.len();
    if k == 0 || k >= n {
        return 1.0;
    }
    let by_rank = RankSplits::new(&x).map(|splits| {
        let prefix: f64 = splits.ranks[..k].iter().sum();
        max_p(splits.z(k, prefix), n, min_segment)
    });
    let by_mean = (kind == ChangeKind::Shift).then(|| welch_z_at(&x, k)).flatten().map(|z| max_p(z, n, min_segment));
    match [by_rank, by_mean].into_iter().flatten().min_by(f64::total_cmp) {
        Some(p) => (2.0 * p).min(1.0),
        None => 1.0,
    }
}

/// Welch's t of the split at `k`, as a normal quantile (see [`welch_best`]).
fn welch_z_at(x: &[f64], k: usize) -> Option<f64> {
    let (l, r) = x.split_at(k);
    if l.len() < 2 || r.len() < 2 {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (ml, mr) = (mean(l), mean(r));
    let var = |v: &[f64], m: f64| v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
    let (vl, vr) = (var(l, ml) / l.len() as f64, var(r, mr) / r.len() as f64);
    let se2 = vl + vr;
    let scale = ml.abs().max(mr.abs()).max(1e-300);
    let diff = (mr - ml).abs();
    if se2 <= (1e-12 * scale).powi(2) {
        return (diff > 1e-9 * scale).then_some(40.0);
    }
    let df = (se2 * se2 / (vl * vl / (l.len() - 1) as f64 + vr * vr / (r.len() - 1) as f64).max(1e-300)).max(1.0);
    let tail = 2.0 * (1.0 - statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?.cdf(diff / se2.sqrt()));
    Some(if tail <= 1e-300 { 37.0 } else { normal().inverse_cdf(1.0 - tail / 2.0).min(40.0) })
}

/// Finds the change points and lone outliers of a series.
pub fn detect(values: &[f64], s: &Settings) -> Detection {
    let n = values.len();
    if n < 2 * s.min_segment {
        return Detection { too_short: true, changes: Vec::new(), outliers: Vec::new() };
    }
    let outliers = lone_outliers(values);
    // Outliers are judged apart: the splits see their neighbours' median
    // in their place, so that two outliers close together cannot pass for
    // a short regression.
    let mut clean = values.to_vec();
    for &i in &outliers {
        let lo = i.saturating_sub(3);
        let hi = (i + 4).min(n);
        let around: Vec<f64> = (lo..hi).filter(|j| *j != i && !outliers.contains(j)).map(|j| values[j]).collect();
        if !around.is_empty() {
            clean[i] = median(&around);
        }
    }
    // Divisive pass: a stack of segments still to split.
    let mut found: Vec<(usize, ChangeKind, f64)> = Vec::new();
    let mut todo = vec![(0usize, n)];
    while let Some((a, b)) = todo.pop() {
        if let Some((k, kind, p)) = split(&clean[a..b], s) {
            found.push((a + k, kind, p));
            todo.push((a, a + k));
            todo.push((a + k, b));
        }
    }
    found.sort_by_key(|f| f.0);
    // Re-test each between its neighbours until none is dropped.
    loop {
        let mut dropped = false;
        let mut i = 0;
        while i < found.len() {
            let a = if i == 0 { 0 } else { found[i - 1].0 };
            let b = found.get(i + 1).map_or(n, |f| f.0);
            let (at, kind, _) = found[i];
            let p = p_at(&clean[a..b], at - a, kind, s.min_segment);
            if p >= s.alpha {
                found.remove(i);
                dropped = true;
            } else {
                found[i].2 = p;
                i += 1;
            }
        }
        if !dropped {
            break;
        }
    }
    let changes = found
        .iter()
        .enumerate()
        .map(|(i, &(at, kind, p))| {
            let a = if i == 0 { 0 } else { found[i - 1].0 };
            let b = found.get(i + 1).map_or(n, |f| f.0);
            let (before, after) = (median(&clean[a..at]), median(&clean[at..b]));
            let magnitude_pct = if before != 0.0 { (after - before) / before.abs() * 100.0 } else { 0.0 };
            ChangePoint { index: at, kind, p_value: p, before, after, magnitude_pct }
        })
        .collect();
    Detection { too_short: false, changes, outliers }
}

/// Points far (more than 6 MADs, and 5% of the level) from the medians of
/// both their neighbourhoods, whose neighbourhoods agree with each other:
/// a spike, not the start of a new level.
fn lone_outliers(x: &[f64]) -> Vec<usize> {
    const W: usize = 8;
    let n = x.len();
    let mut out = Vec::new();
    // The series' noise, from the differences of neighbours (steps barely
    // move it): a floor under the local estimate, which ten points make
    // noisy.
    let diffs: Vec<f64> = x.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let global = median(&diffs) * 1.4826 / std::f64::consts::SQRT_2;
    for i in 0..n {
        let left: Vec<f64> = x[i.saturating_sub(W)..i].to_vec();
        let right: Vec<f64> = x[(i + 1).min(n)..(i + 1 + W).min(n)].to_vec();
        // A point is a spike only if the series is seen to come back: the
        // newest points are never outliers.
        if left.len() < 2 || right.len() < 2 {
            continue;
        }
        let around: Vec<f64> = left.iter().chain(&right).copied().collect();
        let m = median(&around);
        let mad = median(&around.iter().map(|v| (v - m).abs()).collect::<Vec<_>>()) * 1.4826;
        let scale = mad.max(if global.is_finite() { global } else { 0.0 }).max(m.abs() * 0.005).max(1e-12);
        let far = |v: f64| (v - m).abs() > 6.0 * scale && (v - m).abs() > 0.05 * m.abs().max(1e-12);
        let sides_agree = || (median(&left) - median(&right)).abs() <= 3.0 * scale.max(mad);
        // The next point back at the old level: a spike, not a step.
        if far(x[i]) && right.first().is_none_or(|r| !far(*r)) && sides_agree() {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic noise source (xorshift), roughly normal by summing.
    struct Noise(u64);
    impl Noise {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
        }
    }

    fn series(levels: &[(usize, f64)], sigma: f64, seed: u64) -> Vec<f64> {
        let mut noise = Noise(seed);
        levels
            .iter()
            .flat_map(|&(len, level)| (0..len).map(|_| level).collect::<Vec<_>>())
            .map(|v| v + sigma * noise.normal())
            .collect()
    }

    #[test]
    fn a_step_alerts_once_where_it_began() {
        let s = Settings::default();
        let x = series(&[(60, 100.0), (60, 110.0)], 2.0, 7);
        let d = detect(&x, &s);
        let alerts: Vec<_> = d.alerts(&s).collect();
        assert_eq!(alerts.len(), 1, "{d:?}");
        assert!((58..=62).contains(&alerts[0].index), "{d:?}");
        assert!((alerts[0].magnitude_pct - 10.0).abs() < 2.0);
        assert!(alerts[0].confidence() > 0.999);
        // More points after it: still that one change.
        let longer = series(&[(60, 100.0), (200, 110.0)], 2.0, 7);
        assert_eq!(detect(&longer, &s).alerts(&s).count(), 1);
    }

    #[test]
    fn noise_and_a_lone_outlier_do_not_alert() {
        let s = Settings::default();
        for seed in 1..20 {
            let x = series(&[(200, 100.0)], 5.0, seed);
            assert_eq!(detect(&x, &s).changes.len(), 0, "seed {seed}");
        }
        let mut x = series(&[(100, 100.0)], 1.0, 3);
        x[50] = 160.0;
        let d = detect(&x, &s);
        assert!(d.changes.is_empty(), "{d:?}");
        assert_eq!(d.outliers, [50]);
    }

    #[test]
    fn several_changes_and_a_regression_that_was_fixed() {
        let s = Settings::default();
        let x = series(&[(30, 100.0), (30, 120.0), (30, 100.0), (30, 90.0)], 1.5, 11);
        let idx: Vec<usize> = detect(&x, &s).changes.iter().map(|c| c.index).collect();
        assert_eq!(idx.len(), 3, "{idx:?}");
        for (got, want) in idx.iter().zip([30, 60, 90]) {
            assert!(got.abs_diff(want) <= 2, "{idx:?}");
        }
    }

    #[test]
    fn too_short_says_so() {
        let d = detect(&[1.0, 2.0, 3.0], &Settings::default());
        assert!(d.too_short && d.changes.is_empty());
    }

    #[test]
    fn noiseless_steps_and_constants() {
        let s = Settings::default();
        assert!(detect(&[5.0; 40], &s).changes.is_empty());
        let x: Vec<f64> = (0..50).map(|i| if i < 25 { 100.0 } else { 150.0 }).collect();
        let d = detect(&x, &s);
        assert_eq!(d.changes.iter().map(|c| c.index).collect::<Vec<_>>(), [25]);
        assert_eq!(d.changes[0].magnitude_pct, 50.0);
    }
}
