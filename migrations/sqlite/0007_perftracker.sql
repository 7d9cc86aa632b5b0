-- PerfTracker's front door (/perftracker): a PerfTracker job is an Assay
-- run with one job, found again by the uuid the client gives it (to append
-- to or replace its results). Keep in step with ../postgres/0007_perftracker.sql.

CREATE TABLE perftracker_jobs (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uuid       TEXT NOT NULL,
    job_id     INTEGER NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, uuid)
);

-- Its artifacts (ptArtifact, pt-artifact-ctl): files with a uuid of their
-- own, kept in the object store like every blob, linked to any uuid (a
-- job's, a test's) and kept ttl_days after their last upload.
-- sha256 is NULL once deleted (the row stays, as PerfTracker keeps it).
CREATE TABLE perftracker_artifacts (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uuid        TEXT NOT NULL UNIQUE,
    sha256      TEXT REFERENCES blobs(sha256),
    size_bytes  INTEGER NOT NULL DEFAULT 0,
    filename    TEXT NOT NULL,
    mime        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ttl_days    INTEGER NOT NULL,
    inline      BOOLEAN NOT NULL DEFAULT FALSE,
    compression BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX perftracker_artifacts_project ON perftracker_artifacts(project_id, uploaded_at);
CREATE INDEX perftracker_artifacts_sha256 ON perftracker_artifacts(sha256);

CREATE TABLE perftracker_artifact_links (
    artifact_id INTEGER NOT NULL REFERENCES perftracker_artifacts(id) ON DELETE CASCADE,
    linked_uuid TEXT NOT NULL,
    PRIMARY KEY (artifact_id, linked_uuid)
);
CREATE INDEX perftracker_artifact_links_uuid ON perftracker_artifact_links(linked_uuid);
