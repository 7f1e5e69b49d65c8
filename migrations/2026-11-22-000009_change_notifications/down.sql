DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['programmes', 'priority_axes', 'measures', 'beneficiaries', 'projects', 'partners', 'activities',
                             'participants', 'attendance', 'indicators', 'indicator_definitions', 'indicator_measurements',
                             'indicator_facts', 'teryt_centroids', 'voivodeships'] LOOP
        EXECUTE format('DROP TRIGGER %I_notify ON %I', t, t);
    END LOOP;
END $$;
DROP FUNCTION notify_change();
