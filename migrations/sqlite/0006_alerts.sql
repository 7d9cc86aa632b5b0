-- Regression alerts. Ingest queues every series it adds points to
-- (perf_pending, in the upload's transaction); a worker in every server
-- takes queued series, runs change-point detection on them and writes the
-- alerts it finds, one summary per suspected run. Triage is kept on the
-- alert, with who did it and when.
-- Keep in step with ../postgres/0006_alerts.sql.

-- Per-series overrides of the project's detection settings.
ALTER TABLE perf_series ADD COLUMN alpha REAL;
ALTER TABLE perf_series ADD COLUMN min_magnitude_pct REAL;

CREATE TABLE perf_settings (
    project_id        INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    alpha             REAL NOT NULL,
    min_magnitude_pct REAL NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE perf_pending (
    series_id  INTEGER PRIMARY KEY REFERENCES perf_series(id) ON DELETE CASCADE,
    queued_at  TEXT NOT NULL
);

CREATE TABLE perf_alert_summaries (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- The suspected run (first bad) of every alert in the summary.
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    regressions  INTEGER NOT NULL DEFAULT 0,
    improvements INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (project_id, run_id)
);

CREATE TABLE perf_alerts (
    id               INTEGER PRIMARY KEY,
    summary_id       INTEGER NOT NULL REFERENCES perf_alert_summaries(id) ON DELETE CASCADE,
    series_id        INTEGER NOT NULL REFERENCES perf_series(id) ON DELETE CASCADE,
    project_id       INTEGER NOT NULL,
    first_bad_run_id INTEGER NOT NULL,
    first_bad_job_id INTEGER NOT NULL,
    last_good_run_id INTEGER,
    is_regression    BOOLEAN NOT NULL,
    magnitude_pct    REAL NOT NULL,
    before_value     REAL NOT NULL,
    after_value      REAL NOT NULL,
    confidence       REAL NOT NULL,
    status           TEXT NOT NULL DEFAULT 'untriaged',
    note             TEXT,
    triaged_by       TEXT,
    triaged_at       TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (series_id, first_bad_run_id)
);
CREATE INDEX perf_alerts_project ON perf_alerts(project_id, id);
CREATE INDEX perf_alerts_summary ON perf_alerts(summary_id);
