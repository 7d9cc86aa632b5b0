-- Flaky tests, kept up to date at ingest (shared/src/analytics/flaky.rs):
-- per project and job key, the recent outcomes of the tests that failed
-- lately, packed in one blob (one row read and written per upload, however
-- many tests it holds); a row per test that is or was flaky, with the
-- evidence that caught it; a project's rules.
-- Keep in step with ../postgres/0012_flaky_tests.sql.

CREATE TABLE flaky_settings (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    rules      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE test_windows (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    job_key    TEXT NOT NULL,
    windows    BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, job_key)
);

CREATE TABLE flaky_tests (
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    job_key        TEXT NOT NULL,
    test_key       INTEGER NOT NULL,
    suite          TEXT NOT NULL,
    classname      TEXT NOT NULL,
    name           TEXT NOT NULL,
    -- The rule that caught it last: same_revision, retries or flips.
    rule           TEXT NOT NULL,
    flaky          BOOLEAN NOT NULL,
    flakes         INTEGER NOT NULL,
    -- Its recent outcomes, oldest first (P passed, F failed), and their
    -- failed share.
    trend          TEXT NOT NULL,
    rate           REAL NOT NULL,
    first_flake_at TEXT NOT NULL,
    last_flake_at  TEXT NOT NULL,
    last_run_id    INTEGER NOT NULL,
    last_job_id    INTEGER NOT NULL,
    last_result_id INTEGER NOT NULL,
    -- For a same-revision flake: the run where it went the other way.
    other_run_id   INTEGER,
    recovered_at   TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (project_id, job_key, test_key)
);
CREATE INDEX flaky_tests_project ON flaky_tests(project_id, flaky, last_flake_at);

-- Same-revision evidence looks up the other jobs of a revision.
CREATE INDEX runs_project_revision ON runs(project_id, revision);
