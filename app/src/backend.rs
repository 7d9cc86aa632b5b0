//! What the UI needs from the server, as a trait the server implements:
//! the UI crate stays free of storage code, and server functions reach the
//! implementation through Leptos context. Every method takes the
//! [`Caller`], so that the server checks permissions (and, for writes, the
//! anti-CSRF token) itself, whatever the UI shows or hides.

use crate::error::AppError;
use shared::accounts::{
    Abilities, AuditEntry, CreatedToken, CreatedUser, InstanceSettings, ProjectSettings, Role, SessionView, UserView,
};
use shared::model::{
    Artifact, ArtifactLines, ArtifactSearch, JobDetail, Page, Project, RunDetail, RunQuery, RunSummary, TestPage,
    TestResultQuery, TestResultRow,
};
use shared::perf::SeriesPoints;
use shared::perf::alerts::{Alert, AlertList, Annotation, SeriesSensitivity};
use shared::perf::compare::{Comparison, ViewParams};
use shared::perf::regressions::Regression;
use shared::pixeldiff::Region;
use shared::traces::model::{JobTraces, TraceDetail};
use std::sync::Arc;

/// The HTTP request a server function (or page render) is serving.
#[derive(Debug, Clone)]
pub struct Caller {
    pub headers: http::HeaderMap,
    pub extensions: http::Extensions,
}

impl Caller {
    /// The current request, from Leptos context.
    pub fn current() -> Result<Caller, AppError> {
        let parts = leptos::prelude::use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::Internal("no request in context".into()))?;
        Ok(Caller { headers: parts.headers, extensions: parts.extensions })
    }

    /// Whether the request is a plain HTML form post (JavaScript off).
    pub fn is_form_post(&self) -> bool {
        self.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    }
}

/// The flaky-rules form's fields, as typed.
#[derive(Debug, Clone, Default)]
pub struct FlakyRulesForm {
    pub branches: String,
    pub window: String,
    pub min_flips: String,
    pub recovery_runs: String,
    pub infra_pct: String,
}

/// `Set-Cookie` values to add to the response.
pub type SetCookies = Vec<String>;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    // Reading.
    async fn session(&self, c: &Caller) -> Result<(SessionView, SetCookies), AppError>;
    async fn projects(&self, c: &Caller) -> Result<Vec<Project>, AppError>;
    async fn project(&self, c: &Caller, project: &str) -> Result<(Project, Abilities), AppError>;
    async fn runs(&self, c: &Caller, project: &str, query: RunQuery) -> Result<Page<RunSummary>, AppError>;
    async fn branches(&self, c: &Caller, project: &str) -> Result<Vec<String>, AppError>;
    async fn run(&self, c: &Caller, project: &str, run: i64) -> Result<RunDetail, AppError>;
    async fn job(&self, c: &Caller, project: &str, run: i64, job: i64) -> Result<JobDetail, AppError>;
    async fn test_results(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        query: TestResultQuery,
    ) -> Result<Page<TestResultRow>, AppError>;
    async fn test(&self, c: &Caller, project: &str, run: i64, job: i64, id: i64) -> Result<TestPage, AppError>;
    /// An artifact of this job (a 404 for another job's).
    async fn artifact(&self, c: &Caller, project: &str, run: i64, job: i64, id: i64) -> Result<Artifact, AppError>;
    async fn artifact_lines(&self, c: &Caller, id: i64, from: i64, count: i64) -> Result<ArtifactLines, AppError>;
    async fn artifact_search(&self, c: &Caller, id: i64, q: &str, from: i64) -> Result<ArtifactSearch, AppError>;
    /// Two jobs' (`base`, `head`) or two runs' (`base_run`, `head_run`) tests compared.
    async fn compare_tests(
        &self,
        c: &Caller,
        base: Option<i64>,
        head: Option<i64>,
        base_run: Option<i64>,
        head_run: Option<i64>,
    ) -> Result<shared::analytics::wire::TestComparison, AppError>;
    /// A project's flaky tests, as the page filters and sorts them.
    async fn flaky_tests(
        &self,
        c: &Caller,
        project: &str,
        state: Option<String>,
        rule: Option<String>,
        q: Option<String>,
        sort: Option<String>,
    ) -> Result<shared::analytics::wire::FlakyTests, AppError>;
    /// Sets a project's flaky-test rules from the settings form.
    async fn set_flaky_rules(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        form: FlakyRulesForm,
    ) -> Result<(), AppError>;
    /// A project's quarantined tests (with `all`, also lifted and expired).
    async fn quarantine(
        &self,
        c: &Caller,
        project: &str,
        all: bool,
    ) -> Result<shared::analytics::wire::QuarantineList, AppError>;
    /// Quarantines a test; `expires_in_days` as typed in the form (empty: no expiry).
    async fn quarantine_test(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        test: shared::analytics::wire::QuarantineRequest,
        expires_in_days: Option<&str>,
    ) -> Result<shared::analytics::wire::Quarantined, AppError>;
    /// Lifts a quarantine.
    async fn lift_quarantine(&self, c: &Caller, csrf: &str, project: &str, id: i64) -> Result<(), AppError>;
    /// A project's failure clusters.
    async fn clusters(&self, c: &Caller, project: &str) -> Result<shared::analytics::wire::ClusterList, AppError>;
    /// One failure cluster with its tests and jobs.
    async fn cluster(
        &self,
        c: &Caller,
        project: &str,
        id: i64,
    ) -> Result<shared::analytics::wire::ClusterDetail, AppError>;
    /// Names a cluster and attaches a link (empty clears).
    async fn rename_cluster(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        id: i64,
        name: &str,
        link: &str,
    ) -> Result<(), AppError>;
    /// A job's failures grouped by cluster.
    async fn job_clusters(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
    ) -> Result<Vec<shared::analytics::wire::JobCluster>, AppError>;
    /// A job's slowest tests and its key's tests that got slower.
    async fn job_durations(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        window: Option<i64>,
    ) -> Result<shared::analytics::wire::JobDurations, AppError>;
    /// A test's durations over its recent results.
    async fn test_durations(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        test: i64,
    ) -> Result<shared::analytics::wire::TestDurations, AppError>;
    /// Jobs' perf results side by side; `jobs` as in the URL ("12,15").
    async fn compare(&self, c: &Caller, jobs: &str, view: &ViewParams) -> Result<Comparison, AppError>;
    /// Series with their points (for overlaying on one graph), and their alerts.
    async fn series_points(&self, c: &Caller, ids: &[i64]) -> Result<(Vec<SeriesPoints>, Vec<Alert>), AppError>;
    /// A project's regression tags with their jobs (or the one tag).
    async fn regressions(&self, c: &Caller, project: &str, tag: Option<&str>) -> Result<Vec<Regression>, AppError>;
    /// A project's regression alerts, by status, or one summary's.
    async fn alerts(
        &self,
        c: &Caller,
        project: &str,
        status: Option<&str>,
        summary: Option<i64>,
    ) -> Result<AlertList, AppError>;
    /// Records a triage decision on an alert.
    async fn triage_alert(
        &self,
        c: &Caller,
        csrf: &str,
        id: i64,
        status: &str,
        note: Option<&str>,
    ) -> Result<(), AppError>;
    /// Sets a project's detection sensitivity (numbers as typed in a form).
    async fn set_detection(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        alpha: &str,
        min_magnitude_pct: &str,
    ) -> Result<(), AppError>;
    /// A series' own detection settings.
    async fn series_detection(&self, c: &Caller, id: i64) -> Result<SeriesSensitivity, AppError>;
    /// Overrides a series' detection settings; an empty field clears it.
    async fn set_series_detection(
        &self,
        c: &Caller,
        csrf: &str,
        id: i64,
        alpha: &str,
        min_magnitude_pct: &str,
    ) -> Result<(), AppError>;
    /// A project's annotations, by time.
    async fn annotations(&self, c: &Caller, project: &str) -> Result<Vec<Annotation>, AppError>;
    /// Adds an annotation to a project's graphs; `at` as RFC 3339 or a
    /// form's `YYYY-MM-DDTHH:MM` (UTC), now if empty.
    async fn annotate(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        text: &str,
        at: Option<&str>,
    ) -> Result<(), AppError>;
    async fn remove_annotation(&self, c: &Caller, csrf: &str, id: i64) -> Result<(), AppError>;
    /// A job's trace results, filtered by device and status (as in a URL).
    async fn job_traces(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        device: Option<&str>,
        status: Option<&str>,
    ) -> Result<JobTraces, AppError>;
    /// A trace on a device, with its history and references.
    async fn trace(&self, c: &Caller, project: &str, id: i64) -> Result<TraceDetail, AppError>;
    /// Makes these results' renderings their traces' references; answers
    /// how many were accepted.
    async fn accept_traces(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        results: Vec<i64>,
        note: Option<&str>,
    ) -> Result<usize, AppError>;
    /// Replaces a trace's ignore regions.
    async fn set_ignore_regions(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        id: i64,
        regions: Vec<Region>,
    ) -> Result<(), AppError>;

    // Signing in and out.
    async fn login(
        &self,
        c: &Caller,
        csrf: &str,
        username: &str,
        password: &str,
    ) -> Result<(UserView, SetCookies), AppError>;
    async fn logout(&self, c: &Caller, csrf: &str) -> Result<SetCookies, AppError>;
    async fn change_password(&self, c: &Caller, csrf: &str, current: &str, new: &str) -> Result<(), AppError>;

    // Instance administration.
    async fn users(&self, c: &Caller) -> Result<Vec<UserView>, AppError>;
    async fn create_user(&self, c: &Caller, csrf: &str, username: &str, admin: bool) -> Result<CreatedUser, AppError>;
    async fn set_user_admin(&self, c: &Caller, csrf: &str, user_id: i64, admin: bool) -> Result<(), AppError>;
    async fn set_user_disabled(&self, c: &Caller, csrf: &str, user_id: i64, disabled: bool) -> Result<(), AppError>;
    async fn settings(&self, c: &Caller) -> Result<InstanceSettings, AppError>;
    async fn save_settings(&self, c: &Caller, csrf: &str, settings: InstanceSettings) -> Result<(), AppError>;
    async fn create_project(&self, c: &Caller, csrf: &str, slug: &str, name: &str) -> Result<(), AppError>;
    async fn audit(&self, c: &Caller, project: Option<&str>, page: Option<i64>) -> Result<Page<AuditEntry>, AppError>;

    // Project administration.
    async fn project_settings(&self, c: &Caller, project: &str) -> Result<ProjectSettings, AppError>;
    async fn rename_project(&self, c: &Caller, csrf: &str, project: &str, name: &str) -> Result<(), AppError>;
    async fn archive_project(&self, c: &Caller, csrf: &str, project: &str, archived: bool) -> Result<(), AppError>;
    async fn set_member(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        username: &str,
        role: Role,
    ) -> Result<(), AppError>;
    async fn remove_member(&self, c: &Caller, csrf: &str, project: &str, user_id: i64) -> Result<(), AppError>;
    async fn create_token(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        name: &str,
        read_only: bool,
    ) -> Result<CreatedToken, AppError>;
    /// Hawk credentials for Treeherder's door (the secret shown once).
    async fn create_hawk(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        client_id: Option<&str>,
    ) -> Result<shared::treeherder::CreatedHawk, AppError>;
    async fn revoke_hawk(&self, c: &Caller, csrf: &str, project: &str, client_id: &str) -> Result<(), AppError>;
    /// By id (a row of the table), else by what the user gave: the
    /// secret, the prefix or the name.
    async fn revoke_token(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        token_id: Option<i64>,
        given: Option<&str>,
    ) -> Result<(), AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided, and the request being served.
pub fn backend() -> Result<(SharedBackend, Caller), AppError> {
    let backend = leptos::prelude::use_context::<SharedBackend>()
        .ok_or_else(|| AppError::Internal("no backend in context".into()))?;
    Ok((backend, Caller::current()?))
}

/// Adds `Set-Cookie` headers to the response being built.
pub fn set_cookies(cookies: SetCookies) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        for c in cookies {
            if let Ok(v) = http::HeaderValue::from_str(&c) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}

/// Passes a server function's result through, giving an error its HTTP
/// status (401, 403, 404…) for callers that read it. Plain HTML form posts
/// keep the redirect back to their page, which carries the error instead.
pub fn answer<T>(caller: &Caller, result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result
        && !caller.is_form_post()
        && let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        res.set_status(e.status());
    }
    result
}
