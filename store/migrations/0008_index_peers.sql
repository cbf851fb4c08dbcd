-- The comparative index across every district of England and Wales: each
-- unit's rank within its most similar units (peer group) and that rank's
-- Monte Carlo 5–95 % interval, on the overall row of index_scores; the
-- districts each scored unit is made of.
ALTER TABLE index_scores ADD COLUMN peer_rank INTEGER;
ALTER TABLE index_scores ADD COLUMN peer_rank_p05 INTEGER;
ALTER TABLE index_scores ADD COLUMN peer_rank_p95 INTEGER;
ALTER TABLE index_scores ADD COLUMN districts VARCHAR;  -- '; '-separated
