-- Statistical disclosure control (see src/domain/disclosure.rs). Every
-- participant carries a record key, drawn once at random when the record is
-- created; nothing in the application writes or shows it. A count of people
-- shown to a reader who does not own it is rounded as the sum of its persons'
-- keys decides, so the portfolio roll-ups keep that sum beside each count.

-- A volatile default is evaluated row by row, existing rows included.
ALTER TABLE participants ADD COLUMN record_key SMALLINT NOT NULL DEFAULT floor(random() * 256)::smallint
    CONSTRAINT participants_record_key_range CHECK (record_key BETWEEN 0 AND 255);

ALTER TABLE portfolio_rollups ADD COLUMN participant_keys BIGINT NOT NULL DEFAULT 0;

-- As in migration 000008, with the persons' keys (`keys`) beside their count (`people`).
CREATE OR REPLACE FUNCTION portfolio_delta(deltas TEXT) RETURNS TEXT AS $$
BEGIN
    RETURN format($q$
        INSERT INTO portfolio_rollups AS g
        SELECT grp.dimension, grp.key,
               sum(d.sign * d.whole::int),
               sum(CASE WHEN d.whole THEN d.sign * coalesce(d.total_value, 0) ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * (d.total_value IS NOT NULL)::int ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * coalesce(d.eu_amount, 0) ELSE 0 END),
               sum(CASE WHEN d.whole THEN d.sign * (d.eu_amount IS NOT NULL)::int ELSE 0 END),
               sum(d.sign * d.people),
               sum(d.sign * d.keys)
        FROM (%s) AS d(measure_id, voivodeship, started, total_value, eu_amount, sign, people, keys, whole)
        LEFT JOIN measures m ON m.id = d.measure_id
        LEFT JOIN priority_axes a ON a.id = m.priority_axis_id
        CROSS JOIN LATERAL (VALUES
            ('programme', coalesce(a.programme_id::text, '')), ('axis', coalesce(a.id::text, '')),
            ('measure', coalesce(d.measure_id::text, '')), ('voivodeship', coalesce(d.voivodeship::text, '')),
            ('year', coalesce(extract(year FROM d.started)::int::text, ''))) AS grp(dimension, key)
        GROUP BY grp.dimension, grp.key
        ON CONFLICT (dimension, key) DO UPDATE SET
            projects = g.projects + EXCLUDED.projects, total_value = g.total_value + EXCLUDED.total_value,
            total_count = g.total_count + EXCLUDED.total_count, eu_amount = g.eu_amount + EXCLUDED.eu_amount,
            eu_count = g.eu_count + EXCLUDED.eu_count, participants = g.participants + EXCLUDED.participants,
            participant_keys = g.participant_keys + EXCLUDED.participant_keys
    $q$, deltas);
END $$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION projects_rolled() RETURNS trigger AS $$
DECLARE
    -- A project with participants cannot be deleted, and an update keeps them.
    fields TEXT := 'r.measure_id, r.voivodeship, coalesce(r.actual_start, r.planned_start), r.total_value, r.eu_amount';
    -- Each project with its participants' count and keys.
    rolled TEXT := 'SELECT %s, %s, pa.people, pa.keys, TRUE FROM %s r CROSS JOIN LATERAL '
                   '(SELECT count(*) AS people, coalesce(sum(record_key), 0) AS keys FROM participants WHERE project_id = r.id) pa';
    parts TEXT[] := ARRAY[]::TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN parts := parts || format(rolled, fields, -1, 'old_rows'); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || format(rolled, fields, 1, 'new_rows'); END IF;
    EXECUTE portfolio_delta(array_to_string(parts, ' UNION ALL '));
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION participants_rolled() RETURNS trigger AS $$
DECLARE
    parts TEXT[] := ARRAY[]::TEXT[];
    moved TEXT := '';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        moved := ' JOIN (SELECT o.id FROM old_rows o JOIN new_rows n USING (id) WHERE o.project_id IS DISTINCT FROM n.project_id) m USING (id)';
    END IF;
    IF TG_OP <> 'INSERT' THEN parts := parts || ('SELECT project_id, record_key, -1 AS sign FROM old_rows' || moved); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || ('SELECT project_id, record_key, 1 AS sign FROM new_rows' || moved); END IF;
    EXECUTE portfolio_delta(format(
        'SELECT pr.measure_id, pr.voivodeship, coalesce(pr.actual_start, pr.planned_start), pr.total_value, pr.eu_amount, c.sign, c.people, c.keys, FALSE
         FROM (SELECT project_id, sign, count(*) AS people, sum(record_key) AS keys FROM (%s) x GROUP BY project_id, sign) c
         JOIN projects pr ON pr.id = c.project_id', array_to_string(parts, ' UNION ALL ')));
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The keys of the participants already rolled up.
UPDATE portfolio_rollups g SET participant_keys = k.keys
FROM (
    SELECT grp.dimension, grp.key, sum(p.record_key) AS keys
    FROM participants p
    JOIN projects pr ON pr.id = p.project_id
    LEFT JOIN measures m ON m.id = pr.measure_id
    LEFT JOIN priority_axes a ON a.id = m.priority_axis_id
    CROSS JOIN LATERAL (VALUES
        ('programme', coalesce(a.programme_id::text, '')), ('axis', coalesce(a.id::text, '')),
        ('measure', coalesce(pr.measure_id::text, '')), ('voivodeship', coalesce(pr.voivodeship::text, '')),
        ('year', coalesce(extract(year FROM coalesce(pr.actual_start, pr.planned_start))::int::text, ''))) AS grp(dimension, key)
    GROUP BY grp.dimension, grp.key
) k
WHERE k.dimension = g.dimension AND k.key = g.key;
