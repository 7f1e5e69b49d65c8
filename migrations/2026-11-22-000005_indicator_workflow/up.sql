-- Outcome indicators: a catalogue of definitions, and a time series of reported
-- values per project indicator that go draft → submitted → approved / returned.
ALTER TABLE indicator_definitions
    ADD COLUMN measurement       TEXT NOT NULL DEFAULT 'quantitative' CHECK (measurement IN ('quantitative', 'qualitative')),
    ADD COLUMN higher_is_better  BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN split_by_sex      BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN programme_id      BIGINT REFERENCES programmes (id),
    ADD COLUMN description       TEXT,
    ADD COLUMN created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN updated_at        TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE TRIGGER indicator_definitions_set_updated_at BEFORE UPDATE ON indicator_definitions FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX indicators_definition_id_idx ON indicators (definition_id);

-- An indicator bound to attendance: its achieved value is the number of persons
-- who completed activities of these types in the project.
ALTER TABLE indicators ADD COLUMN derived_from TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(derived_from, NULL) IS NULL);

CREATE TABLE indicator_measurements (
    id             BIGSERIAL PRIMARY KEY,
    indicator_id   BIGINT NOT NULL REFERENCES indicators (id),
    period_end     DATE NOT NULL,
    value          NUMERIC,
    value_women    NUMERIC,
    value_men      NUMERIC,
    value_text     TEXT,
    comment        TEXT,
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    return_reason  TEXT,
    submitted_at   TIMESTAMPTZ,
    submitted_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at     TIMESTAMPTZ,
    decided_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT indicator_measurements_has_value CHECK (value IS NOT NULL OR value_text IS NOT NULL),
    CONSTRAINT indicator_measurements_returned_has_reason CHECK (status <> 'returned' OR return_reason IS NOT NULL)
);
CREATE INDEX indicator_measurements_indicator_idx ON indicator_measurements (indicator_id, status, period_end DESC, id DESC);
CREATE TRIGGER indicator_measurements_set_updated_at BEFORE UPDATE ON indicator_measurements FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Each indicator's progress, one rule for every reader: the achieved value is the
-- latest approved measurement, else (for an indicator bound to attendance) the
-- persons who completed activities of its types, else the value reported with the
-- indicator. "behind" compares progress with the elapsed share of the project's period.
CREATE VIEW indicator_progress AS
WITH base AS (
    SELECT i.id AS indicator_id, i.project_id, i.definition_id, i.kind, i.target_value, i.target_text,
           m.value AS measured, d.completed, i.achieved_value AS reported,
           coalesce(m.value_text, i.achieved_text) AS achieved_text,
           pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           coalesce(pr.actual_start, pr.planned_start) AS starts,
           CASE coalesce(pr.actual_end_precision, pr.planned_end_precision)
               WHEN 'month' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 month - 1 day')::date
               WHEN 'year' THEN (coalesce(pr.actual_end, pr.planned_end) + interval '1 year - 1 day')::date
               ELSE coalesce(pr.actual_end, pr.planned_end)
           END AS ends
    FROM indicators i
    JOIN projects pr ON pr.id = i.project_id
    JOIN measures me ON me.id = pr.measure_id
    JOIN priority_axes ax ON ax.id = me.priority_axis_id
    LEFT JOIN LATERAL (
        SELECT value, value_text FROM indicator_measurements
        WHERE indicator_id = i.id AND status = 'approved'
        ORDER BY period_end DESC, id DESC LIMIT 1
    ) m ON TRUE
    LEFT JOIN LATERAL (
        SELECT count(DISTINCT a.participant_id)::numeric AS completed
        FROM attendance a JOIN activities ac ON ac.id = a.activity_id
        WHERE ac.project_id = i.project_id AND ac.activity_type = ANY (i.derived_from) AND a.outcome = 'completed'
    ) d ON cardinality(i.derived_from) > 0
), valued AS (
    SELECT b.*,
           coalesce(b.measured, b.completed, b.reported) AS achieved_value,
           CASE WHEN b.measured IS NOT NULL THEN 'measurement' WHEN b.completed IS NOT NULL THEN 'attendance'
                WHEN b.reported IS NOT NULL THEN 'reported' WHEN b.achieved_text IS NOT NULL THEN 'reported' END AS source,
           CASE WHEN b.starts IS NULL OR b.ends IS NULL OR b.ends <= b.starts THEN NULL
                ELSE round(100 * greatest(0, least(1, (current_date - b.starts)::numeric / (b.ends - b.starts))), 1) END AS expected_percent
    FROM base b
)
SELECT v.indicator_id, v.project_id, v.definition_id, v.kind, v.target_value, v.target_text, v.achieved_value, v.achieved_text,
       v.source, v.voivodeship, v.programme_id, v.priority_axis_id, v.measure_id,
       extract(year FROM v.starts)::int AS year,
       CASE WHEN v.target_value > 0 AND v.achieved_value IS NOT NULL THEN round(100 * v.achieved_value / v.target_value, 1) END AS percent,
       v.expected_percent,
       CASE
           WHEN v.achieved_value IS NULL AND v.achieved_text IS NOT NULL THEN 'achieved'
           WHEN v.achieved_value IS NULL OR v.achieved_value = 0 THEN 'not_started'
           WHEN v.target_value IS NULL OR v.target_value = 0 THEN 'achieved'
           WHEN v.achieved_value > v.target_value THEN 'exceeded'
           WHEN v.achieved_value = v.target_value THEN 'achieved'
           WHEN v.expected_percent IS NOT NULL AND 100 * v.achieved_value / v.target_value < v.expected_percent THEN 'behind'
           ELSE 'on_track'
       END AS status
FROM valued v;
