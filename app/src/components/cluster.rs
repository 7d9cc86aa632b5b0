//! A failure cluster in brief, as the job, test and cluster pages show it.

use crate::routes;
use leptos::prelude::*;
use shared::analytics::wire::Cluster;

/// "37 tests across 5 jobs since run X" (the run linked).
#[component]
pub fn ClusterReach(cluster: Cluster, slug: String) -> impl IntoView {
    let tests = if cluster.tests == 1 { "1 test".to_owned() } else { format!("{} tests", cluster.tests) };
    let jobs = if cluster.jobs == 1 { "1 job".to_owned() } else { format!("{} jobs", cluster.jobs) };
    view! {
        <span class="cluster-reach">
            {format!("in {tests} across {jobs} since ")}
            <a href=routes::run(&slug, cluster.first_run_id)>{cluster.first_run.clone()}</a>
        </span>
    }
}

/// The cluster's name (or `#id`), linked to its page, and its link.
#[component]
pub fn ClusterName(cluster: Cluster, slug: String) -> impl IntoView {
    let label = cluster.name.clone().unwrap_or_else(|| format!("cluster #{}", cluster.id));
    let named = cluster.name.is_some();
    view! {
        <a class="cluster-link" class:named=named href=routes::cluster(&slug, cluster.id)>{label}</a>
        {cluster.link.clone().map(|l| view! { " " <a class="cluster-external" href=l rel="noopener noreferrer">"↗ link"</a> })}
    }
}
