-- The ingest platform: every upload has a kind and a summary of its own
-- (test counts for a report), deduplicated per job and kind; blobs live
-- in the object store, content-addressed by SHA-256, and artifacts point
-- at them. Keep in step with ../postgres/0003_platform.sql.

-- SQLite cannot change a table's UNIQUE constraint in place: rebuild.
CREATE TABLE uploads_new (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL,
    project_id  INTEGER NOT NULL,
    filename    TEXT NOT NULL,
    format      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    warnings    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    -- Written once, when the upload is stored: the kind's own figures.
    summary     TEXT NOT NULL DEFAULT '{}',
    UNIQUE (job_id, kind, sha256)
);
INSERT INTO uploads_new (id, job_id, run_id, project_id, filename, format, sha256, size_bytes, warnings,
                         created_at, kind, summary)
SELECT id, job_id, run_id, project_id, filename, format, sha256, size_bytes, warnings, created_at, 'test_report',
       json_object('counts', json_object('total', total, 'passed', passed, 'failed', failed, 'errors', errors,
                   'skipped', skipped, 'flaky', flaky, 'duration_s', duration_s))
FROM uploads;
DROP TABLE uploads;
ALTER TABLE uploads_new RENAME TO uploads;

ALTER TABLE jobs ADD COLUMN artifact_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN artifact_bytes INTEGER NOT NULL DEFAULT 0;

-- A row for every blob that something in the database refers to. A blob
-- is written to the object store before its row (and whatever refers to
-- it) is committed; objects without a row are orphans, removed by pruning
-- once they are older than its grace period.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE artifacts (
    id           INTEGER PRIMARY KEY,
    upload_id    INTEGER NOT NULL UNIQUE REFERENCES uploads(id) ON DELETE CASCADE,
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id       INTEGER NOT NULL,
    project_id   INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    is_text      BOOLEAN NOT NULL,
    line_count   INTEGER,
    -- JSON [[line, byte offset], …]: where some lines start (see
    -- server/src/ingest/lines.rs).
    line_index   TEXT,
    expires_at   TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX artifacts_job ON artifacts(job_id, id);
-- Pruning asks whether anything still refers to a blob.
CREATE INDEX artifacts_sha256 ON artifacts(sha256);
CREATE INDEX artifacts_expires ON artifacts(expires_at);

CREATE TABLE artifact_tests (
    artifact_id    INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    test_result_id INTEGER NOT NULL,
    PRIMARY KEY (artifact_id, test_result_id)
);
CREATE INDEX artifact_tests_result ON artifact_tests(test_result_id);
