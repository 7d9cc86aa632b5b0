//! Who may write: a live token of the project, with write scope.

use super::extract::Bearer;
use crate::db::rows::{ProjectRow, TokenRow};
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};

/// Checks the bearer token first (401 without a valid one), then that it
/// belongs to `project` (403 otherwise) and may write.
pub async fn token(db: &Db, bearer: &Bearer) -> ApiResult<TokenRow> {
    let Some(token) = &bearer.0 else {
        return Err(ApiError::Unauthorized(
            "this request needs a project API token: Authorization: Bearer <token> (create one with `assay token create <project>`)"
                .into(),
        ));
    };
    db::tokens::find(db, token).await?.ok_or_else(|| {
        ApiError::Unauthorized("the API token is not valid (unknown or revoked)".into())
    })
}

pub fn may_write(token: &TokenRow, project: &ProjectRow) -> ApiResult<()> {
    if token.project_id != project.id {
        return Err(ApiError::Forbidden(format!(
            "this API token does not belong to project '{}'",
            project.slug
        )));
    }
    if token.scope != db::tokens::Scope::Write.as_str() {
        return Err(ApiError::Forbidden("this API token is read-only".into()));
    }
    Ok(())
}

/// Token check and project lookup in the order the error policy wants.
pub async fn writer(db: &Db, bearer: &Bearer, slug: &str) -> ApiResult<(TokenRow, ProjectRow)> {
    let token = token(db, bearer).await?;
    let project = crate::service::read::project(db, slug).await?;
    may_write(&token, &project)?;
    // Best effort: a failed timestamp must not fail the write.
    if let Err(e) = db::tokens::touch(db, token.id).await {
        tracing::warn!("could not record token use: {e}");
    }
    Ok((token, project))
}
