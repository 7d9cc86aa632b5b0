//! The instance admin console.

pub mod audit;
pub mod projects;
pub mod settings;
pub mod users;

use crate::components::error_view::ErrorView;
use crate::components::session::use_session;
use crate::error::AppError;
use leptos::prelude::*;

/// An admin console page: its tabs and content for instance admins, an
/// explanation for anyone else. (The server refuses them regardless.)
#[component]
pub fn AdminPage(current: &'static str, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match session.resource.await.map(|s| s.user) {
                    Ok(Some(user)) if user.is_admin => {
                        view! { <AdminNav current=current/> {children.with_value(|c| c())} }.into_any()
                    }
                    Ok(Some(_)) => view! {
                        <ErrorView error=AppError::Forbidden("The administration pages are for instance admins.".into())/>
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <ErrorView error=AppError::Unauthorized("Sign in as an instance admin to administer Assay.".into())/>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

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
