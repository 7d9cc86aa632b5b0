-- Annotations on a project's graphs ("new machine image"): a time and a
-- text, shown on every series graph of the project at the first run after
-- that time. Keep in step with ../postgres/0009_perf_annotations.sql.

CREATE TABLE perf_annotations (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX perf_annotations_project ON perf_annotations(project_id, at);
