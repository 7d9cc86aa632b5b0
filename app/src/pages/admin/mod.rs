//! The instance admin console.

pub mod audit;
pub mod projects;
pub mod settings;
pub mod users;

use leptos::prelude::*;

#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let items = [
        ("users", "Users", "/admin/users"),
        ("projects", "Projects", "/admin/projects"),
        ("settings", "Settings", "/admin/settings"),
        ("audit", "Audit log", "/admin/audit"),
    ];
    let links = items
        .into_iter()
        .map(|(key, label, href)| {
            let current = (key == current).then_some("page");
            view! { <a href=href aria-current=current>{label}</a> }
        })
        .collect_view();
    view! {
        <h1>"Administration"</h1>
        <nav class="tabs" aria-label="Administration">{links}</nav>
    }
}
