-- Assay schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql:
-- same tables, columns and indexes; only types differ.
-- Counts are stored per upload and rolled up per job and run at ingest,
-- so lists never count test rows.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL DEFAULT 'write',
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_project ON api_tokens(project_id);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    revision    TEXT,
    branch      TEXT,
    author      TEXT,
    url         TEXT,
    status      TEXT NOT NULL DEFAULT 'pending',
    job_count   INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    passed      INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    flaky       INTEGER NOT NULL DEFAULT 0,
    duration_s  REAL NOT NULL DEFAULT 0,
    started_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX runs_project ON runs(project_id, id DESC);
CREATE INDEX runs_project_branch ON runs(project_id, branch, id DESC);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    platform     TEXT,
    machine      TEXT,
    state        TEXT NOT NULL DEFAULT 'pending',
    result       TEXT NOT NULL DEFAULT 'unknown',
    labels       TEXT NOT NULL DEFAULT '[]',
    upload_count INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    passed       INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    errors       INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    flaky        INTEGER NOT NULL DEFAULT 0,
    duration_s   REAL NOT NULL DEFAULT 0,
    started_at   TEXT,
    finished_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (run_id, key)
);

CREATE TABLE uploads (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL,
    project_id  INTEGER NOT NULL,
    filename    TEXT NOT NULL,
    format      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    total       INTEGER NOT NULL DEFAULT 0,
    passed      INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    flaky       INTEGER NOT NULL DEFAULT 0,
    duration_s  REAL NOT NULL DEFAULT 0,
    warnings    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    UNIQUE (job_id, sha256)
);

-- One row per test case. No foreign keys on the hot insert path: rows are
-- only written inside the ingest transaction that created their upload,
-- and deleted with it.
CREATE TABLE test_results (
    id           INTEGER PRIMARY KEY,
    upload_id    INTEGER NOT NULL,
    job_id       INTEGER NOT NULL,
    run_id       INTEGER NOT NULL,
    project_id   INTEGER NOT NULL,
    test_key     INTEGER NOT NULL,
    suite        TEXT NOT NULL,
    classname    TEXT NOT NULL,
    name         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    flaky        BOOLEAN NOT NULL DEFAULT FALSE,
    retries      INTEGER NOT NULL DEFAULT 0,
    duration_s   REAL,
    message      TEXT,
    failure_type TEXT,
    details      TEXT,
    stdout       TEXT,
    stderr       TEXT,
    properties   TEXT,
    file         TEXT,
    line         INTEGER
);
-- A job's table: failed first, then by insertion order.
CREATE INDEX test_results_job ON test_results(job_id, status, id);
-- A test's history across runs (and the attempts of a rerun within an
-- upload, found by key and then filtered by upload: no index of its own,
-- as every index slows ingest).
CREATE INDEX test_results_key ON test_results(project_id, test_key, id);
