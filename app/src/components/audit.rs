use crate::format;
use leptos::prelude::*;
use shared::accounts::AuditEntry;

/// Audit log entries, newest first.
#[component]
pub fn AuditTable(entries: Vec<AuditEntry>, #[prop(optional)] with_project: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"Nothing recorded yet."</p> }.into_any();
    }
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="when">{format::time(&e.at)}</td>
                    <td>{e.actor_name.clone()} <span class="muted small">{format!(" ({})", e.actor_kind)}</span></td>
                    {with_project.then(|| view! { <td>{e.project.clone().unwrap_or_default()}</td> })}
                    <td><code>{e.action.clone()}</code></td>
                    <td>{e.target.clone()}</td>
                    <td class="muted small">{e.detail.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list audit">
            <thead>
                <tr>
                    <th>"When"</th><th>"Who"</th>
                    {with_project.then(|| view! { <th>"Project"</th> })}
                    <th>"Action"</th><th>"On"</th><th>"Detail"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
