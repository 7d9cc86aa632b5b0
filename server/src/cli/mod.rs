//! The `assay` command line: one binary, one subcommand per process mode.

mod admin;
mod serve;
mod upload;

use crate::config::{DbArgs, ServeArgs};
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
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Upload test reports to an Assay server.
    Upload(upload::UploadArgs),
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
    /// Revoke a project's token, named by its prefix (see `token list`).
    Revoke {
        project: String,
        prefix: String,
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
            TokenCommand::Revoke { project, prefix, db } => admin::revoke_token(&db, &project, &prefix).await,
        },
        Command::User { command: UserCommand::Create { name, admin: is_admin, password_stdin, db } } => {
            admin::create_user(&db, &name, is_admin, password_stdin).await
        }
        Command::Upload(args) => upload::upload(args).await,
    }
}
