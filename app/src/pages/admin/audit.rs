use super::AdminPage;
use crate::api::list_audit;
use crate::components::audit::AuditTable;
use crate::components::error_view::ErrorView;
use crate::components::pager::Pager;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    let page = super::super::page_param();
    let entries = Resource::new(move || page.get(), |page| list_audit(None, page));
    view! {
        <Title text="Audit log · Administration"/>
        <AdminPage current="audit">
        <Suspense fallback=super::super::loading>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(p) => view! {
                        <AuditTable entries=p.items with_project=true/>
                        <Pager total=p.total limit=p.limit offset=p.offset href=|n| format!("/admin/audit?page={n}")/>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
        </AdminPage>
    }
}
