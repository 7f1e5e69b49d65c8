DROP TRIGGER beneficiaries_facts_after_update ON beneficiaries;
DROP TRIGGER beneficiaries_keep_agreement_parties ON beneficiaries;
DROP FUNCTION agreements_keep_parties();
DROP VIEW indicator_progress;
CREATE VIEW indicator_progress AS
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


DROP FUNCTION es_indicator_basis(BIGINT, TEXT, TEXT[]);
DROP FUNCTION es_project_start(projects);
DROP FUNCTION es_project_end(projects);
ALTER TABLE indicators DROP COLUMN derived_from_records, DROP COLUMN derived_kinds;
ALTER TABLE activities DROP COLUMN network_id;
DROP TABLE resolutions, committee_meetings, committee_members, committees, strategy_documents, supported_institutions, agreements, network_members, networks;
