//! Status badges. Each carries a symbol and a word as well as a colour, so
//! it reads the same without colour (and to screen readers).

use leptos::prelude::*;
use shared::{JobResult, JobState, RunStatus, TestStatus};

fn badge(class: &'static str, icon: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <span class=format!("badge {class}") data-status=label>
            <span class="icon" aria-hidden="true">{icon}</span>
            " "
            {label}
        </span>
    }
}

#[component]
pub fn TestStatusBadge(status: TestStatus, #[prop(optional)] flaky: bool) -> impl IntoView {
    match (status, flaky) {
        (TestStatus::Passed, true) => badge("flaky", "≈", "flaky"),
        (TestStatus::Passed, false) => badge("passed", "✓", "passed"),
        (TestStatus::Failed, _) => badge("failed", "✗", "failed"),
        (TestStatus::Error, _) => badge("error", "!", "error"),
        (TestStatus::Skipped, _) => badge("skipped", "○", "skipped"),
    }
}

#[component]
pub fn RunStatusBadge(status: RunStatus) -> impl IntoView {
    match status {
        RunStatus::Passed => badge("passed", "✓", "passed"),
        RunStatus::Failed => badge("failed", "✗", "failed"),
        RunStatus::Running => badge("running", "◔", "running"),
        RunStatus::Pending => badge("pending", "…", "pending"),
        RunStatus::Cancelled => badge("skipped", "⊘", "cancelled"),
    }
}

#[component]
pub fn JobResultBadge(result: JobResult, state: JobState) -> impl IntoView {
    match (result, state) {
        (JobResult::Success, _) => badge("passed", "✓", "success"),
        (JobResult::Failure, _) => badge("failed", "✗", "failure"),
        (JobResult::Error, _) => badge("error", "!", "error"),
        (JobResult::Cancelled, _) => badge("skipped", "⊘", "cancelled"),
        (JobResult::Skipped, _) => badge("skipped", "○", "skipped"),
        (JobResult::Unknown, JobState::Running) => badge("running", "◔", "running"),
        (JobResult::Unknown, JobState::Pending) => badge("pending", "…", "pending"),
        (JobResult::Unknown, JobState::Completed) => badge("pending", "?", "unknown"),
    }
}
