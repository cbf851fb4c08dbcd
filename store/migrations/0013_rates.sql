-- Area statistics of the hotspot stage (issue 16), per profile, force and
-- month, over the 2011 LSOAs of the districts the force polices and over
-- those districts (layer 'lsoa' or 'district'). Replaced with the run.

-- Crime rates per 1,000 residents with Empirical Bayes smoothing (Marshall
-- 1991, as GeoDa and R spdep EBest / EBlocal). An area without residents in
-- the population feed is kept with NULL rates and the reason.
CREATE TABLE area_rates (
    profile         VARCHAR NOT NULL,
    force           VARCHAR NOT NULL,
    month           DATE NOT NULL,
    layer           VARCHAR NOT NULL,   -- lsoa | district
    code            VARCHAR NOT NULL,   -- ONS code
    name            VARCHAR,
    crimes          BIGINT NOT NULL,    -- the profile's police.uk crimes the force recorded in the area that month
    population      DOUBLE,             -- residents (population feed); NULL: see reason
    raw_rate        DOUBLE,             -- crimes per 1,000 residents
    eb_rate         DOUBLE,             -- global Empirical Bayes rate (EBest)
    spatial_eb_rate DOUBLE,             -- spatial Empirical Bayes rate over the area and its neighbours (EBlocal)
    excess_risk     DOUBLE,             -- crimes over those expected at the force's overall rate
    neighbours      INTEGER NOT NULL,   -- nearest areas the spatial EB rate is taken over (8; fewer in a force of fewer areas)
    reason          VARCHAR,            -- why a rate is NULL
    forecast        DOUBLE,             -- next month's crimes (the cells' Poisson model on the area's history); NULL: see the run's notes
    PRIMARY KEY (profile, force, month, layer, code)
);

-- What each layer's rates rest on.
CREATE TABLE area_rate_runs (
    profile          VARCHAR NOT NULL,
    force            VARCHAR NOT NULL,
    month            DATE NOT NULL,
    layer            VARCHAR NOT NULL,
    areas            INTEGER NOT NULL,  -- areas of the force (with and without population)
    no_population    INTEGER NOT NULL,  -- areas without residents: listed in area_rates with the reason
    population_year  INTEGER,           -- of the residents used
    prior_rate       DOUBLE,            -- overall rate per 1,000 (NULL without population)
    prior_variance   DOUBLE,            -- Marshall's moment estimate, per 1,000², before clamping at 0
    reach            DOUBLE,            -- spatial EB: the farthest any area's neighbours are (centroid to centroid, metres)
    crimes_elsewhere BIGINT NOT NULL,   -- the force's crimes of the month in none of these areas
    forecast_month   DATE,              -- the month forecast; NULL without a forecast (fewer than 13 consecutive months)
    forecast_history INTEGER,           -- consecutive months of the force's data fitted on (up to 36)
    forecast_beats   BOOLEAN,           -- beat the seasonal naive forecast in MAE and RMSE in every month checked (up to 3)
    PRIMARY KEY (profile, force, month, layer)
);

-- Percent change per area (ArcGIS Summarize Percent Change) of the month
-- against the same month a year before ('year') and against the three
-- months before ('prev3', as a monthly rate: exposure 1/3), with R's exact
-- conditional binomial test of whether it is beyond Poisson noise.
CREATE TABLE area_changes (
    profile        VARCHAR NOT NULL,
    force          VARCHAR NOT NULL,
    month          DATE NOT NULL,
    layer          VARCHAR NOT NULL,
    code           VARCHAR NOT NULL,
    name           VARCHAR,
    comparison     VARCHAR NOT NULL,  -- year | prev3
    before         BIGINT NOT NULL,   -- crimes in the earlier period (summed over its months)
    after          BIGINT NOT NULL,   -- crimes in the month
    change         DOUBLE NOT NULL,   -- after − before per month of the earlier period
    percent_change DOUBLE,            -- of the monthly rate; NULL from 0
    rate_ratio     DOUBLE,            -- monthly rate after / before; NULL for 0/0
    p              DOUBLE NOT NULL,
    p_fdr          DOUBLE NOT NULL,   -- Benjamini–Hochberg over the layer's areas
    beyond_noise   BOOLEAN NOT NULL,  -- p_fdr below the run's significance level
    PRIMARY KEY (profile, force, month, layer, code, comparison)
);

-- Each comparison of a run, made or refused: a comparison across a month
-- the force has no enriched crimes for is refused, with the months each
-- side has.
CREATE TABLE area_change_periods (
    profile       VARCHAR NOT NULL,
    force         VARCHAR NOT NULL,
    month         DATE NOT NULL,
    comparison    VARCHAR NOT NULL,  -- year | prev3
    before_from   DATE NOT NULL,
    before_to     DATE NOT NULL,
    months_before INTEGER NOT NULL,  -- of those loaded for the force
    months_needed INTEGER NOT NULL,
    months_after  INTEGER NOT NULL,  -- 1: the run's month
    refused       VARCHAR,           -- NULL when compared, else why not
    PRIMARY KEY (profile, force, month, comparison)
);

-- The Knox test for near repeats (Knox 1964, as the Near Repeat Calculator)
-- on the partner incidents of a run's window in the force's study area: the
-- profile's night-window incidents for a profile that counts them (nte),
-- else those whose category is one of the profile's police.uk crime types.
-- police.uk crimes are monthly and snapped, so they are never tested. One
-- row per distance × time band; no rows when fewer than two incidents.
CREATE TABLE hotspot_knox (
    profile       VARCHAR NOT NULL,
    force         VARCHAR NOT NULL,
    month         DATE NOT NULL,
    window_from   DATE NOT NULL,     -- the incidents' months: window_from … month
    events        INTEGER NOT NULL,
    distance_from DOUBLE NOT NULL,   -- band [distance_from, distance_to) metres
    distance_to   DOUBLE NOT NULL,
    days_from     DOUBLE NOT NULL,   -- band [days_from, days_to) days apart
    days_to       DOUBLE NOT NULL,
    observed      BIGINT NOT NULL,   -- pairs of incidents in the band
    expected      DOUBLE NOT NULL,   -- mean over the permutations
    marginal      DOUBLE NOT NULL,   -- exact expectation from the margins, N_d·M_t/P
    knox_ratio    DOUBLE,            -- observed / expected; NULL for 0/0
    p             DOUBLE NOT NULL,   -- Monte Carlo, (#{simulated ≥ observed} + 1)/(R + 1)
    permutations  INTEGER NOT NULL,
    seed          BIGINT NOT NULL,
    PRIMARY KEY (profile, force, month, distance_from, days_from)
);
