use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="top">
            <a class="brand" href="/">"Assay"</a>
            <nav>
                <a href="/">"Projects"</a>
                <a href="/api/docs/" rel="external">"API"</a>
            </nav>
        </header>
    }
}

/// `Projects › web › run 1234 › linux`: the last item is the current page.
#[component]
pub fn Breadcrumbs(items: Vec<(String, Option<String>)>) -> impl IntoView {
    let last = items.len().saturating_sub(1);
    let crumbs = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, href))| match href {
            Some(href) if i != last => view! { <li><a href=href>{label}</a></li> }.into_any(),
            _ => view! { <li aria-current="page">{label}</li> }.into_any(),
        })
        .collect_view();
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>{crumbs}</ol>
        </nav>
    }
}
