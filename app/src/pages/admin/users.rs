use super::AdminPage;
use crate::api::{CreateUser, SetUserAdmin, SetUserDisabled, list_users, take_flash};
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::session::CsrfField;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::accounts::UserView;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let admin = ServerAction::<SetUserAdmin>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let users = Resource::new(
        move || (create.version().get(), admin.version().get(), disable.version().get()),
        |_| list_users(),
    );
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text="Users"/>
        <AdminPage current="users">
        <Suspense fallback=super::super::loading>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable users=list admin=admin disable=disable/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <FormError action=admin/>
        <FormError action=disable/>
        <h2>"New user"</h2>
        <ActionForm action=create>
            <CsrfField/>
            <label>"Username " <input name="username" required maxlength="64"/></label>
            <label><input type="checkbox" name="admin"/> " instance admin"</label>
            <button type="submit">"Create user"</button>
        </ActionForm>
        <FormError action=create/>
        {move || match create.value().get() {
            Some(Ok(created)) => Some(view! {
                <p class="secret" role="status">
                    "One-time password for " <strong>{created.user.username.clone()}</strong> ": "
                    <code data-secret="password">{created.password.clone()}</code>
                    " — hand it over now; it is not shown again, and they choose their own at first sign-in."
                </p>
            }),
            _ => None,
        }}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                flash.await.ok().flatten().map(|note| view! { <p class="secret" role="status"><code data-secret="flash">{note}</code></p> })
            })}
        </Suspense>
        </AdminPage>
    }
}

#[component]
fn UserTable(
    users: Vec<UserView>,
    admin: ServerAction<SetUserAdmin>,
    disable: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    let rows = users
        .into_iter()
        .map(|u| {
            let id = u.id.to_string();
            let id2 = id.clone();
            view! {
                <tr data-user=u.username.clone()>
                    <td>{u.username.clone()}</td>
                    <td>{if u.is_admin { "instance admin" } else { "user" }}</td>
                    <td>{if u.disabled { "disabled" } else { "active" }}</td>
                    <td class="when">{format::time(&u.created_at)}</td>
                    <td class="actions">
                        <ActionForm action=admin>
                            <CsrfField/>
                            <input type="hidden" name="user_id" value=id.clone()/>
                            <input type="hidden" name="admin" value=(!u.is_admin).to_string()/>
                            <button type="submit">{if u.is_admin { "Remove admin" } else { "Make admin" }}</button>
                        </ActionForm>
                        <ActionForm action=disable>
                            <CsrfField/>
                            <input type="hidden" name="user_id" value=id2/>
                            <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                            <button type="submit">{if u.disabled { "Enable" } else { "Disable" }}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list users">
            <thead><tr><th>"Username"</th><th>"Role"</th><th>"State"</th><th>"Created"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
