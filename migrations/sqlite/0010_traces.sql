-- Rendering traces. A trace on a device is a `traces` row (its accepted
-- reference and ignore regions live there); each replay of it in a job is
-- a `trace_results` row with the status computed at ingest; the images
-- are blobs, content-addressed, with their RGBA checksum and size in
-- `trace_images`; every reference accepted in Assay is kept in
-- `trace_references`. Keep in step with ../postgres/0010_traces.sql.

CREATE TABLE trace_images (
    sha256       TEXT PRIMARY KEY REFERENCES blobs(sha256),
    -- MD5 of the decoded RGBA pixels, as piglit's replayer checksums them.
    checksum     TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    -- A smaller PNG, made on first request and kept.
    thumb_sha256 TEXT REFERENCES blobs(sha256),
    created_at   TEXT NOT NULL
);
CREATE INDEX trace_images_checksum ON trace_images(checksum);

CREATE TABLE traces (
    id                 INTEGER PRIMARY KEY,
    project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    device             TEXT NOT NULL,
    -- Accepted in Assay: from then on the expected checksum and image.
    reference_checksum TEXT,
    reference_image    TEXT REFERENCES trace_images(sha256),
    -- JSON list of {x, y, width, height}, left out of every comparison.
    ignore_regions     TEXT NOT NULL DEFAULT '[]',
    result_count       INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    UNIQUE (project_id, name, device)
);

CREATE TABLE trace_results (
    id                INTEGER PRIMARY KEY,
    trace_id          INTEGER NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    job_id            INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run_id            INTEGER NOT NULL,
    project_id        INTEGER NOT NULL,
    upload_id         INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    status            TEXT NOT NULL,
    -- The checksum it was held to, and the one the upload itself expected.
    expected_checksum TEXT,
    reported_checksum TEXT,
    actual_checksum   TEXT,
    actual_image      TEXT REFERENCES trace_images(sha256),
    expected_image    TEXT REFERENCES trace_images(sha256),
    text              TEXT,
    -- The label words of the traces YAML (["skip", "slow"]), as JSON.
    label             TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX trace_results_job ON trace_results(job_id, seq);
CREATE INDEX trace_results_trace ON trace_results(trace_id, id);

CREATE TABLE trace_references (
    id                INTEGER PRIMARY KEY,
    trace_id          INTEGER NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
    result_id         INTEGER REFERENCES trace_results(id) ON DELETE SET NULL,
    checksum          TEXT NOT NULL,
    image             TEXT REFERENCES trace_images(sha256),
    previous_checksum TEXT,
    accepted_by       TEXT NOT NULL,
    note              TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX trace_references_trace ON trace_references(trace_id, id);

-- Roll-ups: traces stored, and those that turn the job red.
ALTER TABLE jobs ADD COLUMN trace_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN trace_failed INTEGER NOT NULL DEFAULT 0;
