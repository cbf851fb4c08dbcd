-- Boundary layers loaded by `safercity ingest boundaries`, kept as the
-- GeoJSON given (the transform stage indexes them in memory).
CREATE TABLE area_layers (
    layer     VARCHAR PRIMARY KEY,
    code_prop VARCHAR NOT NULL,
    name_prop VARCHAR,
    crs       VARCHAR NOT NULL,      -- EPSG:4326 or EPSG:27700, as detected
    features  INTEGER NOT NULL,
    geojson   VARCHAR NOT NULL,
    source_id BIGINT NOT NULL
);

-- The areas of each layer, for listing and joins.
CREATE TABLE areas (
    layer VARCHAR NOT NULL,
    code  VARCHAR NOT NULL,
    name  VARCHAR
);

-- Every street crime placed in British National Grid terms. Written only by
-- the transform stage, one month at a time.
CREATE TABLE crimes_enriched (
    source_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    crime_id     VARCHAR,
    month        DATE NOT NULL,
    force        VARCHAR NOT NULL,
    crime_type   VARCHAR NOT NULL,
    location     VARCHAR,
    last_outcome VARCHAR,
    located      BOOLEAN NOT NULL,
    longitude    DOUBLE,              -- WGS 84
    latitude     DOUBLE,
    easting      DOUBLE,              -- EPSG:27700 metres
    northing     DOUBLE,
    grid_ref     VARCHAR,             -- OS grid reference of the cell's SW corner
    cell_size    INTEGER NOT NULL,
    cell_x       BIGINT,              -- cell's SW corner, metres
    cell_y       BIGINT,
    lsoa_code    VARCHAR,
    lsoa_name    VARCHAR,
    lad_name     VARCHAR,
    unit         VARCHAR,
    violence     BOOLEAN NOT NULL,
    acquisitive  BOOLEAN NOT NULL,
    asb          BOOLEAN NOT NULL,
    nte          BOOLEAN NOT NULL,
    weapons      BOOLEAN NOT NULL,
    harm         DOUBLE NOT NULL
);

-- Located crimes in the other boundary layers; code is NULL for a crime in
-- no area of the layer (kept and marked, not dropped).
CREATE TABLE crime_areas (
    source_id BIGINT NOT NULL,
    line      BIGINT NOT NULL,
    month     DATE NOT NULL,
    layer     VARCHAR NOT NULL,
    code      VARCHAR,
    name      VARCHAR
);

-- What each month was last computed from, so a run recomputes only months
-- that are new, republished or computed with other settings.
CREATE TABLE transform_state (
    month       DATE PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    rows        BIGINT NOT NULL,
    computed    TIMESTAMP NOT NULL
);
