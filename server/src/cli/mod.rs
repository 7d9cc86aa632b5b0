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
}

/// Runs a command; the error is the message to show.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Migrate(db) => admin::migrate(&db).await,
        Command::Project {
            command: ProjectCommand::Create { slug, name, db },
        } => admin::create_project(&db, &slug, name.as_deref()).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    project,
                    name,
                    read_only,
                    db,
                },
        } => admin::create_token(&db, &project, &name, read_only).await,
        Command::Upload(args) => upload::upload(args).await,
    }
}
