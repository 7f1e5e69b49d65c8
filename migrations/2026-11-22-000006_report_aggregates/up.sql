-- Report aggregates kept current on write, so that a report reads a few rows per
-- group instead of scanning every indicator and project.
--
-- indicator_facts: one row per indicator with what the indicator report sums; a
-- project's rows are recomputed (from indicator_progress) whenever something that
-- feeds its progress changes. indicator_rollups / portfolio_rollups: per
-- (dimension, key) totals, adjusted by deltas as facts and projects change.
-- "behind" depends on the date: `es-registry reports refresh` re-evaluates it (daily).

CREATE TABLE indicator_facts (
    indicator_id      BIGINT PRIMARY KEY,
    project_id        BIGINT NOT NULL,
    definition_id     BIGINT,
    voivodeship       CHAR(2),
    programme_id      BIGINT,
    priority_axis_id  BIGINT,
    measure_id        BIGINT,
    year              INTEGER,
    target_value      NUMERIC,
    achieved_value    NUMERIC,
    behind            BOOLEAN NOT NULL
);
CREATE INDEX indicator_facts_project_idx ON indicator_facts (project_id);
CREATE INDEX indicator_facts_voivodeship_idx ON indicator_facts (voivodeship);
CREATE INDEX indicator_facts_programme_idx ON indicator_facts (programme_id);
CREATE INDEX indicator_facts_measure_idx ON indicator_facts (measure_id);
CREATE INDEX indicator_facts_year_idx ON indicator_facts (year);
CREATE INDEX indicator_facts_definition_idx ON indicator_facts (definition_id);

CREATE TABLE indicator_rollup_projects (
    dimension   TEXT NOT NULL,
    key         TEXT NOT NULL,
    project_id  BIGINT NOT NULL,
    indicators  INTEGER NOT NULL,
    behind      INTEGER NOT NULL,
    PRIMARY KEY (dimension, key, project_id)
);

CREATE TABLE indicator_rollups (
    dimension        TEXT NOT NULL,
    key              TEXT NOT NULL,
    indicators       BIGINT NOT NULL,
    projects         BIGINT NOT NULL,
    sum_target       NUMERIC NOT NULL,
    target_count     BIGINT NOT NULL,
    sum_achieved     NUMERIC NOT NULL,
    achieved_count   BIGINT NOT NULL,
    projects_behind  BIGINT NOT NULL,
    PRIMARY KEY (dimension, key)
);

CREATE TABLE portfolio_rollups (
    dimension     TEXT NOT NULL,
    key           TEXT NOT NULL,
    projects      BIGINT NOT NULL,
    total_value   NUMERIC NOT NULL,
    total_count   BIGINT NOT NULL,
    eu_amount     NUMERIC NOT NULL,
    eu_count      BIGINT NOT NULL,
    participants  BIGINT NOT NULL,
    PRIMARY KEY (dimension, key)
);

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
CREATE FUNCTION refresh_facts_of_changed_projects() RETURNS trigger AS $$
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

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['indicators', 'activities', 'projects', 'indicator_measurements', 'attendance'] LOOP
        EXECUTE format('CREATE TRIGGER %I_facts_after_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
        EXECUTE format('CREATE TRIGGER %I_facts_after_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
        EXECUTE format('CREATE TRIGGER %I_facts_after_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
    END LOOP;
END $$;

-- The portfolio: the groups a project counts in.
CREATE FUNCTION project_groups(pr projects) RETURNS TABLE (dimension TEXT, key TEXT) AS $$
    SELECT d, coalesce(CASE d WHEN 'programme' THEN a.programme_id::text WHEN 'axis' THEN a.id::text
                              WHEN 'measure' THEN pr.measure_id::text WHEN 'voivodeship' THEN pr.voivodeship::text
                              ELSE extract(year FROM coalesce(pr.actual_start, pr.planned_start))::int::text END, '')
    FROM unnest(ARRAY['programme', 'axis', 'measure', 'voivodeship', 'year']) AS d
    LEFT JOIN measures m ON m.id = pr.measure_id
    LEFT JOIN priority_axes a ON a.id = m.priority_axis_id
$$ LANGUAGE sql STABLE;

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

-- What is already there.
INSERT INTO indicator_facts
SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
       target_value, achieved_value, status = 'behind'
FROM indicator_progress;
SELECT roll_project(p, 1, (SELECT count(*) FROM participants pa WHERE pa.project_id = p.id), TRUE) FROM projects p;
