//! The trace kind: rendering-trace results (piglit replayer output,
//! Assay's JSON) and the images they name, stored as blobs.
//!
//! A request carries results files, the images they name and, optionally,
//! traces YAML files (the expectations: checksums and skip/unsupported
//! labels). Images and YAML files are context, sorted out by
//! [`Traces::split`]; each results file goes through the pipeline as one
//! upload (deduplicated, audited, in the request's one transaction).
//!
//! Every image a result names is decoded before anything is stored, within
//! the configured limits (a decompression bomb is refused from its header,
//! before its pixels are allocated), and its pixel checksum (MD5 of RGBA,
//! as the replayer computes it) recorded with its size. A PNG that does not
//! decode is a 4xx naming the file, and the request stores nothing.

use super::spool::Spooled;
use super::{Kind, Stored};
use crate::blobs::Blobs;
use crate::db::traces::{self as rows, ImageInfo, NewResult};
use crate::db::uploads::{Figures, Target, TraceFigures, UploadRow};
use crate::db::{self, Db, Tx};
use crate::error::{ApiError, ApiResult};
use md5::{Digest, Md5};
use shared::model::UploadKind;
use shared::traces::model::TraceIngestedFile;
use shared::traces::yaml::{self, TracesFile};
use shared::traces::{self, ParsedTrace, TraceLabel, TraceReport};
use std::collections::HashMap;

/// Largest results or traces YAML file read (parsed whole).
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Limits on the images of a request.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    pub max_side: u32,
    pub max_decoded_bytes: u64,
}

/// Trace results for one job, with the request's images and expectations.
pub struct Traces<'a> {
    pub db: &'a Db,
    pub blobs: &'a Blobs,
    pub device: Option<String>,
    pub limits: ImageLimits,
    /// The request's images, by the name they came with.
    pub images: Vec<Spooled>,
    /// The request's traces YAML files, merged.
    pub expectations: TracesFile,
}

/// A results file made ready: parsed, its images decoded and written.
pub struct Ready {
    report: TraceReport,
    /// Per trace: its actual and expected images.
    images: Vec<(Option<ImageInfo>, Option<ImageInfo>)>,
    warnings: Vec<String>,
}

fn is_png(f: &Spooled) -> bool {
    f.head.starts_with(b"\x89PNG\r\n\x1a\n")
}

fn is_yaml(f: &Spooled) -> bool {
    let name = f.filename.to_ascii_lowercase();
    name.ends_with(".yml") || name.ends_with(".yaml")
}

impl<'a> Traces<'a> {
    /// Sorts a request's files into results files (returned) and context.
    pub async fn split(
        db: &'a Db,
        blobs: &'a Blobs,
        device: Option<String>,
        limits: ImageLimits,
        files: Vec<Spooled>,
    ) -> ApiResult<(Self, Vec<Spooled>)> {
        let mut results = Vec::new();
        let mut images = Vec::new();
        let mut expectations = TracesFile::default();
        for f in files {
            if is_png(&f) {
                images.push(f);
            } else if is_yaml(&f) {
                let text = read_text(&f).await?;
                let parsed = yaml::parse(&text).map_err(|e| ApiError::Parse {
                    file: f.filename.clone(),
                    detail: e.message.clone(),
                    line: e.line,
                    column: None,
                })?;
                expectations.download_url = expectations.download_url.or(parsed.download_url);
                expectations.expectations.extend(parsed.expectations);
            } else {
                results.push(f);
            }
        }
        if results.is_empty() && (!images.is_empty() || !expectations.expectations.is_empty()) {
            return Err(ApiError::BadRequest(
                "images or a traces YAML, but no results file (piglit replayer output with its PIGLIT lines, or Assay's trace JSON) to say what they are"
                    .into(),
            ));
        }
        Ok((Traces { db, blobs, device, limits, images, expectations }, results))
    }

    /// The request's image a result names: the file of that path, else of
    /// the longest matching path suffix, else of the same base name.
    fn find_image(&self, named: &str) -> Option<&Spooled> {
        let want = named.trim_start_matches("./");
        let base = |s: &str| s.rsplit(['/', '\\']).next().unwrap_or(s).to_owned();
        if let Some(f) = self.images.iter().find(|f| f.filename.trim_start_matches("./") == want) {
            return Some(f);
        }
        let suffix = self
            .images
            .iter()
            .filter(|f| {
                let name = f.filename.trim_start_matches("./");
                want.ends_with(&format!("/{name}")) || name.ends_with(&format!("/{want}"))
            })
            .max_by_key(|f| f.filename.len());
        suffix.or_else(|| self.images.iter().find(|f| base(&f.filename) == base(want)))
    }

    /// Decodes, checks and writes an image (once per request and content).
    async fn ready_image(&self, file: &Spooled, done: &mut HashMap<String, ImageInfo>) -> ApiResult<ImageInfo> {
        if let Some(info) = done.get(&file.sha256) {
            return Ok(info.clone());
        }
        let path = file.path.to_path_buf();
        let name = file.filename.clone();
        let limits = self.limits;
        let (checksum, width, height) = tokio::task::spawn_blocking(move || decode(&path, &name, limits))
            .await
            .map_err(|e| ApiError::internal(format!("image decoder task failed: {e}")))??;
        if !db::blobs::exists(self.db, &file.sha256).await? {
            self.blobs
                .put_file(&file.sha256, &file.path)
                .await
                .map_err(|e| ApiError::internal(format!("storing {}: {e}", file.filename)))?;
        }
        let info = ImageInfo { sha256: file.sha256.clone(), size: file.size as i64, checksum, width, height };
        done.insert(file.sha256.clone(), info.clone());
        Ok(info)
    }
}

async fn read_text(f: &Spooled) -> ApiResult<String> {
    if f.size > MAX_TEXT_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_TEXT_BYTES });
    }
    let bytes = tokio::fs::read(&f.path).await.map_err(|e| ApiError::internal(format!("reading the upload: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Parse {
        file: f.filename.clone(),
        detail: format!("not UTF-8 text: {e}"),
        line: None,
        column: None,
    })
}

/// Decodes a PNG within the limits: its pixels' MD5 (as RGBA) and size.
fn decode(path: &std::path::Path, name: &str, limits: ImageLimits) -> ApiResult<(String, u32, u32)> {
    let bad = |detail: String| ApiError::Parse { file: name.to_owned(), detail, line: None, column: None };
    let file = std::fs::File::open(path).map_err(|e| ApiError::internal(format!("reading {name}: {e}")))?;
    let mut reader = image::ImageReader::with_format(std::io::BufReader::new(file), image::ImageFormat::Png);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    l.max_alloc = Some(limits.max_decoded_bytes);
    reader.limits(l);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => bad(format!(
            "larger than allowed ({} pixels a side, {} MiB decoded): {e}",
            limits.max_side,
            limits.max_decoded_bytes / (1024 * 1024)
        )),
        other => bad(format!("not a PNG that decodes: {other}")),
    })?;
    let (w, h) = (img.width(), img.height());
    if w as u64 * h as u64 * 4 > limits.max_decoded_bytes {
        return Err(bad(format!("{w}×{h} is more than {} MiB as RGBA", limits.max_decoded_bytes / (1024 * 1024))));
    }
    let rgba = img.into_rgba8();
    Ok((hex::encode(Md5::digest(rgba.as_raw())), w, h))
}

#[async_trait::async_trait]
impl Kind for Traces<'_> {
    const KIND: UploadKind = UploadKind::TraceResult;
    type Answer = TraceIngestedFile;
    type Ready = Ready;

    fn nothing_sent(&self) -> ApiError {
        ApiError::BadRequest(
            "no trace results in the request: send piglit replayer output or Assay's trace JSON, with the images it names, as multipart/form-data file fields"
                .into(),
        )
    }

    fn check(&self, files: &[Spooled]) -> ApiResult<()> {
        for f in files {
            if f.size > MAX_TEXT_BYTES {
                return Err(ApiError::PayloadTooLarge { limit: MAX_TEXT_BYTES });
            }
        }
        Ok(())
    }

    async fn prepare(&self, file: &Spooled) -> ApiResult<Ready> {
        let text = read_text(file).await?;
        let mut report = traces::parse(text.as_bytes(), self.device.as_deref()).map_err(|e| ApiError::Parse {
            file: file.filename.clone(),
            detail: e.message.clone(),
            line: e.line,
            column: None,
        })?;
        let mut warnings = Vec::new();
        // Labelled traces of the YAML for this file's devices that did not
        // run: shown as skipped or unsupported, as the YAML says.
        let devices: Vec<String> = {
            let mut d: Vec<String> = report.traces.iter().map(|t| t.device.clone()).collect();
            d.extend(self.device.clone());
            d.sort();
            d.dedup();
            d
        };
        for e in &self.expectations.expectations {
            if e.label.is_some()
                && devices.contains(&e.device)
                && !report.traces.iter().any(|t| t.name == e.trace && t.device == e.device)
            {
                report.traces.push(ParsedTrace {
                    name: e.trace.clone(),
                    device: e.device.clone(),
                    label: e.label.clone(),
                    text: e.text.clone(),
                    ..ParsedTrace::default()
                });
            }
        }
        let mut done = HashMap::new();
        let mut images = Vec::with_capacity(report.traces.len());
        for t in &report.traces {
            let mut pair = (None, None);
            for (slot, named) in [(&mut pair.0, &t.actual_image), (&mut pair.1, &t.expected_image)] {
                let Some(named) = named else { continue };
                if let Some(f) = self.find_image(named) {
                    *slot = Some(self.ready_image(f, &mut done).await?);
                }
            }
            if let (Some(img), Some(sum)) = (&pair.0, &t.actual_checksum)
                && &img.checksum != sum
            {
                warnings.push(format!(
                    "{} on {}: the image's pixels have checksum {}, not the reported {sum}",
                    t.name, t.device, img.checksum
                ));
            }
            images.push(pair);
        }
        for f in &self.images {
            if !done.contains_key(&f.sha256) {
                warnings.push(format!("{}: named by no result of {}, not kept", f.filename, file.filename));
            }
        }
        Ok(Ready { report, images, warnings })
    }

    async fn store(
        &self,
        tx: &mut Tx,
        target: Target,
        upload_id: i64,
        file: &Spooled,
        ready: Ready,
    ) -> ApiResult<Stored<TraceIngestedFile>> {
        let Ready { report, images, warnings } = ready;
        let (mut count, mut failed) = (0i64, 0i64);
        let mut kept: Vec<&str> = Vec::new();
        for (seq, (t, (actual_img, expected_img))) in report.traces.iter().zip(&images).enumerate() {
            for img in [actual_img, expected_img].into_iter().flatten() {
                if !kept.contains(&img.sha256.as_str()) {
                    rows::insert_image(tx, img).await?;
                    kept.push(&img.sha256);
                }
            }
            let trace = rows::upsert_trace(tx, target.project_id, &t.name, &t.device).await?;
            let expectation = self.expectations.find(&t.name, &t.device);
            // What the upload expected: its checksum, the traces YAML's, else
            // the pixels' checksum of the expected image it sent.
            let reported = t
                .expected_checksum
                .clone()
                .or_else(|| expectation.and_then(|e| e.checksum.clone()))
                .or_else(|| expected_img.as_ref().map(|i| i.checksum.clone()));
            let reference = trace.reference_checksum.clone().or_else(|| reported.clone());
            let label: Option<&TraceLabel> = expectation.and_then(|e| e.label.as_ref());
            // The pixels' own checksum when the result gave none (Assay's JSON).
            let actual = t.actual_checksum.clone().or_else(|| actual_img.as_ref().map(|i| i.checksum.clone()));
            let with_actual = ParsedTrace { actual_checksum: actual.clone(), ..t.clone() };
            let status = traces::status(&with_actual, reference.as_deref(), label, trace.result_count > 0);
            let expected_image = match expected_img {
                Some(i) => Some(i.sha256.clone()),
                None if trace.reference_checksum.is_some() && trace.reference_checksum == reference => {
                    trace.reference_image.clone()
                }
                None => None,
            };
            let label_words = expectation
                .filter(|e| !e.label_words.is_empty())
                .map(|e| serde_json::to_string(&e.label_words))
                .transpose()
                .map_err(ApiError::internal)?;
            let text = t.text.clone().or_else(|| expectation.and_then(|e| e.text.clone()));
            rows::insert_result(
                tx,
                target,
                upload_id,
                &NewResult {
                    trace_id: trace.id,
                    seq: seq as i64,
                    status,
                    expected_checksum: reference.as_deref(),
                    reported_checksum: reported.as_deref(),
                    actual_checksum: actual.as_deref(),
                    actual_image: actual_img.as_ref().map(|i| i.sha256.as_str()),
                    expected_image: expected_image.as_deref(),
                    text: text.as_deref(),
                    label: label_words,
                },
            )
            .await?;
            count += 1;
            failed += i64::from(status.fails());
        }
        let figures = TraceFigures { format: report.format, traces: count, failed, images: kept.len() as i64 };
        Ok(Stored {
            answer: answer(upload_id, &file.filename, &figures, false, warnings.clone()),
            format: report.format.as_str().to_owned(),
            figures: Figures { traces: Some(figures), ..Figures::default() },
            audit: format!("{count} trace results, {failed} failing, {} images", kept.len()),
            warnings,
        })
    }

    async fn answer_for(&self, _tx: &mut Tx, upload: &UploadRow) -> ApiResult<TraceIngestedFile> {
        let figures = upload
            .summary
            .0
            .traces
            .as_ref()
            .ok_or_else(|| ApiError::internal(format!("upload {} has no stored trace figures", upload.id)))?;
        Ok(answer(upload.id, &upload.filename, figures, true, upload.warnings.0.clone()))
    }

    async fn roll_up(&self, tx: &mut Tx, target: Target, new: &[&Stored<TraceIngestedFile>]) -> ApiResult<()> {
        let count: i64 = new.iter().map(|s| s.answer.traces).sum();
        let failed: i64 = new.iter().map(|s| s.answer.failed).sum();
        rows::add_to_job(tx, target.job_id, count, failed).await?;
        db::runs::refresh_status(tx, target.run_id).await?;
        Ok(())
    }
}

fn answer(
    upload_id: i64,
    filename: &str,
    f: &TraceFigures,
    duplicate: bool,
    warnings: Vec<String>,
) -> TraceIngestedFile {
    TraceIngestedFile {
        upload_id,
        filename: filename.to_owned(),
        format: f.format,
        traces: f.traces,
        failed: f.failed,
        images: f.images,
        duplicate,
        warnings,
    }
}
