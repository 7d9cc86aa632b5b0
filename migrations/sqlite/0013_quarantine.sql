-- Quarantine: a test whose failures no longer turn its job or run red. It
-- keeps being ingested and shown; a job's and a run's `quarantined` count
-- the failed and errored tests whose failure was quarantined (a subset of
-- failed + errors), so the red/green verdict is failed + errors -
-- quarantined. `quarantined_results` names those failures per job, for the
-- job page's marks. A quarantine is lifted by hand or at its expiry (rows
-- are never deleted: the list keeps its history); `clean_runs` counts the
-- executions since its last failure, for the suggestion to lift it.
-- Keep in step with ../postgres/0013_quarantine.sql.

ALTER TABLE jobs ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;

CREATE TABLE quarantines (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    test_key       INTEGER NOT NULL,
    suite          TEXT NOT NULL,
    classname      TEXT NOT NULL,
    name           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    lifted_at      TEXT,
    lifted_by      TEXT,
    failures       INTEGER NOT NULL DEFAULT 0,
    clean_runs     INTEGER NOT NULL DEFAULT 0,
    last_failed_at TEXT
);
-- At most one quarantine of a test that is not lifted (an expired one is
-- marked lifted when the test is quarantined again).
CREATE UNIQUE INDEX quarantines_open ON quarantines(project_id, test_key) WHERE lifted_at IS NULL;

CREATE TABLE quarantined_results (
    job_id        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    test_key      INTEGER NOT NULL,
    quarantine_id INTEGER NOT NULL REFERENCES quarantines(id) ON DELETE CASCADE,
    failures      INTEGER NOT NULL,
    PRIMARY KEY (job_id, test_key)
);
