//! Regression alerts: what the detector found in a series, and how people
//! triaged it.

use super::SeriesSummary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AlertStatus {
    #[default]
    Untriaged,
    /// A real change, being looked at.
    Acknowledged,
    /// Not a real change (noise, a broken machine): the detector was wrong.
    Invalid,
    Fixed,
    WontFix,
    /// Caused by an earlier, alerted change.
    Downstream,
    /// Someone else's.
    Reassigned,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 7] = [
        Self::Untriaged,
        Self::Acknowledged,
        Self::Invalid,
        Self::Fixed,
        Self::WontFix,
        Self::Downstream,
        Self::Reassigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Untriaged => "untriaged",
            Self::Acknowledged => "acknowledged",
            Self::Invalid => "invalid",
            Self::Fixed => "fixed",
            Self::WontFix => "wont-fix",
            Self::Downstream => "downstream",
            Self::Reassigned => "reassigned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Untriaged => "untriaged",
            Self::Acknowledged => "acknowledged",
            Self::Invalid => "invalid",
            Self::Fixed => "fixed",
            Self::WontFix => "won't fix",
            Self::Downstream => "downstream",
            Self::Reassigned => "reassigned",
        }
    }

    /// Triaged as a real change (counts for the detector's precision).
    pub fn is_valid(self) -> Option<bool> {
        match self {
            Self::Untriaged => None,
            Self::Invalid => Some(false),
            _ => Some(true),
        }
    }
}

impl std::str::FromStr for AlertStatus {
    type Err = crate::status::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim()).ok_or_else(|| crate::status::UnknownValue {
            kind: "alert status",
            value: s.to_owned(),
            expected: "untriaged, acknowledged, invalid, fixed, wont-fix, downstream, reassigned",
        })
    }
}

impl TryFrom<String> for AlertStatus {
    type Error = crate::status::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A run an alert points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRef {
    pub run_id: i64,
    pub run: String,
    pub revision: Option<String>,
}

/// A change the detector found in a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    /// The summary grouping the alerts of the same suspected run.
    pub summary_id: i64,
    pub project: String,
    pub series: SeriesSummary,
    /// The first run after the change.
    pub first_bad: RunRef,
    /// The job of the first bad run's point.
    pub first_bad_job_id: i64,
    /// The last run before it.
    pub last_good: Option<RunRef>,
    /// `(after - before) / |before|` in %.
    pub magnitude_pct: f64,
    /// `regression` or `improvement`, by the metric's direction.
    pub direction: String,
    /// 1 − the corrected p-value of the change.
    pub confidence: f64,
    /// The series' level (median) before and after.
    pub before: f64,
    pub after: f64,
    pub status: AlertStatus,
    pub note: Option<String>,
    pub triaged_by: Option<String>,
    pub triaged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A project's alerts, and what triage says of the detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub alerts: Vec<Alert>,
    /// Alerts triaged as real changes, and as invalid (all of the
    /// project's, not only those listed).
    pub valid: i64,
    pub invalid: i64,
    /// valid / (valid + invalid), once something is triaged.
    pub precision: Option<f64>,
}

/// A triage decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageAlert {
    pub status: AlertStatus,
    #[serde(default)]
    pub note: Option<String>,
}

/// A note on a project's graphs at a point in time ("new machine image"),
/// drawn at the first run after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annotation {
    pub id: i64,
    pub project: String,
    pub at: DateTime<Utc>,
    pub text: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A new annotation: its text, and when (now if not given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAnnotation {
    pub text: String,
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// How sensitive regression detection is: the family-wise false-alarm
/// rate per tested segment (lower: fewer, surer alerts) and the smallest
/// change that alerts, in % of the level before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sensitivity {
    pub alpha: f64,
    pub min_magnitude_pct: f64,
}

impl Sensitivity {
    /// Checks a value given for `alpha` and for `min_magnitude_pct`.
    pub fn check(alpha: Option<f64>, min_magnitude_pct: Option<f64>) -> Result<(), String> {
        if let Some(a) = alpha
            && !(a > 0.0 && a <= 0.5)
        {
            return Err(format!("alpha must be above 0 and at most 0.5 (0.001 is the default), got {a}"));
        }
        if let Some(m) = min_magnitude_pct
            && !(0.0..=1000.0).contains(&m)
        {
            return Err(format!("min_magnitude_pct must be from 0 to 1000 (%), got {m}"));
        }
        Ok(())
    }
}

/// A project's detection settings, and the defaults they replace.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSensitivity {
    pub alpha: f64,
    pub min_magnitude_pct: f64,
    /// Whether the project set its own (else the defaults apply).
    pub custom: bool,
    pub defaults: Sensitivity,
}

/// A series' own settings (`null`: the project's), and what applies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesSensitivity {
    pub series_id: i64,
    pub alpha: Option<f64>,
    pub min_magnitude_pct: Option<f64>,
    pub effective: Sensitivity,
}

/// A series' overrides; a field left out or `null` falls back to the
/// project's setting.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesOverride {
    #[serde(default)]
    pub alpha: Option<f64>,
    #[serde(default)]
    pub min_magnitude_pct: Option<f64>,
}

/// Longest annotation text.
pub const MAX_ANNOTATION: usize = 500;

/// Where annotations go on a graph whose x positions are runs: each at the
/// first position whose earliest point was uploaded at or after its time
/// (`None` past the last). `firsts` are the positions' earliest upload
/// times, in order.
pub fn annotation_positions(firsts: &[DateTime<Utc>], annotations: &[Annotation]) -> Vec<Option<usize>> {
    annotations.iter().map(|a| firsts.iter().position(|t| *t >= a.at)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_sit_at_the_first_run_after_them() {
        let t = |m: i64| DateTime::<Utc>::from_timestamp(1_700_000_000 + m * 60, 0).unwrap();
        let a = |m: i64| Annotation {
            id: m,
            project: "p".into(),
            at: t(m),
            text: "x".into(),
            created_by: "u".into(),
            created_at: t(0),
        };
        let firsts = [t(0), t(10), t(20)];
        assert_eq!(annotation_positions(&firsts, &[a(-5), a(10), a(11), a(25)]), [Some(0), Some(1), Some(2), None]);
    }
}
