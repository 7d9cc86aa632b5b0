//! Hawk request signing (as Treeherder's clients send it, through
//! `requests-hawk`/`mohawk`), verified with the `hawk` crate, and the
//! sealing of the secrets it needs.
//!
//! Hawk signs with the shared secret itself, so the server must be able to
//! read it back: secrets are stored sealed with AES-256-GCM under the
//! server's [`SealingKey`] (bound to their client id), never in clear.
//! A request is accepted when its MAC (method, host, port, path and query,
//! timestamp, nonce, payload hash) matches, the payload hash it names
//! matches the body, its timestamp is within [`SKEW`] of the server's
//! clock, and its nonce was not seen before for that client (the caller
//! records nonces: see `db::hawk`).

use crate::error::ApiError;
use base64::Engine;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::path::Path;
use std::time::Duration;

/// How far a request's timestamp may be from the server's clock (mohawk's
/// and Treeherder's default).
pub const SKEW: Duration = Duration::from_secs(60);

/// The key that seals stored secrets.
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

impl SealingKey {
    /// A fresh random key.
    pub fn random() -> SealingKey {
        let mut k = [0u8; 32];
        rand::fill(&mut k);
        SealingKey(k)
    }

    fn parse(text: &str, whence: &str) -> Result<SealingKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|e| format!("{whence} is not 64 hex digits: {e}"))?;
        let k: [u8; 32] = bytes.try_into().map_err(|_| format!("{whence} must be 64 hex digits (32 bytes)"))?;
        Ok(SealingKey(k))
    }

    /// The key given (ASSAY_SECRET_KEY), or the data directory's
    /// `secret.key`, made there (readable by its owner only) on first use.
    pub fn load(given: Option<&str>, data_dir: &Path) -> Result<SealingKey, String> {
        if let Some(text) = given.filter(|t| !t.trim().is_empty()) {
            return Self::parse(text, "ASSAY_SECRET_KEY");
        }
        let path = data_dir.join("secret.key");
        let whence = path.display().to_string();
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Self::parse(&text, &whence);
        }
        std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let key = Self::random();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(hex::encode(key.0).as_bytes()).map_err(|e| format!("cannot write {whence}: {e}"))?;
                Ok(key)
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {whence}: {e}"))?;
                Self::parse(&text, &whence)
            }
            Err(e) => Err(format!("cannot create {whence}: {e}")),
        }
    }

    fn cipher(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("a 32-byte AES-256 key"))
    }

    /// `secret` sealed for `id`: base64 of nonce, ciphertext and tag.
    pub fn seal(&self, id: &str, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let mut data = secret.as_bytes().to_vec();
        self.cipher()
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(id.as_bytes()), &mut data)
            .expect("sealing a short secret");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// The secret sealed for `id`, or `None` when it was sealed under
    /// another key (or for another id).
    pub fn open(&self, id: &str, sealed: &str) -> Option<String> {
        let raw = base64::engine::general_purpose::STANDARD.decode(sealed).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let mut data = rest.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self.cipher().open_in_place(nonce, Aad::from(id.as_bytes()), &mut data).ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// A new client secret: 32 random bytes, URL-safe base64.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The request as the client signed it.
pub struct Signed<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub port: u16,
    /// Path and query, as sent.
    pub path: &'a str,
    /// The Content-Type header (parameters are dropped for the payload hash).
    pub content_type: &'a str,
    pub body: &'a [u8],
}

/// What a Hawk Authorization header says, before its MAC is checked.
pub struct Presented {
    pub header: hawk::Header,
    pub id: String,
    pub nonce: String,
    pub ts: i64,
}

fn refused(why: &str) -> ApiError {
    ApiError::Forbidden(format!("Hawk authentication failed: {why}"))
}

/// Parses `Authorization: Hawk id="…", ts="…", nonce="…", hash="…", mac="…"`.
pub fn presented(authorization: Option<&str>) -> Result<Presented, ApiError> {
    let value = authorization.ok_or_else(|| {
        ApiError::Unauthorized(
            "this needs Hawk credentials (Authorization: Hawk …): create them in the project's settings or with \
             `assay hawk create PROJECT`"
                .into(),
        )
    })?;
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("hawk") {
        return Err(ApiError::Unauthorized(format!(
            "this needs Hawk credentials (Authorization: Hawk …), not {scheme}"
        )));
    }
    let header: hawk::Header =
        rest.parse().map_err(|e: hawk::Error| refused(&format!("the Authorization header does not parse: {e}")))?;
    let id = header.id.clone().ok_or_else(|| refused("no id"))?;
    let nonce = header.nonce.clone().ok_or_else(|| refused("no nonce"))?;
    let ts = header
        .ts
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .ok_or_else(|| refused("no timestamp"))?;
    Ok(Presented { header, id, nonce, ts })
}

/// Checks the MAC, the payload hash (when the header names one) and the
/// timestamp against `secret`.
pub fn verify(p: &Presented, secret: &str, req: &Signed) -> Result<(), ApiError> {
    let key = hawk::Key::new(secret.as_bytes(), hawk::SHA256).map_err(|e| ApiError::internal(format!("hawk: {e}")))?;
    let payload_hash = match &p.header.hash {
        Some(_) => {
            let ct = req.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            Some(
                hawk::PayloadHasher::hash(ct.as_bytes(), hawk::SHA256, req.body)
                    .map_err(|e| ApiError::internal(format!("hawk: {e}")))?,
            )
        }
        None => None,
    };
    let request =
        hawk::RequestBuilder::new(req.method, req.host, req.port, req.path).hash(payload_hash.as_deref()).request();
    if request.validate_header(&p.header, &key, SKEW) {
        return Ok(());
    }
    // Say which part failed: the clock is the one a user can fix.
    let now = chrono::Utc::now().timestamp();
    if (now - p.ts).unsigned_abs() > SKEW.as_secs() {
        return Err(refused(&format!(
            "the request's timestamp is {}s from the server's clock (at most {}s allowed)",
            now - p.ts,
            SKEW.as_secs()
        )));
    }
    if payload_hash.is_some() {
        let unhashed = hawk::RequestBuilder::new(req.method, req.host, req.port, req.path).request();
        let mac_ok = unhashed.validate_header(&p.header, &key, SKEW);
        if mac_ok {
            return Err(refused("the payload hash does not match the body"));
        }
    }
    Err(refused("the MAC does not match (wrong secret, or the request was altered)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_id() {
        let k = SealingKey::random();
        let sealed = k.seal("client-a", "s3cret");
        assert!(!sealed.contains("s3cret"));
        assert_eq!(k.open("client-a", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(k.open("client-b", &sealed), None, "bound to its id");
        assert_eq!(SealingKey::random().open("client-a", &sealed), None, "and to its key");
        assert_eq!(k.open("client-a", "not base64!"), None);
    }

    #[test]
    fn keys_load_from_the_environment_or_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let a = SealingKey::load(None, dir.path()).unwrap();
        let b = SealingKey::load(None, dir.path()).unwrap();
        assert_eq!(a.0, b.0, "made once, then read back");
        let given = "11".repeat(32);
        assert_eq!(SealingKey::load(Some(&given), dir.path()).unwrap().0, [0x11; 32]);
        assert!(SealingKey::load(Some("abc"), dir.path()).unwrap_err().contains("64 hex digits"));
    }

    fn signed_header(secret: &str, path: &str, body: &[u8], ts: std::time::SystemTime, nonce: &str) -> String {
        let creds = hawk::Credentials { id: "c1".into(), key: hawk::Key::new(secret, hawk::SHA256).unwrap() };
        let hash = hawk::PayloadHasher::hash("application/json", hawk::SHA256, body).unwrap();
        let req = hawk::RequestBuilder::new("POST", "assay.example", 8080, path).hash(&hash[..]).request();
        let h = req.make_header_full(&creds, ts, nonce).unwrap();
        format!("Hawk {h}")
    }

    #[test]
    fn requests_verify_only_as_signed() {
        let now = std::time::SystemTime::now();
        let body = br#"[{"x": 1}]"#;
        let auth = signed_header("sec", "/treeherder/api/project/p/jobs/", body, now, "n1");
        let req =
            |path, body, ct| Signed { method: "POST", host: "assay.example", port: 8080, path, content_type: ct, body };
        let p = presented(Some(&auth)).unwrap();
        assert_eq!((p.id.as_str(), p.nonce.as_str()), ("c1", "n1"));
        verify(&p, "sec", &req("/treeherder/api/project/p/jobs/", body, "application/json")).unwrap();
        let err = |r| format!("{:?}", verify(&p, "sec", &r).unwrap_err());
        assert!(err(req("/treeherder/api/project/p/jobs/", b"[]", "application/json")).contains("payload hash"));
        assert!(err(req("/treeherder/api/project/q/jobs/", body, "application/json")).contains("MAC"));
        assert!(
            format!("{:?}", verify(&p, "other", &req("/treeherder/api/project/p/jobs/", body, "application/json")))
                .contains("MAC")
        );
        let old = signed_header("sec", "/x", body, now - Duration::from_secs(600), "n2");
        let p = presented(Some(&old)).unwrap();
        assert!(format!("{:?}", verify(&p, "sec", &req("/x", body, "application/json"))).contains("timestamp"));
        assert!(matches!(presented(None), Err(ApiError::Unauthorized(_))));
        assert!(matches!(presented(Some("Bearer x")), Err(ApiError::Unauthorized(_))));
        assert!(matches!(presented(Some("Hawk garbage")), Err(ApiError::Forbidden(_))));
    }
}
