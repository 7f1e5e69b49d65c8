-- Relations that name another organisation (issue 30): a network's member, an
-- agreement's parties. Naming an organisation is a proposal until an account
-- of that organisation, or the ROPS of its voivodeship, accepts it (or at
-- once, when one of them, an admin or the system names it: the rule is
-- `domain::access::speaks_for`). A proposal is not public, not counted and
-- blocks nothing; a named organisation may decline it. Rows written before
-- were written with every party's word: they are accepted, and so is a row an
-- operator writes here by hand.

ALTER TABLE network_members
    ADD COLUMN status     TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('proposed', 'accepted', 'declined')),
    -- When and by which account the member organisation (or its ROPS) decided;
    -- empty when it was accepted at once.
    ADD COLUMN decided_at TIMESTAMPTZ,
    ADD COLUMN decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX network_members_proposed_idx ON network_members (organisation_id) WHERE status = 'proposed';

-- An agreement's status follows from its parties' word: accepted once every
-- party accepted, declined once one declined, else proposed.
ALTER TABLE agreements
    ADD COLUMN status             TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('proposed', 'accepted', 'declined')),
    ADD COLUMN accepted_party_ids BIGINT[] NOT NULL DEFAULT '{}' CHECK (array_position(accepted_party_ids, NULL) IS NULL),
    ADD COLUMN declined_party_ids BIGINT[] NOT NULL DEFAULT '{}' CHECK (array_position(declined_party_ids, NULL) IS NULL);
UPDATE agreements SET accepted_party_ids = party_ids;
ALTER TABLE agreements ADD CONSTRAINT agreements_decided_parties_check
    CHECK (accepted_party_ids <@ party_ids AND declined_party_ids <@ party_ids);
CREATE INDEX agreements_proposed_idx ON agreements USING gin (party_ids) WHERE status = 'proposed';

-- An organisation only proposed as a member or a party keeps itself from being
-- deleted no more than by a foreign key or `agreements_keep_parties`: the
-- service removes the proposals naming it first (audited); accepted ones still
-- keep it.

-- The function of migration 000023, counting accepted agreements only.
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
    WHERE basis = 'agreements_signed' AND a.status = 'accepted'
      AND (a.project_id = project OR a.network_id IN (SELECT n.id FROM networks n WHERE n.project_id = project))
$$;
