-- Police data as published by data.police.uk, one row per published row,
-- each linked to the source file it came from (sources.source_id).

CREATE TABLE sources (
    source_id        BIGINT PRIMARY KEY,
    path             VARCHAR NOT NULL,  -- file, or archive.zip!entry
    size             BIGINT,
    sha256           VARCHAR,
    kind             VARCHAR,           -- street | outcomes | stop-and-search | <feed kind>
    force            VARCHAR,           -- slug from the file name, e.g. city-of-london
    month            DATE,              -- first of the month
    rows_loaded      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    started          TIMESTAMP,         -- UTC
    finished         TIMESTAMP,         -- UTC
    status           VARCHAR NOT NULL,  -- loaded | refused
    error            VARCHAR,
    superseded_by    BIGINT             -- set when a later load replaced this partition
);

CREATE TABLE quarantine (
    source_id BIGINT NOT NULL,
    path      VARCHAR NOT NULL,
    line      BIGINT NOT NULL,
    raw       VARCHAR NOT NULL,
    reason    VARCHAR NOT NULL
);

CREATE TABLE police_street (
    source_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    force        VARCHAR NOT NULL,
    month        DATE NOT NULL,
    crime_id     VARCHAR,          -- NULL on anti-social behaviour rows
    reported_by  VARCHAR,
    falls_within VARCHAR,
    longitude    DOUBLE,           -- WGS 84; NULL on "No Location" rows
    latitude     DOUBLE,
    easting      DOUBLE,           -- British National Grid, as published in 2011 files only
    northing     DOUBLE,
    location     VARCHAR,
    lsoa_code    VARCHAR,
    lsoa_name    VARCHAR,
    crime_type   VARCHAR NOT NULL,
    last_outcome VARCHAR,
    context      VARCHAR
);

CREATE TABLE police_outcomes (
    source_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    force        VARCHAR NOT NULL,
    month        DATE NOT NULL,    -- month of the outcome, not of the crime
    crime_id     VARCHAR,
    reported_by  VARCHAR,
    falls_within VARCHAR,
    longitude    DOUBLE,
    latitude     DOUBLE,
    location     VARCHAR,
    lsoa_code    VARCHAR,
    lsoa_name    VARCHAR,
    outcome_type VARCHAR NOT NULL
);

CREATE TABLE police_stop_search (
    source_id                 BIGINT NOT NULL,
    line                      BIGINT NOT NULL,
    force                     VARCHAR NOT NULL,
    month                     DATE NOT NULL,   -- of the file; the search's London-time month
    search_type               VARCHAR NOT NULL,
    datetime                  TIMESTAMP NOT NULL, -- UTC, as published
    part_of_operation         BOOLEAN,
    policing_operation        VARCHAR,
    latitude                  DOUBLE,
    longitude                 DOUBLE,
    gender                    VARCHAR,
    age_range                 VARCHAR,
    self_defined_ethnicity    VARCHAR,
    officer_defined_ethnicity VARCHAR,
    legislation               VARCHAR,
    object_of_search          VARCHAR,
    outcome                   VARCHAR,
    outcome_linked            BOOLEAN,
    removal_of_clothing       BOOLEAN
);
