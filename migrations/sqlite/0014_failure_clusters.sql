-- Failure clusters, kept up to date at ingest: failures grouped per
-- project by a normalised signature of their type, summary and top stack
-- frames (shared/src/analytics/cluster.rs). A cluster counts its failures,
-- the distinct tests and jobs it appeared in, and where it was first and
-- last seen; members can name it and attach a link. `cluster_tests` and
-- `cluster_jobs` list them (one row per test, one per job, never one per
-- failure); `cluster_failures` says which cluster each failure of a job is
-- in, for the job page. Keep in step with ../postgres/0014_failure_clusters.sql.

CREATE TABLE failure_clusters (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    signature     INTEGER NOT NULL,
    pattern       TEXT NOT NULL,
    -- The summary of its first failure, as a reader would see it.
    example       TEXT,
    name          TEXT,
    link          TEXT,
    named_by      TEXT,
    named_at      TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    tests         INTEGER NOT NULL DEFAULT 0,
    jobs          INTEGER NOT NULL DEFAULT 0,
    first_run_id  INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_run_id   INTEGER NOT NULL,
    last_job_id   INTEGER NOT NULL,
    last_seen_at  TEXT NOT NULL,
    UNIQUE (project_id, signature)
);
CREATE INDEX failure_clusters_recent ON failure_clusters(project_id, last_seen_at);

CREATE TABLE cluster_tests (
    cluster_id     INTEGER NOT NULL REFERENCES failure_clusters(id) ON DELETE CASCADE,
    test_key       INTEGER NOT NULL,
    suite          TEXT NOT NULL,
    classname      TEXT NOT NULL,
    name           TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    last_result_id INTEGER NOT NULL,
    last_job_id    INTEGER NOT NULL,
    last_run_id    INTEGER NOT NULL,
    last_seen_at   TEXT NOT NULL,
    PRIMARY KEY (cluster_id, test_key)
);

CREATE TABLE cluster_jobs (
    cluster_id INTEGER NOT NULL REFERENCES failure_clusters(id) ON DELETE CASCADE,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id     INTEGER NOT NULL,
    failures   INTEGER NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (cluster_id, job_id)
);

CREATE TABLE cluster_failures (
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    test_key   INTEGER NOT NULL,
    cluster_id INTEGER NOT NULL REFERENCES failure_clusters(id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, test_key)
);
