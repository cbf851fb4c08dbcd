-- The job history of `safercity serve` and `safercity run`, written only by
-- package serve: one row per attempt of a job, inserted as running when it
-- starts and updated when it ends. A row still running when a process opens
-- the file for writing belongs to a process that was killed or crashed; the
-- next serve or run marks it interrupted.
CREATE SEQUENCE job_run_ids START 1;

CREATE TABLE job_runs (
    run_id   BIGINT PRIMARY KEY DEFAULT nextval('job_run_ids'),
    job      VARCHAR NOT NULL,
    trigger  VARCHAR NOT NULL CHECK (trigger IN ('schedule', 'manual', 'api', 'startup')),
    attempt  INTEGER NOT NULL,            -- 1, then 2, 3 … for retries after a failure
    started  TIMESTAMP NOT NULL,          -- UTC
    finished TIMESTAMP,                   -- UTC; NULL while running
    status   VARCHAR NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    rows     BIGINT NOT NULL DEFAULT 0,   -- rows the job wrote; 0 means it changed nothing
    error    VARCHAR                      -- why it failed, or a warning about a run that succeeded
);
