//! `assay quarantine list`: a project's quarantined tests, one test id a
//! line (`classname.name`, as JUnit, Gradle and Surefire filters take it),
//! for a CI script to skip or ignore them.

use super::upload::{answer, seg};
use clap::{Args, Subcommand};
use shared::analytics::wire::QuarantineList;

#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// Prints the project's quarantined tests in force, one test id a line.
    List(ListArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Base URL of the Assay server.
    #[arg(long, env = "ASSAY_SERVER")]
    pub server: String,
    /// A token of the project (needed for a private project).
    #[arg(long, env = "ASSAY_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Project slug.
    #[arg(long)]
    pub project: String,
    /// Print the whole list as JSON (reason, who, expiry…) instead.
    #[arg(long)]
    pub json: bool,
}

pub async fn list(args: &ListArgs) -> Result<(), String> {
    let base = args.server.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(format!("--server must be an http(s) URL, got '{}'", args.server));
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!("assay-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let mut req = client.get(format!("{base}/api/v1/projects/{}/quarantine", seg(&args.project)));
    if let Some(t) = &args.token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let res = req.send().await.map_err(|e| format!("listing quarantined tests: cannot reach {base}: {e}"))?;
    let list: QuarantineList = answer("listing quarantined tests", res).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
    } else {
        for q in &list.tests {
            println!("{}", q.test);
        }
    }
    Ok(())
}
