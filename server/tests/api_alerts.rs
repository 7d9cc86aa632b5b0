//! Regression alerts end to end through the API, on SQLite and PostgreSQL:
//! uploads queue their series, detection writes one alert per level shift
//! at the run it began (never again on later runs), a lone outlier, noise
//! and a short series do not alert, alerts of one run share a summary, and
//! triage is recorded with who did it and counted in the precision.

mod common;

use axum::http::StatusCode;
use common::{TestApp, as_project_admin, put_json};
use serde_json::{Value, json};
use server::service::alerts::analyse_pending;

/// Deterministic noise in [-1, 1].
fn noise(i: usize, seed: u64) -> f64 {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x % 2001) as f64 / 1000.0 - 1.0
}

/// Uploads run `r{i}`'s job `bench` with tests (name, value), each value
/// with 5 samples around it.
async fn upload_run(app: &TestApp, token: &str, i: usize, tests: &[(&str, f64)]) {
    let job = app.run_and_job(token, "bench", &format!("r{i:03}"), Some("main"), "bench").await;
    let tests: Vec<Value> = tests
        .iter()
        .map(|(name, v)| {
            let samples: Vec<f64> = (0..5).map(|k| v * (1.0 + 0.002 * noise(k + i * 7, 3))).collect();
            json!({"name": name, "metrics": [{"name": "time", "unit": "ms", "samples": samples}]})
        })
        .collect();
    let body = serde_json::to_vec(&json!({"format": "assay-perf/1", "tests": tests})).unwrap();
    let res = app.upload(&format!("{job}/perf-results"), Some(token), &[("perf.json", body)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

async fn one_alert_per_shift(app: TestApp) {
    let token = app.project("bench").await;
    for i in 0..40 {
        let level = |base: f64| base * (1.0 + 0.01 * noise(i, 11));
        let step = if i >= 20 { 1.25 } else { 1.0 };
        let spike = if i == 10 { 1.8 } else { 1.0 };
        let faster = if i >= 25 { 0.8 } else { 1.0 };
        upload_run(
            &app,
            &token,
            i,
            &[
                ("parse", level(100.0) * step),
                ("noise", level(50.0)),
                ("spike", level(80.0) * spike),
                ("render", level(40.0) * faster),
            ],
        )
        .await;
        // Detection after every run, as the server's worker does: a change
        // found again on a later run must not alert twice.
        analyse_pending(&app.db).await.expect("detection");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_pending").await, 0, "the queue is drained");
    let list = app.get("/api/v1/projects/bench/alerts").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let list = list.value();
    let alerts = list["alerts"].as_array().unwrap();
    let of = |test: &str| alerts.iter().filter(|a| a["series"]["test"] == test).cloned().collect::<Vec<_>>();
    let parse = of("parse");
    assert_eq!(parse.len(), 1, "one alert for one shift: {parse:#?}");
    let p = &parse[0];
    assert_eq!(p["direction"], "regression");
    assert_eq!((p["first_bad"]["run"].as_str(), p["last_good"]["run"].as_str()), (Some("r020"), Some("r019")));
    assert!((p["magnitude_pct"].as_f64().unwrap() - 25.0).abs() < 3.0, "{p}");
    assert!(p["confidence"].as_f64().unwrap() > 0.99);
    assert_eq!(p["status"], "untriaged");
    // Found first on a few runs after the shift, then refined on every run
    // since: the figures are those of one detection over the whole series.
    let points = app.get(&format!("/api/v1/series/{}/points", p["series"]["id"])).await.value();
    let values: Vec<f64> = points["points"].as_array().unwrap().iter().map(|x| x["value"].as_f64().unwrap()).collect();
    assert_eq!(values.len(), 40);
    let settings = shared::perf::changepoint::Settings::default();
    let whole = shared::perf::changepoint::detect(&values, &settings);
    let change = whole.alerts(&settings).find(|c| c.index == 20).expect("the shift, over the whole series");
    for (field, want) in [("magnitude_pct", change.magnitude_pct), ("before", change.before), ("after", change.after)] {
        let got = p[field].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9 * want.abs().max(1.0), "{field}: {got} (incremental) vs {want} (whole)");
    }
    let render = of("render");
    assert_eq!(render.len(), 1, "{render:#?}");
    assert_eq!(
        (render[0]["direction"].as_str(), render[0]["first_bad"]["run"].as_str()),
        (Some("improvement"), Some("r025"))
    );
    assert!(of("noise").is_empty(), "noise alone does not alert: {:#?}", of("noise"));
    assert!(of("spike").is_empty(), "a lone outlier does not alert: {:#?}", of("spike"));
    assert_eq!(list["precision"], Value::Null);

    // Filters.
    let untriaged = app.get("/api/v1/projects/bench/alerts?status=untriaged").await.value();
    assert_eq!(untriaged["alerts"].as_array().unwrap().len(), 2);
    let series_id = p["series"]["id"].as_i64().unwrap();
    let by_series = app.get(&format!("/api/v1/projects/bench/alerts?series={series_id}")).await.value();
    assert_eq!(by_series["alerts"].as_array().unwrap().len(), 1);
    app.get("/api/v1/projects/bench/alerts?status=maybe").await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "status",
    );

    // Triage: recorded with who, counted in the precision, in the audit log.
    let id = p["id"].as_i64().unwrap();
    let res = app
        .patch_json(
            &format!("/api/v1/alerts/{id}"),
            Some(&token),
            &json!({"status": "acknowledged", "note": "bisecting"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let t = res.value();
    assert_eq!((t["status"].as_str(), t["note"].as_str()), (Some("acknowledged"), Some("bisecting")));
    assert!(t["triaged_by"].is_string() && t["triaged_at"].is_string());
    let rid = render[0]["id"].as_i64().unwrap();
    let res = app.patch_json(&format!("/api/v1/alerts/{rid}"), Some(&token), &json!({"status": "invalid"})).await;
    assert_eq!(res.status, StatusCode::OK);
    let list = app.get("/api/v1/projects/bench/alerts").await.value();
    assert_eq!(
        (list["valid"].as_i64(), list["invalid"].as_i64(), list["precision"].as_f64()),
        (Some(1), Some(1), Some(0.5))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.triage'").await, 2);
    app.patch_json(&format!("/api/v1/alerts/{id}"), Some(&token), &json!({"status": "done"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "",
    );
    app.patch_json("/api/v1/alerts/999999", Some(&token), &json!({"status": "fixed"})).await.assert_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "alert #999999",
    );
    let res = app.patch_json(&format!("/api/v1/alerts/{id}"), None, &json!({"status": "fixed"})).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

async fn short_series_and_summaries(app: TestApp) {
    let token = app.project("bench").await;
    // Five runs with a jump: too short to judge, so no alert.
    for i in 0..5 {
        upload_run(&app, &token, i, &[("short", if i >= 3 { 200.0 } else { 100.0 })]).await;
    }
    analyse_pending(&app.db).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_alerts").await, 0);
    // Two series shifting at the same run: one summary holding both.
    for i in 5..30 {
        let up = if i >= 18 { 1.3 } else { 1.0 };
        upload_run(
            &app,
            &token,
            i,
            &[("a", 100.0 * up * (1.0 + 0.01 * noise(i, 5))), ("b", 10.0 * up * (1.0 + 0.01 * noise(i, 9)))],
        )
        .await;
    }
    analyse_pending(&app.db).await.unwrap();
    let list = app.get("/api/v1/projects/bench/alerts").await.value();
    let alerts = list["alerts"].as_array().unwrap();
    let at_18: Vec<&Value> = alerts.iter().filter(|a| a["first_bad"]["run"] == "r018").collect();
    assert_eq!(at_18.len(), 2, "{alerts:#?}");
    assert_eq!(at_18[0]["summary_id"], at_18[1]["summary_id"]);
    // A summary's page lists its alerts only.
    let sid = at_18[0]["summary_id"].as_i64().unwrap();
    let of = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/api/v1/projects/bench/alerts?summary={id}")).await.value()["alerts"].clone() }
    };
    let listed = of(sid).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(listed.as_array().unwrap().iter().all(|a| a["summary_id"] == sid));
    assert_eq!(of(sid + 1000).await, json!([]));
    assert_eq!(app.count("SELECT regressions FROM perf_alert_summaries").await, 2);
}

async fn annotations(app: TestApp) {
    let token = app.project("bench").await;
    let read = app.token("bench", server::db::tokens::Scope::Read).await;
    let url = "/api/v1/projects/bench/annotations";
    let res =
        app.post_json(url, Some(&token), &json!({"text": " new machine image ", "at": "2026-12-01T10:00:00Z"})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let a = res.value();
    assert_eq!((a["text"].as_str(), a["at"].as_str()), (Some("new machine image"), Some("2026-12-01T10:00:00Z")));
    assert!(a["created_by"].as_str().unwrap().starts_with("token "), "{a}");
    // Without a time: now.
    let now = app.post_json(url, Some(&token), &json!({"text": "kernel 6.12"})).await.value();
    assert!(now["at"].as_str().unwrap() > "2026-12-01T10:00:00Z");
    app.post_json(url, Some(&token), &json!({"text": "  "})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "text",
    );
    app.post_json(url, Some(&token), &json!({"text": "x".repeat(501)})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "at most 500",
    );
    app.post_json(url, Some(&token), &json!({"text": "a", "colour": "red"})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "colour",
    );
    app.post_json(url, Some(&read), &json!({"text": "a"})).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "read-only",
    );
    app.post_json(url, None, &json!({"text": "a"})).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "token",
    );
    let list = app.get(url).await.value();
    let texts: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["new machine image", "kernel 6.12"], "by time");
    // Removed by a member; a second time it is gone.
    let id = a["id"].as_i64().unwrap();
    let delete = |token: Option<String>| {
        let mut req = axum::http::Request::delete(format!("/api/v1/annotations/{id}"));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req.body(axum::body::Body::empty()).unwrap()
    };
    app.send(delete(Some(read.clone()))).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "read-only");
    assert_eq!(app.send(delete(Some(token.clone()))).await.status, StatusCode::NO_CONTENT);
    app.send(delete(Some(token.clone()))).await.assert_error(StatusCode::NOT_FOUND, "not_found", "annotation");
    assert_eq!(app.get(url).await.value().as_array().unwrap().len(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'annotation.%'").await, 3);
}

/// A signed-in project admin's request (cookie and anti-CSRF header).
async fn sensitivity(app: TestApp) {
    let token = app.project("bench").await;
    let bearer = |t: String| move |r: axum::http::request::Builder| r.header("authorization", format!("Bearer {t}"));
    let url = "/api/v1/projects/bench/detection";
    let d = app.get(url).await.value();
    assert_eq!(
        d,
        json!({"alpha": 0.001, "min_magnitude_pct": 2.0, "custom": false, "defaults": {"alpha": 0.001, "min_magnitude_pct": 2.0}})
    );
    let stricter = json!({"alpha": 0.0001, "min_magnitude_pct": 5.0});
    put_json(&app, url, bearer(token.clone()), &stricter).await.assert_error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "cannot manage",
    );
    let admin = as_project_admin(&app, "bench").await;
    for (bad, needle) in [
        (json!({"alpha": 0.0, "min_magnitude_pct": 5.0}), "alpha must be above 0"),
        (json!({"alpha": 0.9, "min_magnitude_pct": 5.0}), "at most 0.5"),
        (json!({"alpha": 0.01, "min_magnitude_pct": -1.0}), "min_magnitude_pct"),
        (json!({"alpha": 0.01}), "min_magnitude_pct"),
    ] {
        put_json(&app, url, &admin, &bad).await.assert_error(StatusCode::BAD_REQUEST, "bad_request", needle);
    }
    // A project with series: a new setting queues them all again.
    upload_run(&app, &token, 0, &[("parse", 10.0), ("render", 20.0)]).await;
    analyse_pending(&app.db).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_pending").await, 0);
    let res = put_json(&app, url, &admin, &stricter).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!((res.value()["alpha"].as_f64(), res.value()["custom"].as_bool()), (Some(0.0001), Some(true)));
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_pending").await, 2);
    analyse_pending(&app.db).await.unwrap();

    // A series' own settings, by a member; null falls back to the project's.
    let series = app.get("/api/v1/projects/bench/series?test=parse").await.value();
    let id = series[0]["id"].as_i64().unwrap();
    let surl = format!("/api/v1/series/{id}/detection");
    let s = app.get(&surl).await.value();
    assert_eq!(s["effective"], stricter);
    assert_eq!(s["alpha"], Value::Null);
    let res = put_json(&app, &surl, bearer(token.clone()), &json!({"min_magnitude_pct": 0.5})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.value()["effective"], json!({"alpha": 0.0001, "min_magnitude_pct": 0.5}));
    assert_eq!(app.count("SELECT COUNT(*) FROM perf_pending").await, 1, "that series queued again");
    put_json(&app, &surl, bearer(token.clone()), &json!({"alpha": 2})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "alpha",
    );
    put_json(&app, &surl, bearer(token.clone()), &json!({"beta": 2})).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "beta",
    );
    let read = app.token("bench", server::db::tokens::Scope::Read).await;
    put_json(&app, &surl, bearer(read), &json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden", "read-only");
    let cleared = put_json(&app, &surl, bearer(token.clone()), &json!({})).await.value();
    assert_eq!((cleared["min_magnitude_pct"].clone(), cleared["effective"].clone()), (Value::Null, stricter));
    // And detection uses them: a 3% step alerts only with the series' 0.5% floor… and a looser alpha.
    put_json(&app, &surl, bearer(token.clone()), &json!({"alpha": 0.01, "min_magnitude_pct": 0.5})).await;
    for i in 1..30 {
        let step = if i >= 15 { 1.03 } else { 1.0 };
        upload_run(&app, &token, i, &[("parse", 10.0 * step * (1.0 + 0.002 * noise(i, 4))), ("render", 20.0 * step)])
            .await;
    }
    analyse_pending(&app.db).await.unwrap();
    let alerts = app.get("/api/v1/projects/bench/alerts").await.value();
    let tests: Vec<&str> =
        alerts["alerts"].as_array().unwrap().iter().map(|a| a["series"]["test"].as_str().unwrap()).collect();
    assert_eq!(tests, ["parse"], "render's 3% is under the project's 5% floor: {alerts:#}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'detection.%'").await, 4);
}

both_backends! {
    one_alert_per_shift => one_alert_per_shift;
    short_series_and_summaries => short_series_and_summaries;
    annotations => annotations;
    sensitivity => sensitivity;
}
