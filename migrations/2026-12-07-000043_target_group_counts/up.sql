-- A project's target group says what its counts count (issue 29): `persons`
-- (participants, staff, volunteers: counts of persons, published to anyone
-- but the project's owners through the one protection rule) or
-- `organisations` (entities, institutions: published as they are). A group
-- that does not say counts persons: nothing is published exactly by default.
-- Each project draws a key of its own for these figures, at random, once,
-- never shown (as `activities.figure_key`); each count of each group is keyed
-- by it and by its group and field, so that the same count is always
-- published alike.
-- Wait at most 10 s for the lock (then fail and leave everything as it was)
-- rather than queue every request behind this migration.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '10min';
ALTER TABLE projects ADD COLUMN figure_key smallint NOT NULL DEFAULT floor(random() * 256)::smallint;

CREATE FUNCTION es_published_groups(groups JSONB, figure_key BIGINT) RETURNS JSONB AS $$
    SELECT coalesce(jsonb_agg(CASE
               WHEN t.g->>'counts' = 'organisations' THEN t.g
               ELSE t.g || jsonb_build_object(
                   'planned_count', protected_count((t.g->>'planned_count')::bigint, figure_key + hashtext(coalesce(t.g->>'name', '') || '/planned_count'),
                                                    (SELECT rounding_base FROM disclosure_control)),
                   'actual_count', protected_count((t.g->>'actual_count')::bigint, figure_key + hashtext(coalesce(t.g->>'name', '') || '/actual_count'),
                                                   (SELECT rounding_base FROM disclosure_control)))
           END ORDER BY t.ord), '[]'::jsonb)
    FROM jsonb_array_elements(groups) WITH ORDINALITY AS t(g, ord)
$$ LANGUAGE sql STABLE PARALLEL SAFE;
