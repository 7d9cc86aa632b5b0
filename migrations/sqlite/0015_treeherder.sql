-- Treeherder's front door (/treeherder): Hawk credentials, the pushes
-- (resultsets) and jobs it stored, and their "Job Info" details.

-- A Hawk client id and secret that write to one project. Hawk signs each
-- request with the secret itself, so it cannot be stored as a hash: it is
-- kept sealed (AES-256-GCM under the server's secret key, see README).
CREATE TABLE hawk_credentials (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL UNIQUE,
    secret_sealed TEXT NOT NULL,
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX hawk_credentials_project ON hawk_credentials(project_id);

-- Nonces seen within the timestamp window: a replayed request is refused.
CREATE TABLE hawk_nonces (
    credential_id INTEGER NOT NULL REFERENCES hawk_credentials(id) ON DELETE CASCADE,
    nonce         TEXT NOT NULL,
    ts            INTEGER NOT NULL,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (credential_id, nonce, ts)
);
CREATE INDEX hawk_nonces_seen ON hawk_nonces(seen_at);

-- A resultset: a run, found again by its top revision.
CREATE TABLE treeherder_pushes (
    run_id         INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    revision       TEXT NOT NULL,
    author         TEXT,
    push_timestamp INTEGER,
    revisions      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (project_id, revision)
);

-- A job, found again by its job_guid; `job` holds Treeherder's fields.
CREATE TABLE treeherder_jobs (
    job_id         INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    run_id         INTEGER NOT NULL,
    job_guid       TEXT NOT NULL,
    job            TEXT NOT NULL,
    coalesced_into TEXT,
    submitted_at   TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (project_id, job_guid)
);

-- Its artifacts, as posted (the JSON blob), and the "Job Info" details
-- made from them at ingest.
CREATE TABLE treeherder_artifacts (
    id      INTEGER PRIMARY KEY,
    job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    type    TEXT NOT NULL,
    blob    TEXT NOT NULL,
    UNIQUE (job_id, name)
);

CREATE TABLE treeherder_job_details (
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT,
    value        TEXT,
    url          TEXT,
    content_type TEXT NOT NULL,
    PRIMARY KEY (job_id, position)
);

-- The option collections seen ("debug", "opt"…), by Treeherder's hash.
CREATE TABLE treeherder_option_collections (
    hash    TEXT PRIMARY KEY,
    options TEXT NOT NULL
);
