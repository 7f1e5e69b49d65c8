-- Two writes that refresh one project's indicator facts at once (say, two
-- activities of the project added together) each deleted only the facts it
-- could see and both inserted them again: the second failed on the facts'
-- primary key (409 already_exists, found by the soak with eight writers).
-- Writers now refresh a project's facts one at a time, taking a lock per
-- project (in the projects' order, so that two writes touching the same
-- projects cannot deadlock) before the delete, which then sees what the
-- previous writer committed. A function body only: no table is locked, but
-- wait at most 10 s for the function's own lock rather than queue requests.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';
CREATE OR REPLACE FUNCTION es_refresh_indicator_facts(touched BIGINT[]) RETURNS void AS $$
    SELECT count(pg_advisory_xact_lock(hashtext('es-registry indicator facts'), (project % 2147483647)::integer))
    FROM (SELECT DISTINCT project FROM unnest(touched) AS project ORDER BY project) AS ordered;
    DELETE FROM indicator_facts WHERE project_id = ANY (touched);
    INSERT INTO indicator_facts (indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
                                 target_value, achieved_value, behind, published_value, published_behind,
                                 measure, approved_value, numerator, denominator)
    SELECT indicator_id, project_id, definition_id, voivodeship, programme_id, priority_axis_id, measure_id, year,
           target_value, achieved_value, status = 'behind', published_value, published_status = 'behind',
           measure, approved_value, numerator, denominator
    FROM indicator_progress WHERE project_id = ANY (touched);
$$ LANGUAGE sql;
