-- The comparative resilience index, written only by the index stage, one
-- month at a time.

-- Indicator values per unit and month, as computed from the store and the
-- partner indicators feed, before any treatment.
CREATE TABLE index_indicators (
    month  DATE NOT NULL,
    unit   VARCHAR NOT NULL,
    code   VARCHAR NOT NULL,
    value  DOUBLE,
    PRIMARY KEY (month, unit, code)
);

-- The scored index in long form: one row per unit and measure (overall,
-- pillar or indicator), as in index-YYYY-MM.csv.
CREATE TABLE index_scores (
    month          DATE NOT NULL,
    unit           VARCHAR NOT NULL,
    measure        VARCHAR NOT NULL,  -- overall | pillar | indicator
    code           VARCHAR NOT NULL,
    name           VARCHAR,
    value          DOUBLE,
    treated_value  DOUBLE,
    normalised     DOUBLE,
    weight         DOUBLE,
    rank           INTEGER,
    rank_p05       INTEGER,
    rank_median    INTEGER,
    rank_p95       INTEGER,
    rag            VARCHAR,           -- GREEN | AMBER | RED | N/A
    rag_basis      VARCHAR,
    reference      DOUBLE,
    previous_month DOUBLE,
    last_year      DOUBLE,
    trend_month    VARCHAR,
    trend_year     VARCHAR,
    flags          VARCHAR
);

-- The month's report as delivered: the self-contained HTML and the JSON.
CREATE TABLE index_reports (
    month    DATE PRIMARY KEY,
    json     VARCHAR NOT NULL,
    html     VARCHAR NOT NULL,
    computed TIMESTAMP NOT NULL
);
