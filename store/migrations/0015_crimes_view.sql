-- crimes_enriched keeps what the transform computes, and the columns that
-- stages filter and group by; police.uk's free text stays in police_street,
-- where the ingest stored it. Copying location, last outcome and LSOA name
-- into every enriched row, with a grid reference string per crime, was
-- two fifths of the transform's time. The view crimes gives every crime
-- with all of them, joined back by (month, source_id, line); the few
-- readers of the text read it there.
ALTER TABLE crimes_enriched DROP COLUMN location;
ALTER TABLE crimes_enriched DROP COLUMN last_outcome;
ALTER TABLE crimes_enriched DROP COLUMN lsoa_name;
ALTER TABLE crimes_enriched DROP COLUMN grid_ref;

-- The OS grid reference of the square of side size metres whose south-west
-- corner is (e, n), to the coarsest precision (1000, 100, 10 or 1 m) that
-- names that corner exactly: "TQ 320 811" for a 100 m cell. NULL outside
-- the national grid's lettered squares. bng.GridRef in Go; a test holds
-- the two equal. os_grid_ref takes any number (a crime's easting, say);
-- os_grid_ref_whole does the work on whole metres.
CREATE MACRO os_grid_ref_whole(e, n, size) AS
    CASE WHEN e >= 0 AND e < 700000 AND n >= 0 AND n < 1300000 THEN
        substr('ABCDEFGHJKLMNOPQRSTUVWXYZ', 1 + (19 - n // 100000) - (19 - n // 100000) % 5 + (e // 100000 + 10) // 5, 1) ||
        substr('ABCDEFGHJKLMNOPQRSTUVWXYZ', 1 + (19 - n // 100000) * 5 % 25 + (e // 100000) % 5, 1) || ' ' ||
        CASE WHEN size % 1000 = 0 THEN lpad((e % 100000 // 1000)::VARCHAR, 2, '0') || ' ' || lpad((n % 100000 // 1000)::VARCHAR, 2, '0')
             WHEN size % 100 = 0 THEN lpad((e % 100000 // 100)::VARCHAR, 3, '0') || ' ' || lpad((n % 100000 // 100)::VARCHAR, 3, '0')
             WHEN size % 10 = 0 THEN lpad((e % 100000 // 10)::VARCHAR, 4, '0') || ' ' || lpad((n % 100000 // 10)::VARCHAR, 4, '0')
             ELSE lpad((e % 100000)::VARCHAR, 5, '0') || ' ' || lpad((n % 100000)::VARCHAR, 5, '0')
        END
    END;
CREATE MACRO os_grid_ref(e, n, size) AS os_grid_ref_whole(floor(e)::BIGINT, floor(n)::BIGINT, floor(size)::BIGINT);

-- Every enriched crime with police.uk's ID and text: the columns
-- crimes_enriched had before, and crime_id. A crime whose month was
-- republished and not yet transformed again has NULL text until it is.
-- The LSOA name is the file's, or, where the file gave no LSOA code and
-- the transform placed the crime in an LSOA of the boundary layer lsoa,
-- the layer's.
CREATE VIEW crimes AS
SELECT e.source_id, e.line, p.crime_id, e.month, e.force, e.crime_type, p.location, p.last_outcome,
    e.located, e.longitude, e.latitude, e.easting, e.northing,
    os_grid_ref(e.cell_x, e.cell_y, e.cell_size) AS grid_ref, e.cell_size, e.cell_x, e.cell_y,
    e.lsoa_code,
    CASE WHEN p.source_id IS NOT NULL AND nullif(p.lsoa_code, '') IS NULL AND e.lsoa_code IS NOT NULL THEN a.name
         ELSE nullif(p.lsoa_name, '') END AS lsoa_name,
    e.lad_name, e.unit, e.violence, e.acquisitive, e.asb, e.nte, e.weapons, e.harm
FROM crimes_enriched e
LEFT JOIN police_street p ON p.month = e.month AND p.source_id = e.source_id AND p.line = e.line
LEFT JOIN (SELECT code, any_value(name) AS name FROM areas WHERE layer = 'lsoa' GROUP BY code) a ON a.code = e.lsoa_code;
