use leptos::prelude::*;

/// `Showing 51–100 of 1204 · ← Previous · Page 2 of 25 · Next →`, as links
/// so it works without JavaScript.
#[component]
pub fn Pager<F>(total: i64, limit: i64, offset: i64, href: F) -> impl IntoView
where
    F: Fn(i64) -> String + 'static,
{
    let limit = limit.max(1);
    let page = offset / limit + 1;
    let pages = ((total + limit - 1) / limit).max(1);
    let first = if total == 0 { 0 } else { offset + 1 };
    let last = (offset + limit).min(total);
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="showing">{format!("Showing {first}–{last} of {total}")}</span>
            {prev.map(|h| view! { <a rel="prev" href=h>"← Previous"</a> })}
            <span class="page-of">{format!("Page {page} of {pages}")}</span>
            {next.map(|h| view! { <a rel="next" href=h>"Next →"</a> })}
        </nav>
    }
}
