-- Test analytics, computed at ingest so no page re-aggregates history:
-- a failed test's short failure summary and the run it has been failing
-- since on its branch and job key (equal to its own run when the failure
-- is new); a job's previous job of the same key on the branch; and each
-- test upload's outcomes in one blob (shared/src/analytics/digest.rs),
-- what a run-vs-run diff reads. Uploads stored before this migration have
-- no digest and are read from their results.
-- Keep in step with ../postgres/0011_test_analytics.sql.

ALTER TABLE test_results ADD COLUMN summary TEXT;
ALTER TABLE test_results ADD COLUMN failing_since INTEGER;
ALTER TABLE jobs ADD COLUMN previous_job_id INTEGER;

CREATE TABLE test_digests (
    upload_id INTEGER PRIMARY KEY REFERENCES uploads(id) ON DELETE CASCADE,
    job_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    digest    BLOB NOT NULL
);
CREATE INDEX test_digests_job ON test_digests(job_id, upload_id);
