-- crimes_enriched no longer copies police.uk's crime ID: no stage reads it
-- there, and copying 64 hex characters a crime cost the transform a tenth
-- of its time and the file a sixth of its size. It stays in police_street;
-- the lake's enriched crimes join it back by (source_id, line).
ALTER TABLE crimes_enriched DROP COLUMN crime_id;
