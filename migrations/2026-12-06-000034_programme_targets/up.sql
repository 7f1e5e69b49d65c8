-- Programme- and measure-level targets (issue 20): what a programme, or one of
-- its measures, is to achieve of one indicator definition, by the end
-- (`year` NULL) or by the end of a milestone year; and how far the approved
-- values of the projects below have come.

CREATE TABLE programme_targets (
    id            BIGSERIAL PRIMARY KEY,
    programme_id  BIGINT NOT NULL REFERENCES programmes (id),
    -- NULL: the whole programme; else this measure and its sub-measures.
    measure_id    BIGINT REFERENCES measures (id),
    definition_id BIGINT NOT NULL REFERENCES indicator_definitions (id),
    -- NULL: the final target; else a milestone at the end of this year.
    year          INTEGER CHECK (year BETWEEN 1990 AND 2100),
    target_value  NUMERIC(18, 4) NOT NULL CHECK (target_value >= 0),
    notes         TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One target per programme or measure, definition and milestone: the key of imports.
CREATE UNIQUE INDEX programme_targets_key ON programme_targets (programme_id, coalesce(measure_id, 0), definition_id, coalesce(year, 0));
SELECT es_track_table('programme_targets', 'programme-targets', public => true);

-- Each target's projects: a programme's every project, a measure's projects
-- and those of its sub-measures (at any depth).
CREATE VIEW programme_target_projects AS
WITH RECURSIVE below (target_id, measure_id) AS (
    SELECT t.id, t.measure_id FROM programme_targets t WHERE t.measure_id IS NOT NULL
    UNION
    SELECT b.target_id, m.id FROM below b JOIN measures m ON m.parent_id = b.measure_id
)
SELECT t.id AS target_id, p.id AS project_id
FROM programme_targets t
JOIN priority_axes ax ON ax.programme_id = t.programme_id
JOIN measures me ON me.priority_axis_id = ax.id
JOIN projects p ON p.measure_id = me.id
WHERE t.measure_id IS NULL
UNION ALL
SELECT b.target_id, p.id FROM below b JOIN projects p ON p.measure_id = b.measure_id;

-- How far each target has come: the latest approved value (by the milestone's
-- year end, for a milestone) of each indicator bound to the target's
-- definition in the target's projects, added up; a ratio's numerators and
-- denominators added up apart, so the share is of the sums.
CREATE VIEW programme_target_progress AS
WITH bound AS (
    SELECT tp.target_id, i.id AS indicator_id, i.project_id
    FROM programme_target_projects tp
    JOIN programme_targets t ON t.id = tp.target_id
    JOIN indicators i ON i.project_id = tp.project_id AND i.definition_id = t.definition_id
), latest AS (
    SELECT DISTINCT ON (b.target_id, b.indicator_id) b.target_id, b.indicator_id, b.project_id, m.value, m.numerator, m.denominator
    FROM bound b
    JOIN programme_targets t ON t.id = b.target_id
    JOIN indicator_measurements m ON m.indicator_id = b.indicator_id AND m.status = 'approved'
        AND (t.year IS NULL OR m.period_end <= make_date(t.year, 12, 31))
    ORDER BY b.target_id, b.indicator_id, m.period_end DESC, m.id DESC
)
SELECT t.id AS target_id,
       (SELECT count(DISTINCT b.project_id) FROM bound b WHERE b.target_id = t.id) AS projects,
       (SELECT count(*) FROM bound b WHERE b.target_id = t.id) AS indicators,
       count(l.indicator_id) AS indicators_reporting,
       sum(l.value) AS approved_value,
       sum(l.numerator) AS sum_numerator,
       sum(l.denominator) AS sum_denominator
FROM programme_targets t
LEFT JOIN latest l ON l.target_id = t.id
GROUP BY t.id;
