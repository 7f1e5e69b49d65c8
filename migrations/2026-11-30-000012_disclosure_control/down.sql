-- Back to the roll-ups of migration 000008.
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
               sum(d.sign * d.people)
        FROM (%s) AS d(measure_id, voivodeship, started, total_value, eu_amount, sign, people, whole)
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
            eu_count = g.eu_count + EXCLUDED.eu_count, participants = g.participants + EXCLUDED.participants
    $q$, deltas);
END $$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION projects_rolled() RETURNS trigger AS $$
DECLARE
    fields TEXT := 'r.measure_id, r.voivodeship, coalesce(r.actual_start, r.planned_start), r.total_value, r.eu_amount';
    people TEXT := '(SELECT count(*) FROM participants pa WHERE pa.project_id = r.id)';
    parts TEXT[] := ARRAY[]::TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN parts := parts || format('SELECT %s, -1, %s, TRUE FROM old_rows r', fields, people); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || format('SELECT %s, 1, %s, TRUE FROM new_rows r', fields, people); END IF;
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
    IF TG_OP <> 'INSERT' THEN parts := parts || ('SELECT project_id, -1 AS sign FROM old_rows' || moved); END IF;
    IF TG_OP <> 'DELETE' THEN parts := parts || ('SELECT project_id, 1 AS sign FROM new_rows' || moved); END IF;
    EXECUTE portfolio_delta(format(
        'SELECT pr.measure_id, pr.voivodeship, coalesce(pr.actual_start, pr.planned_start), pr.total_value, pr.eu_amount, c.sign, c.people, FALSE
         FROM (SELECT project_id, sign, count(*) AS people FROM (%s) x GROUP BY project_id, sign) c
         JOIN projects pr ON pr.id = c.project_id', array_to_string(parts, ' UNION ALL ')));
    DELETE FROM portfolio_rollups WHERE projects = 0 AND participants = 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

ALTER TABLE portfolio_rollups DROP COLUMN participant_keys;
ALTER TABLE participants DROP COLUMN record_key;
