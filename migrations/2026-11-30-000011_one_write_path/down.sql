DROP FUNCTION es_track_table(TEXT, TEXT, BOOLEAN);
DROP INDEX idempotency_keys_location_idx;
ALTER TABLE idempotency_keys DROP COLUMN erased_at;
