//! The UI's backend: the same read models as the REST API, by id.

use crate::db::Db;
use crate::error::ApiError;
use crate::service::read;
use app::error::AppError;
use shared::model::{
    JobDetail, Page, Project, RunDetail, RunQuery, RunSummary, TestPage, TestResultQuery,
    TestResultRow,
};

pub struct DbBackend {
    pub db: Db,
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(m) => AppError::NotFound(m),
            ApiError::BadRequest(m) | ApiError::Conflict(m) => AppError::BadRequest(m),
            ApiError::Forbidden(m) | ApiError::Unauthorized(m) => AppError::Forbidden(m),
            other => AppError::Internal(other.body().detail),
        }
    }
}

#[async_trait::async_trait]
impl app::backend::Backend for DbBackend {
    async fn projects(&self) -> Result<Vec<Project>, AppError> {
        Ok(read::projects(&self.db).await?)
    }

    async fn project(&self, project: &str) -> Result<Project, AppError> {
        Ok(read::project_json(&self.db, project).await?)
    }

    async fn runs(&self, project: &str, query: RunQuery) -> Result<Page<RunSummary>, AppError> {
        Ok(read::runs(&self.db, project, &query).await?)
    }

    async fn branches(&self, project: &str) -> Result<Vec<String>, AppError> {
        Ok(read::branches(&self.db, project).await?)
    }

    async fn run(&self, project: &str, run: i64) -> Result<RunDetail, AppError> {
        Ok(read::run(&self.db, project, run).await?)
    }

    async fn job(&self, project: &str, run: i64, job: i64) -> Result<JobDetail, AppError> {
        Ok(read::job(&self.db, project, run, job).await?)
    }

    async fn test_results(
        &self,
        project: &str,
        run: i64,
        job: i64,
        query: TestResultQuery,
    ) -> Result<Page<TestResultRow>, AppError> {
        Ok(read::test_results(&self.db, project, run, job, &query).await?)
    }

    async fn test(&self, project: &str, run: i64, job: i64, id: i64) -> Result<TestPage, AppError> {
        Ok(read::test_page(&self.db, project, run, job, id).await?)
    }
}
