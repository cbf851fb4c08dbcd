-- Hotspot runs analyse a study area, not a bounding box (issue 12). Runs
-- stored before this migration were computed on the box of the force's
-- points: they say study_area 'box' until `safercity hotspots` runs again.
ALTER TABLE hotspot_runs ADD COLUMN study_area VARCHAR DEFAULT 'box';  -- footprint | boundary:<layer> | box
ALTER TABLE hotspot_runs ADD COLUMN cells INTEGER;       -- study-area cells, each analysed and in hotspot_cells
ALTER TABLE hotspot_runs ADD COLUMN band_method VARCHAR; -- peak | knn | given
ALTER TABLE hotspot_runs ADD COLUMN emerging VARCHAR;    -- space-time | spatial Gi* of the emerging analysis
ALTER TABLE hotspot_runs ADD COLUMN time_step INTEGER;   -- neighbourhood time step of the space-time Gi*
ALTER TABLE hotspot_runs ADD COLUMN isolated INTEGER;    -- cells with no other cell within the band

-- How a back-test's hot set was chosen: top 1% / top 5% of the study area's
-- cells (equal area), top N% (the configured KDE share), hot 95% (Gi*).
ALTER TABLE hotspot_backtest ADD COLUMN hot_set VARCHAR;
