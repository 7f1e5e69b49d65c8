DROP INDEX committees_name_key;
CREATE INDEX committees_voivodeship_idx ON committees (voivodeship);
DROP INDEX agreements_project_external_id_key;
DROP INDEX agreements_external_id_key;
CREATE UNIQUE INDEX agreements_external_id_key ON agreements (external_id) WHERE external_id IS NOT NULL;
CREATE FUNCTION es_project_start(pr projects) RETURNS DATE LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(pr.actual_start, pr.planned_start)
$$;
CREATE FUNCTION es_project_end(pr projects) RETURNS DATE LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(pr.actual_end_precision, pr.planned_end_precision)
               WHEN 'month' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 month - 1 day')::date
               WHEN 'year' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 year - 1 day')::date
               ELSE coalesce(pr.actual_end, pr.planned_end)
           END
$$;

CREATE OR REPLACE FUNCTION es_indicator_basis(project BIGINT, basis TEXT, kinds TEXT[])
    RETURNS TABLE (collection TEXT, record_id BIGINT, code TEXT, label TEXT, amount NUMERIC)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT ON (s.organisation_id) 'beneficiaries', s.organisation_id, NULL::text, b.name, 1::numeric
    FROM supported_institutions s JOIN beneficiaries b ON b.id = s.organisation_id
    WHERE basis = 'organisations_supported' AND s.project_id = project AND (cardinality(kinds) = 0 OR b.kind = ANY (kinds))
    UNION ALL
    SELECT 'supported-institutions', s.id, NULL, b.name, s.staff_supported::numeric
    FROM supported_institutions s JOIN beneficiaries b ON b.id = s.organisation_id
    WHERE basis = 'staff_supported' AND s.project_id = project AND s.staff_supported > 0 AND (cardinality(kinds) = 0 OR b.kind = ANY (kinds))
    UNION ALL
    SELECT 'gminas', NULL, coalesce(u.teryt, g.gmina), coalesce(u.name, g.gmina), 1
    FROM (SELECT DISTINCT left(t.teryt, 6) AS gmina FROM (
              SELECT ac.teryt FROM activities ac WHERE ac.project_id = project AND length(ac.teryt) = 7
              UNION ALL
              SELECT b.teryt FROM supported_institutions s JOIN beneficiaries b ON b.id = s.organisation_id
              WHERE s.project_id = project AND b.kind = 'jst' AND length(b.teryt) = 7) t
          WHERE basis = 'gminas_covered') g
    LEFT JOIN LATERAL (SELECT teryt, name FROM teryt_units WHERE teryt LIKE g.gmina || '_' ORDER BY teryt LIMIT 1) u ON TRUE
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (d.jst_id) 'strategy-documents', d.id, NULL::text, b.name || ': ' || d.title, 1::numeric
        FROM projects pr
        JOIN supported_institutions s ON s.project_id = pr.id
        JOIN beneficiaries b ON b.id = s.organisation_id AND b.kind = 'jst'
        JOIN strategy_documents d ON d.jst_id = s.organisation_id AND d.names_social_economy
        WHERE basis = 'strategy_documents' AND pr.id = project
          AND d.adopted_on >= es_project_start(pr) AND d.adopted_on <= coalesce(es_project_end(pr), 'infinity')
        ORDER BY d.jst_id, d.adopted_on, d.id) first_documents
    UNION ALL
    SELECT 'agreements', a.id, NULL, a.title, 1
    FROM agreements a
    WHERE basis = 'agreements_signed'
      AND (a.project_id = project OR a.network_id IN (SELECT n.id FROM networks n WHERE n.project_id = project))
$$;

CREATE OR REPLACE VIEW indicator_progress AS
WITH base AS (
    SELECT i.id AS indicator_id, i.project_id, i.definition_id, i.kind, i.target_value, i.target_text,
           m.value AS measured, d.completed, d.completed_keys, i.achieved_value AS reported,
           coalesce(m.value_text, i.achieved_text) AS achieved_text,
           pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           es_project_start(pr) AS starts,
           es_project_end(pr) AS ends,
           dc.rounding_base,
           r.counted
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
    LEFT JOIN LATERAL (
        SELECT coalesce(sum(b.amount), 0) AS counted FROM es_indicator_basis(i.project_id, i.derived_from_records, i.derived_kinds) b
    ) r ON i.derived_from_records IS NOT NULL
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


DROP FUNCTION es_project_start(DATE, DATE);
DROP FUNCTION es_project_end(DATE, TEXT, DATE, TEXT);
DROP FUNCTION es_indicator_counted(BIGINT, TEXT, TEXT[]);
