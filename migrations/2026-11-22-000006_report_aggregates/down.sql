DROP TRIGGER participants_portfolio ON participants;
DROP TRIGGER projects_portfolio ON projects;
DROP FUNCTION participants_rolled();
DROP FUNCTION projects_rolled();
DROP FUNCTION roll_project(projects, INTEGER, BIGINT, BOOLEAN);
DROP FUNCTION project_groups(projects);
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['indicators', 'activities', 'projects', 'indicator_measurements', 'attendance'] LOOP
        EXECUTE format('DROP TRIGGER %I_facts_after_insert ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_facts_after_update ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_facts_after_delete ON %I', t, t);
    END LOOP;
END $$;
DROP FUNCTION refresh_facts_of_changed_projects();
DROP FUNCTION refresh_indicator_facts(BIGINT);
DROP TRIGGER indicator_facts_roll ON indicator_facts;
DROP FUNCTION indicator_facts_rolled();
DROP FUNCTION roll_indicator_fact(indicator_facts, INTEGER);
DROP TABLE portfolio_rollups;
DROP TABLE indicator_rollups;
DROP TABLE indicator_rollup_projects;
DROP TABLE indicator_facts;
