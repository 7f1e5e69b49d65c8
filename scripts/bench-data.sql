-- The national-scale data set of `scripts/bench`, generated set-based in the
-- benchmark's own (freshly migrated) database, through the same tables, triggers
-- and constraints the service writes through. Run with psql -v scale=1.0:
-- at scale 1, 16 voivodeships, 17 programmes, 10 000 organisations, 100 000
-- projects (3 activities, 1 partner and 1 indicator each), 500 000 indicator
-- measurements, 2 000 000 participants and 6 000 000 attendance rows.
-- Participants carry no sealed fields (the keys are the service's): they stand
-- for anonymised people, which is what a read of counts touches anyway.
\set ON_ERROR_STOP on
\timing on
SELECT greatest(1, round(10000 * :scale))::int AS organisations, greatest(16, round(100000 * :scale))::int AS projects \gset

-- One regional programme per voivodeship and a national one; 5 axes each; 4 measures per axis.
INSERT INTO programmes (code, name, period, funds, voivodeship)
SELECT 'RP' || teryt || '.21-27', 'Fundusze Europejskie dla województwa ' || name, '2021-2027', '{ESF+}'::text[], teryt FROM voivodeships
UNION ALL SELECT 'FERS', 'Fundusze Europejskie dla Rozwoju Społecznego', '2021-2027', '{ESF+}', NULL;
INSERT INTO priority_axes (programme_id, number, name, sort_key)
SELECT p.id, a::text, 'Oś priorytetowa ' || a, a FROM programmes p, generate_series(1, 5) a;
INSERT INTO measures (priority_axis_id, code, code_normalised, name)
SELECT x.id, x.number || '.' || m, x.number || '.' || m, 'Działanie ' || x.number || '.' || m FROM priority_axes x, generate_series(1, 4) m;

-- Organisations spread over the voivodeships.
CREATE TEMP TABLE voivodeship_list AS SELECT row_number() OVER (ORDER BY teryt) - 1 AS n, teryt FROM voivodeships;
INSERT INTO beneficiaries (name, kind, voivodeship, city)
SELECT (ARRAY['Spółdzielnia Socjalna', 'Stowarzyszenie', 'Fundacja', 'Centrum Integracji Społecznej', 'Gmina'])[1 + g % 5] || ' ' || g,
       (ARRAY['pes', 'ngo', 'ngo', 'owes', 'jst'])[1 + g % 5], v.teryt, 'Miasto ' || (g % 400)
FROM generate_series(1, :organisations) g JOIN voivodeship_list v ON v.n = g % 16;

-- Projects: each in a measure of its voivodeship's programme; titles and descriptions from a small vocabulary.
CREATE TEMP TABLE regional_measures AS
SELECT p.voivodeship, m.id, row_number() OVER (PARTITION BY p.voivodeship ORDER BY m.id) - 1 AS n
FROM measures m JOIN priority_axes a ON a.id = m.priority_axis_id JOIN programmes p ON p.id = a.programme_id WHERE p.voivodeship IS NOT NULL;
INSERT INTO projects (contract_number, title, description, measure_id, voivodeship, total_value, eligible_value, eu_amount,
                      planned_start, planned_start_precision, planned_end, planned_end_precision, status, selection_mode)
SELECT 'BENCH/' || g,
       (ARRAY['Wsparcie', 'Rozwój', 'Koordynacja', 'Aktywizacja', 'Inkubator'])[1 + g % 5] || ' '
           || (ARRAY['spółdzielni socjalnych', 'ekonomii społecznej', 'przedsiębiorstw społecznych', 'osób wykluczonych', 'organizacji pozarządowych'])[1 + (g / 5) % 5]
           || ' – ' || (ARRAY['Toruń', 'Bydgoszcz', 'Włocławek', 'Grudziądz', 'Inowrocław', 'Brodnica', 'Świecie', 'Chełmno',
                              'Gdańsk', 'Gdynia', 'Słupsk', 'Tczew', 'Wejherowo', 'Starogard', 'Kościerzyna', 'Malbork',
                              'Poznań', 'Kalisz', 'Konin', 'Piła', 'Gniezno', 'Leszno', 'Ostrów', 'Września',
                              'Kraków', 'Tarnów', 'Nowy Sącz', 'Oświęcim', 'Chrzanów', 'Olkusz', 'Zakopane', 'Bochnia',
                              'Lublin', 'Zamość', 'Chełm', 'Biała Podlaska', 'Puławy', 'Świdnik', 'Kraśnik', 'Łuków',
                              'Wrocław', 'Wałbrzych', 'Legnica', 'Jelenia Góra', 'Lubin', 'Głogów', 'Świdnica', 'Bolesławiec'])[1 + (g / 25) % 48]
           || ' ' || g,
       'Projekt ' || g || ' obejmuje doradztwo, szkolenia i wsparcie finansowe dla ' || (ARRAY['spółdzielni socjalnych', 'CIS i KIS', 'stowarzyszeń', 'fundacji'])[1 + g % 4] || '.',
       rm.id, v.teryt, 100000 + (g % 997) * 1000, 100000 + (g % 997) * 1000, (100000 + (g % 997) * 1000) * 0.85,
       date '2021-01-01' + (g % 1000), 'day', date '2024-01-01' + (g % 1500), 'day',
       (ARRAY['ongoing', 'completed', 'planned'])[1 + g % 3], 'competitive'
FROM generate_series(1, :projects) g
JOIN voivodeship_list v ON v.n = g % 16
JOIN regional_measures rm ON rm.voivodeship = v.teryt AND rm.n = (g / 16) % 20;

-- Each project's beneficiary, three activities and one indicator with five quarterly measurements.
INSERT INTO partners (project_id, beneficiary_id, role)
SELECT p.id, b.id, 'beneficiary' FROM projects p JOIN beneficiaries b ON b.id = (SELECT min(id) FROM beneficiaries) + p.id % :organisations;
INSERT INTO activities (project_id, activity_type, title, start_date, end_date, external_id)
SELECT p.id, (ARRAY['training', 'consulting', 'networking_meeting'])[a], 'Działanie ' || a || ' projektu ' || p.id,
       p.planned_start + a * 30, p.planned_start + a * 30 + 14, 'a' || a
FROM projects p, generate_series(1, 3) a;
INSERT INTO indicators (project_id, name, kind, unit, target_value, position)
SELECT id, 'Liczba osób objętych wsparciem', 'output', 'osoby', 20 + id % 50, 1 FROM projects;
INSERT INTO indicator_measurements (indicator_id, period_end, value, status)
SELECT i.id, date '2022-03-31' + q * 91, (i.target_value * q / 6)::int, CASE WHEN q < 4 THEN 'approved' ELSE 'draft' END
FROM indicators i, generate_series(1, 5) q;

-- Twenty participants per project, each in its project's three activities.
INSERT INTO participants (project_id, birth_date, sex, age_at_entry, education, labour_status, joined_on)
SELECT p.id, date '1960-01-01' + ((p.id * 20 + n) % 15000)::int, (ARRAY['female', 'male'])[1 + n % 2], 20 + (p.id + n) % 45,
       (ARRAY['isced_0_2', 'isced_3_4', 'isced_5_8'])[1 + n % 3], (ARRAY['unemployed_registered', 'inactive', 'employed'])[1 + n % 3],
       p.planned_start + n::int
FROM projects p, generate_series(1, 20) n;
INSERT INTO attendance (participant_id, activity_id, started_on, outcome)
SELECT pa.id, ac.id, ac.start_date, CASE WHEN (pa.id + ac.id) % 4 = 0 THEN 'dropped_out' ELSE 'completed' END
FROM participants pa JOIN activities ac ON ac.project_id = pa.project_id;

VACUUM ANALYZE;
SELECT (SELECT count(*) FROM beneficiaries) AS organisations, (SELECT count(*) FROM projects) AS projects,
       (SELECT count(*) FROM indicator_measurements) AS measurements, (SELECT count(*) FROM participants) AS participants,
       (SELECT count(*) FROM attendance) AS attendance;
