use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::JobResult;
use shared::pixeldiff::Region;
use shared::traces::model::{JobTraces, TraceDetail};

/// A job's traces page: where the job sits, whether the viewer may accept
/// references, and the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobTracesView {
    pub project: String,
    pub project_name: String,
    pub run_id: i64,
    pub run_name: String,
    pub job_id: i64,
    pub job_name: String,
    pub job_result: JobResult,
    pub can_accept: bool,
    pub traces: JobTraces,
}

#[server]
pub async fn get_job_traces(
    project: String,
    run: i64,
    job: i64,
    device: Option<String>,
    status: Option<String>,
) -> Result<JobTracesView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (p, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    let detail = crate::backend::answer(&caller, backend.job(&caller, &project, run, job).await)?;
    let traces = backend.job_traces(&caller, &project, run, job, device.as_deref(), status.as_deref()).await;
    let traces = crate::backend::answer(&caller, traces)?;
    Ok(JobTracesView {
        project: p.slug,
        project_name: p.name,
        run_id: detail.run.id,
        run_name: detail.run.name,
        job_id: detail.job.id,
        job_name: detail.job.name,
        job_result: detail.job.effective_result,
        can_accept: abilities.upload,
        traces,
    })
}

/// A trace's page: the trace and whether the viewer may change it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    pub project: String,
    pub project_name: String,
    pub can_edit: bool,
    pub detail: TraceDetail,
}

#[server]
pub async fn get_trace(project: String, id: i64) -> Result<TraceView, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let (p, abilities) = crate::backend::answer(&caller, backend.project(&caller, &project).await)?;
    let detail = crate::backend::answer(&caller, backend.trace(&caller, &project, id).await)?;
    Ok(TraceView { project: p.slug, project_name: p.name, can_edit: abilities.upload, detail })
}

/// Accepts results' renderings as their traces' references. `results` is
/// what the ticked boxes sent (`results[N]=id`): none ticked is none sent.
#[server]
pub async fn accept_traces(
    csrf: String,
    project: String,
    results: Option<Vec<i64>>,
    note: Option<String>,
) -> Result<usize, AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = backend.accept_traces(&caller, &csrf, &project, results.unwrap_or_default(), note.as_deref()).await;
    crate::backend::answer(&caller, result)
}

/// Saves a trace's ignore regions, written one a line as `x y width height`
/// (what the page's field holds, drawn or typed).
#[server]
pub async fn save_ignore_regions(csrf: String, project: String, trace: i64, regions: String) -> Result<(), AppError> {
    let (backend, caller) = crate::backend::backend()?;
    let result = match parse_regions(&regions) {
        Ok(regions) => backend.set_ignore_regions(&caller, &csrf, &project, trace, regions).await,
        Err(e) => Err(AppError::BadRequest(e)),
    };
    crate::backend::answer(&caller, result)
}

/// Regions as the page's field holds them: one a line, `x y width height`.
pub fn format_regions(regions: &[Region]) -> String {
    let mut out = String::new();
    for r in regions {
        out.push_str(&format!("{} {} {} {}\n", r.x, r.y, r.width, r.height));
    }
    out
}

/// Reads [`format_regions`]' text back; commas may separate the numbers too.
pub fn parse_regions(text: &str) -> Result<Vec<Region>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(|c: char| c.is_whitespace() || c == ',').filter(|f| !f.is_empty()).collect();
        if fields.is_empty() {
            continue;
        }
        let numbers: Result<Vec<u32>, _> = fields.iter().map(|f| f.parse::<u32>()).collect();
        match numbers.as_deref() {
            Ok([x, y, width, height]) => out.push(Region { x: *x, y: *y, width: *width, height: *height }),
            _ => {
                return Err(format!(
                    "regions, line {}: '{}' is not four whole numbers (x y width height)",
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_round_trip_and_bad_lines_are_named() {
        let r = vec![Region { x: 1, y: 2, width: 30, height: 40 }, Region { x: 0, y: 0, width: 5, height: 6 }];
        assert_eq!(parse_regions(&format_regions(&r)).unwrap(), r);
        assert_eq!(parse_regions("1, 2, 30, 40\n\n 0 0 5 6").unwrap(), r);
        assert_eq!(parse_regions("").unwrap(), vec![]);
        let e = parse_regions("1 2 3 4\n1 2 x 4").unwrap_err();
        assert!(e.contains("line 2") && e.contains("1 2 x 4"), "{e}");
        assert!(parse_regions("1 2 3").unwrap_err().contains("line 1"));
        assert!(parse_regions("-1 2 3 4").is_err());
    }
}
