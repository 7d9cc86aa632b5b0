//! What the UI needs from the server, as a trait the server implements:
//! the UI crate stays free of storage code, and server functions reach the
//! implementation through Leptos context.

use crate::error::AppError;
use shared::model::{
    JobDetail, Page, Project, RunDetail, RunQuery, RunSummary, TestPage, TestResultQuery,
    TestResultRow,
};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn projects(&self) -> Result<Vec<Project>, AppError>;
    async fn project(&self, project: &str) -> Result<Project, AppError>;
    async fn runs(&self, project: &str, query: RunQuery) -> Result<Page<RunSummary>, AppError>;
    async fn branches(&self, project: &str) -> Result<Vec<String>, AppError>;
    async fn run(&self, project: &str, run: i64) -> Result<RunDetail, AppError>;
    async fn job(&self, project: &str, run: i64, job: i64) -> Result<JobDetail, AppError>;
    async fn test_results(
        &self,
        project: &str,
        run: i64,
        job: i64,
        query: TestResultQuery,
    ) -> Result<Page<TestResultRow>, AppError>;
    async fn test(&self, project: &str, run: i64, job: i64, id: i64) -> Result<TestPage, AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>()
        .ok_or_else(|| AppError::Internal("no backend in context".into()))
}
