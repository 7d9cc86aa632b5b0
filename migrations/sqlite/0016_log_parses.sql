-- Logs parsed for their error lines (Treeherder's rules, see
-- shared/src/log_errors.rs), worked off by every server in turn: a log a
-- Treeherder job names by URL (fetched, then kept as an artifact of the
-- job) or a log uploaded as an artifact.

-- One log to parse, and what came of it. `state`: pending, running,
-- parsed, failed (the reason in `error`; never retried past `attempts`).
CREATE TABLE log_parses (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- Where the log is: a URL to fetch, or the artifact holding it
    -- (set once a fetched log is stored).
    url          TEXT,
    artifact_id  INTEGER REFERENCES artifacts(id) ON DELETE SET NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    retry_at   TEXT NOT NULL,
    claimed_at   TEXT,
    error        TEXT,
    bytes        INTEGER,
    lines        INTEGER,
    errors       INTEGER,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    UNIQUE (job_id, name)
);
CREATE INDEX log_parses_todo ON log_parses(state, retry_at);
CREATE INDEX log_parses_artifact ON log_parses(artifact_id);

-- Its error lines (numbered from 0, as Treeherder's text_log_summary), each
-- with the search term and failure cluster its bug suggestion comes from.
CREATE TABLE log_error_lines (
    parse_id    INTEGER NOT NULL REFERENCES log_parses(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    linenumber  INTEGER NOT NULL,
    line        TEXT NOT NULL,
    search      TEXT NOT NULL,
    cluster_id  INTEGER REFERENCES failure_clusters(id) ON DELETE SET NULL,
    PRIMARY KEY (parse_id, position)
);
