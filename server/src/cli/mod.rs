//! The `assay` command line: one binary, one subcommand per process mode.

mod admin;
pub mod diff;
mod quarantine;
mod serve;
mod upload;

use crate::config::{DbArgs, ServeArgs, StoreArgs};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "assay",
    version,
    about = "Assay: test, performance and trace results from CI, explored in the browser."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the UI and the API (SQLite in the data directory unless DATABASE_URL is set).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage projects.
    Project {
        #[command(subcommand)]
        command: ProjectCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage Hawk credentials (for Treeherder's clients, at /treeherder).
    Hawk {
        #[command(subcommand)]
        command: HawkCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Compare two images as the trace pages do: prints the number of
    /// differing pixels first; exit code 0 when they match, 1 when they
    /// differ, 2 on error.
    Diff(diff::DiffArgs),
    /// Read a project's quarantined tests from an Assay server.
    Quarantine {
        #[command(subcommand)]
        command: quarantine::QuarantineCommand,
    },
    /// Upload test reports and artifacts to an Assay server.
    Upload(Box<upload::UploadArgs>),
    /// Delete expired artifacts and the blobs nothing refers to any more
    /// (`serve` also does this every hour).
    Prune {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        store: StoreArgs,
        /// Objects that no row names are removed once older than this
        /// (e.g. 1h, 30m, 0s): a request still in flight may be about to
        /// commit one.
        #[arg(long, default_value = "1h")]
        grace: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Create a project.
    Create {
        /// Short name used in URLs: lowercase letters, digits, '.', '_', '-'.
        slug: String,
        /// Display name (defaults to the slug).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a project; it is printed once.
    Create {
        /// The project's slug.
        project: String,
        /// What the token is for (shown in listings).
        #[arg(long, default_value = "ci")]
        name: String,
        /// A token that can only read.
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List a project's tokens (prefix, name, scope, last use).
    List {
        project: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a project's token, named by its secret (as leaked in a CI log),
    /// its prefix (see `token list`) or its name.
    Revoke {
        project: String,
        /// The token's secret, prefix or name.
        token: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum HawkCommand {
    /// Create a Hawk client id and secret that write to a project; prints
    /// "CLIENT_ID SECRET" (the secret only this once).
    Create {
        /// The project's slug.
        project: String,
        /// The client id (default: the slug and a random suffix).
        #[arg(long)]
        client_id: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List a project's Hawk credentials (client id, last use, state).
    List {
        project: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a project's Hawk credential.
    Revoke {
        project: String,
        client_id: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints a one-time password unless --password-stdin.
    Create {
        name: String,
        /// Make the user an instance admin.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs a command; the error is the message to show.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Migrate(db) => admin::migrate(&db).await,
        Command::Project { command: ProjectCommand::Create { slug, name, db } } => {
            admin::create_project(&db, &slug, name.as_deref()).await
        }
        Command::Token { command } => match command {
            TokenCommand::Create { project, name, read_only, db } => {
                admin::create_token(&db, &project, &name, read_only).await
            }
            TokenCommand::List { project, db } => admin::list_tokens(&db, &project).await,
            TokenCommand::Revoke { project, token, db } => admin::revoke_token(&db, &project, &token).await,
        },
        Command::Hawk { command } => match command {
            HawkCommand::Create { project, client_id, db } => {
                admin::create_hawk(&db, &project, client_id.as_deref()).await
            }
            HawkCommand::List { project, db } => admin::list_hawk(&db, &project).await,
            HawkCommand::Revoke { project, client_id, db } => admin::revoke_hawk(&db, &project, &client_id).await,
        },
        Command::User { command: UserCommand::Create { name, admin: is_admin, password_stdin, db } } => {
            admin::create_user(&db, &name, is_admin, password_stdin).await
        }
        Command::Upload(args) => upload::upload(*args).await,
        Command::Quarantine { command: quarantine::QuarantineCommand::List(args) } => quarantine::list(&args).await,
        // `main` runs it through `diff::run`, for its exit codes.
        Command::Diff(args) => diff::compare(&args).map(|_| ()),
        Command::Prune { db, store, grace } => admin::prune(&db, &store, &grace).await,
    }
}
