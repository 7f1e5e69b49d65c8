-- Results reported the way a regional centre reports them (issue 20):
--   * roll-ups add like to like: each indicator fact carries its measure (its
--     definition, else its unit), and the maintained roll-ups are kept per
--     (dimension, key, measure);
--   * ratio indicators keep numerator and denominator, so that a roll-up divides
--     the sums instead of averaging percentages;
--   * breakdowns (disaggregations) are declared per definition and reported per
--     category with each value and target;
--   * the ESF+ common indicators (Regulation (EU) 2021/1057, Annex I) are a
--     seeded catalogue.

ALTER TABLE indicator_definitions
    ADD COLUMN catalogue TEXT,
    ADD COLUMN breakdowns TEXT[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT indicator_definitions_catalogue_common CHECK (catalogue IS NULL OR programme_id IS NULL),
    DROP CONSTRAINT indicator_definitions_measurement_check;
ALTER TABLE indicators ADD COLUMN target_breakdown JSONB;
ALTER TABLE indicator_measurements
    ADD COLUMN numerator NUMERIC,
    ADD COLUMN denominator NUMERIC,
    ADD COLUMN breakdown JSONB,
    ADD CONSTRAINT indicator_measurements_ratio CHECK ((numerator IS NULL) = (denominator IS NULL) AND (denominator IS NULL OR denominator > 0));

-- What an indicator is added up with: its definition, else its unit (case and
-- spaces aside). The one rule of what is alike, for facts, roll-ups and reports.
CREATE FUNCTION es_indicator_measure(definition_id BIGINT, unit TEXT) RETURNS TEXT AS $$
    SELECT CASE WHEN definition_id IS NOT NULL THEN 'definition:' || definition_id
                ELSE 'unit:' || coalesce(lower(btrim(unit)), '') END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- The view of migration 000023 with the measure, the unit, the latest approved
-- value itself and a ratio's numerator and denominator appended.
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

ALTER TABLE indicator_facts
    ADD COLUMN measure TEXT NOT NULL DEFAULT '',
    ADD COLUMN approved_value NUMERIC,
    ADD COLUMN numerator NUMERIC,
    ADD COLUMN denominator NUMERIC;
ALTER TABLE indicator_rollups
    ADD COLUMN measure TEXT NOT NULL DEFAULT '',
    ADD COLUMN sum_numerator NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN sum_denominator NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN ratio_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE indicator_rollups DROP CONSTRAINT indicator_rollups_pkey, ADD PRIMARY KEY (dimension, key, measure);
ALTER TABLE indicator_rollup_projects ADD COLUMN measure TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator_rollup_projects DROP CONSTRAINT indicator_rollup_projects_pkey, ADD PRIMARY KEY (dimension, key, measure, project_id);

CREATE OR REPLACE FUNCTION indicator_facts_rolled() RETURNS trigger AS $$
DECLARE parts TEXT[] := ARRAY[]::TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN parts := parts || 'SELECT o.*, -1 AS sign FROM old_rows o'::text; END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || 'SELECT n.*, 1 AS sign FROM new_rows n'::text; END IF;
    -- Per group, measure and project: how many indicators (and behind ones) come
    -- and go; a project counts in a group's measure while it has an indicator there.
    EXECUTE format($q$
        WITH f AS (%s),
        d AS (
            SELECT g.dimension, g.key, f.measure, f.project_id,
                   sum(f.sign) AS indicators, sum(CASE WHEN f.published_behind THEN f.sign ELSE 0 END) AS behind,
                   sum(f.sign * coalesce(f.target_value, 0)) AS sum_target, sum(f.sign * (f.target_value IS NOT NULL)::int) AS target_count,
                   sum(f.sign * coalesce(f.published_value, 0)) AS sum_achieved, sum(f.sign * (f.published_value IS NOT NULL)::int) AS achieved_count,
                   sum(f.sign * coalesce(f.numerator, 0)) AS sum_numerator, sum(f.sign * coalesce(f.denominator, 0)) AS sum_denominator,
                   sum(f.sign * (f.denominator IS NOT NULL)::int) AS ratio_count
            FROM f CROSS JOIN LATERAL (VALUES
                ('definition', coalesce(f.definition_id::text, '')), ('programme', coalesce(f.programme_id::text, '')),
                ('axis', coalesce(f.priority_axis_id::text, '')), ('measure', coalesce(f.measure_id::text, '')),
                ('voivodeship', coalesce(f.voivodeship::text, '')), ('year', coalesce(f.year::text, ''))) AS g(dimension, key)
            GROUP BY g.dimension, g.key, f.measure, f.project_id),
        before AS (
            SELECT d.*, coalesce(p.indicators, 0) AS had, coalesce(p.behind, 0) AS had_behind
            FROM d LEFT JOIN indicator_rollup_projects p USING (dimension, key, measure, project_id)),
        kept AS (
            INSERT INTO indicator_rollup_projects AS p (dimension, key, measure, project_id, indicators, behind)
            SELECT dimension, key, measure, project_id, indicators, behind FROM d
            ON CONFLICT (dimension, key, measure, project_id) DO UPDATE SET indicators = p.indicators + EXCLUDED.indicators, behind = p.behind + EXCLUDED.behind)
        INSERT INTO indicator_rollups AS g (dimension, key, measure, indicators, projects, sum_target, target_count, sum_achieved, achieved_count,
                                            projects_behind, sum_numerator, sum_denominator, ratio_count)
        SELECT dimension, key, measure, sum(indicators), sum((had + indicators > 0)::int - (had > 0)::int),
               sum(sum_target), sum(target_count), sum(sum_achieved), sum(achieved_count),
               sum((had_behind + behind > 0)::int - (had_behind > 0)::int),
               sum(sum_numerator), sum(sum_denominator), sum(ratio_count)
        FROM before GROUP BY dimension, key, measure
        ON CONFLICT (dimension, key, measure) DO UPDATE SET
            indicators = g.indicators + EXCLUDED.indicators, projects = g.projects + EXCLUDED.projects,
            sum_target = g.sum_target + EXCLUDED.sum_target, target_count = g.target_count + EXCLUDED.target_count,
            sum_achieved = g.sum_achieved + EXCLUDED.sum_achieved, achieved_count = g.achieved_count + EXCLUDED.achieved_count,
            projects_behind = g.projects_behind + EXCLUDED.projects_behind,
            sum_numerator = g.sum_numerator + EXCLUDED.sum_numerator, sum_denominator = g.sum_denominator + EXCLUDED.sum_denominator,
            ratio_count = g.ratio_count + EXCLUDED.ratio_count
    $q$, array_to_string(parts, ' UNION ALL '));
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM indicator_rollup_projects p USING (SELECT DISTINCT project_id FROM old_rows) o
        WHERE p.project_id = o.project_id AND p.indicators = 0;
        DELETE FROM indicator_rollups WHERE indicators = 0;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The facts of the projects a statement touched, from the view: one function,
-- so that what a fact holds is written once.
CREATE FUNCTION es_refresh_indicator_facts(touched BIGINT[]) RETURNS void AS $$
    DELETE FROM indicator_facts WHERE project_id = ANY (touched);
    INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                                 target_value, achieved_value, behind, published_value, published_behind,
                                 measure, approved_value, numerator, denominator)
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind', published_value, published_status = 'behind',
           measure, approved_value, numerator, denominator
    FROM indicator_progress WHERE project_id = ANY (touched);
$$ LANGUAGE sql;

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
    PERFORM es_refresh_indicator_facts(touched);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The facts and roll-ups again, with their measures.
TRUNCATE indicator_facts, indicator_rollups, indicator_rollup_projects;
SELECT es_refresh_indicator_facts(array_agg(id)) FROM projects;

-- The ESF+ common indicators (Regulation (EU) 2021/1057, Annex I), kept by the
-- registry: data on participants is broken down by sex (women, men, non-binary).
INSERT INTO indicator_definitions (code, name, unit, kind, measurement, higher_is_better, split_by_sex, programme_id, description, catalogue, breakdowns)
SELECT code, name, unit, kind, 'quantitative', TRUE, FALSE, NULL, description, 'esf_plus', breakdowns
FROM (VALUES
    ('EECO01', 'Całkowita liczba uczestników', 'osoby', 'output', 'Total number of participants', '{sex}'::text[]),
    ('EECO02', 'Liczba osób bezrobotnych, w tym długotrwale bezrobotnych, objętych wsparciem w programie', 'osoby', 'output', 'Unemployed, including long-term unemployed', '{sex}'),
    ('EECO03', 'Liczba osób długotrwale bezrobotnych objętych wsparciem w programie', 'osoby', 'output', 'Long-term unemployed', '{sex}'),
    ('EECO04', 'Liczba osób biernych zawodowo objętych wsparciem w programie', 'osoby', 'output', 'Inactive', '{sex}'),
    ('EECO05', 'Liczba osób pracujących, łącznie z prowadzącymi działalność na własny rachunek, objętych wsparciem w programie', 'osoby', 'output', 'Employed, including self-employed', '{sex}'),
    ('EECO06', 'Liczba dzieci poniżej 18 lat objętych wsparciem w programie', 'osoby', 'output', 'Children below 18 years of age', '{sex}'),
    ('EECO07', 'Liczba osób w wieku 18-29 lat objętych wsparciem w programie', 'osoby', 'output', 'Young people between 18 and 29 years of age', '{sex}'),
    ('EECO08', 'Liczba osób w wieku 55 lat i więcej objętych wsparciem w programie', 'osoby', 'output', 'Participants of 55 years of age and above', '{sex}'),
    ('EECO09', 'Liczba osób z wykształceniem na poziomie do ISCED 2 włącznie objętych wsparciem w programie', 'osoby', 'output', 'With lower secondary education or less (ISCED 0-2)', '{sex}'),
    ('EECO10', 'Liczba osób z wykształceniem na poziomie ISCED 3 lub ISCED 4 objętych wsparciem w programie', 'osoby', 'output', 'With upper secondary (ISCED 3) or post-secondary education (ISCED 4)', '{sex}'),
    ('EECO11', 'Liczba osób z wykształceniem na poziomie ISCED 5-8 objętych wsparciem w programie', 'osoby', 'output', 'With tertiary education (ISCED 5 to 8)', '{sex}'),
    ('EECO12', 'Liczba osób z niepełnosprawnościami objętych wsparciem w programie', 'osoby', 'output', 'Participants with disabilities', '{sex}'),
    ('EECO13', 'Liczba obywateli państw trzecich objętych wsparciem w programie', 'osoby', 'output', 'Third-country nationals', '{sex}'),
    ('EECO14', 'Liczba osób obcego pochodzenia objętych wsparciem w programie', 'osoby', 'output', 'Participants with a foreign background', '{sex}'),
    ('EECO15', 'Liczba osób należących do mniejszości, w tym społeczności marginalizowanych takich jak Romowie, objętych wsparciem w programie', 'osoby', 'output', 'Minorities (including marginalised communities such as the Roma)', '{sex}'),
    ('EECO16', 'Liczba osób w kryzysie bezdomności lub dotkniętych wykluczeniem z dostępu do mieszkań objętych wsparciem w programie', 'osoby', 'output', 'Homeless or affected by housing exclusion', '{sex}'),
    ('EECO17', 'Liczba osób z obszarów wiejskich objętych wsparciem w programie', 'osoby', 'output', 'Participants from rural areas', '{sex}'),
    ('EECO18', 'Liczba objętych wsparciem podmiotów administracji publicznej lub służb publicznych na szczeblu krajowym, regionalnym lub lokalnym', 'podmioty', 'output', 'Number of public administrations or public services at national, regional or local level supported', '{}'),
    ('EECO19', 'Liczba objętych wsparciem mikro-, małych i średnich przedsiębiorstw (w tym spółdzielni i przedsiębiorstw społecznych)', 'podmioty', 'output', 'Number of micro, small and medium-sized enterprises (including cooperative enterprises and social enterprises) supported', '{}'),
    ('EECR01', 'Liczba osób poszukujących pracy po opuszczeniu programu', 'osoby', 'result', 'Participants engaged in job searching upon leaving', '{sex}'),
    ('EECR02', 'Liczba osób kształcących się lub szkolących po opuszczeniu programu', 'osoby', 'result', 'Participants in education or training upon leaving', '{sex}'),
    ('EECR03', 'Liczba osób, które uzyskały kwalifikacje po opuszczeniu programu', 'osoby', 'result', 'Participants gaining a qualification upon leaving', '{sex}'),
    ('EECR04', 'Liczba osób pracujących, łącznie z prowadzącymi działalność na własny rachunek, po opuszczeniu programu', 'osoby', 'result', 'Participants in employment, including self-employment, upon leaving', '{sex}'),
    ('EECR05', 'Liczba osób pracujących, łącznie z prowadzącymi działalność na własny rachunek, sześć miesięcy po opuszczeniu programu', 'osoby', 'result', 'Participants in employment, including self-employment, six months after leaving', '{sex}')
) AS c(code, name, unit, kind, description, breakdowns)
ON CONFLICT (code) DO NOTHING;
