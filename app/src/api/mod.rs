//! The UI's server functions: one per file, each a few lines that ask the
//! backend. They are the only way pages read or change data. Every
//! state-changing one takes the anti-CSRF token (`csrf`) as an argument, so
//! it arrives the same way from a hydrated page and from a plain HTML form.

mod alerts;
mod annotations;
mod archive_project;
mod artifact;
mod artifact_lines;
mod audit;
mod change_password;
mod clusters;
mod compare;
mod compare_tests;
mod create_hawk;
mod create_project;
mod create_token;
mod create_user;
mod detection;
mod durations;
mod flaky_tests;
mod job;
mod login;
mod logout;
mod project_settings;
mod projects;
mod quarantine;
mod regressions;
mod remove_member;
mod rename_project;
mod revoke_hawk;
mod revoke_token;
mod run;
mod runs;
mod save_settings;
mod search_artifact;
mod series;
mod session;
mod set_member;
mod set_user_admin;
mod set_user_disabled;
mod settings;
mod test;
mod test_results;
mod traces;
mod users;

pub use alerts::{AlertsView, TriageAlert, list_alerts};
pub use annotations::{AddAnnotation, RemoveAnnotation};
pub use archive_project::ArchiveProject;
pub use artifact::get_artifact;
pub use artifact_lines::get_artifact_lines;
pub use audit::{ListAudit, list_audit};
pub use change_password::ChangePassword;
pub use clusters::{RenameCluster, get_cluster, get_clusters, get_job_clusters};
pub use compare::get_compare;
pub use compare_tests::{TestCompareView, get_test_comparison};
pub use create_hawk::CreateHawk;
pub use create_project::CreateProject;
pub use create_token::CreateToken;
pub use create_user::CreateUser;
pub use detection::{SetDetection, SetFlakyRules, SetSeriesDetection};
pub use durations::{get_job_durations, get_test_durations};
pub use flaky_tests::get_flaky_tests;
pub use job::{JobView, get_job};
pub use login::Login;
pub use logout::{Logout, logout};
pub use project_settings::get_project_settings;
pub use projects::list_projects;
pub use quarantine::{LiftQuarantine, QuarantineTest, QuarantineView, get_quarantine};
pub use regressions::{RegressionsView, list_regressions};
pub use remove_member::RemoveMember;
pub use rename_project::RenameProject;
pub use revoke_hawk::RevokeHawk;
pub use revoke_token::RevokeToken;
pub use run::get_run;
pub use runs::{RunsView, list_runs};
pub use save_settings::SaveSettings;
pub use search_artifact::search_artifact;
pub use series::{SeriesView, get_series};
pub use session::{get_session, take_flash};
pub use set_member::SetMember;
pub use set_user_admin::SetUserAdmin;
pub use set_user_disabled::SetUserDisabled;
pub use settings::get_settings;
pub use test::get_test;
pub use test_results::list_test_results;
pub use traces::{
    AcceptTraces, JobTracesView, SaveIgnoreRegions, TraceView, format_regions, get_job_traces, get_trace, parse_regions,
};
pub use users::list_users;

/// Rows per page in the UI's tables.
pub const PAGE_SIZE: i64 = 50;

/// Offset of a 1-based page number.
pub fn offset(page: Option<i64>) -> i64 {
    (page.unwrap_or(1).max(1) - 1) * PAGE_SIZE
}

/// A checkbox field: present ("on") when ticked.
pub fn ticked(field: &Option<String>) -> bool {
    field.as_deref().is_some_and(|v| !v.is_empty() && v != "false" && v != "off")
}

/// A local path to go to after signing in: never another site. Browsers
/// drop tabs and newlines from URLs (`/\t/evil.example` becomes
/// `//evil.example`), so control characters are refused too.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_always_local() {
        assert_eq!(safe_next(Some("/projects/web")), "/projects/web");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/runs?next=a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(None), "/");
        assert!(ticked(&Some("on".into())) && !ticked(&None));
    }
}
