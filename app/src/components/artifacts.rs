//! A table of artifacts: on the job page (all of the job's) and on the
//! test page (those linked to the test). Text and images open in Assay;
//! everything can be downloaded.

use crate::{format, routes};
use leptos::prelude::*;
use shared::model::Artifact;

/// Raster images the page shows inline (never SVG: it is a document).
pub fn is_inline_image(content_type: &str) -> bool {
    matches!(
        content_type.split(';').next().unwrap_or("").trim(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/avif" | "image/bmp"
    )
}

#[component]
pub fn ArtifactTable(artifacts: Vec<Artifact>, run: i64, #[prop(optional)] show_tests: bool) -> impl IntoView {
    if artifacts.is_empty() {
        return ().into_any();
    }
    let rows = artifacts
        .into_iter()
        .map(|a| {
            let page = routes::artifact(&a.project, run, a.job_id, a.id);
            let viewable = a.text || is_inline_image(&a.content_type);
            let name = if viewable {
                view! { <a class="artifact-link" href=page.clone()>{a.name.clone()}</a> }.into_any()
            } else {
                view! { <span class="artifact-name">{a.name.clone()}</span> }.into_any()
            };
            let thumb = is_inline_image(&a.content_type).then(|| {
                view! {
                    <a href=page.clone()>
                        <img class="thumb" src=a.download_url.clone() alt=format!("{} (image)", a.name) loading="lazy"/>
                    </a>
                }
            });
            let tests = (show_tests && !a.tests.is_empty()).then(|| {
                let links = a
                    .tests
                    .iter()
                    .map(|t| {
                        let href = routes::test(&a.project, run, a.job_id, t.result_id);
                        view! { <a class="linked-test" href=href>{t.name.clone()}</a> " " }
                    })
                    .collect_view();
                view! { <div class="muted small">"for " {links}</div> }
            });
            let kind = if a.text {
                format!("{} · {} lines", a.content_type, a.line_count.unwrap_or(0))
            } else {
                a.content_type.clone()
            };
            let expires = a
                .expires_at
                .map(|t| view! { <div class="muted small">{format!("expires {}", format::time(&t))}</div> });
            let download = format!("{}?download=true", a.download_url);
            view! {
                <tr data-artifact=a.name.clone()>
                    <td>{thumb}{name}{tests}</td>
                    <td class="muted">{kind}</td>
                    <td class="num">{format::bytes(a.size_bytes)}</td>
                    <td class="when">{format::time(&a.created_at)}{expires}</td>
                    <td><a class="download" href=download download=a.name.clone()>"Download"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list artifacts">
            <thead><tr><th>"Artifact"</th><th>"Type"</th><th class="num">"Size"</th><th>"Uploaded"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
