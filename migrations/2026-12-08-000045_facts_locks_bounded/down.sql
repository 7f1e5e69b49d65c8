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
