-- The sector's coordination work as records (seeds 000, 002, 004): networks and
-- their members over time, agreements, the institutions a project supported,
-- local governments' strategy documents, regional committees with their
-- members, meetings and resolutions; and indicators counted from these records
-- instead of typed in.

CREATE TABLE networks (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('thematic', 'territorial', 'reintegration', 'owes')),
    coordinator_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    project_id     BIGINT REFERENCES projects (id),
    areas          TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(areas, NULL) IS NULL),
    established_on DATE,
    dissolved_on   DATE,
    description    TEXT,
    url            TEXT,
    external_id    TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT networks_dissolved_on_check CHECK (dissolved_on >= established_on)
);
CREATE INDEX networks_coordinator_id_idx ON networks (coordinator_id);
CREATE INDEX networks_project_id_idx ON networks (project_id);
CREATE UNIQUE INDEX networks_external_id_key ON networks (coordinator_id, external_id) WHERE external_id IS NOT NULL;
SELECT es_track_table('networks', 'networks', public => true);

CREATE TABLE network_members (
    id              BIGSERIAL PRIMARY KEY,
    network_id      BIGINT NOT NULL REFERENCES networks (id),
    organisation_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    joined_on       DATE,
    left_on         DATE,
    notes           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT network_members_left_on_check CHECK (left_on >= joined_on)
);
CREATE INDEX network_members_network_id_idx ON network_members (network_id);
CREATE INDEX network_members_organisation_id_idx ON network_members (organisation_id);
CREATE UNIQUE INDEX network_members_joined_on_key ON network_members (network_id, organisation_id, joined_on);
SELECT es_track_table('network_members', 'network-members', public => true);

-- Meetings of a network are activities of the project that holds them.
ALTER TABLE activities ADD COLUMN network_id BIGINT REFERENCES networks (id);
CREATE INDEX activities_network_id_idx ON activities (network_id) WHERE network_id IS NOT NULL;

-- An agreement belongs to a network or to a project, one of them (a network a
-- project set up brings its agreements to the project); its parties are
-- organisations (JST are organisations of kind jst), two at least.
CREATE TABLE agreements (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT NOT NULL,
    subject      TEXT,
    party_ids    BIGINT[] NOT NULL CHECK (array_position(party_ids, NULL) IS NULL AND cardinality(party_ids) >= 2),
    signed_on    DATE NOT NULL,
    valid_until  DATE,
    network_id   BIGINT REFERENCES networks (id),
    project_id   BIGINT REFERENCES projects (id),
    document_url TEXT,
    external_id  TEXT,
    notes        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT agreements_belongs_check CHECK ((network_id IS NULL) <> (project_id IS NULL)),
    CONSTRAINT agreements_valid_until_check CHECK (valid_until >= signed_on)
);
CREATE INDEX agreements_network_id_idx ON agreements (network_id);
CREATE INDEX agreements_project_id_idx ON agreements (project_id);
CREATE INDEX agreements_party_ids_idx ON agreements USING gin (party_ids);
CREATE UNIQUE INDEX agreements_external_id_key ON agreements (external_id) WHERE external_id IS NOT NULL;
SELECT es_track_table('agreements', 'agreements', public => true);

-- The parties of an agreement are kept as an array, so an organisation that is
-- a party is refused deletion here, as a foreign key would refuse it.
CREATE FUNCTION agreements_keep_parties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM agreements a JOIN old_rows o ON a.party_ids @> ARRAY[o.id]) THEN
        RAISE foreign_key_violation USING MESSAGE = 'an organisation is still a party of an agreement',
            CONSTRAINT = 'agreements_party_ids_fkey', TABLE = 'agreements';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER beneficiaries_keep_agreement_parties AFTER DELETE ON beneficiaries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agreements_keep_parties();

CREATE TABLE supported_institutions (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT NOT NULL REFERENCES projects (id),
    organisation_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    form            TEXT NOT NULL CHECK (form IN ('consulting', 'staff_training', 'networking', 'study_visit', 'animation', 'financial', 'other')),
    started_on      DATE,
    ended_on        DATE,
    staff_supported INTEGER CHECK (staff_supported >= 0),
    external_id     TEXT,
    notes           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT supported_institutions_ended_on_check CHECK (ended_on >= started_on)
);
CREATE INDEX supported_institutions_project_id_idx ON supported_institutions (project_id);
CREATE INDEX supported_institutions_organisation_id_idx ON supported_institutions (organisation_id);
CREATE UNIQUE INDEX supported_institutions_external_id_key ON supported_institutions (project_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX supported_institutions_started_on_key ON supported_institutions (project_id, organisation_id, form, started_on);
SELECT es_track_table('supported_institutions', 'supported-institutions', public => true);

CREATE TABLE strategy_documents (
    id                       BIGSERIAL PRIMARY KEY,
    jst_id                   BIGINT NOT NULL REFERENCES beneficiaries (id),
    title                    TEXT NOT NULL,
    kind                     TEXT NOT NULL CHECK (kind IN ('social_problems_strategy', 'development_strategy', 'ngo_cooperation_programme',
                                                           'social_economy_programme', 'local_es_plan', 'other')),
    adopted_on               DATE,
    resolution_number        TEXT,
    valid_from               DATE,
    valid_to                 DATE,
    names_social_economy     BOOLEAN NOT NULL DEFAULT false,
    social_economy_reference TEXT,
    url                      TEXT,
    external_id              TEXT,
    notes                    TEXT,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT strategy_documents_valid_to_check CHECK (valid_to >= valid_from),
    CONSTRAINT strategy_documents_social_economy_reference_check CHECK (social_economy_reference IS NULL OR names_social_economy)
);
CREATE INDEX strategy_documents_jst_id_idx ON strategy_documents (jst_id);
CREATE UNIQUE INDEX strategy_documents_external_id_key ON strategy_documents (jst_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX strategy_documents_resolution_number_key ON strategy_documents (jst_id, resolution_number);
SELECT es_track_table('strategy_documents', 'strategy-documents', public => true);

-- A regional committee (RKES, PKRES) and its working groups (a committee with a parent).
CREATE TABLE committees (
    id             BIGSERIAL PRIMARY KEY,
    voivodeship    TEXT NOT NULL REFERENCES voivodeships (teryt),
    name           TEXT NOT NULL,
    acronym        TEXT,
    parent_id      BIGINT REFERENCES committees (id),
    established_on DATE,
    established_by TEXT,
    dissolved_on   DATE,
    url            TEXT,
    notes          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT committees_dissolved_on_check CHECK (dissolved_on >= established_on),
    CONSTRAINT committees_parent_id_check CHECK (parent_id <> id)
);
CREATE INDEX committees_voivodeship_idx ON committees (voivodeship);
CREATE INDEX committees_parent_id_idx ON committees (parent_id);
SELECT es_track_table('committees', 'committees', public => true);

-- A seat on a committee is an organisation's, for a term; the persons who sit
-- in it are not kept.
CREATE TABLE committee_members (
    id              BIGSERIAL PRIMARY KEY,
    committee_id    BIGINT NOT NULL REFERENCES committees (id),
    organisation_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    role            TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('chair', 'deputy_chair', 'secretary', 'member', 'observer')),
    term_from       DATE,
    term_to         DATE,
    notes           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT committee_members_term_to_check CHECK (term_to >= term_from)
);
CREATE INDEX committee_members_committee_id_idx ON committee_members (committee_id);
CREATE INDEX committee_members_organisation_id_idx ON committee_members (organisation_id);
CREATE UNIQUE INDEX committee_members_term_from_key ON committee_members (committee_id, organisation_id, term_from);
SELECT es_track_table('committee_members', 'committee-members', public => true);

CREATE TABLE committee_meetings (
    id           BIGSERIAL PRIMARY KEY,
    committee_id BIGINT NOT NULL REFERENCES committees (id),
    held_on      DATE NOT NULL,
    place        TEXT,
    agenda       TEXT,
    minutes_url  TEXT,
    notes        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX committee_meetings_held_on_key ON committee_meetings (committee_id, held_on);
SELECT es_track_table('committee_meetings', 'committee-meetings', public => true);

-- Resolutions of the regional bodies about the social economy: of a committee,
-- or of the voivodeship's board about one (Uchwała ZWP 598/51/15 set up PKRES).
CREATE TABLE resolutions (
    id           BIGSERIAL PRIMARY KEY,
    voivodeship  TEXT NOT NULL REFERENCES voivodeships (teryt),
    issued_by    TEXT NOT NULL,
    number       TEXT NOT NULL,
    adopted_on   DATE NOT NULL,
    subject      TEXT NOT NULL,
    committee_id BIGINT REFERENCES committees (id),
    meeting_id   BIGINT REFERENCES committee_meetings (id),
    url          TEXT,
    notes        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT resolutions_number_key UNIQUE (voivodeship, issued_by, number)
);
CREATE INDEX resolutions_committee_id_idx ON resolutions (committee_id);
SELECT es_track_table('resolutions', 'resolutions', public => true);

-- A project's period: its actual dates, else the planned ones, to the last day
-- a month or year precision allows. The one rule, for the indicator view and
-- for the records indicators count.
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

-- Indicators counted from records: what `derived_from_records` binds an
-- indicator to, optionally narrowed to organisations of `derived_kinds`.
ALTER TABLE indicators
    ADD COLUMN derived_from_records TEXT CHECK (derived_from_records IN
        ('organisations_supported', 'gminas_covered', 'strategy_documents', 'agreements_signed', 'staff_supported')),
    ADD COLUMN derived_kinds TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(derived_kinds, NULL) IS NULL),
    ADD CONSTRAINT indicators_derived_from_records_check1 CHECK (derived_from_records IS NULL OR cardinality(derived_from) = 0);

-- The records behind an indicator of project `project` bound to `basis`: one row
-- per thing counted, `amount` what it adds (1, or a supported institution's
-- staff). The one rule of every counted indicator; the view adds the amounts up
-- and `GET /indicators/{id}/basis` lists the rows.
--   organisations_supported: each organisation the project supported (of `kinds`, if any);
--   staff_supported: each supported institution's staff (of `kinds`, if any);
--   gminas_covered: each gmina where one of its activities took place or whose
--     local government (an organisation of kind jst seated in a gmina) it supported;
--   strategy_documents: each local government it supported that adopted, within
--     the project's period, a strategy document naming the social economy;
--   agreements_signed: each agreement of the project or of a network it set up.
CREATE FUNCTION es_indicator_basis(project BIGINT, basis TEXT, kinds TEXT[])
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

-- The view of migration 000013, with indicators counted from records (source
-- `records`) and the project's period from the functions above.
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

-- The maintained facts follow the records counted indicators read: a change of
-- any of them refreshes the facts of the projects it touches.
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

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['supported_institutions', 'networks', 'agreements', 'strategy_documents'] LOOP
        EXECUTE format('CREATE TRIGGER %I_facts_after_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
        EXECUTE format('CREATE TRIGGER %I_facts_after_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
        EXECUTE format('CREATE TRIGGER %I_facts_after_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects()', t, t);
    END LOOP;
END $$;
-- An organisation's kind and seat decide whether it counts; it is never deleted
-- while it is a supported institution (the foreign key), so updates suffice.
CREATE TRIGGER beneficiaries_facts_after_update AFTER UPDATE ON beneficiaries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_facts_of_changed_projects();
