use super::path_param;
use crate::api::{
    ArchiveProject, CreateHawk, CreateToken, RemoveMember, RenameProject, RevokeHawk, RevokeToken, SetDetection,
    SetFlakyRules, SetMember, get_project_settings, list_audit, take_flash,
};
use crate::components::audit::AuditTable;
use crate::components::error_view::ErrorView;
use crate::components::forms::{FormError, Saved};
use crate::components::layout::Breadcrumbs;
use crate::components::pager::Pager;
use crate::components::session::CsrfField;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::accounts::{MemberView, ProjectSettings, Role, TokenView};

/// The actions of the page, created once so every row's form shares them.
#[derive(Clone, Copy)]
struct Actions {
    rename: ServerAction<RenameProject>,
    archive: ServerAction<ArchiveProject>,
    set_member: ServerAction<SetMember>,
    remove_member: ServerAction<RemoveMember>,
    create_token: ServerAction<CreateToken>,
    revoke_token: ServerAction<RevokeToken>,
    create_hawk: ServerAction<CreateHawk>,
    revoke_hawk: ServerAction<RevokeHawk>,
    detection: ServerAction<SetDetection>,
    flaky: ServerAction<SetFlakyRules>,
}

impl Actions {
    fn version(&self) -> usize {
        self.rename.version().get()
            + self.archive.version().get()
            + self.set_member.version().get()
            + self.remove_member.version().get()
            + self.create_token.version().get()
            + self.revoke_token.version().get()
            + self.create_hawk.version().get()
            + self.revoke_hawk.version().get()
            + self.detection.version().get()
            + self.flaky.version().get()
    }
}

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let project = path_param("project");
    let actions = Actions {
        rename: ServerAction::new(),
        archive: ServerAction::new(),
        set_member: ServerAction::new(),
        remove_member: ServerAction::new(),
        create_token: ServerAction::new(),
        revoke_token: ServerAction::new(),
        create_hawk: ServerAction::new(),
        revoke_hawk: ServerAction::new(),
        detection: ServerAction::new(),
        flaky: ServerAction::new(),
    };
    let settings = Resource::new(move || (project.get(), actions.version()), |(p, _)| get_project_settings(p));
    let page = super::page_param();
    let audit =
        Resource::new(move || (project.get(), page.get(), actions.version()), |(p, n, _)| list_audit(Some(p), n));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <Settings settings=s actions=actions/>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                flash.await.ok().flatten().map(|note| view! {
                                    <p class="secret" role="status"><code data-secret="flash">{note}</code></p>
                                })
                            })}
                        </Suspense>
                        <h2 id="audit">"Audit log"</h2>
                        <Suspense fallback=super::loading>
                            {move || Suspend::new(async move {
                                match audit.await {
                                    Ok(p) => {
                                        let slug = project.get_untracked();
                                        let href = move |n| format!("{}?page={n}#audit", routes::settings(&slug));
                                        view! {
                                            <AuditTable entries=p.items/>
                                            <Pager total=p.total limit=p.limit offset=p.offset href=href/>
                                        }
                                        .into_any()
                                    }
                                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                                }
                            })}
                        </Suspense>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Settings(settings: ProjectSettings, actions: Actions) -> impl IntoView {
    let ProjectSettings { slug, name, archived, members, tokens, detection, flaky, hawk } = settings;
    let project_href = routes::project(&slug);
    let slug = StoredValue::new(slug);
    // The hidden field naming the project, in every form of the page.
    let field = move || view! { <input type="hidden" name="project" value=slug.get_value()/> };
    view! {
        <Title text=format!("Settings · {name}")/>
        <Breadcrumbs items=vec![
            ("Projects".into(), Some("/".into())),
            (name.clone(), Some(project_href)),
            ("Settings".into(), None),
        ]/>
        <h1>{format!("{name} settings")} {archived.then(|| view! { " " <span class="badge skipped">"archived"</span> })}</h1>

        <h2>"Name"</h2>
        <ActionForm action=actions.rename>
            <CsrfField/>
            {field()}
            <label>"Display name " <input name="name" value=name.clone() required maxlength="255"/></label>
            <button type="submit">"Rename"</button>
        </ActionForm>
        <FormError action=actions.rename/>
        <Saved action=actions.rename text="Renamed."/>

        <h2>"Archive"</h2>
        <p class="muted">
            {if archived { "This project is archived: its results stay readable, new uploads are refused." }
             else { "Archiving keeps the project's results readable and refuses new uploads." }}
        </p>
        <ActionForm action=actions.archive>
            <CsrfField/>
            {field()}
            <input type="hidden" name="archived" value=(!archived).to_string()/>
            <button type="submit">{if archived { "Unarchive project" } else { "Archive project" }}</button>
        </ActionForm>
        <FormError action=actions.archive/>

        <h2>"Regression detection"</h2>
        <p class="muted small">
            {format!(
                "The false-alarm rate per tested segment (lower: fewer, surer alerts; default {}) and the smallest change that alerts (default {}%). {}",
                detection.defaults.alpha,
                detection.defaults.min_magnitude_pct,
                if detection.custom { "This project sets its own." } else { "This project uses the defaults." }
            )}
        </p>
        <ActionForm action=actions.detection attr:class="detection">
            <CsrfField/>
            {field()}
            <label>"Alpha " <input name="alpha" value=detection.alpha.to_string() required inputmode="decimal" size="8"/></label>
            " " <label>"Minimum change (%) " <input name="min_magnitude_pct" value=detection.min_magnitude_pct.to_string() required inputmode="decimal" size="6"/></label>
            " " <button type="submit">"Save detection settings"</button>
        </ActionForm>
        <FormError action=actions.detection/>
        <Saved action=actions.detection text="Saved: the project's series are analysed again."/>

        <h2>"Flaky tests"</h2>
        <p class="muted small">
            "A test is flaky when it passed and failed on one revision, passed only after retries, or flipped between pass and fail at least this often in its last executions on these branches; jobs where more than this share of tests failed are infrastructure failures and left out; a flaky test recovers after this many clean executions in a row. The rules apply to the results stored from then on."
        </p>
        <div class="flaky-rules">
        <ActionForm action=actions.flaky>
            <CsrfField/>
            {field()}
            <label>"Branches " <input name="branches" value=flaky.branches.join(", ") size="24"/></label>
            " " <label>"Flips " <input name="min_flips" value=flaky.min_flips.to_string() required inputmode="numeric" size="3"/></label>
            " " <label>"in the last " <input name="window" value=flaky.window.to_string() required inputmode="numeric" size="3"/> " executions"</label>
            " " <label>"Recovery after " <input name="recovery_runs" value=flaky.recovery_runs.to_string() required inputmode="numeric" size="3"/> " clean"</label>
            " " <label>"Infrastructure failure above (%) " <input name="infra_pct" value=((flaky.infra_ratio * 100.0).round() as i64).to_string() required inputmode="numeric" size="3"/></label>
            " " <button type="submit">"Save flaky-test rules"</button>
        </ActionForm>
        </div>
        <FormError action=actions.flaky/>
        <Saved action=actions.flaky text="Saved."/>

        <h2>"Members"</h2>
        <MemberTable members=members actions=actions field=field/>
        <FormError action=actions.remove_member/>
        <ActionForm action=actions.set_member>
            <CsrfField/>
            {field()}
            <label>"Username " <input name="username" required maxlength="64"/></label>
            <label>"Role " <RoleSelect selected=Role::Member/></label>
            <button type="submit">"Add or change member"</button>
        </ActionForm>
        <FormError action=actions.set_member/>

        <h2>"API tokens"</h2>
        <p class="muted small">"For CI: a write token uploads results; a read-only token reads them."</p>
        <TokenTable tokens=tokens actions=actions field=field/>
        <ActionForm action=actions.revoke_token attr:class="revoke-by-name">
            <CsrfField/>
            {field()}
            <label>
                "Revoke a token by its secret, prefix or name "
                <input name="token" required maxlength="255" autocomplete="off" spellcheck="false"
                    placeholder="assay_… (e.g. as leaked in a CI log)"/>
            </label>
            <button type="submit">"Revoke"</button>
        </ActionForm>
        <FormError action=actions.revoke_token/>
        <Saved action=actions.revoke_token text="Token revoked."/>
        <ActionForm action=actions.create_token>
            <CsrfField/>
            {field()}
            <label>"Name " <input name="name" value="ci" required maxlength="255"/></label>
            <label><input type="checkbox" name="read_only"/> " read-only"</label>
            <button type="submit">"Create token"</button>
        </ActionForm>
        <FormError action=actions.create_token/>
        {move || match actions.create_token.value().get() {
            Some(Ok(created)) => Some(view! {
                <p class="secret" role="status">
                    {format!("New {} token “{}”: ", created.view.scope, created.view.name)}
                    <code data-secret="token">{created.token.clone()}</code>
                    " — copy it now; it is not shown again."
                </p>
            }),
            _ => None,
        }}

        <h2>"Treeherder (Hawk) credentials"</h2>
        <p class="muted small">
            "For Treeherder's clients (treeherder-client's client_id and secret, server_url …/treeherder): each writes to this project only."
        </p>
        <HawkTable hawk=hawk actions=actions field=field/>
        <FormError action=actions.revoke_hawk/>
        <ActionForm action=actions.create_hawk attr:class="create-hawk">
            <CsrfField/>
            {field()}
            <label>"Client id " <input name="client_id" maxlength="100" placeholder="optional, e.g. taskcluster"/></label>
            <button type="submit">"Create Hawk credentials"</button>
        </ActionForm>
        <FormError action=actions.create_hawk/>
        {move || match actions.create_hawk.value().get() {
            Some(Ok(created)) => Some(view! {
                <p class="secret" role="status">
                    "New Hawk credentials (client id and secret): "
                    <code data-secret="hawk">{format!("{} {}", created.client_id, created.secret)}</code>
                    " — copy them now; the secret is not shown again."
                </p>
            }),
            _ => None,
        }}
    }
}

#[component]
fn HawkTable<F, V>(hawk: Vec<shared::treeherder::HawkCredential>, actions: Actions, field: F) -> impl IntoView
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    if hawk.is_empty() {
        return view! { <p class="empty">"No Hawk credentials yet."</p> }.into_any();
    }
    let rows = hawk
        .into_iter()
        .map(|h| {
            let live = h.revoked_at.is_none();
            let id = h.client_id.clone();
            view! {
                <tr data-hawk=h.client_id.clone()>
                    <td><code>{h.client_id.clone()}</code></td>
                    <td>{h.created_by.clone().unwrap_or_else(|| "command line".into())}</td>
                    <td class="when">{h.last_used_at.as_ref().map(format::time).unwrap_or_else(|| "never".into())}</td>
                    <td>
                        {if live {
                            view! {
                                <ActionForm action=actions.revoke_hawk>
                                    <CsrfField/>
                                    {field()}
                                    <input type="hidden" name="client_id" value=id/>
                                    <button type="submit">"Revoke"</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <span class="muted">"revoked"</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list hawk">
            <thead><tr><th>"Client id"</th><th>"Created by"</th><th>"Last used"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    let options = Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.as_str()}</option> })
        .collect_view();
    view! { <select name="role">{options}</select> }
}

#[component]
fn MemberTable<F, V>(members: Vec<MemberView>, actions: Actions, field: F) -> impl IntoView
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    if members.is_empty() {
        return view! { <p class="empty">"No members yet: instance admins can do everything; add people to give them a role."</p> }
            .into_any();
    }
    let rows = members
        .into_iter()
        .map(|m| {
            let id = m.user_id.to_string();
            let (name_attr, name_text, name_field) = (m.username.clone(), m.username.clone(), m.username.clone());
            view! {
                <tr data-member=name_attr>
                    <td>{name_text}</td>
                    <td>
                        <ActionForm action=actions.set_member>
                            <CsrfField/>
                            {field()}
                            <input type="hidden" name="username" value=name_field/>
                            <RoleSelect selected=m.role/>
                            <button type="submit">"Save role"</button>
                        </ActionForm>
                    </td>
                    <td class="when">{format::time(&m.since)}</td>
                    <td>
                        <ActionForm action=actions.remove_member>
                            <CsrfField/>
                            {field()}
                            <input type="hidden" name="user_id" value=id/>
                            <button type="submit">"Remove"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list members">
            <thead><tr><th>"User"</th><th>"Role"</th><th>"Since"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn TokenTable<F, V>(tokens: Vec<TokenView>, actions: Actions, field: F) -> impl IntoView
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    if tokens.is_empty() {
        return view! { <p class="empty">"No tokens yet."</p> }.into_any();
    }
    let rows = tokens
        .into_iter()
        .map(|t| {
            let live = t.revoked_at.is_none();
            let id = t.id.to_string();
            view! {
                <tr data-token=t.prefix.clone()>
                    <td><code>{format!("{}…", t.prefix)}</code></td>
                    <td>{t.name.clone()}</td>
                    <td>{t.scope.clone()}</td>
                    <td>{t.created_by.clone().unwrap_or_else(|| "command line".into())}</td>
                    <td class="when">{t.last_used_at.as_ref().map(format::time).unwrap_or_else(|| "never".into())}</td>
                    <td>
                        {if live {
                            view! {
                                <ActionForm action=actions.revoke_token>
                                    <CsrfField/>
                                    {field()}
                                    <input type="hidden" name="token_id" value=id/>
                                    <button type="submit">"Revoke"</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <span class="muted">"revoked"</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list tokens">
            <thead><tr><th>"Token"</th><th>"Name"</th><th>"Scope"</th><th>"Created by"</th><th>"Last used"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
