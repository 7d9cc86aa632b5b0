//! Administration from the command line, on the same database as `serve`.

use crate::config::DbArgs;
use crate::db::{self, Db};
use crate::error::ApiError;
use crate::service::{read, write};

/// Opens the database the way `serve` does, migrated.
pub async fn open(args: &DbArgs) -> Result<Db, String> {
    let db = Db::connect(args.database_url.as_deref(), &args.data_dir)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

fn message(e: ApiError) -> String {
    e.body().detail
}

pub async fn migrate(args: &DbArgs) -> Result<(), String> {
    let db = open(args).await?;
    eprintln!("database is up to date ({})", db.backend_name());
    Ok(())
}

pub async fn create_project(args: &DbArgs, slug: &str, name: Option<&str>) -> Result<(), String> {
    let db = open(args).await?;
    let p = write::create_project(&db, slug, name)
        .await
        .map_err(message)?;
    println!("created project '{}' ({})", p.slug, p.name);
    Ok(())
}

pub async fn create_token(
    args: &DbArgs,
    project: &str,
    name: &str,
    read_only: bool,
) -> Result<(), String> {
    let db = open(args).await?;
    let p = read::project(&db, project).await.map_err(message)?;
    let scope = if read_only {
        db::tokens::Scope::Read
    } else {
        db::tokens::Scope::Write
    };
    let (token, row) = db::tokens::create(&db, p.id, name, scope)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "created {} token '{}' ({}…) for project '{}'; it is shown only this once:",
        scope.as_str(),
        row.name,
        row.prefix,
        p.slug
    );
    println!("{token}");
    Ok(())
}
