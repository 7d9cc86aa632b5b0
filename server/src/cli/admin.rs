//! Administration from the command line, on the same database as `serve`.
//! The command line is trusted (it has the database), so it acts as the
//! "system" actor in the audit log.

use crate::config::DbArgs;
use crate::db::Db;
use crate::db::tokens::Scope;
use crate::error::ApiError;
use crate::service::access::Access;
use crate::service::{accounts, admin, write};
use std::io::{BufRead, IsTerminal};

/// Opens the database the way `serve` does, migrated.
pub async fn open(args: &DbArgs) -> Result<Db, String> {
    let db = Db::connect(args.database_url.as_deref(), &args.data_dir).await.map_err(|e| e.to_string())?;
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
    let p = write::create_project(&db, &Access::system(), slug, name).await.map_err(message)?;
    println!("created project '{}' ({})", p.slug, p.name);
    Ok(())
}

pub async fn create_token(args: &DbArgs, project: &str, name: &str, read_only: bool) -> Result<(), String> {
    let db = open(args).await?;
    let scope = if read_only { Scope::Read } else { Scope::Write };
    let created = admin::create_token(&db, &Access::system(), project, name, scope).await.map_err(message)?;
    eprintln!(
        "created {} token '{}' ({}…) for project '{project}'; it is shown only this once:",
        scope.as_str(),
        created.view.name,
        created.view.prefix,
    );
    println!("{}", created.token);
    Ok(())
}

pub async fn list_tokens(args: &DbArgs, project: &str) -> Result<(), String> {
    let db = open(args).await?;
    let settings = admin::project_settings(&db, &Access::system(), project).await.map_err(message)?;
    if settings.tokens.is_empty() {
        eprintln!("project '{project}' has no tokens");
    }
    println!("{:<14} {:<6} {:<20} {:<17} {:<17} state", "prefix", "scope", "name", "created", "last used");
    for t in settings.tokens {
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "never".into())
        };
        println!(
            "{:<14} {:<6} {:<20} {:<17} {:<17} {}",
            t.prefix,
            t.scope,
            t.name,
            t.created_at.format("%Y-%m-%d %H:%M"),
            when(t.last_used_at),
            if t.revoked_at.is_some() { "revoked" } else { "live" }
        );
    }
    Ok(())
}

/// Revokes a token named by its secret, its prefix or its name. The
/// secret is never echoed back.
pub async fn revoke_token(args: &DbArgs, project: &str, token: &str) -> Result<(), String> {
    let db = open(args).await?;
    let which = admin::TokenRef::Given(token);
    admin::revoke_token(&db, &Access::system(), project, which).await.map_err(message)?;
    println!("revoked the token of project '{project}'");
    Ok(())
}

/// Creates a Hawk credential and prints "CLIENT_ID SECRET".
pub async fn create_hawk(args: &DbArgs, project: &str, client_id: Option<&str>) -> Result<(), String> {
    let key = args.sealing_key()?;
    let db = open(args).await?;
    let created =
        crate::service::hawk::create(&db, &Access::system(), &key, project, client_id).await.map_err(message)?;
    eprintln!(
        "created Hawk credentials for project '{project}'; the secret is shown only this once \
         (treeherder-client: client_id and secret):"
    );
    println!("{} {}", created.client_id, created.secret);
    Ok(())
}

pub async fn list_hawk(args: &DbArgs, project: &str) -> Result<(), String> {
    let db = open(args).await?;
    let rows = crate::service::hawk::list(&db, &Access::system(), project).await.map_err(message)?;
    if rows.is_empty() {
        eprintln!("project '{project}' has no Hawk credentials");
    }
    println!("{:<32} {:<17} {:<17} state", "client id", "created", "last used");
    for h in rows {
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "never".into())
        };
        println!(
            "{:<32} {:<17} {:<17} {}",
            h.client_id,
            h.created_at.format("%Y-%m-%d %H:%M"),
            when(h.last_used_at),
            if h.revoked_at.is_some() { "revoked" } else { "live" }
        );
    }
    Ok(())
}

pub async fn revoke_hawk(args: &DbArgs, project: &str, client_id: &str) -> Result<(), String> {
    let db = open(args).await?;
    crate::service::hawk::revoke(&db, &Access::system(), project, client_id).await.map_err(message)?;
    println!("revoked Hawk client '{}' of project '{project}'", client_id.trim());
    Ok(())
}

/// Creates a user. The password is read from stdin with `--password-stdin`
/// (first line); otherwise a one-time password is generated and printed,
/// and the user is asked to change it at first sign-in.
pub async fn create_user(args: &DbArgs, name: &str, is_admin: bool, password_stdin: bool) -> Result<(), String> {
    let password = if password_stdin {
        if std::io::stdin().is_terminal() {
            eprint!("password for {name}: ");
        }
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("reading the password: {e}"))?;
        Some(line.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        None
    };
    let generated = password.is_none();
    let db = open(args).await?;
    let created = accounts::create_user(&db, &Access::system(), name, is_admin, password).await.map_err(message)?;
    let kind = if is_admin { "instance admin" } else { "user" };
    if generated {
        eprintln!(
            "created {kind} '{}'; one-time password (shown only now; they will be asked to change it):",
            created.user.username
        );
        println!("{}", created.password);
    } else {
        println!("created {kind} '{}'", created.user.username);
    }
    Ok(())
}

/// Prunes expired artifacts and unreferenced blobs, and says what went.
pub async fn prune(args: &DbArgs, store: &crate::config::StoreArgs, grace: &str) -> Result<(), String> {
    let grace = if grace.trim() == "0" || grace.trim() == "0s" {
        chrono::Duration::zero()
    } else {
        crate::ingest::artifacts::parse_duration(grace)?
    };
    let db = open(args).await?;
    let blobs = store.open(&args.data_dir)?;
    let p = crate::service::prune::prune(&db, &blobs, grace).await.map_err(message)?;
    println!(
        "pruned {} expired artifacts, {} unreferenced blobs and {} orphaned objects ({} bytes)",
        p.expired_artifacts, p.unreferenced_blobs, p.orphan_objects, p.bytes
    );
    Ok(())
}
