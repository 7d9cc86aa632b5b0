use super::query_param;
use crate::api::ChangePassword;
use crate::components::error_view::ErrorView;
use crate::components::forms::FormError;
use crate::components::session::{CsrfField, use_session};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let change = ServerAction::<ChangePassword>::new();
    let changed = query_param("changed");
    view! {
        <Title text="Your account"/>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                let user = match session.resource.await {
                    Ok(s) => s.user,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let Some(user) = user else {
                    return view! { <ErrorView error=AppError::Unauthorized("Sign in to see your account.".into())/> }.into_any();
                };
                view! {
                    <section class="narrow">
                        <h1>{user.username.clone()}</h1>
                        <p class="muted">{if user.is_admin { "Instance admin" } else { "User" }}</p>
                        {user.must_change_password.then(|| view! {
                            <p class="note" role="status">"Your password was handed to you: choose your own now."</p>
                        })}
                        {move || (changed.get().is_some() || matches!(change.value().get(), Some(Ok(())))).then(|| view! {
                            <p class="saved" role="status">"Password changed. Your other sessions were signed out."</p>
                        })}
                        <h2>"Change password"</h2>
                        <ActionForm action=change>
                            <div class="stacked">
                                <CsrfField/>
                                <label>"Current password" <input type="password" name="current" autocomplete="current-password" required/></label>
                                <label>"New password (10 characters or more)" <input type="password" name="new" autocomplete="new-password" minlength="10" required/></label>
                                <label>"New password again" <input type="password" name="repeat" autocomplete="new-password" minlength="10" required/></label>
                                <button type="submit">"Change password"</button>
                            </div>
                        </ActionForm>
                        <FormError action=change/>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}
