-- Counts of people in indicators and reports, protected for readers who do not
-- own them (see src/domain/disclosure.rs; migration 000012 gave participants
-- their record keys). An indicator bound to attendance counts the persons who
-- completed its activities: that count, its percentage and its status are
-- published protected, and the maintained indicator roll-ups add up the
-- published values, so no filter of a public report gives the exact count back.

-- The base protected counts are rounded to. The service writes it at start from
-- DISCLOSURE_ROUNDING_BASE and refreshes the published facts when it changed.
CREATE TABLE disclosure_control (
    only_row      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    rounding_base INTEGER NOT NULL CHECK (rounding_base BETWEEN 3 AND 100)
);
INSERT INTO disclosure_control (rounding_base) VALUES (5);

-- The rounding rule, and its only home: `people` persons whose record keys add
-- up to `keys` are published as a multiple of `base`, rounded up for a share
-- (people mod base) / base of the cell keys 0..255.
CREATE FUNCTION protected_count(people BIGINT, keys BIGINT, base INTEGER) RETURNS BIGINT AS $$
    SELECT CASE
        WHEN people IS NULL THEN NULL
        WHEN people <= 0 THEN 0
        WHEN people % base > 0 AND ((keys % 256 + 256) % 256) * base < (people % base) * 256 THEN people - people % base + base
        ELSE people - people % base
    END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- How far an indicator has come, from its achieved value (exact or published):
-- the rules of the view of migration 000005, now in one place for both.
CREATE FUNCTION indicator_percent(achieved NUMERIC, target NUMERIC) RETURNS NUMERIC AS $$
    SELECT CASE WHEN target > 0 AND achieved IS NOT NULL THEN round(100 * achieved / target, 1) END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION indicator_status(achieved NUMERIC, achieved_text TEXT, target NUMERIC, expected_percent NUMERIC) RETURNS TEXT AS $$
    SELECT CASE
        WHEN achieved IS NULL AND achieved_text IS NOT NULL THEN 'achieved'
        WHEN achieved IS NULL OR achieved = 0 THEN 'not_started'
        WHEN target IS NULL OR target = 0 THEN 'achieved'
        WHEN achieved > target THEN 'exceeded'
        WHEN achieved = target THEN 'achieved'
        WHEN expected_percent IS NOT NULL AND 100 * achieved / target < expected_percent THEN 'behind'
        ELSE 'on_track'
    END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- The view of migration 000010, with the completed persons' keys and, after its
-- columns, what a reader who does not own the count gets.
CREATE OR REPLACE VIEW indicator_progress AS
WITH base AS (
    SELECT i.id AS indicator_id, i.project_id, i.definition_id, i.kind, i.target_value, i.target_text,
           m.value AS measured, d.completed, d.completed_keys, i.achieved_value AS reported,
           coalesce(m.value_text, i.achieved_text) AS achieved_text,
           pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           coalesce(pr.actual_start, pr.planned_start) AS starts,
           CASE coalesce(pr.actual_end_precision, pr.planned_end_precision)
               WHEN 'month' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 month - 1 day')::date
               WHEN 'year' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 year - 1 day')::date
               ELSE coalesce(pr.actual_end, pr.planned_end)
           END AS ends,
           dc.rounding_base
    FROM indicators i
    JOIN projects pr ON pr.id = i.project_id
    JOIN measures me ON me.id = pr.measure_id
    JOIN priority_axes ax ON ax.id = me.priority_axis_id
    CROSS JOIN disclosure_control dc
    LEFT JOIN LATERAL (
        SELECT value, value_text FROM indicator_measurements
        WHERE indicator_id = i.id AND status = 'approved'
        ORDER BY period_end DESC, id DESC LIMIT 1
    ) m ON TRUE
    LEFT JOIN LATERAL (
        SELECT count(*)::numeric AS completed, coalesce(sum(p.record_key), 0)::bigint AS completed_keys
        FROM (SELECT DISTINCT a.participant_id
              FROM attendance a JOIN activities ac ON ac.id = a.activity_id
              WHERE ac.project_id = i.project_id AND ac.activity_type = ANY (i.derived_from) AND a.outcome = 'completed') c
        JOIN participants p ON p.id = c.participant_id
    ) d ON cardinality(i.derived_from) > 0
), valued AS (
    SELECT b.*,
           coalesce(b.measured, b.completed, b.reported) AS achieved_value,
           CASE WHEN b.measured IS NOT NULL THEN 'measurement' WHEN b.completed IS NOT NULL THEN 'attendance'
                WHEN b.reported IS NOT NULL THEN 'reported' WHEN b.achieved_text IS NOT NULL THEN 'reported' END AS source,
           CASE WHEN b.starts IS NULL OR b.ends IS NULL OR b.ends <= b.starts THEN NULL
                ELSE round(100 * greatest(0, least(1, (current_date - b.starts)::numeric / (b.ends - b.starts))), 1) END AS expected_percent
    FROM base b
), published AS (
    SELECT v.*,
           CASE WHEN v.source = 'attendance' THEN protected_count(v.completed::bigint, v.completed_keys, v.rounding_base)::numeric
                ELSE v.achieved_value END AS published_value
    FROM valued v
)
SELECT v.indicator_id, v.project_id, v.definition_id, v.kind, v.target_value, v.target_text, v.achieved_value, v.achieved_text,
       v.source, v.voivodeship, v.programme_id, v.priority_axis_id, v.measure_id,
       extract(year FROM v.starts)::int AS year,
       indicator_percent(v.achieved_value, v.target_value) AS percent,
       v.expected_percent,
       indicator_status(v.achieved_value, v.achieved_text, v.target_value, v.expected_percent) AS status,
       v.source = 'attendance' AS protected,
       v.published_value,
       indicator_percent(v.published_value, v.target_value) AS published_percent,
       indicator_status(v.published_value, v.achieved_text, v.target_value, v.expected_percent) AS published_status
FROM published v;

-- Facts keep both; the maintained roll-ups (the public, whole-country reports)
-- add up the published ones. Exact roll-ups are computed from the facts.
ALTER TABLE indicator_facts ADD COLUMN published_value NUMERIC, ADD COLUMN published_behind BOOLEAN NOT NULL DEFAULT FALSE;

CREATE OR REPLACE FUNCTION indicator_facts_rolled() RETURNS trigger AS $$
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
                   sum(f.sign) AS indicators, sum(CASE WHEN f.published_behind THEN f.sign ELSE 0 END) AS behind,
                   sum(f.sign * coalesce(f.target_value, 0)) AS sum_target, sum(f.sign * (f.target_value IS NOT NULL)::int) AS target_count,
                   sum(f.sign * coalesce(f.published_value, 0)) AS sum_achieved, sum(f.sign * (f.published_value IS NOT NULL)::int) AS achieved_count
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
    INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                                 target_value, achieved_value, behind, published_value, published_behind)
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind', published_value, published_status = 'behind'
    FROM indicator_progress WHERE project_id = ANY (touched);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The facts and roll-ups again, from the new view.
TRUNCATE indicator_facts, indicator_rollups, indicator_rollup_projects;
INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                             target_value, achieved_value, behind, published_value, published_behind)
SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
       target_value, achieved_value, status = 'behind', published_value, published_status = 'behind'
FROM indicator_progress;
