DELETE FROM indicator_definitions d WHERE d.catalogue = 'esf_plus'
    AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.definition_id = d.id);
CREATE OR REPLACE FUNCTION refresh_facts_of_changed_projects() RETURNS trigger AS $$
DECLARE
    projects_of TEXT := CASE TG_TABLE_NAME
        WHEN 'indicators' THEN 'SELECT project_id FROM %1$s'
        WHEN 'activities' THEN 'SELECT project_id FROM %1$s'
        WHEN 'projects' THEN 'SELECT id FROM %1$s'
        WHEN 'indicator_measurements' THEN 'SELECT i.project_id FROM %1$s r JOIN indicators i ON i.id = r.indicator_id'
        WHEN 'attendance' THEN 'SELECT ac.project_id FROM %1$s r JOIN activities ac ON ac.id = r.activity_id'
        WHEN 'supported_institutions' THEN 'SELECT project_id FROM %1$s'
        WHEN 'networks' THEN 'SELECT project_id FROM %1$s'
        WHEN 'agreements' THEN 'SELECT project_id FROM %1$s UNION ALL SELECT n.project_id FROM %1$s r JOIN networks n ON n.id = r.network_id'
        WHEN 'strategy_documents' THEN 'SELECT s.project_id FROM %1$s r JOIN supported_institutions s ON s.organisation_id = r.jst_id'
        WHEN 'beneficiaries' THEN 'SELECT s.project_id FROM %1$s r JOIN supported_institutions s ON s.organisation_id = r.id'
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
DROP FUNCTION es_refresh_indicator_facts(BIGINT[]);
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
TRUNCATE indicator_facts, indicator_rollups, indicator_rollup_projects;
ALTER TABLE indicator_rollup_projects DROP CONSTRAINT indicator_rollup_projects_pkey, DROP COLUMN measure, ADD PRIMARY KEY (dimension, key, project_id);
ALTER TABLE indicator_rollups DROP CONSTRAINT indicator_rollups_pkey, DROP COLUMN measure, DROP COLUMN sum_numerator, DROP COLUMN sum_denominator,
    DROP COLUMN ratio_count, ADD PRIMARY KEY (dimension, key);
ALTER TABLE indicator_facts DROP COLUMN measure, DROP COLUMN approved_value, DROP COLUMN numerator, DROP COLUMN denominator;
DROP VIEW indicator_progress;
CREATE VIEW indicator_progress AS
WITH base AS (
    SELECT i.id AS indicator_id, i.project_id, i.definition_id, i.kind, i.target_value, i.target_text,
           m.value AS measured, d.completed, d.completed_keys, i.achieved_value AS reported,
           coalesce(m.value_text, i.achieved_text) AS achieved_text,
           pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           es_project_start(pr.actual_start, pr.planned_start) AS starts,
           es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision) AS ends,
           dc.rounding_base,
           -- STRICT: not called at all for an indicator bound to no records.
           es_indicator_counted(i.project_id, i.derived_from_records, i.derived_kinds) AS counted
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
           coalesce(b.measured, b.completed, b.counted, b.reported) AS achieved_value,
           CASE WHEN b.measured IS NOT NULL THEN 'measurement' WHEN b.completed IS NOT NULL THEN 'attendance'
                WHEN b.counted IS NOT NULL THEN 'records'
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
INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                             target_value, achieved_value, behind, published_value, published_behind)
SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
       target_value, achieved_value, status = 'behind', published_value, published_status = 'behind'
FROM indicator_progress;
DROP FUNCTION es_indicator_measure(BIGINT, TEXT);
ALTER TABLE indicator_measurements DROP CONSTRAINT indicator_measurements_ratio, DROP COLUMN numerator, DROP COLUMN denominator, DROP COLUMN breakdown;
ALTER TABLE indicators DROP COLUMN target_breakdown;
UPDATE indicator_definitions SET measurement = 'quantitative' WHERE measurement = 'ratio';
ALTER TABLE indicator_definitions DROP CONSTRAINT indicator_definitions_catalogue_common, DROP COLUMN catalogue, DROP COLUMN breakdowns,
    ADD CONSTRAINT indicator_definitions_measurement_check CHECK (measurement IN ('quantitative', 'qualitative'));
