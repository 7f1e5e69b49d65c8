-- The function of migration 000023 again.
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
          AND d.adopted_on >= es_project_start(pr.actual_start, pr.planned_start)
          AND d.adopted_on <= coalesce(es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision), 'infinity')
        ORDER BY d.jst_id, d.adopted_on, d.id) first_documents
    UNION ALL
    SELECT 'agreements', a.id, NULL, a.title, 1
    FROM agreements a
    WHERE basis = 'agreements_signed'
      AND (a.project_id = project OR a.network_id IN (SELECT n.id FROM networks n WHERE n.project_id = project))
$$;
ALTER TABLE agreements DROP CONSTRAINT agreements_decided_parties_check;
DROP INDEX agreements_proposed_idx;
ALTER TABLE agreements DROP COLUMN status, DROP COLUMN accepted_party_ids, DROP COLUMN declined_party_ids;
DROP INDEX network_members_proposed_idx;
ALTER TABLE network_members DROP COLUMN status, DROP COLUMN decided_at, DROP COLUMN decided_by;
