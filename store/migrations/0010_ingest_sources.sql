-- What ingest needs to know of a stored police.uk file without reading its
-- rows again: the CRC-32 of its bytes (what a zip's directory records, so an
-- unchanged archive entry is recognised without being read) and whether it
-- had LSOA columns (a copy without them, such as one from the police.uk API,
-- never replaces one with them).
ALTER TABLE sources ADD COLUMN crc32 BIGINT;        -- CRC-32 (IEEE) of the file's bytes; NULL for older loads and feeds
ALTER TABLE sources ADD COLUMN lsoa_columns BOOLEAN; -- police.uk street and outcomes files: had LSOA code/name

-- Older loads: a file had the columns if any of its stored rows has a code.
UPDATE sources SET lsoa_columns = source_id IN (
    SELECT source_id FROM police_street WHERE lsoa_code IS NOT NULL
    UNION SELECT source_id FROM police_outcomes WHERE lsoa_code IS NOT NULL)
WHERE kind IN ('street', 'outcomes') AND status = 'loaded';
