//! The perf kind: benchmark outputs, PerfTracker jobs and Perfherder data,
//! parsed by `shared::perf` and stored as tests and series points.
//!
//! Parsing runs in [`Kind::prepare`], on a blocking thread, before the
//! write transaction; storing puts each metric on its series (created on
//! first sight: the same test, metric, platform, machine and labels) with
//! its samples and their summary, computed here once.

use super::spool::Spooled;
use super::{Kind, Stored};
use crate::db::perf::{self as store, NewPoint, NewTest, SeriesKey};
use crate::db::uploads::{Figures, PerfFigures, Target, UploadRow};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use shared::model::UploadKind;
use shared::perf::compare::Measurement;
use shared::perf::{self, PerfCounts, PerfFormatChoice, PerfIngestedFile, PerfReport, PerfStatus, pack, stats};

/// Largest perf file read (parsed whole, in memory).
pub const MAX_PERF_BYTES: u64 = 256 * 1024 * 1024;

/// Perf results, in the format given or detected per file.
pub struct PerfResults {
    pub format: PerfFormatChoice,
}

#[async_trait::async_trait]
impl Kind for PerfResults {
    const KIND: UploadKind = UploadKind::PerfResult;
    type Answer = PerfIngestedFile;
    type Ready = PerfReport;

    fn nothing_sent(&self) -> ApiError {
        ApiError::BadRequest(
            "no perf result file in the request (send them as multipart/form-data file fields, or one as a JSON body)"
                .into(),
        )
    }

    fn check(&self, files: &[Spooled]) -> ApiResult<()> {
        for f in files {
            if f.size > MAX_PERF_BYTES {
                return Err(ApiError::PayloadTooLarge { limit: MAX_PERF_BYTES });
            }
        }
        Ok(())
    }

    async fn prepare(&self, file: &Spooled) -> ApiResult<PerfReport> {
        let path = file.path.to_path_buf();
        let name = file.filename.clone();
        let choice = self.format;
        let parsed = tokio::task::spawn_blocking(move || -> Result<PerfReport, perf::PerfError> {
            let bytes =
                std::fs::read(&path).map_err(|e| perf::PerfError::new(format!("cannot read the upload: {e}")))?;
            perf::parse(&bytes, choice, &name)
        })
        .await
        .map_err(|e| ApiError::internal(format!("perf parser task failed: {e}")))?;
        parsed.map_err(|e| ApiError::Parse {
            file: file.filename.clone(),
            detail: e.to_string(),
            line: e.line,
            column: e.column,
        })
    }

    async fn store(
        &self,
        tx: &mut Tx,
        target: Target,
        upload_id: i64,
        file: &Spooled,
        report: PerfReport,
    ) -> ApiResult<Stored<PerfIngestedFile>> {
        let job = db::jobs::by_id_in(tx, target.job_id)
            .await?
            .ok_or_else(|| ApiError::internal(format!("job {} vanished during a perf upload", target.job_id)))?;
        let mut labels = job.labels.0.clone();
        labels.sort();
        labels.dedup();
        let platform = job.platform.clone().unwrap_or_default();
        let machine = job.machine.clone().unwrap_or_default();
        let now = db::now();
        let mut counts = PerfCounts::default();
        let mut touched: Vec<i64> = Vec::new();
        let mut packed: Vec<Measurement> = Vec::with_capacity(report.metric_count());
        for (seq, t) in report.tests.iter().enumerate() {
            let group = t.group.as_deref().unwrap_or("");
            let category = t.category.as_deref().unwrap_or("");
            let new = NewTest {
                seq: seq as i64,
                name: &t.name,
                group,
                category,
                status: t.status,
                attributes: &t.attributes,
                links: &t.links,
                errors: &t.errors,
                warnings: t.warnings,
            };
            let test_id = store::insert_test(tx, target, upload_id, &new).await?;
            counts.tests += 1;
            counts.failed += i64::from(t.status == PerfStatus::Failed);
            for m in &t.metrics {
                let key = SeriesKey {
                    test: &t.name,
                    group,
                    category,
                    metric: &m.name,
                    platform: &platform,
                    machine: &machine,
                    labels: &labels,
                };
                let series_id =
                    store::upsert_series(tx, target.project_id, &key, &m.unit, m.direction, m.value, now).await?;
                let summary = stats::summarise(&m.samples);
                let point = NewPoint {
                    series_id,
                    test_id,
                    value: m.value,
                    n: m.samples.len() as i64,
                    mean: summary.map_or(m.value, |s| s.mean),
                    stddev: summary.and_then(|s| s.stddev),
                    ci: summary.and_then(|s| s.ci),
                    samples: &m.samples,
                    deviations: &m.deviations,
                    tool_stddev: m.stddev,
                    tool_lower: m.lower,
                    tool_upper: m.upper,
                };
                store::insert_point(tx, target, &point, now).await?;
                packed.push(Measurement {
                    series_id,
                    test: t.name.clone(),
                    group: group.to_owned(),
                    category: category.to_owned(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    value: m.value,
                    samples: m.samples.clone(),
                });
                touched.push(series_id);
                counts.metrics += 1;
            }
        }
        store::insert_pack(tx, upload_id, target.job_id, &pack::encode(&packed)).await?;
        // Queued for change-point detection, in this transaction: stored
        // points are always analysed, whatever happens next.
        touched.sort_unstable();
        touched.dedup();
        db::alerts::queue(tx, &touched, now).await?;
        let regression = report.job.regression.clone().filter(|r| !r.trim().is_empty());
        let figures = PerfFigures { format: report.format, counts: counts.clone(), regression: regression.clone() };
        Ok(Stored {
            answer: answer(upload_id, &file.filename, &figures, false, report.warnings.clone()),
            format: report.format.as_str().to_owned(),
            figures: Figures { perf: Some(figures), ..Figures::default() },
            audit: format!(
                "{} perf tests, {} metrics, {} failed, {}",
                counts.tests,
                counts.metrics,
                counts.failed,
                report.format.label()
            ),
            warnings: report.warnings,
        })
    }

    async fn answer_for(&self, _tx: &mut Tx, upload: &UploadRow) -> ApiResult<PerfIngestedFile> {
        let figures = upload
            .summary
            .0
            .perf
            .as_ref()
            .ok_or_else(|| ApiError::internal(format!("upload {} has no stored perf figures", upload.id)))?;
        Ok(answer(upload.id, &upload.filename, figures, true, upload.warnings.0.clone()))
    }

    async fn roll_up(&self, tx: &mut Tx, target: Target, new: &[&Stored<PerfIngestedFile>]) -> ApiResult<()> {
        let tests: i64 = new.iter().map(|s| s.answer.tests).sum();
        let metrics: i64 = new.iter().map(|s| s.answer.metrics).sum();
        let regression = new.iter().rev().find_map(|s| s.answer.regression.as_deref());
        store::add_to_job(tx, target.job_id, tests, metrics, regression).await?;
        Ok(())
    }
}

fn answer(upload_id: i64, filename: &str, f: &PerfFigures, duplicate: bool, warnings: Vec<String>) -> PerfIngestedFile {
    PerfIngestedFile {
        upload_id,
        filename: filename.to_owned(),
        format: f.format,
        tests: f.counts.tests,
        metrics: f.counts.metrics,
        failed: f.counts.failed,
        regression: f.regression.clone(),
        duplicate,
        warnings,
    }
}
