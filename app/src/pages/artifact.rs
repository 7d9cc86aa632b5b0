//! One artifact: a text artifact in the log viewer (a page of numbered
//! lines, every line a link, search, paging, jump to a line), an image
//! shown as an image, anything else described with a download link. A
//! page never holds more than one page of a log, however large the file.

use super::{id_param, path_param, query_param};
use crate::api::{get_artifact, get_artifact_lines, search_artifact};
use crate::components::artifacts::is_inline_image;
use crate::components::error_view::ErrorView;
use crate::components::layout::Breadcrumbs;
use crate::error::AppError;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use shared::model::{Artifact, ArtifactLines, ArtifactSearch};

/// Lines per page of the viewer.
pub const PAGE_LINES: i64 = 500;

/// The first line of the page holding `line`.
pub fn page_start(line: i64) -> i64 {
    ((line.max(1) - 1) / PAGE_LINES) * PAGE_LINES + 1
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Content {
    Lines(ArtifactLines),
    Search(ArtifactSearch),
    Image,
    Binary,
}

#[component]
pub fn ArtifactPage() -> impl IntoView {
    let project = path_param("project");
    let run = id_param("run");
    let job = id_param("job");
    let artifact = id_param("artifact");
    let line = query_param("line");
    let q = query_param("q");
    let from = query_param("from");
    let data = Resource::new(
        move || (project.get(), run.get(), job.get(), artifact.get(), line.get(), q.get(), from.get()),
        |(project, run, job, artifact, line, q, from)| async move {
            let (Some(run), Some(job), Some(id)) = (run, job, artifact) else {
                return Err(AppError::NotFound("artifact not found".into()));
            };
            let a = get_artifact(project, run, job, id).await?;
            let content = if a.text {
                match q {
                    Some(q) => {
                        let from = from.and_then(|f| f.parse().ok()).unwrap_or(1);
                        Content::Search(search_artifact(id, q, from).await?)
                    }
                    None => {
                        let line = line.and_then(|l| l.trim().parse().ok()).unwrap_or(1);
                        let last = a.line_count.unwrap_or(1).max(1);
                        let start = page_start(line.min(last));
                        Content::Lines(get_artifact_lines(id, start, PAGE_LINES).await?)
                    }
                }
            } else if is_inline_image(&a.content_type) {
                Content::Image
            } else {
                Content::Binary
            };
            Ok((a, content))
        },
    );
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((a, content)) => {
                        let run = run.get().unwrap_or_default();
                        view! { <ArtifactView artifact=a content=content run=run/> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArtifactView(artifact: Artifact, content: Content, run: i64) -> impl IntoView {
    let a = artifact;
    let job_href = routes::job(&a.project, run, a.job_id);
    let base = routes::artifact(&a.project, run, a.job_id, a.id);
    let tests = (!a.tests.is_empty()).then(|| {
        let links = a
            .tests
            .iter()
            .map(|t| view! { <a href=routes::test(&a.project, run, a.job_id, t.result_id)>{t.name.clone()}</a> " " })
            .collect_view();
        view! { <dt>"Tests"</dt><dd>{links}</dd> }
    });
    let body = match content {
        Content::Lines(page) => {
            view! { <LogPage page=page base=base.clone() line_count=a.line_count.unwrap_or(0)/> }.into_any()
        }
        Content::Search(found) => view! { <SearchResults found=found base=base.clone()/> }.into_any(),
        Content::Image => view! {
            <p><img class="artifact-image" src=a.download_url.clone() alt=a.name.clone()/></p>
        }
        .into_any(),
        Content::Binary => view! {
            <p class="empty">"This file is not text or an image Assay shows: download it to open it."</p>
        }
        .into_any(),
    };
    let search = a.text.then(|| view! { <SearchForm base=base.clone()/> });
    view! {
        <Title text=a.name.clone()/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (a.project.clone(), Some(routes::project(&a.project))),
            ("Run".into(), Some(routes::run(&a.project, run))),
            ("Job".into(), Some(job_href)),
            (a.name.clone(), None),
        ]/>
        <h1 class="artifact-name">{a.name.clone()}</h1>
        <dl class="meta">
            <dt>"Type"</dt><dd>{a.content_type.clone()}</dd>
            <dt>"Size"</dt><dd>{format::bytes(a.size_bytes)}</dd>
            {a.line_count.map(|n| view! { <dt>"Lines"</dt><dd>{n}</dd> })}
            <dt>"Uploaded"</dt><dd>{format::time(&a.created_at)}</dd>
            {a.expires_at.map(|t| view! { <dt>"Expires"</dt><dd>{format::time(&t)}</dd> })}
            {tests}
            <dt>"SHA-256"</dt><dd><code class="small">{a.sha256.clone()}</code></dd>
        </dl>
        <p><a class="button download" href=format!("{}?download=true", a.download_url) download=a.name.clone()>"Download"</a></p>
        {search}
        {body}
    }
}

#[component]
fn SearchForm(base: String) -> impl IntoView {
    view! {
        <div class="log-tools">
            <Form method="GET" action=base.clone()>
                <label>"Search " <input type="search" name="q" required placeholder="text in the log"/></label>
                <button type="submit">"Search"</button>
            </Form>
            <Form method="GET" action=base>
                <label>"Go to line " <input type="number" name="line" min="1" required class="line-input"/></label>
                <button type="submit">"Go"</button>
            </Form>
        </div>
    }
}

#[component]
fn LogPage(page: ArtifactLines, base: String, line_count: i64) -> impl IntoView {
    let first = page.first_line;
    let last = first + page.lines.len() as i64 - 1;
    let prev = (first > 1).then(|| {
        let p = page_start(first - 1);
        format!("{base}?line={p}")
    });
    let next = (last < line_count).then(|| format!("{base}?line={}", last + 1));
    let nav = move || {
        view! {
            <nav class="pager" aria-label="Pages of lines">
                <span class="showing">{format!("Lines {first}–{last} of {line_count}")}</span>
                {prev.clone().map(|h| view! { <a rel="prev" href=h>"← Earlier lines"</a> })}
                {next.clone().map(|h| view! { <a rel="next" href=h>"Later lines →"</a> })}
            </nav>
        }
    };
    let errors = page.errors;
    let rows = page
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let n = first + i as i64;
            let id = format!("L{n}");
            let href = format!("{base}?line={n}#L{n}");
            let class = errors.binary_search(&n).is_ok().then_some("error-line");
            view! {
                <tr id=id class=class>
                    <td class="ln"><a href=href>{n}</a></td>
                    <td class="text">{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {nav()}
        {page.cut.then(|| view! { <p class="note">"A line here is longer than a page holds and is cut: download the file for all of it."</p> })}
        <table class="log"><tbody>{rows}</tbody></table>
        {nav()}
    }
}

#[component]
fn SearchResults(found: ArtifactSearch, base: String) -> impl IntoView {
    let more = found.next_from.map(|from| {
        let href =
            format!("{base}{}", routes::query(&[("q", Some(found.query.clone())), ("from", Some(from.to_string()))]));
        view! { <p><a rel="next" href=href>{format!("Search on from line {from} →")}</a></p> }
    });
    let n = found.matches.len();
    let rows = found
        .matches
        .into_iter()
        .map(|m| {
            let href = format!("{base}?line={}#L{}", m.line, m.line);
            view! {
                <tr>
                    <td class="ln"><a href=href>{m.line}</a></td>
                    <td class="text">{m.text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{format!("Lines containing “{}”", found.query)}</h2>
        <p class="muted">
            {if n == 0 { "No line matches.".to_owned() } else { format!("{n} matching lines{}", if more.is_some() { " so far" } else { "" }) }}
            " " <a href=base.clone()>"Back to the log"</a>
        </p>
        {(n > 0).then(|| view! { <table class="log matches"><tbody>{rows}</tbody></table> })}
        {more}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_on_a_page_boundary() {
        assert_eq!(page_start(1), 1);
        assert_eq!(page_start(500), 1);
        assert_eq!(page_start(501), 501);
        assert_eq!(page_start(0), 1);
        assert_eq!(page_start(12_345), 12_001);
    }
}
