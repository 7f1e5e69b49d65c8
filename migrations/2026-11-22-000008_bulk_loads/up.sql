-- Bulk loads. The report aggregates of migration 000006 were kept by row-level
-- triggers: each participant, project or indicator fact upserted several roll-up
-- rows on its own, so loading 5 000 projects took 18 s. Here every roll-up is
-- maintained per statement from its transition tables, as one grouped upsert,
-- so a statement that writes a million rows does the work of one.
--
-- Also: natural keys for imports (an external id on activities and participants)
-- and a keyed digest of a participant's sealed fields, so that a re-import can
-- tell an unchanged person from a changed one without opening anything.

ALTER TABLE activities ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX activities_external_id_key ON activities (project_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE participants ADD COLUMN external_id TEXT, ADD COLUMN personal_digest BYTEA;
CREATE UNIQUE INDEX participants_external_id_key ON participants (project_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX partners_natural_key ON partners (project_id, beneficiary_id, role);
CREATE UNIQUE INDEX indicator_measurements_period_key ON indicator_measurements (indicator_id, period_end);
CREATE INDEX indicator_rollup_projects_project_idx ON indicator_rollup_projects (project_id);

-- Portfolio: projects and participant counts --------------------------------

DROP TRIGGER participants_portfolio ON participants;
DROP FUNCTION participants_rolled();
DROP TRIGGER projects_portfolio ON projects;
DROP FUNCTION projects_rolled();
DROP FUNCTION roll_project(projects, INTEGER, BIGINT, BOOLEAN);

-- The statement that adds `deltas` to the portfolio: a query giving, per project,
-- (measure_id, voivodeship, started, total_value, eu_amount, sign, people, whole).
-- The trigger function runs it itself: only there are the transition tables visible.
CREATE FUNCTION portfolio_delta(deltas TEXT) RETURNS TEXT AS $$
BEGIN
    RETURN format($q$
        INSERT INTO portfolio_rollups AS g
        SELECT grp.dimension, grp.key,
               sum(d.sign * d.whole::int),
               sum(CASE WHEN d.whole THEN d.sign * coalesce(d.total_value, 0) ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * (d.total_value IS NOT NULL)::int ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * coalesce(d.eu_amount, 0) ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * (d.eu_amount IS NOT NULL)::int ELSE 0 END),
               sum(d.sign * d.people)
        FROM (%s) AS d(measure_id, voivodeship, started, total_value, eu_amount, sign, people, whole)
        LEFT JOIN measures m ON m.id = d.measure_id
        LEFT JOIN priority_axes a ON a.id = m.priority_axis_id
        CROSS JOIN LATERAL (VALUES
            ('programme', coalesce(a.programme_id::text, '')), ('axis', coalesce(a.id::text, '')),
            ('measure', coalesce(d.measure_id::text, '')), ('voivodeship', coalesce(d.voivodeship::text, '')),
            ('year', coalesce(extract(year FROM d.started)::int::text, ''))) AS grp(dimension, key)
        GROUP BY grp.dimension, grp.key
        ON CONFLICT (dimension, key) DO UPDATE SET
            projects = g.projects + EXCLUDED.projects, total_value = g.total_value + EXCLUDED.total_value,
            total_count = g.total_count + EXCLUDED.total_count, eu_amount = g.eu_amount + EXCLUDED.eu_amount,
            eu_count = g.eu_count + EXCLUDED.eu_count, participants = g.participants + EXCLUDED.participants
    $q$, deltas);
END $$ LANGUAGE plpgsql IMMUTABLE;

CREATE FUNCTION projects_rolled() RETURNS trigger AS $$
DECLARE
    -- A project with participants cannot be deleted, and an update keeps them.
    fields TEXT := 'r.measure_id, r.voivodeship, coalesce(r.actual_start, r.planned_start), r.total_value, r.eu_amount';
    people TEXT := '(SELECT count(*) FROM participants pa WHERE pa.project_id = r.id)';
    parts TEXT[] := ARRAY[]::TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN parts := parts || format('SELECT %s, -1, %s, TRUE FROM old_rows r', fields, people); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || format('SELECT %s, 1, %s, TRUE FROM new_rows r', fields, people); END IF;
    EXECUTE portfolio_delta(array_to_string(parts, ' UNION ALL '));
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION participants_rolled() RETURNS trigger AS $$
DECLARE
    parts TEXT[] := ARRAY[]::TEXT[];
    moved TEXT := '';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        moved := ' JOIN (SELECT o.id FROM old_rows o JOIN new_rows n USING (id) WHERE o.project_id IS DISTINCT FROM n.project_id) m USING (id)';
    END IF;
    IF TG_OP <> 'INSERT' THEN parts := parts || ('SELECT project_id, -1 AS sign FROM old_rows' || moved); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || ('SELECT project_id, 1 AS sign FROM new_rows' || moved); END IF;
    EXECUTE portfolio_delta(format(
        'SELECT pr.measure_id, pr.voivodeship, coalesce(pr.actual_start, pr.planned_start), pr.total_value, pr.eu_amount, c.sign, c.people, FALSE
         FROM (SELECT project_id, sign, count(*) AS people FROM (%s) x GROUP BY project_id, sign) c
         JOIN projects pr ON pr.id = c.project_id', array_to_string(parts, ' UNION ALL ')));
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['projects', 'participants'] LOOP
        EXECUTE format('CREATE TRIGGER %I_portfolio_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I_rolled()', t, t, t);
        EXECUTE format('CREATE TRIGGER %I_portfolio_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I_rolled()', t, t, t);
        EXECUTE format('CREATE TRIGGER %I_portfolio_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I_rolled()', t, t, t);
    END LOOP;
END $$;

-- Indicator facts and their roll-ups ------------------------------------------

DROP TRIGGER indicator_facts_roll ON indicator_facts;
DROP FUNCTION indicator_facts_rolled();
DROP FUNCTION roll_indicator_fact(indicator_facts, INTEGER);

CREATE FUNCTION indicator_facts_rolled() RETURNS trigger AS $$
DECLARE parts TEXT[] := ARRAY[]::TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN parts := parts || 'SELECT o.*, -1 AS sign FROM old_rows o'::text; END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || 'SELECT n.*, 1 AS sign FROM new_rows n'::text; END IF;
    -- Per group and project: how many indicators (and behind ones) come and go;
    -- a project counts in a group while it has an indicator there.
    EXECUTE format($q$
        WITH f AS (%s),
        d AS (
            SELECT g.dimension, g.key, f.project_id,
                   sum(f.sign) AS indicators, sum(CASE WHEN f.behind THEN f.sign ELSE 0 END) AS behind,
                   sum(f.sign * coalesce(f.target_value, 0)) AS sum_target, sum(f.sign * (f.target_value IS NOT NULL)::int) AS target_count,
                   sum(f.sign * coalesce(f.achieved_value, 0)) AS sum_achieved, sum(f.sign * (f.achieved_value IS NOT NULL)::int) AS achieved_count
            FROM f CROSS JOIN LATERAL (VALUES
                ('definition', coalesce(f.definition_id::text, '')), ('programme', coalesce(f.programme_id::text, '')),
                ('axis', coalesce(f.priority_axis_id::text, '')), ('measure', coalesce(f.measure_id::text, '')),
                ('voivodeship', coalesce(f.voivodeship::text, '')), ('year', coalesce(f.year::text, ''))) AS g(dimension, key)
            GROUP BY g.dimension, g.key, f.project_id),
        before AS (
            SELECT d.*, coalesce(p.indicators, 0) AS had, coalesce(p.behind, 0) AS had_behind
            FROM d LEFT JOIN indicator_rollup_projects p USING (dimension, key, project_id)),
        kept AS (
            INSERT INTO indicator_rollup_projects AS p (dimension, key, project_id, indicators, behind)
            SELECT dimension, key, project_id, indicators, behind FROM d
            ON CONFLICT (dimension, key, project_id) DO UPDATE SET indicators = p.indicators + EXCLUDED.indicators, behind = p.behind + EXCLUDED.behind)
        INSERT INTO indicator_rollups AS g
        SELECT dimension, key, sum(indicators), sum((had + indicators > 0)::int - (had > 0)::int),
               sum(sum_target), sum(target_count), sum(sum_achieved), sum(achieved_count),
               sum((had_behind + behind > 0)::int - (had_behind > 0)::int)
        FROM before GROUP BY dimension, key
        ON CONFLICT (dimension, key) DO UPDATE SET
            indicators = g.indicators + EXCLUDED.indicators, projects = g.projects + EXCLUDED.projects,
            sum_target = g.sum_target + EXCLUDED.sum_target, target_count = g.target_count + EXCLUDED.target_count,
            sum_achieved = g.sum_achieved + EXCLUDED.sum_achieved, achieved_count = g.achieved_count + EXCLUDED.achieved_count,
            projects_behind = g.projects_behind + EXCLUDED.projects_behind
    $q$, array_to_string(parts, ' UNION ALL '));
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM indicator_rollup_projects p USING (SELECT DISTINCT project_id FROM old_rows) o
        WHERE p.project_id = o.project_id AND p.indicators = 0;
        DELETE FROM indicator_rollups WHERE indicators = 0;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER indicator_facts_roll_insert AFTER INSERT ON indicator_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_facts_rolled();
CREATE TRIGGER indicator_facts_roll_update AFTER UPDATE ON indicator_facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_facts_rolled();
CREATE TRIGGER indicator_facts_roll_delete AFTER DELETE ON indicator_facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_facts_rolled();

-- The facts of every project a statement touched, recomputed in two statements.
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
    touched BIGINT[];
BEGIN
    IF TG_OP <> 'DELETE' THEN sources := sources || format(projects_of, 'new_rows'); END IF;
    IF TG_OP <> 'INSERT' THEN sources := sources || format(projects_of, 'old_rows'); END IF;
    EXECUTE 'SELECT array_agg(DISTINCT x) FROM (' || array_to_string(sources, ' UNION ALL ') || ') t(x) WHERE x IS NOT NULL' INTO touched;
    IF touched IS NULL THEN RETURN NULL; END IF;
    DELETE FROM indicator_facts WHERE project_id = ANY (touched);
    INSERT INTO indicator_facts
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind'
    FROM indicator_progress WHERE project_id = ANY (touched);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP FUNCTION refresh_indicator_facts(BIGINT);

-- Idempotency keys: a POST sent again with the same Idempotency-Key gets the first
-- answer again instead of doing the work twice. `status` is NULL while the first
-- request is still running.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    fingerprint  BYTEA,
    status       SMALLINT,
    content_type TEXT,
    location     TEXT,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
