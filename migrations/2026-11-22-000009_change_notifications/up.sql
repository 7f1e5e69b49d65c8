-- Every committed write to what anonymous readers see announces itself on the
-- es_registry_changes channel, so that each instance empties its response cache
-- (NOTIFY is delivered at commit, once per transaction and payload).
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('es_registry_changes', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['programmes', 'priority_axes', 'measures', 'beneficiaries', 'projects', 'partners', 'activities',
                             'participants', 'attendance', 'indicators', 'indicator_definitions', 'indicator_measurements',
                             'indicator_facts', 'teryt_centroids', 'voivodeships'] LOOP
        EXECUTE format('CREATE TRIGGER %I_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION notify_change()', t, t);
    END LOOP;
END $$;
