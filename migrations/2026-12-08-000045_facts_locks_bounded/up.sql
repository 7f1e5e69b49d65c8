-- Migration 000044 took one lock per project whose facts a write refreshes:
-- a write of many projects in one transaction (the benchmark's 100 000
-- projects, or an import of a region's projects) ran out of PostgreSQL's lock
-- table ("out of shared memory", max_locks_per_transaction). Projects now
-- share 256 locks by id (project % 256), taken in order: at most 256 per
-- transaction, and two writers of different projects wait for each other
-- only when their ids share a bucket. A function body only.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';
CREATE OR REPLACE FUNCTION es_refresh_indicator_facts(touched BIGINT[]) RETURNS void AS $$
    SELECT count(pg_advisory_xact_lock(hashtext('es-registry indicator facts'), bucket))
    FROM (SELECT DISTINCT (project % 256)::integer AS bucket FROM unnest(touched) AS project ORDER BY bucket) AS ordered;
    DELETE FROM indicator_facts WHERE project_id = ANY (touched);
    INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                                 target_value, achieved_value, behind, published_value, published_behind,
                                 measure, approved_value, numerator, denominator)
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind', published_value, published_status = 'behind',
           measure, approved_value, numerator, denominator
    FROM indicator_progress WHERE project_id = ANY (touched);
$$ LANGUAGE sql;
