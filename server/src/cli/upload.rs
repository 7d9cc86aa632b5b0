//! `assay upload`: the CI side. Creates the run and job if needed, sends
//! every report in one request (so they are stored together or not at
//! all), then every artifact in one request, and prints what the server
//! counted and kept.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use shared::model::{ArtifactUploadSummary, CreateJob, CreateRun, ErrorBody, IngestSummary, UpdateJob};
use shared::perf::PerfIngestSummary;
use shared::traces::model::TraceIngestSummary;
use shared::{JobResult, JobState};
use std::path::PathBuf;
use tokio_util::io::ReaderStream;

#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// Base URL of the Assay server.
    #[arg(long, env = "ASSAY_SERVER")]
    pub server: String,
    /// Project API token.
    #[arg(long, env = "ASSAY_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Project slug.
    #[arg(long)]
    pub project: String,
    /// Run name: one CI pipeline or build (created if needed).
    #[arg(long)]
    pub run: String,
    #[arg(long)]
    pub revision: Option<String>,
    #[arg(long)]
    pub branch: Option<String>,
    /// Job name within the run (created if needed).
    #[arg(long)]
    pub job: String,
    /// State to give the job once the reports are stored (`running` while
    /// more uploads follow).
    #[arg(long, default_value = "completed", value_parser = ["pending", "running", "completed"])]
    pub state: String,
    /// The job's result (default: derived from its tests).
    #[arg(long, value_parser = ["success", "failure", "error", "cancelled", "skipped"])]
    pub result: Option<String>,
    /// Report format; auto detects it from each file.
    #[arg(long, default_value = "auto", value_parser = ["auto", "junit", "trx", "nunit", "xunit"])]
    pub format: String,
    /// Report files or glob patterns (e.g. 'target/**/TEST-*.xml').
    #[arg(required_unless_present_any = ["artifacts", "perf", "traces"])]
    pub files: Vec<String>,
    /// A performance result file (benchmark output, PerfTracker job,
    /// Perfherder data…) or a glob pattern; repeat for more. Criterion's
    /// estimates are named by their path: give
    /// 'target/criterion/**/new/estimates.json'.
    #[arg(long = "perf", value_name = "FILE")]
    pub perf: Vec<String>,
    /// Format of the --perf files; auto detects it from each file.
    #[arg(long = "perf-format", default_value = "auto", requires = "perf", value_parser = [
        "auto", "assay", "perftracker", "perfherder", "google-benchmark", "pytest-benchmark", "criterion",
        "cargo-criterion", "hyperfine", "jmh", "bmf"])]
    pub perf_format: String,
    /// A directory of rendering-trace results: piglit replayer output (or
    /// Assay's trace JSON), the PNG images it kept and traces YAML files,
    /// found at any depth and named by their path inside it; repeat for more.
    #[arg(long = "traces", value_name = "DIR")]
    pub traces: Vec<PathBuf>,
    /// The device the traces ran on, for results that do not say.
    #[arg(long = "trace-device", value_name = "DEVICE", requires = "traces")]
    pub trace_device: Option<String>,
    /// A file to keep with the job (a log, a screenshot, any file), or a
    /// glob pattern; repeat for more.
    #[arg(long = "artifact", value_name = "FILE")]
    pub artifacts: Vec<String>,
    /// Link the artifacts to this test of the job (its name, class.name or
    /// suite::class::name); repeat for more.
    #[arg(long = "artifact-test", value_name = "TEST", requires = "artifacts")]
    pub artifact_tests: Vec<String>,
    /// Delete the artifacts after this long (e.g. 30d, 12h).
    #[arg(long = "artifact-expires", value_name = "DURATION", requires = "artifacts")]
    pub artifact_expires: Option<String>,
}

/// Characters kept as they are in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(super) fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Files named or matched, in order, each once.
fn expand(patterns: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = Vec::new();
    for pattern in patterns {
        let path = PathBuf::from(pattern);
        if path.is_file() {
            if !out.contains(&path) {
                out.push(path);
            }
            continue;
        }
        if !pattern.contains(['*', '?', '[']) {
            return Err(format!("no such file: {pattern}"));
        }
        let mut matched = 0;
        for entry in glob::glob(pattern).map_err(|e| format!("bad pattern '{pattern}': {e}"))? {
            let p = entry.map_err(|e| format!("cannot read {}: {e}", e.path().display()))?;
            if p.is_file() {
                matched += 1;
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        if matched == 0 {
            return Err(format!("no file matches '{pattern}'"));
        }
    }
    Ok(out)
}

pub(super) async fn answer<T: DeserializeOwned>(what: &str, res: reqwest::Response) -> Result<T, String> {
    let status = res.status();
    let body = res.bytes().await.map_err(|e| format!("{what}: reading the answer: {e}"))?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| format!("{what}: unexpected answer ({e})"));
    }
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(err) => Err(format!("{what}: {} ({status})", err.detail)),
        Err(_) => Err(format!("{what}: HTTP {status}: {}", String::from_utf8_lossy(&body).trim())),
    }
}

pub async fn upload(args: UploadArgs) -> Result<(), String> {
    let files = if args.files.is_empty() { Vec::new() } else { expand(&args.files)? };
    let artifacts = if args.artifacts.is_empty() { Vec::new() } else { expand(&args.artifacts)? };
    let perf = if args.perf.is_empty() { Vec::new() } else { expand(&args.perf)? };
    let mut traces: Vec<(PathBuf, String)> = Vec::new();
    for dir in &args.traces {
        traces.extend(trace_files(dir)?);
    }
    if let Some(d) = &args.artifact_expires {
        crate::ingest::artifacts::parse_duration(d).map_err(|e| format!("--artifact-expires: {e}"))?;
    }
    let base = args.server.trim_end_matches('/').to_owned();
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(format!("--server must be an http(s) URL, got '{}'", args.server));
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!("assay-upload/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let auth = format!("Bearer {}", args.token);
    let project_url = format!("{base}/api/v1/projects/{}", seg(&args.project));
    let send_err = |what: &str, e: reqwest::Error| format!("{what}: cannot reach {base}: {e}");

    let run = CreateRun {
        name: args.run.clone(),
        revision: args.revision.clone(),
        branch: args.branch.clone(),
        ..CreateRun::default()
    };
    let res = client
        .post(format!("{project_url}/runs"))
        .header("Authorization", &auth)
        .json(&run)
        .send()
        .await
        .map_err(|e| send_err("creating the run", e))?;
    let _: serde_json::Value = answer("creating the run", res).await?;

    let run_url = format!("{project_url}/runs/{}", seg(&args.run));
    // Running while its files are sent; the state asked for comes after.
    let job = CreateJob { key: args.job.clone(), state: Some(JobState::Running), ..CreateJob::default() };
    let res = client
        .post(format!("{run_url}/jobs"))
        .header("Authorization", &auth)
        .json(&job)
        .send()
        .await
        .map_err(|e| send_err("creating the job", e))?;
    let _: serde_json::Value = answer("creating the job", res).await?;
    let job_url = format!("{run_url}/jobs/{}", seg(&args.job));

    let total_bytes: u64 = files
        .iter()
        .chain(&artifacts)
        .chain(&perf)
        .chain(traces.iter().map(|(p, _)| p))
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    // A bar only for uploads worth watching; indicatif hides it off a terminal.
    let bar = if total_bytes > 4 * 1024 * 1024 { ProgressBar::new(total_bytes) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = if files.is_empty() {
        None
    } else {
        bar.set_message("uploading reports");
        let form = form_of(&files, &bar, Some("application/xml")).await?;
        let res = client
            .post(format!("{job_url}/test-results?format={}", args.format))
            .header("Authorization", &auth)
            .multipart(form)
            .send()
            .await
            .map_err(|e| send_err("uploading reports", e))?;
        Some(answer::<IngestSummary>("uploading reports", res).await?)
    };
    let measured = if perf.is_empty() {
        None
    } else {
        bar.set_message("uploading perf results");
        // Named by the path as given: Criterion's estimates take their
        // benchmark's name from it.
        let form = form_of_named(&perf, &bar, Some("application/json"), true).await?;
        let res = client
            .post(format!("{job_url}/perf-results?format={}", args.perf_format))
            .header("Authorization", &auth)
            .multipart(form)
            .send()
            .await
            .map_err(|e| send_err("uploading perf results", e))?;
        Some(answer::<PerfIngestSummary>("uploading perf results", res).await?)
    };
    let rendered = if traces.is_empty() {
        None
    } else {
        bar.set_message("uploading traces");
        let form = form_of_parts(&traces, &bar).await?;
        let mut url = format!("{job_url}/traces");
        if let Some(d) = &args.trace_device {
            url = format!("{url}?device={}", seg(d));
        }
        let res = client
            .post(url)
            .header("Authorization", &auth)
            .multipart(form)
            .send()
            .await
            .map_err(|e| send_err("uploading traces", e))?;
        Some(answer::<TraceIngestSummary>("uploading traces", res).await?)
    };
    let kept = if artifacts.is_empty() {
        None
    } else {
        bar.set_message("uploading artifacts");
        let mut form = form_of(&artifacts, &bar, None).await?;
        for t in &args.artifact_tests {
            form = form.text("test", t.clone());
        }
        if let Some(d) = &args.artifact_expires {
            form = form.text("expires_in", d.clone());
        }
        let res = client
            .post(format!("{job_url}/artifacts"))
            .header("Authorization", &auth)
            .multipart(form)
            .send()
            .await
            .map_err(|e| send_err("uploading artifacts", e))?;
        Some(answer::<ArtifactUploadSummary>("uploading artifacts", res).await?)
    };
    bar.finish_and_clear();
    let update = UpdateJob {
        state: Some(args.state.parse().map_err(|e: shared::status::UnknownValue| e.to_string())?),
        result: args.result.as_deref().map(str::parse::<JobResult>).transpose().map_err(|e| e.to_string())?,
        ..UpdateJob::default()
    };
    let res = client
        .patch(&job_url)
        .header("Authorization", &auth)
        .json(&update)
        .send()
        .await
        .map_err(|e| send_err("updating the job", e))?;
    let _: serde_json::Value = answer("updating the job", res).await?;
    if let Some(s) = &summary {
        print_summary(&args, s);
    }
    if let Some(p) = &measured {
        print_perf(&args, p);
    }
    if let Some(t) = &rendered {
        print_traces(&args, t);
    }
    if let Some(k) = &kept {
        print_artifacts(&args, k);
    }
    Ok(())
}

/// A multipart form of files, streamed from disk, counting into `bar`.
/// `content_type` names every part's type; `None` leaves it to the server.
async fn form_of(
    paths: &[PathBuf],
    bar: &ProgressBar,
    content_type: Option<&str>,
) -> Result<reqwest::multipart::Form, String> {
    form_of_named(paths, bar, content_type, false).await
}

/// As [`form_of`]; `full_path` names each part by its path as given
/// rather than by its file name.
async fn form_of_named(
    paths: &[PathBuf],
    bar: &ProgressBar,
    content_type: Option<&str>,
    full_path: bool,
) -> Result<reqwest::multipart::Form, String> {
    let named: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|path| {
            let name = if full_path {
                path.to_string_lossy().to_string()
            } else {
                path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "file".into())
            };
            (path.clone(), name)
        })
        .collect();
    let mut form = reqwest::multipart::Form::new();
    for (path, name) in &named {
        let mut part = part_of(path, name, bar).await?;
        if let Some(ct) = content_type {
            part = part.mime_str(ct).map_err(|e| e.to_string())?;
        }
        form = form.part("file", part);
    }
    Ok(form)
}

/// A multipart form of files named as given.
async fn form_of_parts(files: &[(PathBuf, String)], bar: &ProgressBar) -> Result<reqwest::multipart::Form, String> {
    let mut form = reqwest::multipart::Form::new();
    for (path, name) in files {
        form = form.part("file", part_of(path, name, bar).await?);
    }
    Ok(form)
}

/// One file, streamed from disk, counting into `bar`.
async fn part_of(path: &std::path::Path, name: &str, bar: &ProgressBar) -> Result<reqwest::multipart::Part, String> {
    let file = tokio::fs::File::open(path).await.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let len = file.metadata().await.map_err(|e| format!("cannot read {}: {e}", path.display()))?.len();
    let progress = bar.clone();
    let stream = futures_util::StreamExt::inspect(ReaderStream::with_capacity(file, 256 * 1024), move |chunk| {
        if let Ok(c) = chunk {
            progress.inc(c.len() as u64);
        }
    });
    Ok(reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), len).file_name(name.to_owned()))
}

/// The trace files under `dir` (results, images, YAML), at any depth,
/// each named by its path inside `dir`.
fn trace_files(dir: &std::path::Path) -> Result<Vec<(PathBuf, String)>, String> {
    if !dir.is_dir() {
        return Err(format!("--traces: {} is not a directory", dir.display()));
    }
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot read {}: {e}", d.display()))?.path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if ["txt", "log", "json", "yml", "yaml", "png"].contains(&ext.as_str()) {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.push((path, rel));
            }
        }
    }
    out.sort();
    if !out.iter().any(|(p, _)| p.extension().is_some_and(|e| e != "png")) {
        return Err(format!("--traces: {} holds no results file (.txt, .log or .json)", dir.display()));
    }
    Ok(out)
}

fn print_traces(args: &UploadArgs, t: &TraceIngestSummary) {
    println!(
        "{} / {} / {}: {} trace results, {} failing, {} images",
        args.project, args.run, args.job, t.traces, t.failed, t.images
    );
    for f in &t.files {
        println!(
            "  {} ({}){}: {} traces, {} failing",
            f.filename,
            f.format.as_str(),
            if f.duplicate { ", already uploaded" } else { "" },
            f.traces,
            f.failed
        );
        for w in &f.warnings {
            println!("    warning: {w}");
        }
    }
}

fn print_perf(args: &UploadArgs, p: &PerfIngestSummary) {
    println!(
        "{} / {} / {}: {} perf tests, {} metrics, {} failed",
        args.project, args.run, args.job, p.tests, p.metrics, p.failed
    );
    for f in &p.files {
        println!(
            "  {} ({}){}: {} tests, {} metrics{}",
            f.filename,
            f.format,
            if f.duplicate { ", already uploaded" } else { "" },
            f.tests,
            f.metrics,
            f.regression.as_deref().map(|r| format!(", regression tag '{r}'")).unwrap_or_default()
        );
        for w in &f.warnings {
            println!("    warning: {w}");
        }
    }
}

fn print_artifacts(args: &UploadArgs, k: &ArtifactUploadSummary) {
    println!("{} / {} / {}: {} artifacts", args.project, args.run, args.job, k.files.len());
    for f in &k.files {
        println!(
            "  {} ({}, {} bytes){}",
            f.filename,
            f.artifact.content_type,
            f.artifact.size_bytes,
            if f.duplicate { ", already uploaded" } else { "" }
        );
    }
}

fn print_summary(args: &UploadArgs, s: &IngestSummary) {
    println!(
        "{} / {} / {}: {} tests: {} passed, {} failed, {} errors, {} skipped, {} flaky",
        args.project, args.run, args.job, s.total, s.passed, s.failed, s.errors, s.skipped, s.flaky
    );
    for f in &s.files {
        println!(
            "  {} ({}){}: {} tests, {} failed, {} errors, {} skipped",
            f.filename,
            f.format,
            if f.duplicate { ", already uploaded" } else { "" },
            f.total,
            f.failed,
            f.errors,
            f.skipped
        );
        for w in &f.warnings {
            println!("    warning: {w}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(seg("build #12/a b"), "build%20%2312%2Fa%20b");
    }

    #[test]
    fn globs_expand_and_missing_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["a.xml", "b.xml", "c.txt"] {
            std::fs::write(dir.path().join(n), "<testsuite/>").unwrap();
        }
        let pattern = format!("{}/*.xml", dir.path().display());
        let files = expand(&[pattern.clone(), pattern]).unwrap();
        assert_eq!(files.len(), 2);
        let err = expand(&[format!("{}/nope.xml", dir.path().display())]).unwrap_err();
        assert!(err.contains("no such file"), "{err}");
        let err = expand(&[format!("{}/*.json", dir.path().display())]).unwrap_err();
        assert!(err.contains("no file matches"), "{err}");
    }
}
