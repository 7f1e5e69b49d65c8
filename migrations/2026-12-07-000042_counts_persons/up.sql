-- Whether a figure counts persons is data, not a guess from its unit (issue 29).
-- A definition says so (every participant indicator of the ESF+ catalogue
-- does); a project's indicator may say so too (one without a definition must,
-- one with a definition may only add protection: what counts is either). The
-- unit pattern of migration 000030 goes.
ALTER TABLE indicator_definitions ADD COLUMN counts_persons BOOLEAN NOT NULL DEFAULT FALSE;
-- A reported or measured count of persons has no persons whose record keys
-- would key its rounding: each indicator draws a key of its own at random, once,
-- when it is made, never shown (as `participants.record_key` and migration
-- 000041). Its values share it: the same count is rounded the same way in every
-- period and every read, so asking again or for another period averages nothing
-- away.
ALTER TABLE indicators
    ADD COLUMN counts_persons BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN figure_key smallint NOT NULL DEFAULT floor(random() * 256)::smallint;

-- What the registry held before is classified once, by the rule it used until
-- now, and from here on is data its owners correct.
UPDATE indicator_definitions SET counts_persons = TRUE
WHERE (catalogue = 'esf_plus' AND unit = 'osoby') OR es_counts_people(unit, FALSE);
UPDATE indicators i SET counts_persons = TRUE
WHERE i.definition_id IS NULL AND es_counts_people(i.unit, FALSE);
-- An indicator shows that it counts persons when its definition does.
UPDATE indicators i SET counts_persons = TRUE
FROM indicator_definitions d WHERE d.id = i.definition_id AND d.counts_persons;

-- Whether indicator `indicator` counts persons: the one place that says so.
CREATE FUNCTION es_indicator_counts_persons(indicator BIGINT) RETURNS BOOLEAN AS $$
    SELECT i.counts_persons OR coalesce(d.counts_persons, FALSE)
    FROM indicators i LEFT JOIN indicator_definitions d ON d.id = i.definition_id
    WHERE i.id = indicator
$$ LANGUAGE sql STABLE PARALLEL SAFE;

-- A breakdown of a count of persons as published: every cell through the one
-- protection rule, each keyed by its indicator's key and the cell's name (so
-- the cells of one value are not rounded alike).
CREATE FUNCTION es_published_breakdown(breakdown JSONB, figure_key BIGINT) RETURNS JSONB AS $$
    SELECT coalesce(jsonb_object_agg(d.dimension, (
               SELECT coalesce(jsonb_object_agg(c.category,
                          to_jsonb(protected_count(round((c.value #>> '{}')::numeric)::bigint,
                                                   figure_key + hashtext(d.dimension || '/' || c.category),
                                                   (SELECT rounding_base FROM disclosure_control))::text)), '{}'::jsonb)
               FROM jsonb_each(d.categories) c(category, value))), '{}'::jsonb)
    FROM jsonb_each(breakdown) d(dimension, categories)
$$ LANGUAGE sql STABLE PARALLEL SAFE;

-- The view of migration 000024, whose published value now protects a reported,
-- measured or counted (staff reached) count of persons as it protects one
-- derived from attendance;
-- `counts_persons` appended.
CREATE OR REPLACE VIEW indicator_progress AS
WITH base AS (
    SELECT i.id AS indicator_id, i.project_id, i.definition_id, i.kind, i.target_value, i.target_text,
           m.value AS measured, d.completed, d.completed_keys, i.achieved_value AS reported,
           coalesce(m.value_text, i.achieved_text) AS achieved_text,
           pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           es_project_start(pr.actual_start, pr.planned_start) AS starts,
           es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision) AS ends,
           dc.rounding_base,
           es_indicator_counted(i.project_id, i.derived_from_records, i.derived_kinds) AS counted,
           i.unit, m.numerator, m.denominator,
           i.counts_persons OR coalesce(def.counts_persons, FALSE) AS counts_persons,
           i.figure_key
    FROM indicators i
    JOIN projects pr ON pr.id = i.project_id
    JOIN measures me ON me.id = pr.measure_id
    JOIN priority_axes ax ON ax.id = me.priority_axis_id
    LEFT JOIN indicator_definitions def ON def.id = i.definition_id
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
                WHEN v.counts_persons AND v.source = 'measurement' AND v.measured IS NOT NULL
                    THEN protected_count(round(v.measured)::bigint, v.figure_key, v.rounding_base)::numeric
                WHEN v.counts_persons AND v.source = 'reported' AND v.reported IS NOT NULL
                    THEN protected_count(round(v.reported)::bigint, v.figure_key, v.rounding_base)::numeric
                WHEN v.counts_persons AND v.source = 'records'
                    THEN protected_count(round(v.counted)::bigint, v.figure_key, v.rounding_base)::numeric
                ELSE v.achieved_value END AS published_value,
           v.source = 'attendance'
               OR (v.counts_persons AND ((v.source = 'measurement' AND v.measured IS NOT NULL)
                                         OR (v.source = 'reported' AND v.reported IS NOT NULL)
                                         OR v.source = 'records')) AS protected
    FROM valued v
)
SELECT v.indicator_id, v.project_id, v.definition_id, v.kind, v.target_value, v.target_text, v.achieved_value, v.achieved_text,
       v.source, v.voivodeship, v.programme_id, v.priority_axis_id, v.measure_id,
       extract(year FROM v.starts)::int AS year,
       indicator_percent(v.achieved_value, v.target_value) AS percent,
       v.expected_percent,
       indicator_status(v.achieved_value, v.achieved_text, v.target_value, v.expected_percent) AS status,
       v.protected,
       v.published_value,
       indicator_percent(v.published_value, v.target_value) AS published_percent,
       indicator_status(v.published_value, v.achieved_text, v.target_value, v.expected_percent) AS published_status,
       es_indicator_measure(v.definition_id, v.unit) AS measure,
       v.measured AS approved_value,
       v.numerator,
       v.denominator,
       v.counts_persons
FROM published v;

-- A definition that starts or stops counting persons changes what its
-- indicators publish: the facts of their projects are refreshed as for any
-- other write (the one function of migration 000024).
CREATE FUNCTION indicator_definitions_counting_changed() RETURNS trigger AS $$
BEGIN
    PERFORM es_refresh_indicator_facts(array_agg(DISTINCT i.project_id))
    FROM indicators i JOIN new_rows n ON n.id = i.definition_id JOIN old_rows o ON o.id = n.id
    WHERE n.counts_persons IS DISTINCT FROM o.counts_persons
    HAVING count(*) > 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER indicator_definitions_facts_after_update AFTER UPDATE ON indicator_definitions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_definitions_counting_changed();

UPDATE indicator_facts f SET published_value = p.published_value, published_behind = (p.published_status = 'behind')
FROM indicator_progress p
WHERE p.indicator_id = f.indicator_id
  AND (f.published_value IS DISTINCT FROM p.published_value OR f.published_behind IS DISTINCT FROM (p.published_status = 'behind'));

DROP FUNCTION es_counts_people(TEXT, BOOLEAN);

-- Programme and measure targets (migration 000034) add up the approved values
-- of the indicators below: a sum of counts of persons is published to
-- outsiders as a protected cell of its own, keyed by the sum of its
-- indicators' keys (salted as a value's own numerator and denominator are).
CREATE OR REPLACE VIEW programme_target_progress AS
WITH bound AS (
    SELECT tp.target_id, i.id AS indicator_id, i.project_id, i.figure_key,
           i.counts_persons OR coalesce(d.counts_persons, FALSE) AS counts_persons
    FROM programme_target_projects tp
    JOIN programme_targets t ON t.id = tp.target_id
    JOIN indicators i ON i.project_id = tp.project_id AND i.definition_id = t.definition_id
    JOIN indicator_definitions d ON d.id = i.definition_id
), latest AS (
    SELECT DISTINCT ON (b.target_id, b.indicator_id) b.target_id, b.indicator_id, b.project_id, m.value, m.numerator, m.denominator,
           b.figure_key, b.counts_persons
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
       sum(l.denominator) AS sum_denominator,
       coalesce(bool_or(l.counts_persons), FALSE) AS counts_persons,
       CASE WHEN bool_or(l.counts_persons)
            THEN protected_count(round(sum(l.value))::bigint, sum(l.figure_key)::bigint, (SELECT rounding_base FROM disclosure_control))::numeric
            ELSE sum(l.value) END AS published_value,
       CASE WHEN bool_or(l.counts_persons)
            THEN protected_count(round(sum(l.numerator))::bigint, sum(l.figure_key::bigint + hashtext('numerator'))::bigint, (SELECT rounding_base FROM disclosure_control))::numeric
            ELSE sum(l.numerator) END AS published_numerator,
       CASE WHEN bool_or(l.counts_persons)
            THEN protected_count(round(sum(l.denominator))::bigint, sum(l.figure_key::bigint + hashtext('denominator'))::bigint, (SELECT rounding_base FROM disclosure_control))::numeric
            ELSE sum(l.denominator) END AS published_denominator
FROM programme_targets t
LEFT JOIN latest l ON l.target_id = t.id
GROUP BY t.id;
