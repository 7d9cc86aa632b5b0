//! The log pipeline: logs of jobs parsed for their error lines by
//! Treeherder's rules (`shared::log_errors`), worked off a queue in the
//! database by every server (`db::log_parses`).
//!
//! A log is queued when a Treeherder job names it by URL with no
//! `parse_status` (or `pending`), or when a log is uploaded as an artifact
//! of any job ([`is_log_name`]). A URL is fetched only when safe
//! ([`FetchPolicy`]): its host on the allow-list, no redirect to another
//! host, no private or loopback address unless allowed, within a size and
//! a time limit, gzip undone. The fetched log becomes an artifact of the
//! job (the log viewer shows it, its error lines highlighted), its error
//! lines are kept with their bug suggestions (a failure cluster of the
//! project, else the line's search term) and, for a Treeherder job that
//! has none submitted, a `text_log_summary` and a `Bug suggestions`
//! artifact are written as Treeherder would. A refused fetch fails at
//! once; a failing one (network, 5xx) is tried [`MAX_ATTEMPTS`] times with
//! backoff; either way the reason shows on the job page.

use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::audit::Actor;
use crate::db::log_parses::{self as store, NewErrorLine, ParseRow, Source};
use crate::db::uploads::Target;
use crate::db::{self, Db};
use crate::error::ApiError;
use crate::ingest::artifacts::Artifacts;
use crate::ingest::spool::{self, Naming, Spooled};
use crate::ingest::{self, Place};
use crate::on_db;
use axum::body::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use shared::log_errors::{self, ErrorLines, TextLogSummary};
use std::net::IpAddr;
use std::time::Duration;

/// Attempts at a log before giving up.
pub const MAX_ATTEMPTS: i64 = 3;
/// A worker that has not finished a log in this long is taken to be gone.
const LEASE_SECS: i64 = 600;
/// Redirects followed (on the same host).
const MAX_REDIRECTS: usize = 5;
/// Longest line read whole; the rest of a longer line is skipped.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// What may be fetched (`--log-fetch-*`).
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Hosts logs may come from: `host`, `host:port` or `*.domain`. Empty:
    /// nothing is fetched (each log says so).
    pub allow: Vec<String>,
    /// Whether hosts may resolve to private, loopback or link-local addresses.
    pub private: bool,
    /// Largest log, in bytes (after gzip is undone).
    pub max_bytes: u64,
    /// Longest a fetch may take, redirects included.
    pub timeout: Duration,
    /// Wait before the second attempt (doubled for each one after).
    pub backoff: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow: Vec::new(),
            private: false,
            max_bytes: 128 * 1024 * 1024,
            timeout: Duration::from_secs(120),
            backoff: Duration::from_secs(60),
        }
    }
}

impl FetchPolicy {
    /// Whether the allow-list names this host (and port).
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allow.iter().any(|entry| {
            let entry = entry.trim().to_ascii_lowercase();
            let (name, want_port) = match entry.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') || n.ends_with(']') => (n.to_owned(), p.parse::<u16>().ok()),
                _ => (entry.clone(), None),
            };
            let name = name.trim_start_matches('[').trim_end_matches(']');
            let host_ok = match name.strip_prefix("*.") {
                Some(domain) => host.ends_with(&format!(".{domain}")),
                None => host.trim_start_matches('[').trim_end_matches(']') == name,
            };
            host_ok && want_port.is_none_or(|p| p == port)
        })
    }
}

/// Whether an address is one a log host on the internet has.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local())
        }
    }
}

/// Whether an uploaded artifact is a log to parse: a text file whose name
/// says log (`*.log`, `*_log`, `log.txt`, `live_backing.log`…).
pub fn is_log_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".log") || n.ends_with("_log") || n.ends_with("-log") || n == "log" || n.ends_with("log.txt")
}

/// Why a log was not parsed.
#[derive(Debug)]
enum Failure {
    /// Trying again would not help (refused, too large, 404…).
    Refused(String),
    /// It might work later (network, 5xx, timeout).
    Failed(String),
}

use Failure::{Failed, Refused};

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failed(e.body().detail)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failed(format!("database: {e}"))
    }
}

/// Works off one log, if one is due; answers whether it did.
pub async fn work_once(db: &Db, blobs: &Blobs, config: &Config) -> Result<bool, sqlx::Error> {
    let Some(row) = store::claim(db, chrono::Duration::seconds(LEASE_SECS)).await? else {
        return Ok(false);
    };
    let policy = &config.log_fetch;
    if row.attempts > MAX_ATTEMPTS {
        let why = format!(
            "given up after {MAX_ATTEMPTS} attempts{}",
            row.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        );
        store::failed(db, row.id, &why, None).await?;
        return Ok(true);
    }
    match work(db, blobs, config, &row).await {
        Ok(()) => {}
        Err(Refused(why)) => {
            tracing::info!(log = %row.name, job = row.job_id, "log not parsed: {why}");
            store::failed(db, row.id, &why, None).await?;
        }
        Err(Failed(why)) if row.attempts < MAX_ATTEMPTS => {
            let wait = policy.backoff * 2u32.pow((row.attempts - 1).clamp(0, 10) as u32);
            let at = db::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
            tracing::info!(log = %row.name, job = row.job_id, "log fetch failed, to be tried again: {why}");
            let shown = format!("{why} (attempt {} of {MAX_ATTEMPTS}; trying again)", row.attempts);
            store::failed(db, row.id, &shown, Some(at)).await?;
        }
        Err(Failed(why)) => {
            let shown = format!("{why} (given up after {MAX_ATTEMPTS} attempts)");
            store::failed(db, row.id, &shown, None).await?;
        }
    }
    Ok(true)
}

/// Works off every log due (for tests and the command line).
pub async fn work_all(db: &Db, blobs: &Blobs, config: &Config) -> Result<usize, sqlx::Error> {
    let mut n = 0;
    while work_once(db, blobs, config).await? {
        n += 1;
    }
    Ok(n)
}

struct JobPlace {
    slug: String,
    place: Place,
}

async fn place_of(db: &Db, job_id: i64) -> Result<JobPlace, Failure> {
    let row: Option<(String, i64, i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT p.slug, p.id, j.run_id, r.name, j.key FROM jobs j JOIN runs r ON r.id = j.run_id \
         JOIN projects p ON p.id = r.project_id WHERE j.id = $1")
        .bind(job_id).fetch_optional(p).await)?;
    let (slug, project_id, run_id, run, key) = row.ok_or_else(|| Refused("the job was deleted".into()))?;
    Ok(JobPlace {
        slug,
        place: Place { target: Target { project_id, run_id, job_id }, label: format!("{run} / {key}") },
    })
}

async fn work(db: &Db, blobs: &Blobs, config: &Config, row: &ParseRow) -> Result<(), Failure> {
    let at = place_of(db, row.job_id).await?;
    let artifact_id = match (row.artifact_id, row.url.as_deref()) {
        (Some(id), _) => id,
        (None, Some(url)) => {
            let file = fetch(&config.log_fetch, url, &config.tmp_dir).await?;
            let bytes = file.size as i64;
            let actor = Actor { kind: "system", id: None, name: "assay (log fetcher)".into() };
            let mut kind = Artifacts::internal(db, blobs, &at.slug);
            kind.parse_logs = false;
            let out = ingest::ingest(db, &actor, &at.place, vec![file], &kind).await?;
            let id = out.first().map(|o| o.answer.id).ok_or_else(|| Failed("the fetched log was not stored".into()))?;
            store::set_artifact(db, row.id, id, bytes).await?;
            id
        }
        (None, None) => return Err(Refused("the log has neither a URL nor a file".into())),
    };
    let artifact =
        db::artifacts::by_id(db, artifact_id).await?.ok_or_else(|| Refused("the log's artifact was deleted".into()))?;
    if !artifact.is_text {
        return Err(Refused(format!("{} is not a text file ({})", artifact.name, artifact.content_type)));
    }
    let read = blobs
        .get(&artifact.sha256, None)
        .await
        .map_err(|e| Failed(format!("reading {} from the object store: {e}", artifact.name)))?;
    let mut parser = ErrorLines::new();
    let mut lines = LineSplitter::default();
    let mut stream = read.stream;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Failed(format!("reading {}: {e}", artifact.name)))?;
        lines.feed(&chunk, &mut parser);
    }
    lines.finish(&mut parser);
    let line_count = parser.lines_read() as i64;
    let logurl = row.url.clone().unwrap_or_else(|| crate::db::artifacts::download_url(artifact.id));
    let summary = parser.summary(&logurl);
    store_parse(db, row, &at, &summary, artifact.size_bytes, line_count).await
}

/// The parse's error lines with their suggestions, and Treeherder's two
/// artifacts for a Treeherder job, in one transaction.
async fn store_parse(
    db: &Db,
    row: &ParseRow,
    at: &JobPlace,
    summary: &TextLogSummary,
    bytes: i64,
    lines: i64,
) -> Result<(), Failure> {
    let project_id = at.place.target.project_id;
    let mut tx = db.begin_write().await?;
    let mut found = Vec::with_capacity(summary.errors.len());
    for e in &summary.errors {
        let search = log_errors::search_term(&e.line).unwrap_or_default();
        let mut cluster = None;
        let message = search_message(&e.line);
        if let Some(sig) = shared::analytics::cluster::signature_with(None, Some(&message), None) {
            cluster = store::cluster_by_signature(&mut tx, project_id, sig.key).await?;
        }
        if cluster.is_none() && !search.is_empty() {
            cluster = store::cluster_of_test(&mut tx, project_id, &search).await?;
        }
        found.push((e.linenumber as i64, e.line.as_str(), search, cluster));
    }
    let rows: Vec<NewErrorLine> = found
        .iter()
        .map(|(n, line, search, cluster)| NewErrorLine { linenumber: *n, line, search, cluster_id: *cluster })
        .collect();
    store::parsed(&mut tx, row.id, bytes, lines, &rows).await?;
    if crate::db::treeherder::is_treeherder_job(&mut tx, row.job_id).await? {
        let mine = |blob: &str| {
            serde_json::from_str::<serde_json::Value>(blob)
                .ok()
                .and_then(|v| v.get("logurl").and_then(|u| u.as_str()).map(|u| u == summary.logurl))
                .unwrap_or(false)
        };
        let existing = crate::db::treeherder::artifact_blob(&mut tx, row.job_id, "text_log_summary").await?;
        if existing.as_deref().is_none_or(mine) {
            let blob = serde_json::to_string(summary).map_err(|e| Failed(e.to_string()))?;
            crate::db::treeherder::save_artifact(&mut tx, row.job_id, "text_log_summary", "json", &blob).await?;
            let suggestions: Vec<serde_json::Value> = found
                .iter()
                .map(|(n, line, search, cluster)| {
                    serde_json::json!({
                        "search": line,
                        "search_terms": if search.is_empty() { vec![] } else { vec![search.clone()] },
                        "line_number": n,
                        "path_end": search,
                        "failure_cluster": cluster,
                        "bugs": {"open_recent": [], "all_others": []},
                    })
                })
                .collect();
            let blob = serde_json::to_string(&suggestions).map_err(|e| Failed(e.to_string()))?;
            crate::db::treeherder::save_artifact(&mut tx, row.job_id, "Bug suggestions", "json", &blob).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// An error line as a failure message: the mozharness prefix and the
/// `TEST-UNEXPECTED-… | test |` part taken off, as a test report gives it.
fn search_message(line: &str) -> String {
    let parts: Vec<&str> = line.split(" | ").collect();
    if parts.len() >= 3 && parts[0].contains("TEST-UNEXPECTED-") { parts[2..].join(" | ") } else { line.to_owned() }
}

/// Splits a byte stream into lines for the parser (`\n`, `\r\n` or `\r`),
/// reading them as UTF-8 with bad bytes replaced; a line longer than
/// [`MAX_LINE_BYTES`] is read by its start only.
#[derive(Default)]
struct LineSplitter {
    buf: Vec<u8>,
    skipping: bool,
    after_cr: bool,
}

impl LineSplitter {
    fn feed(&mut self, mut chunk: &[u8], parser: &mut ErrorLines) {
        while !chunk.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if chunk[0] == b'\n' {
                    chunk = &chunk[1..];
                    continue;
                }
            }
            match chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(at) => {
                    self.take(&chunk[..at]);
                    self.after_cr = chunk[at] == b'\r';
                    self.emit(parser);
                    chunk = &chunk[at + 1..];
                }
                None => {
                    self.take(chunk);
                    break;
                }
            }
        }
    }

    fn take(&mut self, part: &[u8]) {
        if self.skipping {
            return;
        }
        let room = MAX_LINE_BYTES - self.buf.len();
        if part.len() > room {
            self.buf.extend_from_slice(&part[..room]);
            self.skipping = true;
        } else {
            self.buf.extend_from_slice(part);
        }
    }

    fn emit(&mut self, parser: &mut ErrorLines) {
        parser.line(&String::from_utf8_lossy(&self.buf));
        self.buf.clear();
        self.skipping = false;
    }

    fn finish(mut self, parser: &mut ErrorLines) {
        if !self.buf.is_empty() || self.skipping {
            self.emit(parser);
        }
    }
}

/// Fetches a log to a spooled file, as [`FetchPolicy`] allows.
async fn fetch(policy: &FetchPolicy, url: &str, dir: &std::path::Path) -> Result<Spooled, Failure> {
    let deadline = tokio::time::Instant::now() + policy.timeout;
    let secs = policy.timeout.as_secs();
    tokio::time::timeout_at(deadline, fetch_within(policy, url, dir))
        .await
        .unwrap_or_else(|_| Err(Failed(format!("fetching {url} took longer than {secs} s"))))
}

async fn fetch_within(policy: &FetchPolicy, start: &str, dir: &std::path::Path) -> Result<Spooled, Failure> {
    if policy.allow.is_empty() {
        return Err(Refused(
            "log fetching is off: no host is allowed (start the server with --log-fetch-allow HOST)".into(),
        ));
    }
    let mut url = url::Url::parse(start).map_err(|e| Refused(format!("'{start}' is not a URL: {e}")))?;
    let first_host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    for _ in 0..=MAX_REDIRECTS {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused(format!("{url}: only http and https logs are fetched")));
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(80);
        if host != first_host {
            return Err(Refused(format!("{start} redirects to another host ({host}): not followed")));
        }
        if !policy.allows(&host, port) {
            return Err(Refused(format!("the host {host} is not on the log-fetch allow-list (--log-fetch-allow)")));
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
            .await
            .map_err(|e| Failed(format!("cannot resolve {host}: {e}")))?
            .collect();
        let Some(&addr) = addrs.first() else { return Err(Failed(format!("{host} has no address"))) };
        if !policy.private
            && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
        {
            return Err(Refused(format!(
                "{host} is at a private or loopback address ({}): refused (--log-fetch-private allows it)",
                bad.ip()
            )));
        }
        // Connect to the address checked, not to a second lookup's.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&bare, addr)
            .connect_timeout(Duration::from_secs(15))
            .user_agent(concat!("assay/", env!("CARGO_PKG_VERSION"), " (log fetcher)"))
            .build()
            .map_err(|e| Failed(format!("http client: {e}")))?;
        let resp = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .map_err(|e| Failed(format!("fetching {url}: {e}")))?;
        let status = resp.status();
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| Refused(format!("{url} answered {status} without a Location")))?;
            url = url.join(to).map_err(|e| Refused(format!("{url} redirects to '{to}', not a URL: {e}")))?;
            continue;
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(Failed(format!("{url} answered {status}")));
        }
        if !status.is_success() {
            return Err(Refused(format!("{url} answered {status}")));
        }
        let encoded = resp
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase());
        let gzip_encoded = match encoded.as_deref() {
            None | Some("identity") => false,
            Some("gzip" | "x-gzip") => true,
            Some(other) => {
                return Err(Refused(format!("{url} is sent with content encoding '{other}' (gzip is read)")));
            }
        };
        if !gzip_encoded && resp.content_length().is_some_and(|n| n > policy.max_bytes) {
            return Err(Refused(format!("the log at {url} is larger than {} bytes", policy.max_bytes)));
        }
        let name = file_name(&url);
        let mut body = resp.bytes_stream().map_err(std::io::Error::other);
        // A .gz file sent as it is (no Content-Encoding) is undone too.
        let first = match body.next().await {
            Some(chunk) => chunk.map_err(|e| Failed(format!("reading {url}: {e}")))?,
            None => Bytes::new(),
        };
        let gzip = gzip_encoded || first.starts_with(&[0x1f, 0x8b]);
        let whole = futures_util::stream::iter([Ok(first)]).chain(body);
        let naming = Naming {
            filename: if gzip { name.strip_suffix(".gz").unwrap_or(&name).to_owned() } else { name },
            field: "log".into(),
            content_type: Some("text/plain".into()),
        };
        let mut budget = policy.max_bytes;
        let spooled = if gzip {
            let reader = tokio_util::io::StreamReader::new(whole);
            let decoder = async_compression::tokio::bufread::GzipDecoder::new(reader);
            let stream = tokio_util::io::ReaderStream::with_capacity(decoder, 256 * 1024)
                .map_err(|e| ApiError::BadRequest(format!("the log is not valid gzip: {e}")));
            spool::spool(naming, stream, dir, &mut budget, policy.max_bytes).await
        } else {
            let stream = whole.map_err(|e| ApiError::internal(format!("reading the log: {e}")));
            spool::spool(naming, stream, dir, &mut budget, policy.max_bytes).await
        };
        return spooled.map_err(|e| match e {
            ApiError::PayloadTooLarge { limit } => Refused(format!("the log at {url} is larger than {limit} bytes")),
            ApiError::BadRequest(why) => Refused(format!("{url}: {why}")),
            other => Failed(format!("fetching {url}: {}", other.body().detail)),
        });
    }
    Err(Refused(format!("{start} redirects more than {MAX_REDIRECTS} times")))
}

/// The file name a URL's path ends with (`log` when it has none).
fn file_name(url: &url::Url) -> String {
    let last = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    let cleaned: String = decoded.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(200).collect();
    if cleaned.trim().is_empty() || cleaned == "." || cleaned == ".." { "log".into() } else { cleaned }
}

/// What the job page shows of a job's logs.
pub async fn job_logs(
    db: &Db,
    project: &str,
    run_id: i64,
    job_id: i64,
) -> Result<Vec<log_errors::JobLog>, sqlx::Error> {
    let parses = store::for_job(db, job_id).await?;
    let submitted = crate::db::treeherder::artifacts(db, job_id, Some("text_log_summary")).await?;
    if parses.is_empty() && submitted.is_empty() {
        return Ok(Vec::new());
    }
    let lines = if parses.is_empty() { Vec::new() } else { store::error_lines(db, job_id).await? };
    let mut out: Vec<log_errors::JobLog> = parses
        .iter()
        .map(|p| {
            let (href, viewer) = match (p.artifact_id, &p.url) {
                (Some(a), _) => (Some(app::routes::artifact(project, run_id, job_id, a)), true),
                (None, Some(u)) => (Some(u.clone()), false),
                _ => (None, false),
            };
            let errors = lines
                .iter()
                .filter(|l| l.parse_id == p.id)
                .map(|l| {
                    let mut suggestions = Vec::new();
                    if let Some(c) = l.cluster_id {
                        let what = l
                            .cluster_name
                            .clone()
                            .or_else(|| l.cluster_pattern.as_ref().and_then(|p| p.lines().next()).map(str::to_owned))
                            .unwrap_or_default();
                        suggestions.push((format!("Failure cluster: {what}"), Some(app::routes::cluster(project, c))));
                        if let Some(link) = &l.cluster_link {
                            suggestions.push((format!("Its bug: {link}"), Some(link.clone())));
                        }
                    }
                    if !l.search.is_empty() {
                        suggestions.push((format!("Search: {}", l.search), None));
                    }
                    (l.linenumber.max(0) as u64, l.line.clone(), suggestions)
                })
                .collect();
            log_errors::JobLog {
                name: p.name.clone(),
                state: p.state.clone(),
                error: p.error.clone(),
                href,
                viewer,
                errors,
            }
        })
        .collect();
    // A text_log_summary posted with a Treeherder job, taken as it is
    // (unless it is the one Assay wrote for a log it parsed).
    for (_, _, blob) in submitted {
        let Ok(summary) = serde_json::from_str::<TextLogSummary>(&blob) else { continue };
        if parses.iter().any(|p| p.url.as_deref() == Some(summary.logurl.as_str())) {
            continue;
        }
        let name = url::Url::parse(&summary.logurl).map(|u| file_name(&u)).unwrap_or_else(|_| "log".into());
        let href = url::Url::parse(&summary.logurl)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string());
        let errors = summary
            .errors
            .into_iter()
            .map(|e| {
                let suggestions = log_errors::search_term(&e.line).map(|t| (format!("Search: {t}"), None));
                (e.linenumber, e.line, suggestions.into_iter().collect())
            })
            .collect();
        out.push(log_errors::JobLog { name, state: "submitted".into(), error: None, href, viewer: false, errors });
    }
    Ok(out)
}

/// Queues a Treeherder job's logs that want parsing.
pub async fn enqueue_urls(
    tx: &mut db::Tx,
    project_id: i64,
    job_id: i64,
    logs: &[shared::treeherder::TreeherderLog],
) -> Result<(), sqlx::Error> {
    // Structured logs (`errorsummary_json`…) are not text logs to parse.
    let text = |l: &&shared::treeherder::TreeherderLog| {
        !l.name.to_ascii_lowercase().ends_with("json") && !l.url.to_ascii_lowercase().ends_with(".json")
    };
    for l in logs.iter().filter(|l| l.parse_status == "pending").filter(text) {
        store::enqueue(tx, project_id, job_id, &l.name, Source::Url(&l.url)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list() {
        let p = FetchPolicy {
            allow: vec!["ci.example".into(), "logs.example:8443".into(), "*.taskcluster.example".into()],
            ..FetchPolicy::default()
        };
        assert!(p.allows("ci.example", 443));
        assert!(p.allows("CI.example.", 80));
        assert!(p.allows("logs.example", 8443));
        assert!(!p.allows("logs.example", 443));
        assert!(p.allows("a.b.taskcluster.example", 443));
        assert!(!p.allows("taskcluster.example", 443));
        assert!(!p.allows("evil-ci.example", 443));
        assert!(!p.allows("ci.example.evil", 443));
    }

    #[test]
    fn private_addresses_are_not_public() {
        for a in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1"] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["::1", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "::"] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn lines_split_across_chunks_and_endings() {
        let mut p = ErrorLines::new();
        let mut s = LineSplitter::default();
        for chunk in [&b"ok\r"[..], b"\nabort: one\rfi", b"ne\nabort: t", b"wo"] {
            s.feed(chunk, &mut p);
        }
        s.finish(&mut p);
        assert_eq!(p.lines_read(), 4);
        let e = p.errors();
        assert_eq!((e[0].linenumber, e[0].line.as_str()), (1, "abort: one"));
        assert_eq!((e[1].linenumber, e[1].line.as_str()), (3, "abort: two"));
    }

    #[test]
    fn a_long_line_is_read_by_its_start() {
        let mut p = ErrorLines::new();
        let mut s = LineSplitter::default();
        let mut long = b"abort: ".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES * 3));
        long.extend(b"\nnext\n");
        s.feed(&long, &mut p);
        s.finish(&mut p);
        assert_eq!(p.lines_read(), 2);
        assert_eq!(p.errors().len(), 1);
    }

    #[test]
    fn log_names_and_file_names() {
        for n in ["live_backing.log", "BUILD.LOG", "log_raw_log", "test-log", "log", "errorlog.txt"] {
            assert!(is_log_name(n), "{n}");
        }
        for n in ["report.xml", "screenshot.png", "catalog.json"] {
            assert!(!is_log_name(n), "{n}");
        }
        let u = |s: &str| file_name(&url::Url::parse(s).unwrap());
        assert_eq!(u("https://ci.example/a/live_backing.log.gz"), "live_backing.log.gz");
        assert_eq!(u("https://ci.example/a/my%20log.txt?x=1"), "my log.txt");
        assert_eq!(u("https://ci.example/"), "log");
        assert_eq!(u("https://ci.example/a/%2e%2e"), "log");
    }
}
