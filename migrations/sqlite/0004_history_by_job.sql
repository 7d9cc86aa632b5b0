-- A test's history is found per job (runs newest first, their jobs, the
-- test in each) instead of through an index by test across every run: an
-- index ordered by test makes each upload write one index page per test it
-- holds, at random places, which on a database of millions of results cost
-- more than the rest of the upload together. Entries of (job_id, test_key)
-- for a new job are appended together. Keep in step with
-- ../postgres/0004_history_by_job.sql.
DROP INDEX test_results_key;
CREATE INDEX test_results_job_test ON test_results(job_id, test_key);
