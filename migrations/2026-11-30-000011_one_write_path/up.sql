-- Kept answers to idempotent requests are sealed from now on (see api::idempotency);
-- answers kept before were in clear and may hold personal data, so they go.
DELETE FROM idempotency_keys;
-- When the person a kept answer named was erased: the answer is gone with them.
ALTER TABLE idempotency_keys ADD COLUMN erased_at TIMESTAMPTZ;
CREATE INDEX idempotency_keys_location_idx ON idempotency_keys (location);

-- Every table of the resource registry (src/domain/collection.rs) is tracked the
-- same way, by this one function: `updated_at` kept by the database (no write path
-- can forget it), the changes of public records logged for the change feed (never
-- those of personal data), and a NOTIFY on every write for the response caches.
-- A new collection's migration calls it once, with the collection's path:
--     SELECT es_track_table('networks', 'networks', public => true);
-- A test compares the triggers of every table with the registry.
CREATE FUNCTION es_track_table(tbl TEXT, resource TEXT, public BOOLEAN) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_set_updated_at', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()', tbl || '_set_updated_at', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_insert', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_update', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_delete', tbl);
    IF public THEN
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)',
                       tbl || '_log_insert', tbl, resource);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)',
                       tbl || '_log_update', tbl, resource);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)',
                       tbl || '_log_delete', tbl, resource);
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_notify', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION notify_change()',
                   tbl || '_notify', tbl);
END $$;

-- The registry's tables as they are, now through the one function.
SELECT es_track_table(t, r, p) FROM (VALUES
    ('programmes', 'programmes', true), ('priority_axes', 'priority-axes', true), ('measures', 'measures', true),
    ('beneficiaries', 'beneficiaries', true), ('projects', 'projects', true), ('partners', 'partners', true),
    ('activities', 'activities', true), ('participants', 'participants', false), ('attendance', 'attendance', false),
    ('indicators', 'indicators', true), ('indicator_definitions', 'indicator-definitions', true),
    ('indicator_measurements', 'indicator-measurements', true)) AS registry (t, r, p);
