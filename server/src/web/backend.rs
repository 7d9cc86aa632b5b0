//! The UI's backend: the same services as the REST API, called with the
//! request's own credentials. UI writes always carry the anti-CSRF token.

use crate::auth::{self, cookies};
use crate::db::Db;
use crate::db::tokens::Scope;
use crate::error::ApiError;
use crate::service::access::Access;
use crate::service::{accounts, admin, alerts, analytics, artifacts, perf, read, sensitivity, traces, write};

/// A number typed in a form field; empty is none.
fn number(field: &str, v: &str) -> Result<Option<f64>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Some)
        .ok_or_else(|| AppError::BadRequest(format!("{field}: '{v}' is not a number")))
}
use app::backend::{Caller, SetCookies};
use app::error::AppError;
use shared::accounts::{
    Abilities, AuditEntry, CreatedToken, CreatedUser, InstanceSettings, ProjectSettings, Role, SessionView, UserView,
};
use shared::model::{
    Artifact, ArtifactLines, ArtifactSearch, JobDetail, Page, Project, RunDetail, RunQuery, RunSummary, TestPage,
    TestResultQuery, TestResultRow,
};
use shared::perf::SeriesPoints;
use shared::perf::alerts::{
    Alert, AlertList, AlertStatus, Annotation, NewAnnotation, Sensitivity, SeriesOverride, SeriesSensitivity,
    TriageAlert,
};
use shared::perf::compare::{Comparison, ViewParams};
use shared::perf::regressions::Regression;
use shared::pixeldiff::Region;
use shared::traces::TraceStatus;
use shared::traces::model::{AcceptReferences, JobTraces, TraceDetail};

pub struct DbBackend {
    pub db: Db,
    pub blobs: crate::blobs::Blobs,
    /// See `Config::trust_proxy`.
    pub trust_proxy: bool,
    /// Seals Hawk secrets (see `Config::sealing_key`).
    pub sealing_key: crate::auth::hawk::SealingKey,
}

/// The UI keeps the API's distinctions: a 409, 413, 415 or 422 is shown
/// (and answered) as what it is, never as a 500. Only internal errors are
/// reduced to their error id.
impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(m) | ApiError::Gone(m) => AppError::NotFound(m),
            ApiError::BadRequest(m) => AppError::BadRequest(m),
            ApiError::Conflict(m) => AppError::Conflict(m),
            ApiError::TooManyRequests(m) => AppError::TooManyRequests(m),
            ApiError::Unauthorized(m) => AppError::Unauthorized(m),
            ApiError::Forbidden(m) => AppError::Forbidden(m),
            ApiError::UnsupportedMediaType(m) => AppError::UnsupportedMediaType(m),
            e @ ApiError::PayloadTooLarge { .. } => AppError::PayloadTooLarge(e.to_string()),
            e @ ApiError::Parse { .. } => AppError::Unprocessable(e.to_string()),
            e @ ApiError::RangeNotSatisfiable { .. } => AppError::BadRequest(e.to_string()),
            e @ ApiError::Internal(_) => AppError::Internal(e.body().detail),
        }
    }
}

impl DbBackend {
    /// The request's caller, as resolved once for the whole request.
    async fn reader(&self, c: &Caller) -> Result<Access, AppError> {
        Ok(Access::of_request(&self.db, &c.headers, &c.extensions).await?)
    }

    /// The caller of a UI write, after the anti-CSRF check.
    async fn writer(&self, c: &Caller, csrf: &str) -> Result<Access, AppError> {
        auth::check_csrf(&c.headers, Some(csrf))?;
        let access = self.reader(c).await?;
        access.check_write(&c.headers, Some(csrf))?;
        Ok(access)
    }

    fn secure(c: &Caller) -> bool {
        cookies::is_https(&c.headers)
    }
}

#[async_trait::async_trait]
impl app::backend::Backend for DbBackend {
    async fn session(&self, c: &Caller) -> Result<(SessionView, SetCookies), AppError> {
        let access = self.reader(c).await?;
        let mut set = Vec::new();
        let csrf = match cookies::get(&c.headers, cookies::CSRF) {
            Some(v) => v,
            None => {
                let v = cookies::random_token();
                set.push(cookies::set(cookies::CSRF, &v, None, Self::secure(c)));
                v
            }
        };
        let user = access.user().map(|u| shared::accounts::SessionUser {
            id: u.id,
            username: u.username.clone(),
            is_admin: u.is_admin,
            must_change_password: u.must_change_password,
        });
        Ok((SessionView { user, csrf, anonymous_read: access.settings.anonymous_read }, set))
    }

    async fn projects(&self, c: &Caller) -> Result<Vec<Project>, AppError> {
        let access = self.reader(c).await?;
        Ok(read::projects(&self.db, &access).await?)
    }

    async fn project(&self, c: &Caller, project: &str) -> Result<(Project, Abilities), AppError> {
        let access = self.reader(c).await?;
        let p = read::project_json(&self.db, &access, project).await?;
        let row = read::project(&self.db, project).await?;
        Ok((p, access.abilities(&self.db, &row).await?))
    }

    async fn runs(&self, c: &Caller, project: &str, query: RunQuery) -> Result<Page<RunSummary>, AppError> {
        let access = self.reader(c).await?;
        Ok(read::runs(&self.db, &access, project, &query).await?)
    }

    async fn branches(&self, c: &Caller, project: &str) -> Result<Vec<String>, AppError> {
        let access = self.reader(c).await?;
        Ok(read::branches(&self.db, &access, project).await?)
    }

    async fn run(&self, c: &Caller, project: &str, run: i64) -> Result<RunDetail, AppError> {
        let access = self.reader(c).await?;
        Ok(read::run(&self.db, &access, project, run).await?)
    }

    async fn compare_tests(
        &self,
        c: &Caller,
        base: Option<i64>,
        head: Option<i64>,
        base_run: Option<i64>,
        head_run: Option<i64>,
    ) -> Result<shared::analytics::wire::TestComparison, AppError> {
        let access = self.reader(c).await?;
        let sides = analytics::Sides::from_params(base, head, base_run, head_run)?;
        Ok(analytics::compare(&self.db, &access, sides, None).await?)
    }

    async fn flaky_tests(
        &self,
        c: &Caller,
        project: &str,
        state: Option<String>,
        rule: Option<String>,
        q: Option<String>,
        sort: Option<String>,
    ) -> Result<shared::analytics::wire::FlakyTests, AppError> {
        let access = self.reader(c).await?;
        let query = analytics::FlakyQuery::from_params(state.as_deref(), rule, q, None, sort)?;
        Ok(analytics::flaky_tests(&self.db, &access, project, &query).await?)
    }

    async fn compare(&self, c: &Caller, jobs: &str, view: &ViewParams) -> Result<Comparison, AppError> {
        let access = self.reader(c).await?;
        let ids = perf::parse_job_ids(jobs)?;
        let view = view.view().map_err(AppError::BadRequest)?;
        Ok(perf::compare(&self.db, &access, &ids, &view).await?)
    }

    async fn series_points(&self, c: &Caller, ids: &[i64]) -> Result<(Vec<SeriesPoints>, Vec<Alert>), AppError> {
        let access = self.reader(c).await?;
        if ids.is_empty() {
            return Err(AppError::BadRequest("name one or more series, e.g. ?ids=3,4".into()));
        }
        if ids.len() > perf::MAX_COMPARE_JOBS {
            return Err(AppError::BadRequest(format!("at most {} series on one graph", perf::MAX_COMPARE_JOBS)));
        }
        let mut out = Vec::with_capacity(ids.len());
        let mut found = Vec::new();
        for &id in ids {
            out.push(perf::points(&self.db, &access, id, None, None).await?);
            found.extend(alerts::for_series(&self.db, &access, id).await?);
        }
        Ok((out, found))
    }

    async fn set_flaky_rules(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        form: app::backend::FlakyRulesForm,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let whole = |field: &str, v: &str| -> Result<u32, AppError> {
            v.trim()
                .parse::<u32>()
                .map_err(|_| AppError::BadRequest(format!("{field}: '{}' is not a whole number", v.trim())))
        };
        let pct = form.infra_pct.trim().trim_end_matches('%').trim();
        let infra: f64 =
            pct.parse().map_err(|_| AppError::BadRequest(format!("infra_pct: '{pct}' is not a percentage")))?;
        let rules = shared::analytics::flaky::FlakyRules {
            branches: form
                .branches
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect(),
            window: whole("window", &form.window)?,
            min_flips: whole("min_flips", &form.min_flips)?,
            recovery_runs: whole("recovery_runs", &form.recovery_runs)?,
            infra_ratio: infra / 100.0,
        };
        analytics::set_flaky_rules(&self.db, &access, project, rules).await?;
        Ok(())
    }

    async fn quarantine(
        &self,
        c: &Caller,
        project: &str,
        all: bool,
    ) -> Result<shared::analytics::wire::QuarantineList, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::quarantine::list(&self.db, &access, project, all).await?)
    }

    async fn quarantine_test(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        test: shared::analytics::wire::QuarantineRequest,
        expires_in_days: Option<&str>,
    ) -> Result<shared::analytics::wire::Quarantined, AppError> {
        let access = self.writer(c, csrf).await?;
        let days = match expires_in_days.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match d.parse::<i64>() {
                Ok(n) if (1..=3650).contains(&n) => Some(n),
                _ => {
                    return Err(AppError::BadRequest(format!(
                        "expires_in_days: '{d}' is not a number of days from 1 to 3650"
                    )));
                }
            },
        };
        let test = shared::analytics::wire::QuarantineRequest {
            expires_at: days.map(|n| crate::db::now() + chrono::Duration::days(n)).or(test.expires_at),
            ..test
        };
        Ok(crate::service::quarantine::quarantine(&self.db, &access, project, test).await?)
    }

    async fn lift_quarantine(&self, c: &Caller, csrf: &str, project: &str, id: i64) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        crate::service::quarantine::lift(&self.db, &access, project, id).await?;
        Ok(())
    }

    async fn clusters(&self, c: &Caller, project: &str) -> Result<shared::analytics::wire::ClusterList, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::clusters::list(&self.db, &access, project).await?)
    }

    async fn cluster(
        &self,
        c: &Caller,
        project: &str,
        id: i64,
    ) -> Result<shared::analytics::wire::ClusterDetail, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::clusters::detail(&self.db, &access, project, id).await?)
    }

    async fn rename_cluster(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        id: i64,
        name: &str,
        link: &str,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let req = shared::analytics::wire::NameCluster { name: Some(name.to_owned()), link: Some(link.to_owned()) };
        crate::service::clusters::name(&self.db, &access, project, id, req).await?;
        Ok(())
    }

    async fn job_clusters(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
    ) -> Result<Vec<shared::analytics::wire::JobCluster>, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::clusters::for_job(&self.db, &access, project, run, job).await?)
    }

    async fn job_durations(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        window: Option<i64>,
    ) -> Result<shared::analytics::wire::JobDurations, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::durations::job(&self.db, &access, project, run, job, window).await?)
    }

    async fn test_durations(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        test: i64,
    ) -> Result<shared::analytics::wire::TestDurations, AppError> {
        let access = self.reader(c).await?;
        Ok(crate::service::durations::test(&self.db, &access, project, run, job, test).await?)
    }

    async fn set_detection(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        alpha: &str,
        min_magnitude_pct: &str,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let s = Sensitivity {
            alpha: number("alpha", alpha)?.ok_or_else(|| AppError::BadRequest("alpha: give a number".into()))?,
            min_magnitude_pct: number("min_magnitude_pct", min_magnitude_pct)?
                .ok_or_else(|| AppError::BadRequest("min_magnitude_pct: give a number".into()))?,
        };
        sensitivity::set_project(&self.db, &access, project, &s).await?;
        Ok(())
    }

    async fn series_detection(&self, c: &Caller, id: i64) -> Result<SeriesSensitivity, AppError> {
        let access = self.reader(c).await?;
        Ok(sensitivity::series(&self.db, &access, id).await?)
    }

    async fn set_series_detection(
        &self,
        c: &Caller,
        csrf: &str,
        id: i64,
        alpha: &str,
        min_magnitude_pct: &str,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let o = SeriesOverride {
            alpha: number("alpha", alpha)?,
            min_magnitude_pct: number("min_magnitude_pct", min_magnitude_pct)?,
        };
        sensitivity::set_series(&self.db, &access, id, &o).await?;
        Ok(())
    }

    async fn annotations(&self, c: &Caller, project: &str) -> Result<Vec<Annotation>, AppError> {
        let access = self.reader(c).await?;
        Ok(alerts::annotations(&self.db, &access, project).await?)
    }

    async fn annotate(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        text: &str,
        at: Option<&str>,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|t| t.to_utc())
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").map(|t| t.and_utc()))
                    .map_err(|_| {
                        AppError::BadRequest(format!("at: '{s}' is not a time such as 2026-12-01T10:00 (UTC)"))
                    })?,
            ),
        };
        let new = NewAnnotation { text: text.to_owned(), at };
        alerts::annotate(&self.db, &access, project, &new).await?;
        Ok(())
    }

    async fn remove_annotation(&self, c: &Caller, csrf: &str, id: i64) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(alerts::remove_annotation(&self.db, &access, id).await?)
    }

    async fn job_traces(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        device: Option<&str>,
        status: Option<&str>,
    ) -> Result<JobTraces, AppError> {
        let access = self.reader(c).await?;
        let status = status
            .filter(|s| !s.is_empty())
            .map(str::parse::<TraceStatus>)
            .transpose()
            .map_err(|e| AppError::BadRequest(format!("status: {e}")))?;
        let filter = traces::Filter { device: device.filter(|d| !d.is_empty()).map(str::to_owned), status };
        Ok(traces::job_traces(&self.db, &access, project, run, job, &filter).await?)
    }

    async fn trace(&self, c: &Caller, project: &str, id: i64) -> Result<TraceDetail, AppError> {
        let access = self.reader(c).await?;
        Ok(traces::detail(&self.db, &access, project, id).await?)
    }

    async fn accept_traces(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        results: Vec<i64>,
        note: Option<&str>,
    ) -> Result<usize, AppError> {
        let access = self.writer(c, csrf).await?;
        let req = AcceptReferences { results, note: note.map(str::to_owned) };
        Ok(traces::accept(&self.db, &access, project, &req).await?.len())
    }

    async fn set_ignore_regions(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        id: i64,
        regions: Vec<Region>,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        traces::set_ignore_regions(&self.db, &access, project, id, &regions).await?;
        Ok(())
    }

    async fn regressions(&self, c: &Caller, project: &str, tag: Option<&str>) -> Result<Vec<Regression>, AppError> {
        let access = self.reader(c).await?;
        Ok(perf::regressions(&self.db, &access, project, tag).await?)
    }

    async fn alerts(
        &self,
        c: &Caller,
        project: &str,
        status: Option<&str>,
        summary: Option<i64>,
    ) -> Result<AlertList, AppError> {
        let access = self.reader(c).await?;
        let status = status
            .filter(|s| !s.is_empty())
            .map(str::parse::<AlertStatus>)
            .transpose()
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(alerts::list(&self.db, &access, project, status, None, summary).await?)
    }

    async fn triage_alert(
        &self,
        c: &Caller,
        csrf: &str,
        id: i64,
        status: &str,
        note: Option<&str>,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let status: AlertStatus =
            status.parse().map_err(|e: shared::status::UnknownValue| AppError::BadRequest(e.to_string()))?;
        alerts::triage(&self.db, &access, id, &TriageAlert { status, note: note.map(str::to_owned) }).await?;
        Ok(())
    }

    async fn job(&self, c: &Caller, project: &str, run: i64, job: i64) -> Result<JobDetail, AppError> {
        let access = self.reader(c).await?;
        Ok(read::job(&self.db, &access, project, run, job).await?)
    }

    async fn test_results(
        &self,
        c: &Caller,
        project: &str,
        run: i64,
        job: i64,
        query: TestResultQuery,
    ) -> Result<Page<TestResultRow>, AppError> {
        let access = self.reader(c).await?;
        Ok(read::test_results(&self.db, &access, project, run, job, &query).await?)
    }

    async fn test(&self, c: &Caller, project: &str, run: i64, job: i64, id: i64) -> Result<TestPage, AppError> {
        let access = self.reader(c).await?;
        Ok(read::test_page(&self.db, &access, project, run, job, id).await?)
    }

    async fn artifact(&self, c: &Caller, project: &str, run: i64, job: i64, id: i64) -> Result<Artifact, AppError> {
        let access = self.reader(c).await?;
        let (_, _, j) = read::job_path(&self.db, &access, project, run, job).await?;
        let artifact = artifacts::get(&self.db, &access, id).await?;
        if artifact.job_id != j.id {
            return Err(AppError::NotFound(format!("artifact {id} in job '{}'", j.key)));
        }
        Ok(artifact)
    }

    async fn artifact_lines(&self, c: &Caller, id: i64, from: i64, count: i64) -> Result<ArtifactLines, AppError> {
        let access = self.reader(c).await?;
        Ok(artifacts::lines(&self.db, &self.blobs, &access, id, from, count).await?)
    }

    async fn artifact_search(&self, c: &Caller, id: i64, q: &str, from: i64) -> Result<ArtifactSearch, AppError> {
        let access = self.reader(c).await?;
        Ok(artifacts::search(&self.db, &self.blobs, &access, id, q, from).await?)
    }

    async fn login(
        &self,
        c: &Caller,
        csrf: &str,
        username: &str,
        password: &str,
    ) -> Result<(UserView, SetCookies), AppError> {
        auth::check_csrf(&c.headers, Some(csrf))?;
        let peer = c.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|ci| ci.0);
        let ip = auth::client_ip(&c.headers, peer, self.trust_proxy);
        let agent = c.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        let signed_in = accounts::login(&self.db, username, password, &ip, agent).await?;
        let max_age = auth::SESSION_LIFETIME.num_seconds();
        let cookie = cookies::set(cookies::SESSION, &signed_in.token, Some(max_age), Self::secure(c));
        Ok((signed_in.user.into_json(), vec![cookie]))
    }

    async fn logout(&self, c: &Caller, csrf: &str) -> Result<SetCookies, AppError> {
        auth::check_csrf(&c.headers, Some(csrf))?;
        let session = cookies::get(&c.headers, cookies::SESSION);
        accounts::logout(&self.db, session.as_deref()).await?;
        Ok(vec![cookies::set(cookies::SESSION, "", Some(0), Self::secure(c))])
    }

    async fn change_password(&self, c: &Caller, csrf: &str, current: &str, new: &str) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(accounts::change_password(&self.db, &access, current, new).await?)
    }

    async fn users(&self, c: &Caller) -> Result<Vec<UserView>, AppError> {
        let access = self.reader(c).await?;
        Ok(accounts::users(&self.db, &access).await?)
    }

    async fn create_user(&self, c: &Caller, csrf: &str, username: &str, admin: bool) -> Result<CreatedUser, AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(accounts::create_user(&self.db, &access, username, admin, None).await?)
    }

    async fn set_user_admin(&self, c: &Caller, csrf: &str, user_id: i64, admin: bool) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(accounts::set_admin(&self.db, &access, user_id, admin).await?)
    }

    async fn set_user_disabled(&self, c: &Caller, csrf: &str, user_id: i64, disabled: bool) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(accounts::set_disabled(&self.db, &access, user_id, disabled).await?)
    }

    async fn settings(&self, c: &Caller) -> Result<InstanceSettings, AppError> {
        let access = self.reader(c).await?;
        Ok(admin::settings(&self.db, &access).await?)
    }

    async fn save_settings(&self, c: &Caller, csrf: &str, settings: InstanceSettings) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(admin::save_settings(&self.db, &access, &settings).await?)
    }

    async fn create_project(&self, c: &Caller, csrf: &str, slug: &str, name: &str) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        write::create_project(&self.db, &access, slug, Some(name)).await?;
        Ok(())
    }

    async fn audit(&self, c: &Caller, project: Option<&str>, page: Option<i64>) -> Result<Page<AuditEntry>, AppError> {
        let access = self.reader(c).await?;
        let limit = 50;
        let offset = (page.unwrap_or(1).max(1) - 1) * limit;
        Ok(admin::audit_log(&self.db, &access, project, Some(limit), Some(offset)).await?)
    }

    async fn project_settings(&self, c: &Caller, project: &str) -> Result<ProjectSettings, AppError> {
        let access = self.reader(c).await?;
        Ok(admin::project_settings(&self.db, &access, project).await?)
    }

    async fn rename_project(&self, c: &Caller, csrf: &str, project: &str, name: &str) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(admin::rename_project(&self.db, &access, project, name).await?)
    }

    async fn archive_project(&self, c: &Caller, csrf: &str, project: &str, archived: bool) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(admin::set_archived(&self.db, &access, project, archived).await?)
    }

    async fn set_member(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        username: &str,
        role: Role,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(admin::set_member(&self.db, &access, project, username, role).await?)
    }

    async fn remove_member(&self, c: &Caller, csrf: &str, project: &str, user_id: i64) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(admin::remove_member(&self.db, &access, project, user_id).await?)
    }

    async fn create_token(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        name: &str,
        read_only: bool,
    ) -> Result<CreatedToken, AppError> {
        let access = self.writer(c, csrf).await?;
        let scope = if read_only { Scope::Read } else { Scope::Write };
        Ok(admin::create_token(&self.db, &access, project, name, scope).await?)
    }

    async fn create_hawk(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        client_id: Option<&str>,
    ) -> Result<shared::treeherder::CreatedHawk, AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(crate::service::hawk::create(&self.db, &access, &self.sealing_key, project, client_id).await?)
    }

    async fn revoke_hawk(&self, c: &Caller, csrf: &str, project: &str, client_id: &str) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        Ok(crate::service::hawk::revoke(&self.db, &access, project, client_id).await?)
    }

    async fn revoke_token(
        &self,
        c: &Caller,
        csrf: &str,
        project: &str,
        token_id: Option<i64>,
        given: Option<&str>,
    ) -> Result<(), AppError> {
        let access = self.writer(c, csrf).await?;
        let which = match (token_id, given) {
            (Some(id), _) => admin::TokenRef::Id(id),
            (None, Some(given)) => admin::TokenRef::Given(given),
            (None, None) => return Err(AppError::BadRequest("name the token to revoke".into())),
        };
        Ok(admin::revoke_token(&self.db, &access, project, which).await?)
    }
}
