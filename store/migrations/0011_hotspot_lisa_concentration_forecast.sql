-- Anselin Local Moran's I per study-area cell, on the same cells, measure and
-- band neighbourhoods as Gi* (row-standardised, the cell itself excluded;
-- issue 16). Runs stored before this migration have NULLs until
-- `safercity hotspots` runs again.
ALTER TABLE hotspot_cells ADD COLUMN lisa_i DOUBLE;         -- Local Moran's I
ALTER TABLE hotspot_cells ADD COLUMN lisa_z DOUBLE;         -- (I − E[I]) / √Var[I], conditional randomisation moments
ALTER TABLE hotspot_cells ADD COLUMN lisa_p_fdr DOUBLE;     -- Benjamini–Hochberg p of z, or of the permutation pseudo p
ALTER TABLE hotspot_cells ADD COLUMN lisa_quadrant VARCHAR; -- HH | LL | HL | LH (whether significant or not); NULL where undefined

ALTER TABLE hotspot_runs ADD COLUMN lisa_permutations INTEGER; -- 0: analytic z; else conditional permutations per cell
ALTER TABLE hotspot_runs ADD COLUMN lisa_hh INTEGER;           -- cells significant after FDR, per quadrant
ALTER TABLE hotspot_runs ADD COLUMN lisa_ll INTEGER;
ALTER TABLE hotspot_runs ADD COLUMN lisa_hl INTEGER;
ALTER TABLE hotspot_runs ADD COLUMN lisa_lh INTEGER;

-- The run's significance level after FDR, which Gi* bins and the Local Moran
-- quadrant counts used; maps judge lisa_p_fdr by it.
ALTER TABLE hotspot_runs ADD COLUMN alpha DOUBLE;

-- Concentration of the month's police.uk crimes of the profile (Weisburd
-- 2015; Bernasco & Steenbeek 2017): over the study area's cells, and over
-- the "On or near" points at which the force recorded any crime in the
-- window (street_places). Shares held by the top 1/5/10 % of places, Gini,
-- generalized Gini, the fewest places holding half the crime and their share
-- of the places. NULL where there is no crime to measure.
ALTER TABLE hotspot_runs ADD COLUMN cell_top1 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN cell_top5 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN cell_top10 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN cell_gini DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN cell_ggini DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN cell_half INTEGER;
ALTER TABLE hotspot_runs ADD COLUMN cell_half_share DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_places INTEGER;
ALTER TABLE hotspot_runs ADD COLUMN street_top1 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_top5 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_top10 DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_gini DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_ggini DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN street_half INTEGER;
ALTER TABLE hotspot_runs ADD COLUMN street_half_share DOUBLE;

-- Next month's forecast of the profile's police.uk crimes per study-area
-- cell (analysis/forecast: a Poisson regression on trend, month of year and
-- the cell's recent history, fitted on up to 36 of the force's months up to
-- the run's), NULL when fewer than 13 months are loaded.
ALTER TABLE hotspot_cells ADD COLUMN forecast DOUBLE;
ALTER TABLE hotspot_runs ADD COLUMN forecast_month DATE;      -- the month forecast (the run's month + 1)
ALTER TABLE hotspot_runs ADD COLUMN forecast_history INTEGER; -- months of the force's data fitted on
ALTER TABLE hotspot_runs ADD COLUMN forecast_beats BOOLEAN;   -- beat the seasonal naive forecast in MAE and RMSE in every month checked

-- The forecast's rolling-origin validation: each of up to the 3 months
-- before a run's forecast, forecast from the months before it only, against
-- the seasonal naive forecast (the same month last year).
CREATE TABLE hotspot_forecasts (
    profile       VARCHAR NOT NULL,
    force         VARCHAR NOT NULL,
    month         DATE NOT NULL,    -- the run
    checked_month DATE NOT NULL,    -- the month forecast and compared with what happened
    crimes        DOUBLE NOT NULL,  -- in the study area that month
    mae           DOUBLE NOT NULL,  -- per cell
    rmse          DOUBLE NOT NULL,
    naive_mae     DOUBLE NOT NULL,
    naive_rmse    DOUBLE NOT NULL,
    beats_naive   BOOLEAN NOT NULL,
    PRIMARY KEY (profile, force, month, checked_month)
);
