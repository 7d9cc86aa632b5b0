//! The ingest pipeline that every kind of upload and every front door
//! goes through.
//!
//! 1. [`body::receive`] turns the request into spooled files (hashed,
//!    line-indexed, size-limited): no handler reads a body itself.
//! 2. [`ingest`] does the bookkeeping once for every kind: files already
//!    stored for the job (same SHA-256 and kind) answer as duplicates and
//!    are not stored again; the rest are made ready outside the write
//!    transaction ([`Kind::prepare`]: blobs written to the object store,
//!    content checked), then stored in one transaction with their `uploads`
//!    rows, audit entries and the kind's roll-ups. A request stores all its
//!    files or nothing.
//! 3. A kind plugs in with a parser in `shared` and an implementation of
//!    [`Kind`] here ([`test_reports`], [`artifacts`]); it copies none of the above.
//!
//! Front doors that create the run and the job in the same transaction
//! call [`prepare`] and then [`ingest_in`] with their own transaction.

pub mod artifacts;
pub mod body;
pub mod clusters;
pub mod flaky;
pub mod lines;
pub mod perf;
pub mod quarantine;
pub mod spool;
pub mod test_reports;
pub mod traces;

use crate::db::audit::{self, Actor, Entry};
use crate::db::uploads::{self, Figures, Target, UploadRow};
use crate::db::{self, Db, Tx};
use crate::error::{ApiError, ApiResult};
use shared::model::UploadKind;
use spool::Spooled;
use std::collections::HashMap;

/// What one kind of upload does with a file; the pipeline does the rest.
#[async_trait::async_trait]
pub trait Kind: Sync {
    /// The `uploads.kind` of its files.
    const KIND: UploadKind;
    /// What the answer says about each file.
    type Answer: Clone + Send;
    /// A file made ready to store (see [`Kind::prepare`]).
    type Ready: Send;

    /// The 400 for a request without files.
    fn nothing_sent(&self) -> ApiError;

    /// Checks the request's files before anything is stored or written:
    /// cheap checks that need no database (names, sizes, options).
    fn check(&self, files: &[Spooled]) -> ApiResult<()>;

    /// Work done before the write transaction begins, so that it does not
    /// hold the database's write lock: writing blobs to the object store,
    /// decoding content. Runs only for files not stored already.
    async fn prepare(&self, file: &Spooled) -> ApiResult<Self::Ready>;

    /// Stores a new file in the transaction; its `uploads` row exists.
    async fn store(
        &self,
        tx: &mut Tx,
        target: Target,
        upload_id: i64,
        file: &Spooled,
        ready: Self::Ready,
    ) -> ApiResult<Stored<Self::Answer>>;

    /// The answer for a file stored by an earlier request.
    async fn answer_for(&self, tx: &mut Tx, upload: &UploadRow) -> ApiResult<Self::Answer>;

    /// Adds what the request's new files contribute to the job's and run's
    /// roll-ups, once per request.
    async fn roll_up(&self, tx: &mut Tx, target: Target, new: &[&Stored<Self::Answer>]) -> ApiResult<()>;
}

/// What a kind stored for one file.
#[derive(Debug, Clone)]
pub struct Stored<A> {
    pub answer: A,
    /// Kept in `uploads.format`: a report format, a content type.
    pub format: String,
    /// Kept in `uploads.summary`.
    pub figures: Figures,
    /// What the audit entry says of the file.
    pub audit: String,
    pub warnings: Vec<String>,
}

/// One file of a request, as the pipeline answers for it.
#[derive(Debug, Clone)]
pub struct Outcome<A> {
    pub upload_id: i64,
    pub filename: String,
    /// The same content was stored before, for this job: nothing new was.
    pub duplicate: bool,
    pub answer: A,
    pub warnings: Vec<String>,
}

/// Where a request's files go, and how the audit log names that place.
#[derive(Debug, Clone)]
pub struct Place {
    pub target: Target,
    /// "run / job", for the audit log.
    pub label: String,
}

/// A file with the work [`Kind::prepare`] did for it, or `None` when it was
/// already stored (it is then answered as a duplicate).
pub type Prepared<K> = (Spooled, Option<<K as Kind>::Ready>);

/// Checks the files and prepares those not stored already.
pub async fn prepare<K: Kind>(db: &Db, place: &Place, files: Vec<Spooled>, kind: &K) -> ApiResult<Vec<Prepared<K>>> {
    if files.is_empty() {
        return Err(kind.nothing_sent());
    }
    kind.check(&files)?;
    let shas: Vec<&str> = files.iter().map(|f| f.sha256.as_str()).collect();
    let known = uploads::known(db, place.target.job_id, K::KIND, &shas).await?;
    let mut seen: Vec<&str> = Vec::new();
    let mut todo = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let again = known.contains(&f.sha256) || seen.contains(&f.sha256.as_str());
        seen.push(&f.sha256);
        todo.push((i, again));
    }
    let mut out = Vec::with_capacity(files.len());
    for (file, (_, again)) in files.into_iter().zip(todo) {
        let ready = if again { None } else { Some(kind.prepare(&file).await?) };
        out.push((file, ready));
    }
    Ok(out)
}

/// Stores a request's files, in one transaction of its own.
pub async fn ingest<K: Kind>(
    db: &Db,
    actor: &Actor,
    place: &Place,
    files: Vec<Spooled>,
    kind: &K,
) -> ApiResult<Vec<Outcome<K::Answer>>> {
    let prepared = prepare(db, place, files, kind).await?;
    let mut tx = db.begin_write().await?;
    let out = ingest_in(&mut tx, actor, place, prepared, kind).await?;
    tx.commit().await?;
    Ok(out)
}

/// Stores prepared files in the caller's transaction. On an error the
/// caller drops the transaction and nothing from the request is kept.
pub async fn ingest_in<K: Kind>(
    tx: &mut Tx,
    actor: &Actor,
    place: &Place,
    files: Vec<Prepared<K>>,
    kind: &K,
) -> ApiResult<Vec<Outcome<K::Answer>>> {
    let target = place.target;
    let mut out: Vec<Outcome<K::Answer>> = Vec::with_capacity(files.len());
    let mut stored: Vec<Stored<K::Answer>> = Vec::new();
    let mut in_this_request: HashMap<String, usize> = HashMap::new();
    for (file, ready) in files {
        if let Some(&earlier) = in_this_request.get(&file.sha256) {
            let mut again = out[earlier].clone();
            again.filename = file.filename.clone();
            again.duplicate = true;
            out.push(again);
            continue;
        }
        in_this_request.insert(file.sha256.clone(), out.len());
        let upload_id =
            match uploads::insert(tx, target, K::KIND, &file.filename, &file.sha256, file.size as i64).await? {
                Some(id) => id,
                None => {
                    out.push(duplicate(tx, kind, target, &file).await?);
                    continue;
                }
            };
        // Stored meanwhile and since deleted, or never prepared: do it now.
        let ready = match ready {
            Some(r) => r,
            None => kind.prepare(&file).await?,
        };
        let s = kind.store(tx, target, upload_id, &file, ready).await?;
        uploads::finish(tx, upload_id, &s.format, &s.figures, &s.warnings).await?;
        let entry = Entry {
            project_id: Some(target.project_id),
            action: "upload.create",
            target: format!("{}: {}", place.label, file.filename),
            detail: Some(format!("{} ({}, sha256 {})", s.audit, K::KIND, file.sha256)),
        };
        audit::record(tx, actor, entry).await?;
        out.push(Outcome {
            upload_id,
            filename: file.filename.clone(),
            duplicate: false,
            answer: s.answer.clone(),
            warnings: s.warnings.clone(),
        });
        stored.push(s);
    }
    if !stored.is_empty() {
        db::jobs::add_uploads(tx, target.job_id, stored.len() as i64).await?;
        let refs: Vec<&Stored<K::Answer>> = stored.iter().collect();
        kind.roll_up(tx, target, &refs).await?;
    }
    Ok(out)
}

async fn duplicate<K: Kind>(tx: &mut Tx, kind: &K, target: Target, file: &Spooled) -> ApiResult<Outcome<K::Answer>> {
    let existing = uploads::find(tx, target.job_id, K::KIND, &file.sha256)
        .await?
        .ok_or_else(|| ApiError::internal(format!("upload of {} vanished while being deduplicated", file.sha256)))?;
    let answer = kind.answer_for(tx, &existing).await?;
    Ok(Outcome {
        upload_id: existing.id,
        filename: file.filename.clone(),
        duplicate: true,
        answer,
        warnings: existing.warnings.0.clone(),
    })
}
