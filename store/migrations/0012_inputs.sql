-- What each stored downstream result was computed from, written by package
-- inputs for the hotspots and index stages: one row per result (a profile's
-- month, an index month), replaced with the result. A run compares these
-- with the inputs as they stand now and recomputes the results whose inputs
-- changed (a republished month, a reloaded feed, other settings).
CREATE TABLE result_inputs (
    stage    VARCHAR NOT NULL,   -- hotspots | index
    key      VARCHAR NOT NULL,   -- the hotspot profile; '' for the index
    month    DATE NOT NULL,
    inputs   VARCHAR NOT NULL,   -- one "name=fingerprint" per line, sorted by name
    computed TIMESTAMP NOT NULL, -- UTC
    PRIMARY KEY (stage, key, month)
);

-- What a run of a job (job_runs) did and why: which results it recomputed,
-- for which changed inputs. A table of its own rather than a column of
-- job_runs: DuckDB cannot replay an ALTER TABLE from the write-ahead log of
-- a process killed before its first checkpoint.
CREATE TABLE job_notes (
    run_id BIGINT PRIMARY KEY,
    note   VARCHAR NOT NULL
);
