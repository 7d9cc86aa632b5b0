use super::AdminPage;
use crate::api::{SaveSettings, get_settings};
use crate::components::error_view::ErrorView;
use crate::components::forms::{FormError, Saved};
use crate::components::session::CsrfField;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_settings());
    view! {
        <Title text="Settings · Administration"/>
        <AdminPage current="settings">
        <Suspense fallback=super::super::loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <ActionForm action=save>
                            <div class="stacked">
                                <CsrfField/>
                                <label>
                                    <input type="checkbox" name="anonymous_read" checked=s.anonymous_read/>
                                    " Visitors who are not signed in may read every project"
                                </label>
                                <p class="muted small">"When off, signed-in users read the projects they are members of; API reads need a token."</p>
                                <button type="submit">"Save settings"</button>
                            </div>
                        </ActionForm>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <FormError action=save/>
        <Saved action=save text="Settings saved."/>
        </AdminPage>
    }
}
