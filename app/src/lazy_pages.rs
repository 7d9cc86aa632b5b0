//! Pages are loaded lazily, in six groups: the lists (projects, runs, a
//! run), the results (a job, a test, an artifact), rendering traces (a
//! job's traces, a trace with its viewer), comparisons and performance
//! (tests and perf results of jobs compared, series graphs and alerts), signing in and the account, and
//! administration. Each group's views (and the components,
//! formatting and decoding only they use) live in a WASM chunk of its own,
//! fetched when a page of the group is first shown: the first page a user
//! opens loads the shell and its group, never the admin pages or the log
//! viewer it does not show. Pages are grouped rather than split one by one
//! because code shared by different sets of pages becomes a chunk per set:
//! thirteen split points made a page fetch up to a hundred files, four
//! make it fetch a handful. Built with `cargo leptos build --split`; on the
//! server the views are ordinary functions.

use leptos::prelude::*;
use leptos_router::LazyRoute;

#[derive(Debug, Clone, Copy)]
enum Lists {
    Projects,
    Runs,
    Run,
}

#[lazy]
fn lists(page: Lists) -> AnyView {
    use crate::pages::*;
    match page {
        Lists::Projects => view! { <projects::ProjectsPage/> }.into_any(),
        Lists::Runs => view! { <runs::RunsPage/> }.into_any(),
        Lists::Run => view! { <run::RunPage/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Results {
    Job,
    Test,
    Artifact,
}

#[lazy]
fn results(page: Results) -> AnyView {
    use crate::pages::*;
    match page {
        Results::Job => view! { <job::JobPage/> }.into_any(),
        Results::Test => view! { <test::TestPage/> }.into_any(),
        Results::Artifact => view! { <artifact::ArtifactPage/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Traces {
    /// A job's traces, or one of them (`?trace=`): one route.
    Job,
}

/// Its own group: the trace viewer and the pixel diff are loaded only by
/// the pages that show them.
#[lazy]
fn traces(page: Traces) -> AnyView {
    use crate::pages::*;
    match page {
        Traces::Job => view! { <trace::TracesRoute/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Perf {
    Compare,
    /// Tests of two jobs or runs: a comparison page like the perf one (in
    /// this group rather than the results', which every job page loads).
    CompareTests,
    FlakyTests,
    Quarantine,
    Clusters,
    Cluster,
    JobDurations,
    TestDurations,
    Series,
    Alerts,
    Regressions,
    Regression,
}

#[lazy]
fn perf(page: Perf) -> AnyView {
    use crate::pages::*;
    match page {
        Perf::Compare => view! { <compare::ComparePage/> }.into_any(),
        Perf::CompareTests => view! { <compare_tests::CompareTestsPage/> }.into_any(),
        Perf::FlakyTests => view! { <flaky_tests::FlakyTestsPage/> }.into_any(),
        Perf::Quarantine => view! { <quarantine::QuarantinePage/> }.into_any(),
        Perf::Clusters => view! { <clusters::ClustersPage/> }.into_any(),
        Perf::Cluster => view! { <clusters::ClusterPage/> }.into_any(),
        Perf::JobDurations => view! { <durations::JobDurationsPage/> }.into_any(),
        Perf::TestDurations => view! { <durations::TestDurationsPage/> }.into_any(),
        Perf::Series => view! { <series::SeriesPage/> }.into_any(),
        Perf::Alerts => view! { <alerts::AlertsPage/> }.into_any(),
        Perf::Regressions => view! { <regressions::RegressionsPage/> }.into_any(),
        Perf::Regression => view! { <regressions::RegressionPage/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Accounts {
    Login,
    Account,
}

#[lazy]
fn accounts(page: Accounts) -> AnyView {
    use crate::pages::*;
    match page {
        Accounts::Login => view! { <login::LoginPage/> }.into_any(),
        Accounts::Account => view! { <account::AccountPage/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Admin {
    Users,
    Projects,
    Settings,
    Audit,
    ProjectSettings,
}

#[lazy]
fn admin(page: Admin) -> AnyView {
    use crate::pages::*;
    match page {
        Admin::Users => view! { <admin::users::UsersPage/> }.into_any(),
        Admin::Projects => view! { <admin::projects::ProjectsAdminPage/> }.into_any(),
        Admin::Settings => view! { <admin::settings::SettingsPage/> }.into_any(),
        Admin::Audit => view! { <admin::audit::AuditPage/> }.into_any(),
        Admin::ProjectSettings => view! { <project_settings::ProjectSettingsPage/> }.into_any(),
    }
}

/// A route showing one page of a group. `preload` loads the group's chunk
/// before the router hydrates the page, so that the server's HTML is
/// hydrated by the same view, never by a placeholder.
macro_rules! lazy_page {
    ($route:ident => $group:ident($page:expr), $preload:ident) => {
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $group($page).await
            }

            async fn preload() {
                // Only the browser's build is split.
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    };
}

lazy_page!(ProjectsRoute => lists(Lists::Projects), __preload_lists);
lazy_page!(RunsRoute => lists(Lists::Runs), __preload_lists);
lazy_page!(RunRoute => lists(Lists::Run), __preload_lists);
lazy_page!(JobRoute => results(Results::Job), __preload_results);
lazy_page!(TestRoute => results(Results::Test), __preload_results);
lazy_page!(ArtifactRoute => results(Results::Artifact), __preload_results);
lazy_page!(JobTracesRoute => traces(Traces::Job), __preload_traces);
lazy_page!(CompareRoute => perf(Perf::Compare), __preload_perf);
lazy_page!(CompareTestsRoute => perf(Perf::CompareTests), __preload_perf);
lazy_page!(FlakyTestsRoute => perf(Perf::FlakyTests), __preload_perf);
lazy_page!(QuarantineRoute => perf(Perf::Quarantine), __preload_perf);
lazy_page!(ClustersRoute => perf(Perf::Clusters), __preload_perf);
lazy_page!(ClusterRoute => perf(Perf::Cluster), __preload_perf);
lazy_page!(JobDurationsRoute => perf(Perf::JobDurations), __preload_perf);
lazy_page!(TestDurationsRoute => perf(Perf::TestDurations), __preload_perf);
lazy_page!(SeriesRoute => perf(Perf::Series), __preload_perf);
lazy_page!(AlertsRoute => perf(Perf::Alerts), __preload_perf);
lazy_page!(RegressionsRoute => perf(Perf::Regressions), __preload_perf);
lazy_page!(RegressionRoute => perf(Perf::Regression), __preload_perf);
lazy_page!(LoginRoute => accounts(Accounts::Login), __preload_accounts);
lazy_page!(AccountRoute => accounts(Accounts::Account), __preload_accounts);
lazy_page!(UsersRoute => admin(Admin::Users), __preload_admin);
lazy_page!(ProjectsAdminRoute => admin(Admin::Projects), __preload_admin);
lazy_page!(SettingsRoute => admin(Admin::Settings), __preload_admin);
lazy_page!(AuditRoute => admin(Admin::Audit), __preload_admin);
lazy_page!(ProjectSettingsRoute => admin(Admin::ProjectSettings), __preload_admin);
