-- Performance results. A perf upload's tests (a benchmark, a PerfTracker
-- test, a Perfherder suite) are perf_tests rows; each metric of a test is
-- a perf_points row of one series. A series (Perfherder's "signature") is
-- the same test, metric, platform, machine and labels across runs of a
-- project; `signature` is the hash of that identity. Summaries (n, mean,
-- standard deviation, 95% interval) are computed once, at ingest.
-- Keep in step with ../postgres/0005_perf.sql.

CREATE TABLE perf_series (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    signature   TEXT NOT NULL,
    test        TEXT NOT NULL,
    test_group  TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    metric      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    direction   TEXT NOT NULL,
    platform    TEXT NOT NULL DEFAULT '',
    machine     TEXT NOT NULL DEFAULT '',
    -- JSON array of the job's labels, sorted.
    labels      TEXT NOT NULL DEFAULT '[]',
    point_count INTEGER NOT NULL DEFAULT 0,
    last_value  REAL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (project_id, signature)
);
CREATE INDEX perf_series_test ON perf_series(project_id, test, metric);

CREATE TABLE perf_tests (
    id          INTEGER PRIMARY KEY,
    upload_id   INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL,
    project_id  INTEGER NOT NULL,
    -- Position in its upload, to show tests in the order the tool wrote.
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    test_group  TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '[]',
    links       TEXT NOT NULL DEFAULT '[]',
    errors      TEXT NOT NULL DEFAULT '[]',
    warnings    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX perf_tests_job ON perf_tests(job_id, seq);
CREATE INDEX perf_tests_upload ON perf_tests(upload_id);

CREATE TABLE perf_points (
    id          INTEGER PRIMARY KEY,
    series_id   INTEGER NOT NULL REFERENCES perf_series(id) ON DELETE CASCADE,
    test_id     INTEGER NOT NULL REFERENCES perf_tests(id) ON DELETE CASCADE,
    job_id      INTEGER NOT NULL,
    run_id      INTEGER NOT NULL,
    -- The tool's own summary (a mean, a score).
    value       REAL NOT NULL,
    -- Computed from the samples at ingest (n = 0: the tool gave a value only).
    n           INTEGER NOT NULL,
    mean        REAL NOT NULL,
    stddev      REAL,
    ci_low      REAL,
    ci_high     REAL,
    -- Every sample and deviation, as little-endian f64s.
    samples     BLOB,
    deviations  BLOB,
    -- What the tool said of its spread, when it did.
    tool_stddev REAL,
    tool_lower  REAL,
    tool_upper  REAL,
    created_at  TEXT NOT NULL
);
CREATE INDEX perf_points_series ON perf_points(series_id, run_id, id);
CREATE INDEX perf_points_job ON perf_points(job_id, series_id);
CREATE INDEX perf_points_test ON perf_points(test_id);

-- Roll-ups of a job's perf uploads, and PerfTracker's regression tag.
ALTER TABLE jobs ADD COLUMN perf_tests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN perf_metrics INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN regression TEXT;
CREATE INDEX jobs_regression ON jobs(project_id, regression);
