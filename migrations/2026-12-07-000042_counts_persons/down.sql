DROP VIEW programme_target_progress;
CREATE VIEW programme_target_progress AS
WITH bound AS (
    SELECT tp.target_id, i.id AS indicator_id, i.project_id
    FROM programme_target_projects tp
    JOIN programme_targets t ON t.id = tp.target_id
    JOIN indicators i ON i.project_id = tp.project_id AND i.definition_id = t.definition_id
), latest AS (
    SELECT DISTINCT ON (b.target_id, b.indicator_id) b.target_id, b.indicator_id, b.project_id, m.value, m.numerator, m.denominator
    FROM bound b
    JOIN programme_targets t ON t.id = b.target_id
    JOIN indicator_measurements m ON m.indicator_id = b.indicator_id AND m.status = 'approved'
        AND (t.year IS NULL OR m.period_end <= make_date(t.year, 12, 31))
    ORDER BY b.target_id, b.indicator_id, m.period_end DESC, m.id DESC
)
SELECT t.id AS target_id,
       (SELECT count(DISTINCT b.project_id) FROM bound b WHERE b.target_id = t.id) AS projects,
       (SELECT count(*) FROM bound b WHERE b.target_id = t.id) AS indicators,
       count(l.indicator_id) AS indicators_reporting,
       sum(l.value) AS approved_value,
       sum(l.numerator) AS sum_numerator,
       sum(l.denominator) AS sum_denominator
FROM programme_targets t
LEFT JOIN latest l ON l.target_id = t.id
GROUP BY t.id;
CREATE FUNCTION es_counts_people(unit TEXT, protected BOOLEAN) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(protected, FALSE)
        OR coalesce(lower(unit) ~ '^\s*(osob|osób|osoba|uczestni|b\.\s*o\.|beneficjen|kobiet|mężczyzn|person|participant|people)', FALSE)
$$;
DROP TRIGGER indicator_definitions_facts_after_update ON indicator_definitions;
DROP FUNCTION indicator_definitions_counting_changed();
-- A view cannot lose a column by CREATE OR REPLACE: it is made again as
-- migration 000024 left it.
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
           es_indicator_counted(i.project_id, i.derived_from_records, i.derived_kinds) AS counted,
           i.unit, m.numerator, m.denominator
    FROM indicators i
    JOIN projects pr ON pr.id = i.project_id
    JOIN measures me ON me.id = pr.measure_id
    JOIN priority_axes ax ON ax.id = me.priority_axis_id
    CROSS JOIN disclosure_control dc
    LEFT JOIN LATERAL (
        SELECT value, value_text, numerator, denominator FROM indicator_measurements
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
       indicator_status(v.published_value, v.achieved_text, v.target_value, v.expected_percent) AS published_status,
       es_indicator_measure(v.definition_id, v.unit) AS measure,
       v.measured AS approved_value,
       v.numerator,
       v.denominator
FROM published v;
UPDATE indicator_facts f SET published_value = p.published_value, published_behind = (p.published_status = 'behind')
FROM indicator_progress p
WHERE p.indicator_id = f.indicator_id
  AND (f.published_value IS DISTINCT FROM p.published_value OR f.published_behind IS DISTINCT FROM (p.published_status = 'behind'));
DROP FUNCTION es_published_breakdown(JSONB, BIGINT);
DROP FUNCTION es_indicator_counts_persons(BIGINT);
ALTER TABLE indicators DROP COLUMN figure_key, DROP COLUMN counts_persons;
ALTER TABLE indicator_definitions DROP COLUMN counts_persons;
