-- A perf upload's measurements in one blob (shared/src/perf/pack.rs),
-- written at ingest with its points: what a job comparison reads, one row
-- per upload rather than one per metric. Uploads stored before this
-- migration have none and are read from their points.
-- Keep in step with ../sqlite/0008_perf_packs.sql.

CREATE TABLE perf_packs (
    upload_id BIGINT PRIMARY KEY REFERENCES uploads(id) ON DELETE CASCADE,
    job_id    BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    pack      BYTEA NOT NULL
);
CREATE INDEX perf_packs_job ON perf_packs(job_id, upload_id);
