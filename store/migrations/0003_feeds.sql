-- Partner feeds, as their contracts declare them (ingest/feed): one table per
-- kind, every row linked to its feed and to the source file it came from
-- (sources.source_id) and its line there. Only declared fields exist here:
-- nothing else a partner's export holds is stored.
--
-- What a load replaces whole, in one transaction (with feed):
--   premises    the whole feed: a register is a snapshot
--   incidents   month, the Europe/London month of the event
--   population  year
--   indicators  period

-- The feed a partner file was loaded for; NULL for police.uk files. Feed
-- files have kind = the feed's kind, and NULL force and month.
ALTER TABLE sources ADD COLUMN feed VARCHAR;

CREATE TABLE premises (
    source_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    feed         VARCHAR NOT NULL,
    premises_id  VARCHAR NOT NULL,  -- the licensing authority's reference
    name         VARCHAR,
    address      VARCHAR,
    postcode     VARCHAR,
    licence_type VARCHAR,           -- after the contract's categories map
    longitude    DOUBLE,            -- WGS 84, as given or converted from BNG
    latitude     DOUBLE,
    easting      DOUBLE,            -- British National Grid, as given or converted
    northing     DOUBLE,
    -- Latest closing time per trading day, in minutes after midnight of that
    -- day: a time before 06:00 is the next morning, so 02:00 after Friday
    -- night is close_fri = 1560 (26:00). NULL: closed, or not given.
    close_mon    INTEGER,
    close_tue    INTEGER,
    close_wed    INTEGER,
    close_thu    INTEGER,
    close_fri    INTEGER,
    close_sat    INTEGER,
    close_sun    INTEGER
);

CREATE TABLE incidents (
    source_id      BIGINT NOT NULL,
    line           BIGINT NOT NULL,
    feed           VARCHAR NOT NULL,
    month          DATE NOT NULL,       -- first of the Europe/London month of occurred_at
    occurred_at    TIMESTAMP NOT NULL,  -- UTC
    occurred_local TIMESTAMP NOT NULL,  -- the same instant on Europe/London clocks, for display
    incident_id    VARCHAR,             -- the partner's reference
    category       VARCHAR NOT NULL,    -- after the contract's categories map
    subtype        VARCHAR,
    lsoa_code      VARCHAR,
    longitude      DOUBLE,
    latitude       DOUBLE,
    easting        DOUBLE,
    northing       DOUBLE,
    source         VARCHAR NOT NULL     -- the partner, as the contract names it
);

CREATE TABLE population (
    source_id          BIGINT NOT NULL,
    line               BIGINT NOT NULL,
    feed               VARCHAR NOT NULL,
    area_code          VARCHAR NOT NULL,  -- ONS code, e.g. E01000001 or E09000001
    area_name          VARCHAR,
    area_type          VARCHAR NOT NULL CHECK (area_type IN ('lsoa', 'lad')),
    year               INTEGER NOT NULL,
    -- A feed may give either or both; rows of different feeds for the same
    -- area and year are kept apart (combine them with GROUP BY area_code, year).
    residents          BIGINT,
    workday_population BIGINT
);

CREATE TABLE indicators (
    source_id BIGINT NOT NULL,
    line      BIGINT NOT NULL,
    feed      VARCHAR NOT NULL,
    unit      VARCHAR NOT NULL,   -- e.g. a local authority name
    period    DATE NOT NULL,      -- first of the month (or of the year)
    indicator VARCHAR NOT NULL,   -- code, after the contract's categories map
    value     DOUBLE NOT NULL,
    pillar    VARCHAR NOT NULL,   -- as the contract declares for the indicator
    direction TINYINT NOT NULL CHECK (direction IN (-1, 1)),  -- +1 higher is better
    source    VARCHAR NOT NULL
);
