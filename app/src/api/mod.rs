//! The UI's server functions: one per file, each a few lines that ask the
//! backend. They are the only way pages read data.

mod job;
mod projects;
mod run;
mod runs;
mod test;
mod test_results;

pub use job::get_job;
pub use projects::list_projects;
pub use run::get_run;
pub use runs::{RunsView, list_runs};
pub use test::get_test;
pub use test_results::list_test_results;

/// Rows per page in the UI's tables.
pub const PAGE_SIZE: i64 = 50;

/// Offset of a 1-based page number.
pub fn offset(page: Option<i64>) -> i64 {
    (page.unwrap_or(1).max(1) - 1) * PAGE_SIZE
}
