//! What Treeherder's front door keeps of a job, as the job page shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A job submitted through `/treeherder`: Treeherder's own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderJob {
    pub job_guid: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub job_symbol: Option<String>,
    pub group_name: Option<String>,
    pub group_symbol: Option<String>,
    pub product_name: Option<String>,
    /// Treeherder's state and result words (`completed`, `testfailed`…).
    pub state: String,
    pub result: String,
    pub reason: Option<String>,
    pub who: Option<String>,
    pub tier: Option<i64>,
    pub machine: Option<String>,
    pub build_platform: Option<Platform>,
    pub machine_platform: Option<Platform>,
    /// The option collection's options (`debug`, `opt`…), sorted.
    pub options: Vec<String>,
    pub option_collection_hash: Option<String>,
    pub submit_timestamp: Option<i64>,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
    pub reference_data_name: Option<String>,
    pub logs: Vec<TreeherderLog>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Platform {
    pub os_name: String,
    pub platform: String,
    pub architecture: String,
}

/// A log the job names (`log_references`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderLog {
    pub name: String,
    pub url: String,
    pub parse_status: String,
}

/// One line of a "Job Info" artifact. `raw_html` is stored sanitised
/// (no scripts, event handlers or `javascript:` URLs); a `link` has an
/// http(s) `url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobInfoDetail {
    pub content_type: String,
    pub title: Option<String>,
    pub value: Option<String>,
    pub url: Option<String>,
}

/// A Treeherder job on its Assay job page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderInfo {
    pub job: TreeherderJob,
    /// The guid of the job this one was coalesced into, if it was.
    pub coalesced_into: Option<String>,
    pub details: Vec<JobInfoDetail>,
    /// The artifacts' names and types, as posted.
    pub artifacts: Vec<(String, String)>,
    pub submitted_at: DateTime<Utc>,
}

/// The job page's Treeherder section, flat so that the browser's code to
/// read it stays small: what [`TreeherderInfo::view`] makes of the job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TreeherderView {
    /// `group(job)` as Treeherder shows it, or the job's symbol alone.
    pub symbol: String,
    /// Treeherder's state and result words: `completed / testfailed`.
    pub status: String,
    /// Each field the job gave, labelled, in display order.
    pub facts: Vec<(String, String)>,
    /// The job's logs: name, URL, parse status.
    pub logs: Vec<(String, String, String)>,
    /// Job Info: content type (`text`, `link`, `raw_html`, sanitised), title,
    /// value, URL of a link.
    pub details: Vec<(String, String, String, Option<String>)>,
}

impl TreeherderInfo {
    pub fn view(self) -> TreeherderView {
        let j = self.job;
        let symbol = match (&j.group_symbol, &j.job_symbol) {
            (Some(g), Some(s)) if g != "?" => format!("{g}({s})"),
            (_, Some(s)) => s.clone(),
            _ => String::new(),
        };
        let platform = |p: &Option<Platform>| {
            p.as_ref().map(|p| {
                [&p.os_name, &p.platform, &p.architecture]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        };
        let facts: Vec<(String, String)> = [
            ("Group", j.group_name.clone()),
            ("Job type", j.name.clone()),
            ("Description", j.description.clone()),
            ("Tier", j.tier.map(|t| t.to_string())),
            ("Reason", j.reason.clone()),
            ("Who", j.who.clone()),
            ("Product", j.product_name.clone()),
            ("Build platform", platform(&j.build_platform)),
            ("Machine platform", platform(&j.machine_platform)),
            ("Options", (!j.options.is_empty()).then(|| j.options.join(", "))),
            ("Job GUID", Some(j.job_guid.clone())),
            ("Coalesced into", self.coalesced_into.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k.to_owned(), v)))
        .collect();
        TreeherderView {
            symbol,
            status: format!("{} / {}", j.state, j.result),
            facts,
            logs: j.logs.into_iter().map(|l| (l.name, l.url, l.parse_status)).collect(),
            details: self
                .details
                .into_iter()
                .map(|d| (d.content_type, d.title.unwrap_or_default(), d.value.unwrap_or_default(), d.url))
                .collect(),
        }
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl TreeherderView {
    /// The job page's section as HTML: text escaped; Job Info's `raw_html`
    /// as stored (sanitised at ingest); link URLs are http(s) (checked at
    /// ingest). One string rather than a tree of views keeps the page's
    /// WASM small; the server and the browser make the same.
    pub fn html(&self) -> String {
        let mut h = String::with_capacity(1024);
        let text = |h: &mut String, s: &str| escape(s, h);
        h.push_str("<h2>Treeherder</h2><dl class=\"meta\"><dt>Symbol</dt><dd class=\"treeherder-symbol\">");
        text(&mut h, &self.symbol);
        h.push_str("</dd><dt>State / result</dt><dd class=\"treeherder-result\">");
        text(&mut h, &self.status);
        h.push_str("</dd>");
        for (k, v) in &self.facts {
            h.push_str("<dt>");
            text(&mut h, k);
            h.push_str("</dt><dd>");
            text(&mut h, v);
            h.push_str("</dd>");
        }
        h.push_str("</dl>");
        if !self.logs.is_empty() {
            h.push_str("<h3>Logs</h3><ul class=\"treeherder-logs\">");
            for (name, url, status) in &self.logs {
                h.push_str("<li><a class=\"treeherder-log\" rel=\"nofollow noopener\" href=\"");
                text(&mut h, url);
                h.push_str("\">");
                text(&mut h, name);
                h.push_str("</a> <span class=\"muted small\">");
                text(&mut h, status);
                h.push_str("</span></li>");
            }
            h.push_str("</ul>");
        }
        if !self.details.is_empty() {
            h.push_str("<h3>Job Info</h3><table class=\"job-info\"><tbody>");
            for (kind, title, value, url) in &self.details {
                h.push_str("<tr><th>");
                text(&mut h, title);
                h.push_str("</th><td>");
                match (kind.as_str(), url) {
                    ("link", Some(url)) => {
                        h.push_str("<a class=\"job-info-link\" rel=\"nofollow noopener\" href=\"");
                        text(&mut h, url);
                        h.push_str("\">");
                        text(&mut h, value);
                        h.push_str("</a>");
                    }
                    ("raw_html", _) => {
                        h.push_str("<span class=\"job-info-html\">");
                        h.push_str(value);
                        h.push_str("</span>");
                    }
                    _ => text(&mut h, value),
                }
                h.push_str("</td></tr>");
            }
            h.push_str("</tbody></table>");
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_escapes_what_it_shows() {
        let v = TreeherderView {
            symbol: "M(bc<1>)".into(),
            status: "completed / success".into(),
            facts: vec![("Who".into(), "\"a\" & 'b'".into())],
            logs: vec![("log".into(), "https://ci.example/l?a=1&b=2".into(), "pending".into())],
            details: vec![
                ("text".into(), "t".into(), "<script>".into(), None),
                ("raw_html".into(), "h".into(), "<b>ok</b>".into(), None),
            ],
        };
        let h = v.html();
        assert!(h.contains("M(bc&lt;1&gt;)"), "{h}");
        assert!(h.contains("&quot;a&quot; &amp; &#39;b&#39;"), "{h}");
        assert!(h.contains("href=\"https://ci.example/l?a=1&amp;b=2\""), "{h}");
        assert!(h.contains("&lt;script&gt;") && !h.contains("<script>"), "{h}");
        assert!(h.contains("<span class=\"job-info-html\"><b>ok</b></span>"), "{h}");
    }
}

/// A Hawk credential of a project (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HawkCredential {
    pub client_id: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Body of `POST …/hawk-credentials`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateHawk {
    /// The client id (letters, digits, `.`, `_`, `-`; unique on the
    /// server). Default: the project's slug and a random suffix.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// A new credential: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedHawk {
    pub client_id: String,
    pub secret: String,
    pub credential: HawkCredential,
}
