-- The reporting calendar (issue 20): each programme's reporting periods, with
-- the day values are due and whether the period is still open. A locked
-- period's values are frozen: the rule is the measurements resource's
-- (service::resources::measurements), which asks es_reporting_period_of which
-- period a value falls in; the overdue view below asks the same function.

CREATE TABLE reporting_periods (
    id           BIGSERIAL PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    name         TEXT NOT NULL CHECK (btrim(name) <> ''),
    period_from  DATE NOT NULL,
    period_to    DATE NOT NULL,
    due_on       DATE NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'locked')),
    notes        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT reporting_periods_period_to_check CHECK (period_to >= period_from),
    CONSTRAINT reporting_periods_due_on_check CHECK (due_on >= period_to)
);
-- A programme's periods start on different days: the key of imports. That they
-- do not overlap at all is checked by the resource.
CREATE UNIQUE INDEX reporting_periods_start_key ON reporting_periods (programme_id, period_from);
SELECT es_track_table('reporting_periods', 'reporting-periods', public => true);

-- The reporting period of programme `programme` that day `day` falls in.
CREATE FUNCTION es_reporting_period_of(programme BIGINT, day DATE) RETURNS BIGINT
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT id FROM reporting_periods WHERE programme_id = programme AND day BETWEEN period_from AND period_to
    ORDER BY period_from LIMIT 1
$$;

-- Which project owes a report for which period: a project owes one for every
-- period of its programme that its own period (actual, else planned) overlaps,
-- once it has indicators. It has handed the report in when a value of one of
-- its indicators in the period is submitted or approved (a returned one is
-- back with the project); it is overdue when it has not and the due day has
-- passed.
CREATE VIEW project_reporting AS
WITH p AS (
    SELECT pr.id AS project_id, pr.voivodeship::text AS voivodeship, pr.measure_id, ax.programme_id,
           es_project_start(pr.actual_start, pr.planned_start) AS starts,
           es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision) AS ends
    FROM projects pr JOIN measures me ON me.id = pr.measure_id JOIN priority_axes ax ON ax.id = me.priority_axis_id
    WHERE EXISTS (SELECT 1 FROM indicators i WHERE i.project_id = pr.id)
)
SELECT p.project_id, p.voivodeship, p.measure_id, p.programme_id, r.id AS period_id, r.due_on, r.state,
       v.values_handed_in, v.values_approved, v.values_in_progress,
       v.values_handed_in > 0 AS handed_in,
       v.values_handed_in = 0 AND r.due_on < es_today() AS overdue
FROM p
JOIN reporting_periods r ON r.programme_id = p.programme_id
    AND (p.starts IS NULL OR p.starts <= r.period_to) AND (p.ends IS NULL OR p.ends >= r.period_from)
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE m.status IN ('submitted', 'approved')) AS values_handed_in,
           count(*) FILTER (WHERE m.status = 'approved') AS values_approved,
           count(*) FILTER (WHERE m.status IN ('draft', 'returned')) AS values_in_progress
    FROM indicators i JOIN indicator_measurements m ON m.indicator_id = i.id
    WHERE i.project_id = p.project_id AND es_reporting_period_of(p.programme_id, m.period_end) = r.id
) v;
