//! Every permission boundary of the REST API and of the UI's server
//! functions: anonymous, viewer, member, project admin, instance admin,
//! revoked token, another project's token, expired session, missing CSRF
//! token. Each refusal gets the right 401/403 and changes nothing. On
//! SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{RawSend, Resp, TestApp};
use leptos::server_fn::ServerFn;
use serde_json::json;
use server::db::tokens::Scope;
use server::service::access::Access;
use server::service::{accounts, admin};
use shared::accounts::Role;

/// A signed-in browser: its cookies and anti-CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

const PASSWORD: &str = "a long enough password";

async fn user(app: &TestApp, name: &str, role: Option<Role>, instance_admin: bool) -> Browser {
    accounts::create_user(&app.db, &Access::system(), name, instance_admin, Some(PASSWORD.into())).await.unwrap();
    if let Some(role) = role {
        admin::set_member(&app.db, &Access::system(), "web", name, role).await.unwrap();
    }
    let signed_in = accounts::login(&app.db, name, PASSWORD, "127.0.0.1", None).await.unwrap();
    let csrf = format!("csrf-of-{}", name.len());
    Browser { cookie: format!("assay_session={}; assay_csrf={csrf}", signed_in.token), csrf }
}

impl Browser {
    fn get(&self, path: &str) -> Request<Body> {
        Request::get(path).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap()
    }

    /// A JSON write with the anti-CSRF header (or without: `csrf` false).
    fn post(&self, path: &str, body: serde_json::Value, csrf: bool) -> Request<Body> {
        let mut r =
            Request::post(path).header(header::COOKIE, &self.cookie).header(header::CONTENT_TYPE, "application/json");
        if csrf {
            r = r.header("x-csrf-token", &self.csrf);
        }
        r.body(Body::from(body.to_string())).unwrap()
    }

    /// A UI server function call, as the hydrated page makes it.
    fn server_fn<S: ServerFn>(&self, form: &[(&str, &str)]) -> Request<Body> {
        let body = form.iter().map(|(k, v)| format!("{k}={}", app::routes::encode(v))).collect::<Vec<_>>().join("&");
        Request::post(S::PATH)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap()
    }
}

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM runs").await,
        app.count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL").await,
        app.count("SELECT COUNT(*) FROM project_members").await,
        app.count("SELECT COUNT(*) FROM audit_log").await,
    )
}

fn run_body(name: &str) -> serde_json::Value {
    json!({ "name": name })
}

async fn rest_writes_follow_roles(app: TestApp) {
    let web_token = app.project("web").await;
    let other_token = app.project("other").await;
    let viewer = user(&app, "vera", Some(Role::Viewer), false).await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let padmin = user(&app, "pat", Some(Role::Admin), false).await;
    let outsider = user(&app, "olga", None, false).await;
    let root = user(&app, "root", None, true).await;
    let read_only = app.token("web", Scope::Read).await;
    let runs = "/api/v1/projects/web/runs";
    let before = counts(&app).await;

    // Refused, and nothing changes.
    app.post_json(runs, None, &run_body("anon")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "signed-in user or a project API token",
    );
    app.send(viewer.post(runs, run_body("v"), true)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "member role",
    );
    app.send(outsider.post(runs, run_body("o"), true)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "member role",
    );
    app.send(member.post(runs, run_body("m"), false)).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "CSRF");
    let mut wrong = member.post(runs, run_body("m"), false);
    wrong.headers_mut().insert("x-csrf-token", "forged".parse().unwrap());
    app.send(wrong).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "CSRF");
    app.post_json(runs, Some(&other_token), &run_body("x")).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "does not belong to project 'web'",
    );
    app.post_json(runs, Some(&read_only), &run_body("x")).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "read-only",
    );
    assert_eq!(counts(&app).await, before, "refused writes change nothing");

    // Allowed: member, project admin, instance admin (with CSRF), write token.
    for (who, name) in [(&member, "by-member"), (&padmin, "by-padmin"), (&root, "by-root")] {
        let r = app.send(who.post(runs, run_body(name), true)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", r.text());
    }
    assert_eq!(app.post_json(runs, Some(&web_token), &run_body("by-token")).await.status, StatusCode::CREATED);

    // The audit log names who did each write.
    let audit: Vec<(String, String, String)> = server::on_db!(&app.db, p => sqlx::query_as(
        "SELECT actor_kind, actor_name, target FROM audit_log WHERE action = 'run.create' ORDER BY id"
    ).fetch_all(p).await)
    .unwrap();
    let names: Vec<&str> = audit.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(&names[..3], ["max", "pat", "root"]);
    assert_eq!(audit[3].0, "token");
    assert!(audit[3].1.starts_with("token assay_"), "{:?}", audit[3]);
}

async fn revoked_tokens_and_expired_sessions_are_refused(app: TestApp) {
    let token = app.project("web").await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let runs = "/api/v1/projects/web/runs";
    let prefix: String = token.chars().take(12).collect();
    admin::revoke_token(&app.db, &Access::system(), "web", admin::TokenRef::Given(&prefix)).await.unwrap();
    let before = counts(&app).await;
    app.post_json(runs, Some(&token), &run_body("x")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not valid",
    );
    // A read with a revoked token is refused too: a bad credential is never anonymous.
    let read = Request::get(runs).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    app.send(read).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "not valid");

    server::on_db!(&app.db, p => sqlx::query("UPDATE sessions SET expires_at = $1").bind(chrono::Utc::now() - chrono::Duration::hours(1)).execute(p).await.map(|_| ())).unwrap();
    app.send(member.post(runs, run_body("late"), true)).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "session has ended",
    );
    assert_eq!(counts(&app).await, before);
    // Reading still works while anonymous reads are on: the visitor is anonymous.
    assert_eq!(app.send(member.get(runs)).await.status, StatusCode::OK);
}

async fn tokens_are_revoked_by_secret_prefix_or_name(app: TestApp) {
    let runs = "/api/v1/projects/web/runs";
    let first = app.project("web").await;
    let second = app.token("web", server::db::tokens::Scope::Write).await;
    let other_project = app.project("other").await;
    let revoke = |given: String| {
        let db = app.db.clone();
        async move { admin::revoke_token(&db, &Access::system(), "web", admin::TokenRef::Given(&given)).await }
    };
    // Both are named "test": the name alone is ambiguous and revokes nothing.
    let err = revoke("test".into()).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::CONFLICT, "{err}");
    assert!(err.to_string().contains("2 live tokens are named 'test'"), "{err}");
    assert!(app.post_json(runs, Some(&first), &run_body("a")).await.status.is_success());
    // The full secret, as found in a CI log, matched by its hash.
    revoke(format!("  {first}\n")).await.unwrap();
    app.post_json(runs, Some(&first), &run_body("b")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not valid",
    );
    assert!(app.post_json(runs, Some(&second), &run_body("c")).await.status.is_success(), "the other token lives");
    // Another project's secret is not this project's to revoke.
    let err = revoke(other_project.clone()).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::NOT_FOUND, "{err}");
    // The prefix as displayed, with its ellipsis.
    let prefix: String = second.chars().take(12).collect();
    revoke(format!("{prefix}…")).await.unwrap();
    app.post_json(runs, Some(&second), &run_body("d")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not valid",
    );
    // Now one live token is named "test" in "other": the name suffices.
    admin::revoke_token(&app.db, &Access::system(), "other", admin::TokenRef::Given("test")).await.unwrap();
    let tokens: i64 = app.count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL").await;
    assert_eq!(tokens, 0);
    let revocations = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke'").await;
    assert_eq!(revocations, 3);
}

async fn reads_follow_the_anonymous_read_setting(app: TestApp) {
    let token = app.project("web").await;
    app.project("secret").await;
    let viewer = user(&app, "vera", Some(Role::Viewer), false).await;
    let outsider = user(&app, "olga", None, false).await;
    let runs = "/api/v1/projects/web/runs";
    assert_eq!(app.get(runs).await.status, StatusCode::OK, "anonymous reads are on by default");
    admin::save_settings(&app.db, &Access::system(), &shared::accounts::InstanceSettings { anonymous_read: false })
        .await
        .unwrap();
    app.get(runs).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "sign in");
    app.get("/api/v1/projects").await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "sign in");
    assert_eq!(app.send(viewer.get(runs)).await.status, StatusCode::OK);
    app.send(outsider.get(runs)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "not a member of project 'web'",
    );
    let with_token =
        Request::get(runs).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    assert_eq!(app.send(with_token).await.status, StatusCode::OK);
    let other = Request::get("/api/v1/projects/secret/runs")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.send(other).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "does not belong to project 'secret'");
    // The viewer's project list holds only their project.
    let listed: Vec<serde_json::Value> = app.send(viewer.get("/api/v1/projects")).await.json();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["slug"], "web");
    // And the UI refuses an outsider too.
    assert_eq!(app.send(outsider.get("/projects/web")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/projects/web").await.status, StatusCode::UNAUTHORIZED);
}

async fn ui_server_functions_check_roles_and_csrf(app: TestApp) {
    app.project("web").await;
    let viewer = user(&app, "vera", Some(Role::Viewer), false).await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let padmin = user(&app, "pat", Some(Role::Admin), false).await;
    let root = user(&app, "root", None, true).await;
    let create_token = |b: &Browser, csrf: &str| {
        b.server_fn::<app::api::CreateToken>(&[("csrf", csrf), ("project", "web"), ("name", "ui")])
    };
    let before = counts(&app).await;
    for b in [&viewer, &member] {
        let r: Resp = app.send(create_token(b, &b.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
    let r = app.send(create_token(&padmin, "forged")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("CSRF"), "{}", r.text());
    let anonymous = Request::post(app::api::CreateToken::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "assay_csrf=abc")
        .body(Body::from("csrf=abc&project=web&name=x"))
        .unwrap();
    assert_eq!(app.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
    let users =
        app.send(member.server_fn::<app::api::CreateUser>(&[("csrf", &member.csrf), ("username", "eve")])).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN, "{}", users.text());
    let settings = app.send(padmin.server_fn::<app::api::SaveSettings>(&[("csrf", &padmin.csrf)])).await;
    assert_eq!(settings.status, StatusCode::FORBIDDEN, "only instance admins change settings");
    assert_eq!(counts(&app).await, before, "refused calls change nothing");

    let ok = app.send(create_token(&padmin, &padmin.csrf)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let created: serde_json::Value = ok.json();
    assert!(created["token"].as_str().unwrap().starts_with("assay_"));
    let ok = app
        .send(root.server_fn::<app::api::SetMember>(&[
            ("csrf", &root.csrf),
            ("project", "web"),
            ("username", "vera"),
            ("role", "member"),
        ]))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM project_members WHERE role = 'member'").await, 2);
    let audit = app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('token.create', 'member.set')").await;
    assert!(audit >= 2);
}

async fn sign_in_is_rate_limited_and_says_nothing_about_usernames(app: TestApp) {
    accounts::create_user(&app.db, &Access::system(), "ann", false, Some(PASSWORD.into())).await.unwrap();
    let wrong = accounts::login(&app.db, "ann", "nope", "10.0.0.1", None).await.err().unwrap();
    let unknown = accounts::login(&app.db, "nobody", "nope", "10.0.0.1", None).await.err().unwrap();
    assert_eq!(wrong.to_string(), unknown.to_string());
    for _ in 0..accounts::MAX_FAILURES_PER_USER_AND_IP {
        let _ = accounts::login(&app.db, "ann", "nope", "10.0.0.2", None).await;
    }
    let limited = accounts::login(&app.db, "ANN", PASSWORD, "10.0.0.2", None).await.err().unwrap();
    assert!(limited.to_string().contains("too many failed sign-ins"), "{limited}");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    // Ann herself, elsewhere, and other users are not locked out.
    assert!(accounts::login(&app.db, "ann", PASSWORD, "10.0.0.3", None).await.is_ok());
    accounts::create_user(&app.db, &Access::system(), "bob", false, Some(PASSWORD.into())).await.unwrap();
    assert!(accounts::login(&app.db, "bob", PASSWORD, "10.0.0.2", None).await.is_ok());
    // One address trying many usernames is stopped…
    for i in 0..accounts::MAX_FAILURES_PER_IP {
        let _ = accounts::login(&app.db, &format!("guess{i}"), "nope", "10.0.0.4", None).await;
    }
    let sprayer = accounts::login(&app.db, "bob", PASSWORD, "10.0.0.4", None).await.err().unwrap();
    assert_eq!(sprayer.status(), StatusCode::TOO_MANY_REQUESTS);
    // …and so is guessing one password from many addresses.
    for _ in 0..accounts::MAX_FAILURES_PER_USER {
        server::db::sessions::record_attempt(&app.db, &accounts::user_key("Bob"), false).await.unwrap();
    }
    let spread = accounts::login(&app.db, "bob", PASSWORD, "10.0.0.5", None).await.err().unwrap();
    assert_eq!(spread.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn sessions_cookies_and_sign_out(app: TestApp) {
    accounts::create_user(&app.db, &Access::system(), "ann", false, Some(PASSWORD.into())).await.unwrap();
    // The login server function: CSRF first, then a session cookie.
    let form = format!("csrf=t0k&username=ann&password={}", app::routes::encode(PASSWORD));
    let no_csrf = Request::post(app::api::Login::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.clone()))
        .unwrap();
    assert_eq!(app.send(no_csrf).await.status, StatusCode::FORBIDDEN);
    let login = Request::post(app::api::Login::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "assay_csrf=t0k")
        .header("x-forwarded-proto", "https")
        .body(Body::from(form))
        .unwrap();
    let res = app.router.clone().oneshot_raw(login).await;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("assay_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"), "{cookie}");
    let token = cookie.trim_start_matches("assay_session=").split(';').next().unwrap().to_owned();
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'session.login'").await == 1);
    // Signing out revokes the session on the server.
    let logout = Request::post(app::api::Logout::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("assay_session={token}; assay_csrf=t0k"))
        .body(Body::from("csrf=t0k"))
        .unwrap();
    let res = app.send(logout).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{}", res.status);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'session.logout'").await, 1);
    let stored: String =
        server::on_db!(&app.db, p => sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_one(p).await).unwrap();
    assert_ne!(stored, token, "only the hash of the session token is stored");
}

async fn archiving_renaming_and_the_audit_log(app: TestApp) {
    let token = app.project("web").await;
    let padmin = user(&app, "pat", Some(Role::Admin), false).await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let rename =
        padmin.server_fn::<app::api::RenameProject>(&[("csrf", &padmin.csrf), ("project", "web"), ("name", "Web app")]);
    assert_eq!(app.send(rename).await.status, StatusCode::OK);
    let p: serde_json::Value = app.get("/api/v1/projects/web").await.json();
    assert_eq!(p["name"], "Web app");
    let archive = |b: &Browser, on: &str| {
        b.server_fn::<app::api::ArchiveProject>(&[("csrf", &b.csrf), ("project", "web"), ("archived", on)])
    };
    assert_eq!(app.send(archive(&member, "true")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(archive(&padmin, "true")).await.status, StatusCode::OK);
    let runs = "/api/v1/projects/web/runs";
    app.post_json(runs, Some(&token), &run_body("late")).await.assert_error(
        StatusCode::CONFLICT,
        "conflict",
        "archived",
    );
    assert_eq!(app.get(runs).await.status, StatusCode::OK, "archived projects stay readable");
    assert_eq!(app.send(archive(&padmin, "false")).await.status, StatusCode::OK);
    assert_eq!(app.post_json(runs, Some(&token), &run_body("again")).await.status, StatusCode::CREATED);
    // Repeating a create logs only when it fills something in.
    let repeat = app.post_json(runs, Some(&token), &run_body("again")).await;
    assert_eq!(repeat.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'run.update'").await, 0);
    let filled = json!({"name": "again", "author": "ada"});
    assert_eq!(app.post_json(runs, Some(&token), &filled).await.status, StatusCode::OK);

    // The project's log is for its admins; the whole log for instance admins.
    let project_log = |b: &Browser| b.server_fn::<app::api::ListAudit>(&[("project", "web")]);
    let r = app.send(project_log(&padmin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let log: serde_json::Value = r.json();
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["project.rename", "project.archive", "project.unarchive", "run.create", "run.update"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert_eq!(app.send(project_log(&member)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(padmin.server_fn::<app::api::ListAudit>(&[])).await.status, StatusCode::FORBIDDEN);
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    app.project("web").await;
    let ann = user(&app, "ann", None, false).await;
    let elsewhere = accounts::login(&app.db, "ann", PASSWORD, "10.0.0.9", None).await.unwrap();
    let change = |csrf: &str, current: &str, new: &str, repeat: &str| {
        ann.server_fn::<app::api::ChangePassword>(&[
            ("csrf", csrf),
            ("current", current),
            ("new", new),
            ("repeat", repeat),
        ])
    };
    let new = "another long password";
    let refused = [
        (change("forged", PASSWORD, new, new), StatusCode::FORBIDDEN, "CSRF"),
        (change(&ann.csrf, "not my password", new, new), StatusCode::BAD_REQUEST, "current password is wrong"),
        (change(&ann.csrf, PASSWORD, new, "typo"), StatusCode::BAD_REQUEST, "differ"),
        (change(&ann.csrf, PASSWORD, "short", "short"), StatusCode::BAD_REQUEST, "at least 10 characters"),
        (change(&ann.csrf, PASSWORD, PASSWORD, PASSWORD), StatusCode::BAD_REQUEST, "must differ"),
    ];
    for (request, status, says) in refused {
        let r = app.send(request).await;
        assert_eq!(r.status, status, "{}", r.text());
        assert!(r.text().contains(says), "{says:?} not in {}", r.text());
    }
    assert!(accounts::login(&app.db, "ann", PASSWORD, "10.0.0.1", None).await.is_ok(), "nothing changed yet");

    let r = app.send(change(&ann.csrf, PASSWORD, new, new)).await;
    assert!(r.status.is_success() || r.status.is_redirection(), "{} {}", r.status, r.text());
    assert!(accounts::login(&app.db, "ann", PASSWORD, "10.0.0.1", None).await.is_err());
    assert!(accounts::login(&app.db, "ann", new, "10.0.0.1", None).await.is_ok());
    // The session that changed it stays; the others are signed out.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await,
        2,
        "this one and the sign-in after the change"
    );
    let stale = Browser { cookie: format!("assay_session={}; assay_csrf=x", elsewhere.token), csrf: "x".into() };
    let again = "a third long password";
    let form = [("csrf", "x"), ("current", new), ("new", again), ("repeat", again)];
    let r = app.send(stale.server_fn::<app::api::ChangePassword>(&form)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
}

async fn a_handed_out_password_grants_nothing_until_replaced(app: TestApp) {
    app.project("web").await;
    let made = accounts::create_user(&app.db, &Access::system(), "nina", true, None).await.unwrap();
    admin::set_member(&app.db, &Access::system(), "web", "nina", Role::Admin).await.unwrap();
    let signed_in = accounts::login(&app.db, "nina", &made.password, "127.0.0.1", None).await.unwrap();
    assert!(signed_in.user.must_change_password);
    let nina = Browser { cookie: format!("assay_session={}; assay_csrf=c", signed_in.token), csrf: "c".into() };
    let runs = "/api/v1/projects/web/runs";
    app.send(nina.post(runs, run_body("r1"), true)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "choose your own password first",
    );
    let users = app.send(nina.server_fn::<app::api::CreateUser>(&[("csrf", "c"), ("username", "eve")])).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN, "{}", users.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM runs").await + app.count("SELECT COUNT(*) FROM users").await, 1);

    let new = "nina's own password";
    let form = [("csrf", "c"), ("current", made.password.as_str()), ("new", new), ("repeat", new)];
    let r = app.send(nina.server_fn::<app::api::ChangePassword>(&form)).await;
    assert!(r.status.is_success() || r.status.is_redirection(), "{} {}", r.status, r.text());
    assert_eq!(app.send(nina.post(runs, run_body("r1"), true)).await.status, StatusCode::CREATED);
}

/// A member's session upload: multipart with the cookie, and the anti-CSRF
/// header unless `csrf` is false.
fn session_upload(b: &Browser, path: &str, csrf: bool) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::COOKIE, &b.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={}", common::BOUNDARY));
    if csrf {
        r = r.header("x-csrf-token", &b.csrf);
    }
    r.body(Body::from(common::multipart(&[("r.xml", REPORT.as_bytes().to_vec())]))).unwrap()
}

const REPORT: &str =
    r#"<testsuite name="s"><testcase name="a"/><testcase name="b"><failure message="no"/></testcase></testsuite>"#;

async fn uploads_and_job_updates_follow_roles(app: TestApp) {
    let web_token = app.project("web").await;
    let other_token = app.project("other").await;
    let read_only = app.token("web", Scope::Read).await;
    let viewer = user(&app, "vera", Some(Role::Viewer), false).await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let job = app.run_and_job(&web_token, "web", "r1", Some("main"), "linux").await;
    let results = format!("{job}/test-results");
    let file = [("r.xml", REPORT.as_bytes().to_vec())];
    let done = json!({"state": "completed"});
    let before = (counts(&app).await, app.count("SELECT COUNT(*) FROM uploads").await);

    for (token, says) in [(&read_only, "read-only"), (&other_token, "does not belong to project 'web'")] {
        app.upload(&results, Some(token), &file).await.assert_error(StatusCode::FORBIDDEN, "forbidden", says);
        app.patch_json(&job, Some(token), &done).await.assert_error(StatusCode::FORBIDDEN, "forbidden", says);
    }
    app.send(session_upload(&viewer, &results, true)).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "member role",
    );
    let mut patch = viewer.post(&job, done.clone(), true);
    *patch.method_mut() = axum::http::Method::PATCH;
    app.send(patch).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "member role");
    app.send(session_upload(&member, &results, false)).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "CSRF");
    let mut patch = member.post(&job, done.clone(), false);
    *patch.method_mut() = axum::http::Method::PATCH;
    app.send(patch).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "CSRF");
    assert_eq!((counts(&app).await, app.count("SELECT COUNT(*) FROM uploads").await), before);
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE state = 'completed'").await, 0);

    let r = app.send(session_upload(&member, &results, true)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json::<serde_json::Value>()["failed"], 1);
    let mut patch = member.post(&job, done.clone(), true);
    *patch.method_mut() = axum::http::Method::PATCH;
    assert_eq!(app.send(patch).await.status, StatusCode::OK);
    let logged = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action IN ('upload.create', 'job.update') AND actor_name = 'max'")
        .await;
    assert_eq!(logged, 2);
}

async fn user_member_and_token_management_checks_roles(app: TestApp) {
    app.project("web").await;
    let member = user(&app, "max", Some(Role::Member), false).await;
    let padmin = user(&app, "pat", Some(Role::Admin), false).await;
    let root = user(&app, "root", None, true).await;
    let id_of = |name: &'static str| {
        let db = app.db.clone();
        async move {
            server::on_db!(&db, p => sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = $1").bind(name).fetch_one(p).await).unwrap()
        }
    };
    let (max_id, root_id) = (id_of("max").await.to_string(), id_of("root").await.to_string());
    let token_id = {
        admin::create_token(&app.db, &Access::system(), "web", "ci", Scope::Write).await.unwrap();
        let id: i64 =
            server::on_db!(&app.db, p => sqlx::query_scalar("SELECT MAX(id) FROM api_tokens").fetch_one(p).await)
                .unwrap();
        id.to_string()
    };
    let before = counts(&app).await;

    // Instance-wide: only instance admins; project admins are not.
    let r = app
        .send(padmin.server_fn::<app::api::SetUserAdmin>(&[
            ("csrf", &padmin.csrf),
            ("user_id", &max_id),
            ("admin", "true"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .send(padmin.server_fn::<app::api::SetUserDisabled>(&[
            ("csrf", &padmin.csrf),
            ("user_id", &max_id),
            ("disabled", "true"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .send(padmin.server_fn::<app::api::CreateProject>(&[("csrf", &padmin.csrf), ("slug", "new"), ("name", "New")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // In the project: members may not manage it.
    let r = app
        .send(member.server_fn::<app::api::RemoveMember>(&[
            ("csrf", &member.csrf),
            ("project", "web"),
            ("user_id", &max_id),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .send(member.server_fn::<app::api::RevokeToken>(&[
            ("csrf", &member.csrf),
            ("project", "web"),
            ("token_id", &token_id),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .send(member.server_fn::<app::api::SetMember>(&[
            ("csrf", &member.csrf),
            ("project", "web"),
            ("username", "max"),
            ("role", "admin"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no promoting oneself: {}", r.text());
    let r = app
        .send(member.server_fn::<app::api::RenameProject>(&[
            ("csrf", &member.csrf),
            ("project", "web"),
            ("name", "Mine"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // A forged anti-CSRF token stops even an admin.
    let r = app
        .send(root.server_fn::<app::api::RevokeToken>(&[
            ("csrf", "forged"),
            ("project", "web"),
            ("token_id", &token_id),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app.send(root.server_fn::<app::api::Logout>(&[("csrf", "forged")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // The last instance admin stays one.
    let r = app
        .send(root.server_fn::<app::api::SetUserAdmin>(&[
            ("csrf", &root.csrf),
            ("user_id", &root_id),
            ("admin", "false"),
        ]))
        .await;
    // A conflict with what is stored: the UI answers it as the API does, 409.
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("at least one instance admin"), "{}", r.text());
    assert_eq!(counts(&app).await, before, "refused calls change nothing");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 3);

    // A project admin revokes a token by name from the settings page's field.
    let named = admin::create_token(&app.db, &Access::system(), "web", "by-name", Scope::Write).await.unwrap();
    let r = app
        .send(padmin.server_fn::<app::api::RevokeToken>(&[
            ("csrf", &padmin.csrf),
            ("project", "web"),
            ("token", "by-name"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.post_json("/api/v1/projects/web/runs", Some(&named.token), &run_body("x")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "not valid",
    );

    // Allowed: the project admin revokes, the instance admin disables max,
    // whose sessions end at once.
    let r = app
        .send(padmin.server_fn::<app::api::RevokeToken>(&[
            ("csrf", &padmin.csrf),
            ("project", "web"),
            ("token_id", &token_id),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .send(root.server_fn::<app::api::SetUserDisabled>(&[
            ("csrf", &root.csrf),
            ("user_id", &max_id),
            ("disabled", "true"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.send(member.post("/api/v1/projects/web/runs", run_body("late"), true)).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "session has ended",
    );
    assert!(
        accounts::login(&app.db, "max", PASSWORD, "10.1.1.1", None).await.is_err(),
        "disabled users cannot sign in"
    );
}

both_backends! {
    uploads_and_job_updates_follow_roles => uploads_and_job_updates_follow_roles;
    user_member_and_token_management_checks_roles => user_member_and_token_management_checks_roles;
    a_handed_out_password_grants_nothing_until_replaced => a_handed_out_password_grants_nothing_until_replaced;
    changing_the_password_needs_the_current_one_and_ends_other_sessions => changing_the_password_needs_the_current_one_and_ends_other_sessions;
    archiving_renaming_and_the_audit_log => archiving_renaming_and_the_audit_log;
    rest_writes_follow_roles => rest_writes_follow_roles;
    revoked_tokens_and_expired_sessions_are_refused => revoked_tokens_and_expired_sessions_are_refused;
    tokens_are_revoked_by_secret_prefix_or_name => tokens_are_revoked_by_secret_prefix_or_name;
    reads_follow_the_anonymous_read_setting => reads_follow_the_anonymous_read_setting;
    ui_server_functions_check_roles_and_csrf => ui_server_functions_check_roles_and_csrf;
    sign_in_is_rate_limited_and_says_nothing_about_usernames => sign_in_is_rate_limited_and_says_nothing_about_usernames;
    sessions_cookies_and_sign_out => sessions_cookies_and_sign_out;
}
