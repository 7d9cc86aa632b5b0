//! Test harness: the real router on a real database, SQLite in a temporary
//! directory or a fresh PostgreSQL database per test.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use server::config::Config;
use server::db::Db;
use server::service::access::Access;
use server::state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

pub const BOUNDARY: &str = "assay-test-boundary-7MA4YWxkTrZu0gW";

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub blobs: server::blobs::Blobs,
    pub config: Arc<Config>,
    pub dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's blobs go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// A directory of the test's own.
    Files,
    /// A bucket of the test's own on the S3-compatible server that
    /// `scripts/test.sh` starts (`moto_server`), named by
    /// `ASSAY_TEST_S3_ENDPOINT`.
    S3,
}

/// The S3-compatible server the tests use.
pub fn s3_endpoint() -> String {
    std::env::var("ASSAY_TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "the object-store tests need an S3-compatible server: run scripts/test.sh, which starts one, \
             or start `moto_server -p 5055` (pip install 'moto[server]') and set \
             ASSAY_TEST_S3_ENDPOINT=http://127.0.0.1:5055"
        )
    })
}

/// A new, empty bucket on the test S3 server, and a store on it.
pub async fn s3_store() -> (server::blobs::Blobs, String) {
    let endpoint = s3_endpoint();
    let bucket =
        format!("assay-test-{}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), rand_suffix());
    let res = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("the test S3 server at {endpoint} does not answer: {e}"));
    assert!(res.status().is_success(), "creating bucket {bucket}: {}", res.status());
    let blobs =
        server::blobs::Blobs::open_with(&format!("s3://{bucket}/blobs"), s3_options(&endpoint)).expect("S3 store");
    (blobs, bucket)
}

/// Settings for the test S3 server (which checks no credentials).
pub fn s3_options(endpoint: &str) -> Vec<(String, String)> {
    [
        ("aws_endpoint", endpoint),
        ("aws_allow_http", "true"),
        ("aws_access_key_id", "test"),
        ("aws_secret_access_key", "test"),
        ("aws_region", "us-east-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The shared conformance corpus beside the repository.
pub fn corpus(rel: &str) -> PathBuf {
    let base = std::env::var("ASSAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    base.join("test-reports").join(rel)
}

pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("TEST_DATABASE_URL has a database path");
    format!("{base}/{db}")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::with_config(backend, |_| {}).await
    }

    pub async fn with_store(backend: Backend, store: Store) -> TestApp {
        Self::build(backend, store, |_| {}).await
    }

    pub async fn with_config(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::build(backend, Store::Files, tweak).await
    }

    pub async fn with_store_and_config(backend: Backend, store: Store, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::build(backend, store, tweak).await
    }

    async fn build(backend: Backend, store: Store, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, pg_database) = match backend {
            Backend::Sqlite => (Db::connect(None, dir.path()).await.expect("sqlite"), None),
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let name = format!(
                    "assay_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand_suffix()
                );
                let admin = Db::connect_postgres(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL must be reachable at {admin_url} (set TEST_DATABASE_URL): {e}")
                });
                let Db::Postgres(pool) = &admin else { unreachable!() };
                sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(pool).await.expect("create test database");
                admin.close().await;
                let db = Db::connect_postgres(&with_database(&admin_url, &name)).await.expect("connect test database");
                (db, Some((admin_url, name)))
            }
        };
        db.migrate().await.expect("migrations");
        let mut config = Config::for_tests(dir.path().join("tmp"));
        tweak(&mut config);
        let site = dir.path().join("site");
        let blobs = match store {
            Store::Files => server::blobs::Blobs::local(&dir.path().join("blobs")).expect("blob directory"),
            Store::S3 => s3_store().await.0,
        };
        let config = Arc::new(config);
        let state = AppState {
            db: db.clone(),
            blobs: blobs.clone(),
            config: config.clone(),
            leptos_options: server::web::leptos_options(&site, "127.0.0.1:0".parse().unwrap()),
        };
        TestApp { router: server::app(state), db, blobs, config, dir, pg_database }
    }

    pub async fn project(&self, slug: &str) -> String {
        server::service::write::create_project(&self.db, &Access::system(), slug, None).await.expect("project");
        self.token(slug, server::db::tokens::Scope::Write).await
    }

    pub async fn token(&self, slug: &str, scope: server::db::tokens::Scope) -> String {
        server::service::admin::create_token(&self.db, &Access::system(), slug, "test", scope)
            .await
            .expect("token")
            .token
    }

    /// Hawk credentials of a project: (client id, secret).
    pub async fn hawk(&self, slug: &str) -> (String, String) {
        let c = server::service::hawk::create(&self.db, &Access::system(), &self.config.sealing_key, slug, None)
            .await
            .expect("hawk credentials");
        (c.client_id, c.secret)
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let content_type =
            res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, body, content_type, headers }
    }

    /// Sends multipart/form-data made of `parts`.
    pub async fn upload_parts(&self, path: &str, token: Option<&str>, parts: &[Part<'_>]) -> Resp {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(multipart_parts(parts))).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn post_json<T: Serialize>(&self, path: &str, token: Option<&str>, body: &T) -> Resp {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(serde_json::to_vec(body).unwrap())).unwrap()).await
    }

    pub async fn patch_json<T: Serialize>(&self, path: &str, token: Option<&str>, body: &T) -> Resp {
        let mut req = Request::patch(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(serde_json::to_vec(body).unwrap())).unwrap()).await
    }

    /// Uploads files (name, bytes) as multipart/form-data.
    pub async fn upload(&self, path: &str, token: Option<&str>, files: &[(&str, Vec<u8>)]) -> Resp {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(multipart(files))).unwrap()).await
    }

    /// Creates run `run` (on `branch`) and job `job`, returns the job's URL path.
    pub async fn run_and_job(&self, token: &str, project: &str, run: &str, branch: Option<&str>, job: &str) -> String {
        let r = self
            .post_json(
                &format!("/api/v1/projects/{project}/runs"),
                Some(token),
                &serde_json::json!({"name": run, "branch": branch, "revision": format!("rev-{run}")}),
            )
            .await;
        assert!(r.status.is_success(), "create run: {} {}", r.status, r.text());
        let run_path = format!("/api/v1/projects/{project}/runs/{}", enc(run));
        let j = self.post_json(&format!("{run_path}/jobs"), Some(token), &serde_json::json!({"key": job})).await;
        assert!(j.status.is_success(), "create job: {} {}", j.status, j.text());
        format!("{run_path}/jobs/{}", enc(job))
    }

    pub async fn count(&self, sql: &str) -> i64 {
        server::on_db!(&self.db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).expect("count query")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_database.take() {
            let db = self.db.clone();
            // Dropping needs async work; run it to completion on its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    db.close().await;
                    if let Ok(Db::Postgres(admin)) = Db::connect_postgres(&admin_url).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&admin)
                            .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
}

/// Percent-encodes a path segment.
pub use app::routes::encode as enc;

pub fn multipart(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// One part of a multipart body.
pub enum Part<'a> {
    File { filename: &'a str, content_type: Option<&'a str>, bytes: Vec<u8> },
    Field { name: &'a str, value: String },
}

pub fn multipart_parts(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        match part {
            Part::File { filename, content_type, bytes } => {
                body.extend_from_slice(
                    format!(
                        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                    )
                    .as_bytes(),
                );
                if let Some(ct) = content_type {
                    body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
                }
                body.extend_from_slice(b"\r\n");
                body.extend_from_slice(bytes);
            }
            Part::Field { name, value } => {
                body.extend_from_slice(
                    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `oneshot` for tests that need the raw response (headers).
pub trait RawSend {
    fn oneshot_raw(self, req: Request<Body>) -> impl std::future::Future<Output = axum::response::Response> + Send;
}

impl RawSend for Router {
    async fn oneshot_raw(self, req: Request<Body>) -> axum::response::Response {
        self.oneshot(req).await.expect("router answers")
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
}

impl Resp {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.text()))
    }

    pub fn value(&self) -> serde_json::Value {
        self.json()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A response header, as text ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    }

    /// Asserts an error answer: status, JSON `{error, detail}`, and a detail
    /// containing `needle`.
    pub fn assert_error(&self, status: StatusCode, code: &str, needle: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.value();
        assert_eq!(v["error"], code, "{}", self.text());
        let detail = v["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(needle), "detail {detail:?} should contain {needle:?}");
    }
}

/// Runs a test body, failing it (with a clear message) if it has not
/// finished in five minutes, so a hang names its test instead of stalling
/// the whole suite.
pub async fn within_limit(body: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(std::time::Duration::from_secs(300), body).await.is_err() {
        panic!("this test hung: still unfinished after five minutes");
    }
}

/// Declares `#[tokio::test]`s running `$body(app)` on SQLite and on
/// PostgreSQL, each with blobs in a directory and on the S3 server.
#[macro_export]
macro_rules! every_store {
    ($($name:ident => $body:ident;)+) => {
        mod every_store {
            $crate::every_store!(@one sqlite_files, Sqlite, Files, $($name => $body;)+);
            $crate::every_store!(@one postgres_files, Postgres, Files, $($name => $body;)+);
            $crate::every_store!(@one sqlite_s3, Sqlite, S3, $($name => $body;)+);
            $crate::every_store!(@one postgres_s3, Postgres, S3, $($name => $body;)+);
        }
    };
    (@one $module:ident, $backend:ident, $store:ident, $($name:ident => $body:ident;)+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::within_limit(async {
                        let app = $crate::common::TestApp::with_store(
                            $crate::common::Backend::$backend,
                            $crate::common::Store::$store,
                        )
                        .await;
                        super::super::$body(app).await;
                    })
                    .await;
                }
            )+
        }
    };
}

/// Declares `#[tokio::test]`s running `$body(app)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident => $body:ident;)+) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::within_limit(async {
                        super::$body($crate::common::TestApp::new($crate::common::Backend::Sqlite).await).await;
                    })
                    .await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::within_limit(async {
                        super::$body($crate::common::TestApp::new($crate::common::Backend::Postgres).await).await;
                    })
                    .await;
                }
            )+
        }
    };
}

/// Signs in a new user who is an admin of `project`: the returned
/// function adds their session cookie and CSRF header to a request.
pub async fn as_project_admin(
    app: &TestApp,
    project: &str,
) -> impl Fn(axum::http::request::Builder) -> axum::http::request::Builder {
    use server::service::access::Access;
    let password = "a long enough password";
    server::service::accounts::create_user(&app.db, &Access::system(), "padmin", false, Some(password.into()))
        .await
        .unwrap();
    server::service::admin::set_member(&app.db, &Access::system(), project, "padmin", shared::accounts::Role::Admin)
        .await
        .unwrap();
    let signed_in = server::service::accounts::login(&app.db, "padmin", password, "127.0.0.1", None).await.unwrap();
    let cookie = format!("assay_session={}; assay_csrf=c5rf", signed_in.token);
    move |r: axum::http::request::Builder| r.header("cookie", cookie.clone()).header("x-csrf-token", "c5rf")
}

/// A PUT of a JSON body with the given credentials.
pub async fn put_json(
    app: &TestApp,
    path: &str,
    auth: impl Fn(axum::http::request::Builder) -> axum::http::request::Builder,
    body: &serde_json::Value,
) -> Resp {
    let req = auth(axum::http::Request::put(path).header("content-type", "application/json"));
    app.send(req.body(axum::body::Body::from(body.to_string())).unwrap()).await
}
