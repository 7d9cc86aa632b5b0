//! The statistics a comparison of performance results rests on: a mean
//! with its 95% interval, Welch's t-test, the Mann–Whitney U test and the
//! Shapiro–Wilk test that chooses between them.
//!
//! Distributions come from `statrs`; the tests are written here, after the
//! references they name, because no small crate has them.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Mean, sample standard deviation and 95% interval of the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// `None` for fewer than two samples.
    pub stddev: Option<f64>,
    /// Bounds of the 95% interval of the mean (Student's t), for two or
    /// more samples.
    pub ci: Option<(f64, f64)>,
}

pub fn summarise(samples: &[f64]) -> Option<Summary> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Summary { n, mean, stddev: None, ci: None });
    }
    let sd = variance(samples, mean).sqrt();
    let half = t975(n - 1) * sd / (n as f64).sqrt();
    Some(Summary { n, mean, stddev: Some(sd), ci: Some((mean - half, mean + half)) })
}

/// The unbiased sample variance.
fn variance(x: &[f64], mean: f64) -> f64 {
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

/// Student's t 0.975 quantile for `df` degrees of freedom, computed once
/// per thread and df (the inverse CDF is an iterative solve, and a
/// comparison asks for the same few df thousands of times).
fn t975(df: usize) -> f64 {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<usize, f64>> = Default::default();
    }
    CACHE.with(|c| *c.borrow_mut().entry(df).or_insert_with(|| t_quantile(0.975, df as f64)))
}

fn t_quantile(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// Welch's two-sided t-test: the p-value that two samples (of at least two
/// values each) have the same mean, not assuming equal variances.
pub fn welch(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, mb) = (mean(a), mean(b));
    let (va, vb) = (variance(a, ma) / a.len() as f64, variance(b, mb) / b.len() as f64);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(if ma == mb { 1.0 } else { 0.0 });
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2.powi(2) / (va.powi(2) / (a.len() - 1) as f64 + vb.powi(2) / (b.len() - 1) as f64);
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0))
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The Mann–Whitney U test, two-sided: the p-value that neither sample
/// tends to be larger. Exact (by counting arrangements) for small samples
/// without ties, else the normal approximation with tie and continuity
/// corrections, as SciPy's `mannwhitneyu(method="auto")` does.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut all: Vec<(f64, bool)> = a.iter().map(|&x| (x, true)).chain(b.iter().map(|&x| (x, false))).collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        rank_sum_a += all[i..=j].iter().filter(|x| x.1).count() as f64 * rank;
        i = j + 1;
    }
    let u1 = rank_sum_a - (n1 * (n1 + 1)) as f64 / 2.0;
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let u = u1.max(n1f * n2f - u1);
    if tie_term == 0.0 && n1 <= 8 && n2 <= 8 {
        return Some(exact_u_p(n1, n2, u));
    }
    let mu = n1f * n2f / 2.0;
    let nf = n as f64;
    let sigma2 = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    if sigma2 <= 0.0 {
        return Some(1.0);
    }
    let z = (u - mu - 0.5) / sigma2.sqrt();
    Some((2.0 * (1.0 - standard_normal().cdf(z))).clamp(0.0, 1.0))
}

/// P(U ≥ u) × 2 under the null, by counting: the number of arrangements of
/// n1 + n2 ranks whose U is each value (a recurrence on the largest rank).
fn exact_u_p(n1: usize, n2: usize, u: f64) -> f64 {
    let max_u = n1 * n2;
    // counts[i][j][k]: arrangements of i + j ranks with U = k.
    let mut counts = vec![vec![vec![0f64; max_u + 1]; n2 + 1]; n1 + 1];
    for row in counts.iter_mut() {
        row[0][0] = 1.0;
    }
    for cell in counts[0].iter_mut() {
        cell[0] = 1.0;
    }
    for i in 1..=n1 {
        for j in 1..=n2 {
            for k in 0..=i * j {
                // The largest rank is from the first sample (it beats all j
                // of the second: U grows by j) or from the second.
                let from_a = if k >= j { counts[i - 1][j][k - j] } else { 0.0 };
                let from_b = counts[i][j - 1][k];
                counts[i][j][k] = from_a + from_b;
            }
        }
    }
    let dist = &counts[n1][n2];
    let total: f64 = dist.iter().sum();
    let at_least: f64 = dist.iter().enumerate().filter(|(k, _)| *k as f64 >= u - 1e-9).map(|(_, c)| c).sum();
    (2.0 * at_least / total).min(1.0)
}

/// Royston's coefficients for a sample of `n` (> 3), which depend on `n`
/// alone: computed once per thread and `n`.
fn shapiro_wilk_coefficients(n: usize) -> std::rc::Rc<Vec<f64>> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<usize, std::rc::Rc<Vec<f64>>>> = Default::default();
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(n)
            .or_insert_with(|| {
                let norm = standard_normal();
                let nf = n as f64;
                let m: Vec<f64> = (1..=n).map(|i| norm.inverse_cdf((i as f64 - 0.375) / (nf + 0.25))).collect();
                let mm: f64 = m.iter().map(|v| v * v).sum();
                let u = 1.0 / nf.sqrt();
                let poly = |c: [f64; 6]| c[0] + u * (c[1] + u * (c[2] + u * (c[3] + u * (c[4] + u * c[5]))));
                let an = poly([0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056]) + m[n - 1] / mm.sqrt();
                let mut a = vec![0.0; n];
                if n > 5 {
                    let an1 = poly([0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633]) + m[n - 2] / mm.sqrt();
                    let eps = (mm - 2.0 * m[n - 1].powi(2) - 2.0 * m[n - 2].powi(2))
                        / (1.0 - 2.0 * an.powi(2) - 2.0 * an1.powi(2));
                    for i in 2..n - 2 {
                        a[i] = m[i] / eps.sqrt();
                    }
                    a[n - 1] = an;
                    a[n - 2] = an1;
                    a[0] = -an;
                    a[1] = -an1;
                } else {
                    let eps = (mm - 2.0 * m[n - 1].powi(2)) / (1.0 - 2.0 * an.powi(2));
                    for i in 1..n - 1 {
                        a[i] = m[i] / eps.sqrt();
                    }
                    a[n - 1] = an;
                    a[0] = -an;
                }
                std::rc::Rc::new(a)
            })
            .clone()
    })
}

/// The Shapiro–Wilk test of normality (Royston's 1995 algorithm, AS R94,
/// as in SciPy): the p-value that the sample comes from a normal
/// distribution. `None` outside 3..=5000 samples, or for a constant sample.
pub fn shapiro_wilk(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if !(3..=5000).contains(&n) {
        return None;
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m_bar = mean(&sorted);
    let ss: f64 = sorted.iter().map(|v| (v - m_bar).powi(2)).sum();
    if ss <= 0.0 || !ss.is_finite() {
        return None;
    }
    let nf = n as f64;
    if n == 3 {
        let a = std::f64::consts::FRAC_1_SQRT_2;
        let w = (a * (sorted[2] - sorted[0])).powi(2) / ss;
        let w = w.min(1.0);
        let p = 6.0 / std::f64::consts::PI * (w.sqrt().asin() - (0.75f64).sqrt().asin());
        return Some(p.clamp(0.0, 1.0));
    }
    let a = shapiro_wilk_coefficients(n);
    let w = (a.iter().zip(&sorted).map(|(a, x)| a * x).sum::<f64>()).powi(2) / ss;
    let w = w.min(1.0);
    let ln1w = (1.0 - w).ln();
    let z = if n <= 11 {
        let gamma = 0.459 * nf - 2.273;
        let mu = 0.5440 - 0.39978 * nf + 0.025054 * nf.powi(2) - 0.0006714 * nf.powi(3);
        let sigma = (1.3822 - 0.77857 * nf + 0.062767 * nf.powi(2) - 0.0020322 * nf.powi(3)).exp();
        if gamma - ln1w <= 0.0 {
            return Some(0.0);
        }
        (-(gamma - ln1w).ln() - mu) / sigma
    } else {
        let l = nf.ln();
        let mu = 0.0038915 * l.powi(3) - 0.083751 * l.powi(2) - 0.31082 * l - 1.5861;
        let sigma = (0.0030302 * l.powi(2) - 0.082676 * l - 0.4803).exp();
        (ln1w - mu) / sigma
    };
    Some((1.0 - standard_normal().cdf(z)).clamp(0.0, 1.0))
}

/// Which test a comparison used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TestUsed {
    Welch,
    MannWhitney,
}

/// Below this Shapiro–Wilk p-value a sample is taken as not normal.
pub const NORMALITY_ALPHA: f64 = 0.05;

/// The two-sided p-value that `a` and `b` differ, and the test used:
/// Welch's t-test when both samples look normal, else Mann–Whitney U.
/// `None` unless each side has at least three samples.
pub fn significance(a: &[f64], b: &[f64]) -> Option<(f64, TestUsed)> {
    if a.len() < 3 || b.len() < 3 {
        return None;
    }
    let normal = |x: &[f64]| shapiro_wilk(x).is_none_or(|p| p >= NORMALITY_ALPHA);
    if normal(a) && normal(b) {
        welch(a, b).map(|p| (p, TestUsed::Welch))
    } else {
        mann_whitney(a, b).map(|p| (p, TestUsed::MannWhitney))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn summary_interval_is_students() {
        let s = summarise(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(s.mean, 3.0);
        assert!(near(s.stddev.unwrap(), 1.581_138_830_084_19, 1e-12));
        // t(0.975, 4) = 2.7764451; half-width 2.7764451 × 1.5811388 / √5.
        let (lo, hi) = s.ci.unwrap();
        assert!(near(hi - 3.0, 1.963_243_161_8, 1e-6), "{hi}");
        assert!(near(3.0 - lo, hi - 3.0, 1e-12));
        assert_eq!(summarise(&[7.0]).unwrap().ci, None);
        assert_eq!(summarise(&[]), None);
    }

    // Reference values from SciPy 1.17.1: stats.ttest_ind(a, b, equal_var=False),
    // stats.mannwhitneyu(a, b), stats.shapiro(x).
    #[test]
    fn welch_matches_scipy() {
        let a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        let b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
        let p = welch(&a, &b).unwrap();
        assert!(near(p, 0.021_378_001_462_866_992, 1e-9), "{p}");
        assert_eq!(welch(&[1.0, 1.0], &[1.0, 1.0]), Some(1.0));
        assert_eq!(welch(&[1.0, 1.0], &[2.0, 2.0]), Some(0.0));
    }

    #[test]
    fn mann_whitney_exact_and_approximate() {
        // Fully separated 3 vs 3: the smallest two-sided p there is, 2/20.
        assert!(near(mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap(), 0.1, 1e-12));
        // 5 vs 5 separated: 2/252.
        let p = mann_whitney(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert!(near(p, 2.0 / 252.0, 1e-12), "{p}");
        // Identical samples: no evidence at all.
        assert!(mann_whitney(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap() > 0.99);
        // With ties (normal approximation, tie and continuity corrections).
        let a = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0];
        let b = [3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 6.0, 6.0, 7.0, 7.0];
        let p = mann_whitney(&a, &b).unwrap();
        assert!(near(p, 0.005_798_929_030_850_564, 1e-9), "{p}");
    }

    #[test]
    fn shapiro_wilk_tells_normal_from_not() {
        let skewed = [148.0, 154.0, 158.0, 160.0, 161.0, 162.0, 166.0, 170.0, 182.0, 195.0, 236.0];
        let p = shapiro_wilk(&skewed).unwrap();
        assert!(near(p, 0.006_703_814_061_898_823, 2e-5), "{p}");
        let p = shapiro_wilk(&[1.0, 2.0, 3.0, 4.0, 10.0]).unwrap();
        assert!(near(p, 0.153_612_584_349_088_8, 2e-4), "{p}");
        let x: Vec<f64> = (0..30).map(|i| f64::from(i % 7).powf(1.5)).collect();
        let p = shapiro_wilk(&x).unwrap();
        assert!(near(p, 0.002_419_476_635_798_860_4, 2e-4), "{p}");
        // Evenly spread normal quantiles look normal.
        let normal: Vec<f64> = (1..=20).map(|i| standard_normal().inverse_cdf(i as f64 / 21.0)).collect();
        assert!(shapiro_wilk(&normal).unwrap() > 0.5);
        assert!(near(shapiro_wilk(&[1.0, 2.0, 4.0]).unwrap(), 0.636_886_845_028_968_9, 1e-9));
        assert_eq!(shapiro_wilk(&[1.0, 1.0, 1.0]), None);
    }

    #[test]
    fn significance_picks_the_test() {
        let a = [10.0, 10.1, 9.9, 10.05, 9.95];
        let b = [11.0, 11.1, 10.9, 11.05, 10.95];
        let (p, test) = significance(&a, &b).unwrap();
        assert_eq!(test, TestUsed::Welch);
        assert!(p < 1e-6);
        let outlier = [10.0, 10.0, 10.1, 10.0, 10.1, 10.0, 10.1, 10.0, 10.0, 50.0];
        let (_, test) = significance(&outlier, &b).unwrap();
        assert_eq!(test, TestUsed::MannWhitney);
        assert_eq!(significance(&a[..2], &b), None);
    }
}
