//! The artifact kind: any file kept with a job (logs, screenshots,
//! binaries), its content in the object store, optionally linked to test
//! results of the job and given an expiry.
//!
//! Options come per file in the multipart field `meta` (a JSON object of
//! [`ArtifactOptions`] keyed by file name) or for every file of the request
//! in the fields `test` (repeatable), `expires_at` (RFC 3339) and
//! `expires_in` (`30d`, `12h`, `45m`, `90s`). Bad input (an empty file, a
//! name with a path separator or a control character, a link to a test the
//! job does not have, an expiry in the past) is a 400 naming the file, and
//! nothing of the request is stored.

use super::body::Received;
use super::spool::Spooled;
use super::{Kind, Stored};
use crate::blobs::Blobs;
use crate::db::artifacts::{self as rows, NewArtifact};
use crate::db::uploads::{Figures, Target, UploadRow};
use crate::db::{self, Db, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use shared::model::{Artifact, ArtifactOptions, UploadKind};
use std::collections::HashMap;

/// Longest file name kept, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// Most test links per artifact.
pub const MAX_LINKS: usize = 100;

/// Artifacts for one job, with the request's options.
pub struct Artifacts<'a> {
    pub db: &'a Db,
    pub blobs: &'a Blobs,
    /// The project's slug, for answers.
    pub project: &'a str,
    /// Options by file name (the `meta` field).
    pub per_file: HashMap<String, ArtifactOptions>,
    /// Options for every file (the `test`, `expires_at`, `expires_in` fields).
    pub all: ArtifactOptions,
    pub now: DateTime<Utc>,
    /// Queue logs (see `service::logs::is_log_name`) for parsing.
    pub parse_logs: bool,
}

/// The option fields an artifact upload reads.
pub const OPTION_FIELDS: &[&str] = &["meta", "test", "expires_at", "expires_in"];

impl<'a> Artifacts<'a> {
    /// Reads the request's option fields.
    pub fn from_fields(db: &'a Db, blobs: &'a Blobs, project: &'a str, received: &Received) -> ApiResult<Self> {
        let now = db::now();
        let per_file: HashMap<String, ArtifactOptions> = match received.single("meta")? {
            Some(json) => serde_json::from_str(json).map_err(|e| {
                ApiError::BadRequest(format!(
                    "the field 'meta' must be a JSON object of options keyed by file name \
                     ({{\"name\": {{\"content_type\", \"tests\", \"expires_at\"}}}}): {e}"
                ))
            })?,
            None => HashMap::new(),
        };
        let tests = received.values("test").map(str::to_owned).collect();
        let expires_at = match (received.single("expires_at")?, received.single("expires_in")?) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadRequest("give expires_at or expires_in, not both".into()));
            }
            (Some(at), None) => Some(
                DateTime::parse_from_rfc3339(at.trim())
                    .map_err(|e| ApiError::BadRequest(format!("expires_at '{at}' is not an RFC 3339 time: {e}")))?
                    .with_timezone(&Utc),
            ),
            (None, Some(after)) => Some(now + parse_duration(after).map_err(ApiError::BadRequest)?),
            (None, None) => None,
        };
        Ok(Artifacts {
            db,
            blobs,
            project,
            per_file,
            all: ArtifactOptions { content_type: None, tests, expires_at },
            now,
            parse_logs: true,
        })
    }

    /// Artifacts Assay stores itself (fetched logs), with no options.
    pub fn internal(db: &'a Db, blobs: &'a Blobs, project: &'a str) -> Self {
        Artifacts {
            db,
            blobs,
            project,
            per_file: HashMap::new(),
            all: ArtifactOptions::default(),
            now: db::now(),
            parse_logs: true,
        }
    }

    /// The options of one file: its own, over the request's.
    fn options(&self, file: &Spooled) -> ArtifactOptions {
        let own = self.per_file.get(&file.filename);
        let mut tests = self.all.tests.clone();
        if let Some(o) = own {
            tests.extend(o.tests.iter().cloned());
        }
        ArtifactOptions {
            content_type: own.and_then(|o| o.content_type.clone()),
            tests,
            expires_at: own.and_then(|o| o.expires_at).or(self.all.expires_at),
        }
    }
}

/// What [`Kind::prepare`] found out about a file.
pub struct Ready {
    content_type: String,
    is_text: bool,
}

#[async_trait::async_trait]
impl Kind for Artifacts<'_> {
    const KIND: UploadKind = UploadKind::Artifact;
    type Answer = Artifact;
    type Ready = Ready;

    fn nothing_sent(&self) -> ApiError {
        ApiError::BadRequest("no file in the request (send artifacts as multipart/form-data file fields)".into())
    }

    fn check(&self, files: &[Spooled]) -> ApiResult<()> {
        for name in self.per_file.keys() {
            if !files.iter().any(|f| &f.filename == name) {
                return Err(ApiError::BadRequest(format!(
                    "the field 'meta' has options for '{name}', but no file of that name was sent"
                )));
            }
        }
        for file in files {
            check_name(&file.filename).map_err(ApiError::BadRequest)?;
            if file.size == 0 {
                return Err(ApiError::BadRequest(format!("{}: the file is empty", file.filename)));
            }
            let o = self.options(file);
            if let Some(ct) = &o.content_type {
                check_content_type(ct).map_err(|e| ApiError::BadRequest(format!("{}: {e}", file.filename)))?;
            }
            if let Some(at) = o.expires_at
                && at <= self.now
            {
                return Err(ApiError::BadRequest(format!(
                    "{}: the expiry {} is in the past",
                    file.filename,
                    at.to_rfc3339()
                )));
            }
            if o.tests.len() > MAX_LINKS {
                return Err(ApiError::BadRequest(format!(
                    "{}: at most {MAX_LINKS} test links per artifact",
                    file.filename
                )));
            }
            if let Some(bad) = o.tests.iter().find(|t| t.trim().is_empty() || t.len() > 4096) {
                return Err(ApiError::BadRequest(format!(
                    "{}: the test name '{bad}' is empty or too long",
                    file.filename
                )));
            }
        }
        Ok(())
    }

    async fn prepare(&self, file: &Spooled) -> ApiResult<Ready> {
        let declared = self.options(file).content_type.or_else(|| file.content_type.clone());
        let (content_type, is_text) = classify(declared.as_deref(), &file.filename, &file.head);
        // A blob with a row is in the store and referred to: no need to
        // write it again. Otherwise write it (again): that also refreshes an
        // orphan that pruning might otherwise be about to remove.
        if !db::blobs::exists(self.db, &file.sha256).await? {
            self.blobs
                .put_file(&file.sha256, &file.path)
                .await
                .map_err(|e| ApiError::internal(format!("storing {}: {e}", file.filename)))?;
        }
        Ok(Ready { content_type, is_text })
    }

    async fn store(
        &self,
        tx: &mut Tx,
        target: Target,
        upload_id: i64,
        file: &Spooled,
        ready: Ready,
    ) -> ApiResult<Stored<Artifact>> {
        let options = self.options(file);
        let mut result_ids = Vec::new();
        for name in &options.tests {
            let found = rows::results_named(tx, target.job_id, name.trim()).await?;
            if found.is_empty() {
                return Err(ApiError::BadRequest(format!(
                    "{}: the job has no test named '{}' (give its name, class.name or suite::class::name)",
                    file.filename,
                    name.trim()
                )));
            }
            result_ids.extend(found);
        }
        db::blobs::insert(tx, &file.sha256, file.size as i64).await?;
        let line_index = if ready.is_text {
            Some(serde_json::to_string(&file.lines.checkpoints).map_err(ApiError::internal)?)
        } else {
            None
        };
        let row = rows::insert(
            tx,
            target,
            upload_id,
            &NewArtifact {
                name: &file.filename,
                content_type: &ready.content_type,
                size_bytes: file.size as i64,
                sha256: &file.sha256,
                is_text: ready.is_text,
                line_count: ready.is_text.then_some(file.lines.lines),
                line_index,
                expires_at: options.expires_at,
            },
        )
        .await?;
        rows::link(tx, row.id, &result_ids).await?;
        if self.parse_logs && ready.is_text && crate::service::logs::is_log_name(&file.filename) {
            let source = db::log_parses::Source::Artifact(row.id);
            db::log_parses::enqueue(tx, target.project_id, target.job_id, &file.filename, source).await?;
        }
        let tests = rows::tests_in(tx, row.id).await?;
        let audit = format!("artifact, {} bytes, {}", file.size, ready.content_type);
        Ok(Stored {
            answer: row.into_json(self.project, tests),
            format: ready.content_type,
            figures: Figures::default(),
            audit,
            warnings: Vec::new(),
        })
    }

    async fn answer_for(&self, tx: &mut Tx, upload: &UploadRow) -> ApiResult<Artifact> {
        let row = rows::by_upload(tx, upload.id)
            .await?
            .ok_or_else(|| ApiError::internal(format!("artifact upload {} has no artifact", upload.id)))?;
        let tests = rows::tests_in(tx, row.id).await?;
        Ok(row.into_json(self.project, tests))
    }

    async fn roll_up(&self, tx: &mut Tx, target: Target, new: &[&Stored<Artifact>]) -> ApiResult<()> {
        let bytes: i64 = new.iter().map(|s| s.answer.size_bytes).sum();
        db::jobs::add_artifacts(tx, target.job_id, new.len() as i64, bytes).await?;
        Ok(())
    }
}

/// A file name as a user's tool would save it: no directories, nothing
/// invisible.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("an artifact needs a file name".into());
    }
    if name.contains(['/', '\\']) {
        return Err(format!("the file name '{name}' has a path separator; send the file's own name"));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("the file name {name:?} has a control character"));
    }
    if name == "." || name == ".." {
        return Err(format!("'{name}' is not a file name"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!("the file name '{name}' is longer than {MAX_NAME_BYTES} bytes"));
    }
    Ok(())
}

fn check_content_type(ct: &str) -> Result<(), String> {
    match ct.parse::<mime::Mime>() {
        Ok(_) if !ct.contains(['\r', '\n']) => Ok(()),
        _ => Err(format!("'{ct}' is not a content type (type/subtype)")),
    }
}

/// The content type to keep, and whether the file is text for the log
/// viewer: the declared type unless it says nothing ("application/
/// octet-stream"), else the one the name suggests, else what the first
/// bytes look like. Text must be UTF-8 without NUL bytes, whatever it is
/// called.
pub fn classify(declared: Option<&str>, name: &str, head: &[u8]) -> (String, bool) {
    let declared =
        declared.map(|d| d.trim().to_ascii_lowercase()).filter(|d| !d.is_empty() && d != "application/octet-stream");
    let guessed = || mime_guess::from_path(name).first().map(|m| m.essence_str().to_owned());
    let looks_text = looks_like_text(head);
    let content_type = declared
        .or_else(guessed)
        .unwrap_or_else(|| if looks_text { "text/plain".to_owned() } else { "application/octet-stream".to_owned() });
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let texty = essence.starts_with("text/")
        || matches!(
            essence,
            "application/json"
                | "application/xml"
                | "application/x-ndjson"
                | "application/yaml"
                | "application/x-yaml"
                | "application/toml"
                | "application/javascript"
                | "application/x-sh"
        )
        || essence.ends_with("+json")
        || essence.ends_with("+xml");
    (content_type, looks_text && texty)
}

/// UTF-8 (a character cut at the end of the head is fine) with no NUL.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// `30d`, `12h`, `45m`, `90s`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = digits.parse().map_err(|_| format!("'{s}' is not a duration (like 30d, 12h, 45m, 90s)"))?;
    let d = match unit {
        "" | "s" => chrono::Duration::try_seconds(n),
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => None,
    };
    match d {
        Some(d) if n > 0 => Ok(d),
        _ => Err(format!("'{s}' is not a positive duration (like 30d, 12h, 45m, 90s)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_file_names() {
        assert!(check_name("build.log").is_ok());
        assert!(check_name("résumé 1.png").is_ok());
        for bad in ["", "a/b", "..\\x", "a\nb", "a\u{7}", "..", &"x".repeat(300)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_types_come_from_the_declaration_the_name_or_the_bytes() {
        assert_eq!(classify(Some("image/png"), "x", b"\x89PNG\r\n\x1a\n\0"), ("image/png".into(), false));
        assert_eq!(classify(None, "shot.png", b"\x89PNG\0"), ("image/png".into(), false));
        assert!(classify(Some("application/octet-stream"), "build.log", b"ok\n").1);
        assert_eq!(classify(None, "output", b"plain words\n"), ("text/plain".into(), true));
        assert_eq!(classify(None, "core", b"\x7fELF\0\0"), ("application/octet-stream".into(), false));
        // Called text but binary: kept as declared, not shown as lines.
        assert_eq!(classify(Some("text/plain"), "x.txt", b"a\0b"), ("text/plain".into(), false));
        assert_eq!(classify(None, "page.html", b"<script>").0, "text/html");
        // A multi-byte character cut by the 8 KiB head is still text.
        let mut head = "é".repeat(10).into_bytes();
        head.pop();
        assert!(looks_like_text(&head));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), chrono::Duration::days(30));
        assert_eq!(parse_duration("90").unwrap(), chrono::Duration::seconds(90));
        assert!(parse_duration("-1d").is_err() && parse_duration("0s").is_err() && parse_duration("1w").is_err());
    }
}
