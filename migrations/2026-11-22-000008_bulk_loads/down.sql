DROP TABLE idempotency_keys;
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['projects', 'participants'] LOOP
        EXECUTE format('DROP TRIGGER %I_portfolio_insert ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_portfolio_update ON %I', t, t);
        EXECUTE format('DROP TRIGGER %I_portfolio_delete ON %I', t, t);
    END LOOP;
END $$;
DROP FUNCTION projects_rolled();
DROP FUNCTION participants_rolled();
DROP FUNCTION portfolio_delta(TEXT);
DROP TRIGGER indicator_facts_roll_insert ON indicator_facts;
DROP TRIGGER indicator_facts_roll_update ON indicator_facts;
DROP TRIGGER indicator_facts_roll_delete ON indicator_facts;
DROP FUNCTION indicator_facts_rolled();
DROP INDEX indicator_rollup_projects_project_idx;
DROP INDEX indicator_measurements_period_key;
DROP INDEX partners_natural_key;
ALTER TABLE participants DROP COLUMN external_id, DROP COLUMN personal_digest;
ALTER TABLE activities DROP COLUMN external_id;
-- The row-level definitions of migration 000006, as they were.
-- Adds (sign = 1) or removes (sign = -1) one indicator fact from the roll-ups.
CREATE FUNCTION roll_indicator_fact(r indicator_facts, sign INTEGER) RETURNS void AS $$
DECLARE
    d TEXT;
    k TEXT;
    b INTEGER := CASE WHEN r.behind THEN sign ELSE 0 END;
    n_ind INTEGER;
    n_beh INTEGER;
BEGIN
    FOREACH d IN ARRAY ARRAY['definition', 'programme', 'axis', 'measure', 'voivodeship', 'year'] LOOP
        k := coalesce(CASE d WHEN 'definition' THEN r.definition_id::text WHEN 'programme' THEN r.programme_id::text
                             WHEN 'axis' THEN r.priority_axis_id::text WHEN 'measure' THEN r.measure_id::text
                             WHEN 'voivodeship' THEN r.voivodeship::text ELSE r.year::text END, '');
        INSERT INTO indicator_rollup_projects AS p (dimension, key, project_id, indicators, behind)
        VALUES (d, k, r.project_id, sign, b)
        ON CONFLICT (dimension, key, project_id) DO UPDATE SET indicators = p.indicators + sign, behind = p.behind + b
        RETURNING p.indicators, p.behind INTO n_ind, n_beh;
        IF n_ind = 0 THEN
            DELETE FROM indicator_rollup_projects WHERE dimension = d AND key = k AND project_id = r.project_id;
        END IF;
        INSERT INTO indicator_rollups AS g
        VALUES (d, k, sign, (n_ind > 0)::int - (n_ind - sign > 0)::int,
                sign * coalesce(r.target_value, 0), sign * (r.target_value IS NOT NULL)::int,
                sign * coalesce(r.achieved_value, 0), sign * (r.achieved_value IS NOT NULL)::int,
                (n_beh > 0)::int - (n_beh - b > 0)::int)
        ON CONFLICT (dimension, key) DO UPDATE SET
            indicators = g.indicators + EXCLUDED.indicators, projects = g.projects + EXCLUDED.projects,
            sum_target = g.sum_target + EXCLUDED.sum_target, target_count = g.target_count + EXCLUDED.target_count,
            sum_achieved = g.sum_achieved + EXCLUDED.sum_achieved, achieved_count = g.achieved_count + EXCLUDED.achieved_count,
            projects_behind = g.projects_behind + EXCLUDED.projects_behind;
        DELETE FROM indicator_rollups WHERE dimension = d AND key = k AND indicators = 0;
    END LOOP;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION indicator_facts_rolled() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM roll_indicator_fact(OLD, -1); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM roll_indicator_fact(NEW, 1); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_facts_roll AFTER INSERT OR UPDATE OR DELETE ON indicator_facts FOR EACH ROW EXECUTE FUNCTION indicator_facts_rolled();
-- Recomputes one project's indicator facts from the progress view.
CREATE FUNCTION refresh_indicator_facts(p BIGINT) RETURNS void AS $$
BEGIN
    DELETE FROM indicator_facts WHERE project_id = p;
    INSERT INTO indicator_facts
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind'
    FROM indicator_progress WHERE project_id = p;
END $$ LANGUAGE plpgsql;
-- After a statement on a table that feeds progress, refresh the projects it touched.
CREATE OR REPLACE FUNCTION refresh_facts_of_changed_projects() RETURNS trigger AS $$
DECLARE
    projects_of TEXT := CASE TG_TABLE_NAME
        WHEN 'indicators' THEN 'SELECT project_id FROM %s'
        WHEN 'activities' THEN 'SELECT project_id FROM %s'
        WHEN 'projects' THEN 'SELECT id FROM %s'
        WHEN 'indicator_measurements' THEN 'SELECT i.project_id FROM %s r JOIN indicators i ON i.id = r.indicator_id'
        WHEN 'attendance' THEN 'SELECT ac.project_id FROM %s r JOIN activities ac ON ac.id = r.activity_id'
    END;
    sources TEXT[] := ARRAY[]::TEXT[];
    p BIGINT;
BEGIN
    IF TG_OP <> 'DELETE' THEN sources := sources || format(projects_of, 'new_rows'); END IF;
    IF TG_OP <> 'INSERT' THEN sources := sources || format(projects_of, 'old_rows'); END IF;
    FOR p IN EXECUTE 'SELECT DISTINCT x FROM (' || array_to_string(sources, ' UNION ALL ') || ') t(x) WHERE x IS NOT NULL' LOOP
        PERFORM refresh_indicator_facts(p);
    END LOOP;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
-- Adds (sign = 1) or removes (sign = -1) a project, or only `people` participants of it.
CREATE FUNCTION roll_project(pr projects, sign INTEGER, people BIGINT, whole BOOLEAN) RETURNS void AS $$
    INSERT INTO portfolio_rollups AS g
    SELECT dimension, key, sign * whole::int,
           CASE WHEN whole THEN sign * coalesce(pr.total_value, 0) ELSE 0 END, CASE WHEN whole THEN sign * (pr.total_value IS NOT NULL)::int ELSE 0 END,
           CASE WHEN whole THEN sign * coalesce(pr.eu_amount, 0) ELSE 0 END, CASE WHEN whole THEN sign * (pr.eu_amount IS NOT NULL)::int ELSE 0 END,
           sign * people
    FROM project_groups(pr)
    ON CONFLICT (dimension, key) DO UPDATE SET
        projects = g.projects + EXCLUDED.projects, total_value = g.total_value + EXCLUDED.total_value,
        total_count = g.total_count + EXCLUDED.total_count, eu_amount = g.eu_amount + EXCLUDED.eu_amount,
        eu_count = g.eu_count + EXCLUDED.eu_count, participants = g.participants + EXCLUDED.participants;
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
$$ LANGUAGE sql;

CREATE FUNCTION projects_rolled() RETURNS trigger AS $$
DECLARE people BIGINT;
BEGIN
    -- A project with participants cannot be deleted, and an update keeps them.
    SELECT count(*) INTO people FROM participants WHERE project_id = coalesce(NEW.id, OLD.id);
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM roll_project(OLD, -1, people, TRUE); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM roll_project(NEW, 1, people, TRUE); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER projects_portfolio AFTER INSERT OR UPDATE OR DELETE ON projects FOR EACH ROW EXECUTE FUNCTION projects_rolled();

CREATE FUNCTION participants_rolled() RETURNS trigger AS $$
DECLARE pr projects;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT * INTO pr FROM projects WHERE id = OLD.project_id;
        IF FOUND THEN PERFORM roll_project(pr, -1, 1, FALSE); END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT * INTO pr FROM projects WHERE id = NEW.project_id;
        PERFORM roll_project(pr, 1, 1, FALSE);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER participants_portfolio AFTER INSERT OR DELETE OR UPDATE OF project_id ON participants FOR EACH ROW EXECUTE FUNCTION participants_rolled();
