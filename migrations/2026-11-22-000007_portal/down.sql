DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['programmes', 'priority_axes', 'measures', 'beneficiaries', 'projects', 'partners',
                             'activities', 'indicators', 'indicator_definitions', 'indicator_measurements'] LOOP
        EXECUTE format('DROP TRIGGER %I_log_insert ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_log_update ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_log_delete ON %I', t, t);
    END LOOP;
END $$;
DROP FUNCTION log_changes();
DROP TABLE changes;
DROP TABLE teryt_centroids;
ALTER TABLE projects DROP COLUMN latitude, DROP COLUMN longitude;
ALTER TABLE beneficiaries DROP COLUMN latitude, DROP COLUMN longitude;
DROP INDEX activities_teryt_idx;
DROP INDEX beneficiaries_teryt_idx;
DROP INDEX projects_total_value_idx;
DROP INDEX projects_planned_start_idx;
ALTER TABLE activities DROP COLUMN search;
ALTER TABLE beneficiaries DROP COLUMN search;
ALTER TABLE projects DROP COLUMN search;
DROP FUNCTION es_join(TEXT[]);
DROP TEXT SEARCH CONFIGURATION es_polish;
