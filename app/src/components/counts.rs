//! Test counts: as figures, and as a bar.

use leptos::prelude::*;
use shared::Counts;

/// `1204 tests · 1190 passed · 3 failed · …`, each figure optionally a link
/// (to filter a table by that status).
#[component]
pub fn CountsFigures(
    counts: Counts,
    #[prop(optional, into)] link: Option<Callback<&'static str, String>>,
) -> impl IntoView {
    let items = [
        ("total", "tests", counts.total, true),
        ("passed", "passed", counts.passed, true),
        ("failed", "failed", counts.failed, true),
        ("error", "errors", counts.errors, counts.errors > 0),
        ("skipped", "skipped", counts.skipped, counts.skipped > 0),
        ("flaky", "flaky", counts.flaky, counts.flaky > 0),
        ("quarantined", "failed (quarantined)", counts.quarantined, counts.quarantined > 0),
    ];
    let rendered = items
        .into_iter()
        .filter(|(_, _, _, show)| *show)
        .map(|(key, label, n, _)| {
            let text = format!("{n} {label}");
            let class = format!("figure {key}");
            let status = if key == "total" { "all" } else { key };
            match &link {
                // Quarantined failures are among the failed ones: no filter of their own.
                _ if key == "quarantined" => view! {
                    <span class=class data-count=key title="also counted as failed or errors, but not against the job">{text}</span>
                }
                .into_any(),
                Some(make) => view! { <a class=class href=make.run(status) data-count=key>{text}</a> }.into_any(),
                None => view! { <span class=class data-count=key>{text}</span> }.into_any(),
            }
        })
        .collect_view();
    view! { <span class="figures">{rendered}</span> }
}

/// A stacked bar of passed / failed / errors / skipped.
#[component]
pub fn CountsBar(counts: Counts) -> impl IntoView {
    let total = counts.total.max(1) as f64;
    let parts =
        [("failed", counts.failed), ("error", counts.errors), ("skipped", counts.skipped), ("passed", counts.passed)];
    let segments = parts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(class, n)| {
            let style = format!("width: {:.3}%", n as f64 * 100.0 / total);
            view! { <span class=format!("segment {class}") style=style title=format!("{n} {class}")></span> }
        })
        .collect_view();
    let label = match counts.pass_rate() {
        Some(rate) => format!("{rate:.1}% of executed tests passed"),
        None => "no tests executed".to_owned(),
    };
    view! { <span class="bar" role="img" aria-label=label.clone() title=label>{segments}</span> }
}
