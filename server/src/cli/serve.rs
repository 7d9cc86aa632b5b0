//! `assay serve`.

use crate::config::{Config, ServeArgs};
use crate::db::Db;
use crate::state::AppState;
use crate::web;
use std::sync::Arc;

pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let db = Db::connect(args.db.database_url.as_deref(), &args.db.data_dir).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| format!("{e}; the server did not start"))?;
    let site_root = match web::find_site_root(args.site_root.as_deref()) {
        Some(root) => root,
        None => {
            tracing::warn!(
                "the UI's compiled assets (pkg/assay.js) were not found next to the binary: pages render \
                 but do not hydrate. Build with `cargo leptos build --release` or pass --site-root."
            );
            args.db.data_dir.join("site")
        }
    };
    let blobs = args.store.open(&args.db.data_dir)?;
    let state = AppState {
        db: db.clone(),
        blobs: blobs.clone(),
        config: Arc::new(Config {
            max_body_bytes: args.max_body_bytes,
            tmp_dir: args.db.data_dir.join("tmp"),
            trust_proxy: args.trust_proxy,
            image_max_side: args.image_max_side,
            image_max_decoded_bytes: args.image_max_decoded_bytes,
            image_redirect_secs: args.image_redirect_secs,
            sealing_key: args.db.sealing_key()?,
            log_fetch: args.log_fetch.policy(),
        }),
        leptos_options: web::leptos_options(&site_root, args.bind),
    };
    let checkpoints = db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            checkpoints.checkpoint().await;
        }
    });
    // Change-point detection of the series uploads queued, every second.
    // Any number of servers may run it: a series taken off the queue by
    // one is skipped by the others, and alerts are unique per series and run.
    let detect_db = db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match crate::service::alerts::analyse_pending(&detect_db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(alerts = n, "regression detection"),
                Err(e) => tracing::warn!("regression detection: {e}"),
            }
        }
    });
    // Logs to parse (fetched by URL or uploaded), one at a time, checked
    // every second. Any number of servers may work the queue: each log is
    // claimed by one.
    let (log_db, log_blobs, log_config) = (db.clone(), blobs.clone(), state.config.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = crate::service::logs::work_all(&log_db, &log_blobs, &log_config).await {
                tracing::warn!("log parsing: {e}");
            }
        }
    });
    // Expired artifacts and orphaned blobs, hourly. Several servers sharing
    // a database may all prune: each step is safe to run concurrently.
    let (prune_db, prune_blobs) = (db.clone(), blobs.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match crate::service::prune::prune(&prune_db, &prune_blobs, crate::service::prune::default_grace()).await {
                Ok(p) if p != Default::default() => tracing::info!(?p, "pruned"),
                Ok(_) => {}
                Err(e) => tracing::warn!("pruning: {}", e.body().detail),
            }
        }
    });
    let listener =
        tokio::net::TcpListener::bind(args.bind).await.map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let where_ = match &args.db.database_url {
        Some(url) if !url.is_empty() => format!("PostgreSQL {}", crate::db::redact(url)),
        _ => format!("SQLite {}", args.db.data_dir.join("assay.db").display()),
    };
    println!("Assay is serving http://{addr} (data: {where_}; blobs: {})", blobs.url());
    axum::serve(listener, crate::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    db.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
