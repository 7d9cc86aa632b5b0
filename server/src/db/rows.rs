//! Database rows, and their conversion into wire types. Rows follow the
//! schema; wire types follow the API; each changes without the other.

use chrono::{DateTime, Utc};
use shared::model::{
    JobSummary, Project, Property, RunSummary, TestHistoryEntry, TestResultDetail, TestResultRow, UploadSummary,
};
use shared::report::ReportFormat;
use shared::{Counts, JobResult, JobState, RunStatus, TestStatus};

pub const COUNT_COLUMNS: &str = "total, passed, failed, errors, skipped, flaky, duration_s";

#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct CountsRow {
    pub total: i64,
    pub passed: i64,
    pub failed: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
    pub duration_s: f64,
}

impl From<CountsRow> for Counts {
    fn from(c: CountsRow) -> Self {
        Counts {
            total: c.total,
            passed: c.passed,
            failed: c.failed,
            errors: c.errors,
            skipped: c.skipped,
            flaky: c.flaky,
            duration_s: c.duration_s,
        }
    }
}

pub const PROJECT_COLUMNS: &str = "id, slug, name, created_at, archived_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl ProjectRow {
    pub fn into_json(self, run_count: i64, latest_run: Option<RunSummary>) -> Project {
        Project {
            id: self.id,
            slug: self.slug,
            name: self.name,
            created_at: self.created_at,
            run_count,
            latest_run,
            archived: self.archived_at.is_some(),
        }
    }
}

pub const RUN_COLUMNS: &str = "id, project_id, name, revision, branch, author, url, status, job_count, \
    total, passed, failed, errors, skipped, flaky, duration_s, started_at, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub status: String,
    pub job_count: i64,
    #[sqlx(flatten)]
    pub counts: CountsRow,
    pub started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RunRow {
    pub fn into_json(self, project_slug: &str) -> RunSummary {
        RunSummary {
            id: self.id,
            project: project_slug.to_owned(),
            name: self.name,
            revision: self.revision,
            branch: self.branch,
            author: self.author,
            url: self.url,
            status: self.status.parse().unwrap_or(RunStatus::Pending),
            counts: self.counts.into(),
            job_count: self.job_count,
            started_at: self.started_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub const JOB_COLUMNS: &str = "id, run_id, project_id, key, name, platform, machine, state, result, labels, \
    upload_count, total, passed, failed, errors, skipped, flaky, duration_s, started_at, finished_at, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub run_id: i64,
    pub project_id: i64,
    pub key: String,
    pub name: String,
    pub platform: Option<String>,
    pub machine: Option<String>,
    pub state: String,
    pub result: String,
    pub labels: String,
    pub upload_count: i64,
    #[sqlx(flatten)]
    pub counts: CountsRow,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl JobRow {
    pub fn state(&self) -> JobState {
        self.state.parse().unwrap_or_default()
    }

    pub fn result(&self) -> JobResult {
        self.result.parse().unwrap_or_default()
    }

    pub fn into_json(self) -> JobSummary {
        let state = self.state();
        let result = self.result();
        let counts: Counts = self.counts.into();
        JobSummary {
            id: self.id,
            run_id: self.run_id,
            key: self.key,
            name: self.name,
            platform: self.platform,
            machine: self.machine,
            state,
            result,
            effective_result: result.effective(state, counts.bad()),
            labels: serde_json::from_str(&self.labels).unwrap_or_default(),
            counts,
            upload_count: self.upload_count,
            started_at: self.started_at,
            finished_at: self.finished_at,
            created_at: self.created_at,
        }
    }
}

pub const UPLOAD_COLUMNS: &str = "id, job_id, filename, format, sha256, size_bytes, total, passed, failed, errors, skipped, flaky, duration_s, warnings, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: i64,
    pub job_id: i64,
    pub filename: String,
    pub format: String,
    pub sha256: String,
    pub size_bytes: i64,
    #[sqlx(flatten)]
    pub counts: CountsRow,
    pub warnings: String,
    pub created_at: DateTime<Utc>,
}

impl UploadRow {
    pub fn format(&self) -> ReportFormat {
        self.format.parse().unwrap_or(ReportFormat::Junit)
    }

    pub fn warnings(&self) -> Vec<String> {
        serde_json::from_str(&self.warnings).unwrap_or_default()
    }

    pub fn into_json(self) -> UploadSummary {
        UploadSummary {
            id: self.id,
            format: self.format(),
            warnings: self.warnings(),
            filename: self.filename,
            sha256: self.sha256,
            size_bytes: self.size_bytes,
            counts: self.counts.into(),
            created_at: self.created_at,
        }
    }
}

/// The list columns of a test result; the message is cut to what a table
/// row shows.
pub const RESULT_ROW_COLUMNS: &str = "id, suite, classname, name, status, flaky, retries, duration_s, \
    substr(message, 1, 400) AS message, failure_type";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub status: i16,
    pub flaky: bool,
    pub retries: i64,
    pub duration_s: Option<f64>,
    pub message: Option<String>,
    pub failure_type: Option<String>,
}

impl ResultRow {
    pub fn into_json(self) -> TestResultRow {
        TestResultRow {
            id: self.id,
            suite: self.suite,
            classname: self.classname,
            name: self.name,
            status: TestStatus::from_code(self.status).unwrap_or(TestStatus::Error),
            flaky: self.flaky,
            retries: self.retries,
            duration_s: self.duration_s,
            message: self.message,
            failure_type: self.failure_type,
        }
    }
}

pub const RESULT_DETAIL_COLUMNS: &str = "id, suite, classname, name, status, flaky, retries, duration_s, message, \
    failure_type, details, stdout, stderr, properties, file, line, upload_id, job_id, run_id, project_id, test_key";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultDetailRow {
    #[sqlx(flatten)]
    pub row: ResultRow,
    pub details: Option<String>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub properties: Option<String>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub upload_id: i64,
    pub job_id: i64,
    pub run_id: i64,
    pub project_id: i64,
    pub test_key: i64,
}

impl ResultDetailRow {
    pub fn into_json(self) -> TestResultDetail {
        let properties: Vec<Property> =
            self.properties.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
        TestResultDetail {
            row: self.row.into_json(),
            details: self.details,
            stdout: self.stdout,
            stderr: self.stderr,
            properties,
            file: self.file,
            line: self.line,
            upload_id: self.upload_id,
            job_id: self.job_id,
            run_id: self.run_id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub result_id: i64,
    pub run_id: i64,
    pub run_name: String,
    pub revision: Option<String>,
    pub job_id: i64,
    pub job_key: String,
    pub job_name: String,
    pub status: i16,
    pub flaky: bool,
    pub duration_s: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl HistoryRow {
    pub fn into_json(self) -> TestHistoryEntry {
        TestHistoryEntry {
            result_id: self.result_id,
            run_id: self.run_id,
            run_name: self.run_name,
            revision: self.revision,
            job_id: self.job_id,
            job_key: self.job_key,
            job_name: self.job_name,
            status: TestStatus::from_code(self.status).unwrap_or(TestStatus::Error),
            flaky: self.flaky,
            duration_s: self.duration_s,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

pub const TOKEN_COLUMNS: &str = "id, project_id, name, prefix, scope, created_at, last_used_at, revoked_at, created_by";

pub const USER_COLUMNS: &str = "id, username, password_hash, is_admin, must_change_password, created_at, disabled_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl UserRow {
    pub fn into_json(self) -> shared::accounts::UserView {
        shared::accounts::UserView {
            id: self.id,
            username: self.username,
            is_admin: self.is_admin,
            must_change_password: self.must_change_password,
            disabled: self.disabled_at.is_some(),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub username: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl MemberRow {
    pub fn into_json(self) -> shared::accounts::MemberView {
        shared::accounts::MemberView {
            user_id: self.user_id,
            role: self.role.parse().unwrap_or(shared::accounts::Role::Viewer),
            username: self.username,
            since: self.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_name: String,
    pub project: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

impl AuditRow {
    pub fn into_json(self) -> shared::accounts::AuditEntry {
        shared::accounts::AuditEntry {
            id: self.id,
            at: self.at,
            actor_kind: self.actor_kind,
            actor_name: self.actor_name,
            project: self.project,
            action: self.action,
            target: self.target,
            detail: self.detail,
        }
    }
}

impl TokenRow {
    pub fn into_json(self, created_by: Option<String>) -> shared::accounts::TokenView {
        shared::accounts::TokenView {
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            scope: self.scope,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
            created_by,
        }
    }
}
