-- Hotspot profiles, written only by the hotspots stage. A run is one
-- (profile, force, month); its rows are replaced together.
CREATE TABLE hotspot_runs (
    profile      VARCHAR NOT NULL,
    force        VARCHAR NOT NULL,
    month        DATE NOT NULL,
    measure      VARCHAR NOT NULL,   -- count | harm
    cell_size    DOUBLE NOT NULL,
    band         DOUBLE NOT NULL,    -- Gi* distance band, metres
    bandwidth    DOUBLE NOT NULL,    -- KDE bandwidth, metres
    months       INTEGER NOT NULL,   -- months in the emerging hot spot analysis window
    x0           DOUBLE NOT NULL,    -- grid: SW corner, columns, rows
    y0           DOUBLE NOT NULL,
    nx           INTEGER NOT NULL,
    ny           INTEGER NOT NULL,
    crimes       BIGINT NOT NULL,    -- the profile's located crimes in the month, in the grid
    incidents    BIGINT NOT NULL,    -- partner incidents in the profile's night windows, in the grid
    outside      BIGINT NOT NULL,    -- … outside the analysed extent (the outer 1% each side)
    measure_total DOUBLE NOT NULL,
    computed     TIMESTAMP NOT NULL,
    PRIMARY KEY (profile, force, month)
);

-- Every cell of the grid with any crime in the window or a significant
-- result; zero cells that are not significant are left out to keep the table
-- small (the run's grid says where they are).
CREATE TABLE hotspot_cells (
    profile   VARCHAR NOT NULL,
    force     VARCHAR NOT NULL,
    month     DATE NOT NULL,
    cell_x    BIGINT NOT NULL,
    cell_y    BIGINT NOT NULL,
    grid_ref  VARCHAR,
    crimes    INTEGER NOT NULL,  -- police.uk crimes
    incidents INTEGER NOT NULL,  -- partner-feed incidents (night windows), subject to disclosure control
    measure   DOUBLE NOT NULL,
    density   DOUBLE NOT NULL,   -- KDE, per km²
    kde_hot   BOOLEAN NOT NULL,  -- in the top share of KDE cells
    neighbours INTEGER NOT NULL,
    z         DOUBLE,
    p         DOUBLE,
    p_fdr     DOUBLE,
    bin       TINYINT,           -- Gi* confidence bin after FDR, -3..3
    trend     VARCHAR,           -- emerging hot spot category
    mk_z      DOUBLE,
    mk_p      DOUBLE,
    location  VARCHAR            -- most common "On or near" place in the month
);

CREATE TABLE hotspot_backtest (
    profile    VARCHAR NOT NULL,
    force      VARCHAR NOT NULL,
    month      DATE NOT NULL,     -- the test month
    method     VARCHAR NOT NULL,  -- kde | gistar
    input_months INTEGER NOT NULL,
    cells      INTEGER NOT NULL,
    area_share DOUBLE NOT NULL,
    hits       DOUBLE NOT NULL,
    total      DOUBLE NOT NULL,
    hit_rate   DOUBLE,
    pai        DOUBLE,
    rri        DOUBLE
);
