use super::{id_param, page_param, path_param, query_param};
use crate::api::{JobView, get_job, get_job_clusters, list_test_results};
use crate::components::artifacts::ArtifactTable;
use crate::components::cluster::{ClusterName, ClusterReach};
use crate::components::counts::{CountsBar, CountsFigures};
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::components::pager::Pager;
use crate::components::status::{JobResultBadge, TestStatusBadge};
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use shared::analytics::wire::JobCluster;
use shared::model::{Artifact, JobDetail, Page, TestResultRow, UploadKind, UploadSummary};
use shared::report::ReportFormat;

/// The table's filter, as in the URL.
#[derive(Debug, Clone, PartialEq)]
struct Filter {
    status: Option<String>,
    q: Option<String>,
    order: Option<String>,
}

impl Filter {
    fn href(&self, base: &str, page: Option<i64>) -> String {
        format!(
            "{base}{}",
            routes::query(&[
                ("status", self.status.clone()),
                ("q", self.q.clone()),
                ("order", self.order.clone()),
                ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
            ])
        )
    }
}

#[component]
pub fn JobPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let status = query_param("status");
    let q = query_param("q");
    let order = query_param("order");
    let page = page_param();
    let detail = Resource::new(
        move || (project.get(), run.get(), job.get()),
        |(project, run, job)| async move {
            match (run, job) {
                (Some(run), Some(job)) => get_job(project, run, job).await,
                _ => Err(AppError::NotFound("job not found".into())),
            }
        },
    );
    let results = Resource::new(
        move || (project.get(), run.get(), job.get(), status.get(), q.get(), order.get(), page.get()),
        |(project, run, job, status, q, order, page)| async move {
            match (run, job) {
                (Some(run), Some(job)) => list_test_results(project, run, job, status, q, order, page).await,
                _ => Err(AppError::NotFound("job not found".into())),
            }
        },
    );
    let clusters = Resource::new(
        move || (project.get(), run.get(), job.get()),
        |(project, run, job)| async move {
            match (run, job) {
                (Some(run), Some(job)) => get_job_clusters(project, run, job).await,
                _ => Ok(Vec::new()),
            }
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(JobView { detail: d, treeherder_html, logs_html }) => {
                        let run = d.run.id;
                        view! {
                            <JobHeader detail=d.clone()/>
                            <Performance detail=d.clone()/>
                            <Traces detail=d.clone()/>
                            <Artifacts artifacts=d.artifacts run=run/>
                            <LinkedArtifacts artifacts=d.linked_artifacts/>
                            // Rendered by the server: see `JobView`.
                            {treeherder_html.map(|h| view! { <section class="treeherder" inner_html=h></section> })}
                            {logs_html.map(|h| view! { <section class="log-summary" inner_html=h></section> })}
                            <Uploads uploads=d.uploads/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match clusters.await {
                    Ok(groups) => {
                        let (r, j) = (run.get_untracked().unwrap_or_default(), job.get_untracked().unwrap_or_default());
                        view! { <FailureClusters groups=groups slug=project.get_untracked() run=r job=j/> }.into_any()
                    }
                    // The header above already says what went wrong.
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
        <Transition fallback=super::loading>
            {move || Suspend::new(async move {
                let filter = Filter { status: status.get(), q: q.get(), order: order.get() };
                let base = match (run.get(), job.get()) {
                    (Some(r), Some(j)) => routes::job(&project.get(), r, j),
                    _ => String::new(),
                };
                match results.await {
                    Ok(page) => view! { <Results page=page filter=filter base=base slug=project.get()/> }.into_any(),
                    // The header above already shows a missing job.
                    Err(AppError::NotFound(_)) => ().into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The job's failures grouped by failure cluster, each with how far it
/// reaches across the project.
#[component]
fn FailureClusters(groups: Vec<JobCluster>, slug: String, run: i64, job: i64) -> impl IntoView {
    if groups.is_empty() {
        return ().into_any();
    }
    let run_slug = slug.clone();
    let items = groups
        .into_iter()
        .map(|g| {
            let c = g.cluster;
            let line = format::first_line(c.example.as_deref().unwrap_or(&c.pattern), 160);
            let tests = g
                .tests
                .into_iter()
                .map(|t| {
                    let href = routes::test(&run_slug, run, job, t.result_id);
                    view! { <li><a class="test-link" href=href>{t.name}</a></li> }
                })
                .collect_view();
            view! {
                <li class="job-cluster" data-cluster=c.id.to_string()>
                    <ClusterName cluster=c.clone() slug=slug.clone()/> " "
                    <span class="muted small"><ClusterReach cluster=c.clone() slug=slug.clone()/></span>
                    <pre class="failure-summary">{line}</pre>
                    <ul class="cluster-members">{tests}</ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="failure-clusters">
            <h2>"Failures by cluster"</h2>
            <ul class="job-clusters">{items}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn JobHeader(detail: JobDetail) -> impl IntoView {
    let JobDetail { run, job, .. } = detail;
    let base = routes::job(&run.project, run.id, job.id);
    let link = Callback::new(move |status: &'static str| {
        let status = (status != "all").then(|| status.to_owned());
        Filter { status, q: None, order: None }.href(&base, None)
    });
    view! {
        <Title text=format!("{} · {}", job.name, run.name)/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (run.project.clone(), Some(routes::project(&run.project))),
            (run.name.clone(), Some(routes::run(&run.project, run.id))),
            (job.name.clone(), None),
        ]/>
        <h1>{job.name.clone()} " " <JobResultBadge result=job.effective_result state=job.state/></h1>
        <dl class="meta">
            <dt>"Run"</dt><dd><a href=routes::run(&run.project, run.id)>{run.name.clone()}</a></dd>
            {job.platform.clone().map(|p| view! { <dt>"Platform"</dt><dd>{p}</dd> })}
            {job.machine.clone().map(|m| view! { <dt>"Machine"</dt><dd>{m}</dd> })}
            <dt>"State"</dt><dd>{job.state.as_str()}</dd>
            {job.started_at.map(|t| view! { <dt>"Started"</dt><dd>{format::time(&t)}</dd> })}
            {job.finished_at.map(|t| view! { <dt>"Finished"</dt><dd>{format::time(&t)}</dd> })}
            <dt>"Test time"</dt><dd>{format::duration(job.counts.duration_s)}
                {(job.counts.total > 0).then(|| view! {
                    " " <a class="durations-link small" href=routes::job_durations(&run.project, run.id, job.id)>"slowest and slower tests"</a>
                })}</dd>
            {(!job.labels.is_empty()).then(|| view! { <dt>"Labels"</dt><dd>{job.labels.join(", ")}</dd> })}
        </dl>
        <p class="summary"><CountsFigures counts=job.counts link=link/> <CountsBar counts=job.counts/></p>
        {job.previous_job_id.map(|prev| view! {
            <p><a class="compare-previous-job" href=routes::compare_tests(prev, job.id)>"Compare tests with this job's previous run on the branch"</a></p>
        })}
    }
}

/// What the job's perf uploads held, and the way to compare it.
#[component]
fn Performance(detail: JobDetail) -> impl IntoView {
    let JobDetail { job, uploads, previous_perf_job, .. } = detail;
    if job.perf_metrics == 0 {
        return ().into_any();
    }
    let files = uploads
        .into_iter()
        .filter(|u| u.kind == UploadKind::PerfResult)
        .map(|u| {
            let label = u.format.parse::<shared::perf::PerfFormat>().map(|f| f.label()).unwrap_or("perf results");
            let figures = u.perf.map(|p| format!("{} tests, {} metrics{}", p.tests, p.metrics, if p.failed > 0 { format!(", {} failed", p.failed) } else { String::new() }));
            view! {
                <tr>
                    <td>{u.filename.clone()}</td>
                    <td>{label}</td>
                    <td>{figures}</td>
                    <td>{u.warnings.into_iter().map(|w| view! { <div class="warning">"⚠ " {w}</div> }).collect_view()}</td>
                </tr>
            }
        })
        .collect_view();
    let compare = previous_perf_job.map(|prev| routes::compare(&[prev, job.id]));
    view! {
        <section class="performance">
            <h2>"Performance"</h2>
            <p>
                {format!("{} tests, {} metrics", job.perf_tests, job.perf_metrics)}
                {job.regression.clone().map(|r| view! { " · regression tag " <strong class="regression-tag">{r}</strong> })}
                " · "
                {match compare {
                    Some(href) => view! { <a class="compare-previous" href=href>"Compare with the previous run on this branch"</a> }.into_any(),
                    None => view! { <span class="muted">"No earlier run on this branch has this job's perf results to compare with."</span> }.into_any(),
                }}
            </p>
            <table class="list perf-uploads">
                <thead><tr><th>"File"</th><th>"Format"</th><th>"Held"</th><th>"Warnings"</th></tr></thead>
                <tbody>{files}</tbody>
            </table>
        </section>
    }
    .into_any()
}

/// How the job's rendering traces fared, and the way to review them (the
/// traces page, with their images, is a page of its own).
#[component]
fn Traces(detail: JobDetail) -> impl IntoView {
    let JobDetail { run, job, .. } = detail;
    if job.trace_count == 0 {
        return ().into_any();
    }
    let href = routes::job_traces(&run.project, run.id, job.id);
    // Mismatches and failed replays: the traces page lists them first.
    let failing = (job.trace_failed > 0)
        .then(|| view! { ", " <strong class="failed">{format!("{} failing", job.trace_failed)}</strong> });
    view! {
        <section class="traces-summary">
            <h2>"Rendering traces"</h2>
            <p>
                {if job.trace_count == 1 { "1 trace".to_owned() } else { format!("{} traces", job.trace_count) }}
                {failing}
                " · "
                <a class="review-traces" href=href>"Review the traces and their images"</a>
            </p>
        </section>
    }
    .into_any()
}

#[component]
fn Artifacts(artifacts: Vec<Artifact>, run: i64) -> impl IntoView {
    if artifacts.is_empty() {
        return ().into_any();
    }
    let total: i64 = artifacts.iter().map(|a| a.size_bytes).sum();
    let heading = format!("Artifacts ({}, {})", artifacts.len(), format::bytes(total));
    view! {
        <section class="artifacts">
            <h2>{heading}</h2>
            <ArtifactTable artifacts=artifacts run=run show_tests=true/>
        </section>
    }
    .into_any()
}

/// PerfTracker's artifacts linked to the job's uuid.
#[component]
fn LinkedArtifacts(artifacts: Vec<shared::model::LinkedArtifact>) -> impl IntoView {
    if artifacts.is_empty() {
        return ().into_any();
    }
    let rows = artifacts
        .into_iter()
        .map(|a| {
            view! {
                <tr>
                    <td><a href=a.href.clone() rel="nofollow">{a.filename.clone()}</a></td>
                    <td>{a.description.clone()}</td>
                    <td class="num">{format::bytes(a.size_bytes)}</td>
                    <td>{format::time(&a.uploaded_at)}</td>
                    <td>{format::time(&a.expires_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="linked-artifacts">
            <h2>"PerfTracker artifacts"</h2>
            <table class="list">
                <thead><tr><th>"File"</th><th>"Description"</th><th class="num">"Size"</th><th>"Uploaded"</th><th>"Expires"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn Uploads(uploads: Vec<UploadSummary>) -> impl IntoView {
    let other_kinds = uploads.iter().any(|u| matches!(u.kind, UploadKind::PerfResult | UploadKind::TraceResult));
    let reports: Vec<UploadSummary> = uploads.into_iter().filter(|u| u.kind == UploadKind::TestReport).collect();
    if reports.is_empty() && other_kinds {
        return ().into_any();
    }
    if reports.is_empty() {
        return view! { <p class="empty">"No test reports uploaded to this job yet."</p> }.into_any();
    }
    let rows = reports
        .into_iter()
        .map(|u| {
            let warnings = u.warnings.clone();
            let label = u.format.parse::<ReportFormat>().map(|f| f.label()).unwrap_or("report");
            view! {
                <tr>
                    <td>{u.filename.clone()}</td>
                    <td>{label}</td>
                    <td>{u.counts.map(|c| view! { <CountsFigures counts=c/> })}</td>
                    <td class="num">{format::bytes(u.size_bytes)}</td>
                    <td>
                        {warnings.into_iter().map(|w| view! { <div class="warning">"⚠ " {w}</div> }).collect_view()}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="uploads">
            <summary>"Uploaded reports"</summary>
            <table class="list">
                <thead><tr><th>"File"</th><th>"Format"</th><th>"Tests"</th><th class="num">"Size"</th><th>"Warnings"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
    .into_any()
}

#[component]
fn Results(page: Page<TestResultRow>, filter: Filter, base: String, slug: String) -> impl IntoView {
    let run_slug = slug;
    let status_options = [
        ("", "all statuses"),
        ("failed", "failed"),
        ("error", "errors"),
        ("skipped", "skipped"),
        ("passed", "passed"),
        ("flaky", "flaky"),
    ]
    .into_iter()
    .map(|(value, label)| {
        let selected = filter.status.as_deref().unwrap_or("") == value;
        view! { <option value=value selected=selected>{label}</option> }
    })
    .collect_view();
    let order_options = [("", "failures first"), ("name", "name"), ("duration", "slowest first")]
        .into_iter()
        .map(|(value, label)| {
            let selected = filter.order.as_deref().unwrap_or("") == value;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    let rows = page
        .items
        .iter()
        .map(|t| {
            let href = format!("{base}/tests/{}", t.id);
            let path = [t.suite.as_str(), t.classname.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" › ");
            // The failure summary computed at ingest; else the message's
            // first line (results stored before summaries existed).
            let message = match &t.summary {
                Some(s) => Some(view! { <pre class="failure-summary">{s.clone()}</pre> }.into_any()),
                None => t.message.as_deref().map(|m| view! { <div class="message">{format::first_line(m, 160)}</div> }.into_any()),
            };
            let mark = t.failing_since.clone().map(|s| {
                if s.new {
                    view! { <span class="failure-mark new" title="did not fail in the previous run of this job on the branch">"new"</span> }.into_any()
                } else {
                    view! {
                        <span class="failure-mark known">"known, failing since " <a href=routes::run(&run_slug, s.run_id)>{s.run}</a></span>
                    }
                    .into_any()
                }
            });
            view! {
                <tr class=format!("result {}", t.status.as_str())>
                    <td><TestStatusBadge status=t.status flaky=t.flaky/></td>
                    <td>
                        <a class="test-link" href=href>{if t.name.is_empty() { "(unnamed)".to_owned() } else { t.name.clone() }}</a>
                        " " {mark}
                        {t.flaky_test.map(|r| view! {
                            <span class="failure-mark flaky-mark" title=r.label()>"flaky"</span>
                        })}
                        {t.cluster.clone().map(|c| view! {
                            <span class="failure-mark cluster-mark"><ClusterName cluster=c slug=run_slug.clone()/></span>
                        })}
                        {t.quarantined.then(|| view! {
                            <span class="failure-mark quarantine-mark" title="quarantined: this failure does not turn the job red">"quarantined"</span>
                        })}
                        <div class="muted small">{path}</div>
                        {message}
                    </td>
                    <td class="num">{format::opt_duration(t.duration_s)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = page.items.is_empty();
    let pager_filter = filter.clone();
    let pager_base = base.clone();
    let href = move |p: i64| pager_filter.href(&pager_base, Some(p));
    view! {
        <h2>"Tests"</h2>
        <Form method="GET" action="">
            <div class="filters">
                <label>"Search " <input type="search" name="q" value=filter.q.clone().unwrap_or_default() placeholder="test, class or suite name"/></label>
                <label>"Status " <select name="status">{status_options}</select></label>
                <label>"Order " <select name="order">{order_options}</select></label>
                <button type="submit">"Apply"</button>
            </div>
        </Form>
        {if empty {
            view! { <p class="empty">"No test results match."</p> }.into_any()
        } else {
            view! {
                <table class="list results">
                    <thead><tr><th>"Status"</th><th>"Test"</th><th class="num">"Time"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }}
        <Pager total=page.total limit=page.limit offset=page.offset href=href/>
    }
}
