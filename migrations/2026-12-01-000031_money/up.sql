-- Money over time (issue 20): a project's budget per year and cost category,
-- its payment claims (wnioski o płatność), and the spending rule the report and
-- the project's own view share.

CREATE TABLE budgets (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    year       INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    category   TEXT NOT NULL CHECK (category IN ('staff', 'services', 'equipment', 'grants', 'cross_financing', 'indirect', 'other')),
    amount     NUMERIC(15, 2) NOT NULL CHECK (amount >= 0),
    eu_amount  NUMERIC(15, 2),
    notes      TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT budgets_eu_amount_check CHECK (eu_amount >= 0 AND eu_amount <= amount)
);
-- One line per project, year and category: the key of imports.
CREATE UNIQUE INDEX budgets_category_key ON budgets (project_id, year, category);
SELECT es_track_table('budgets', 'budgets', public => true);

CREATE TABLE payment_claims (
    id                 BIGSERIAL PRIMARY KEY,
    project_id         BIGINT NOT NULL REFERENCES projects (id),
    number             TEXT NOT NULL CHECK (btrim(number) <> ''),
    period_from        DATE NOT NULL,
    period_to          DATE NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('advance', 'interim', 'final')),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'rejected')),
    claimed_amount     NUMERIC(15, 2) NOT NULL CHECK (claimed_amount >= 0),
    approved_amount    NUMERIC(15, 2),
    eu_approved_amount NUMERIC(15, 2),
    submitted_on       DATE,
    approved_on        DATE,
    notes              TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT payment_claims_period_to_check CHECK (period_to >= period_from),
    -- An approved amount is an approved claim's, and an approved claim states it.
    CONSTRAINT payment_claims_approved_amount_check
        CHECK ((status = 'approved') = (approved_amount IS NOT NULL) AND approved_amount >= 0 AND approved_amount <= claimed_amount),
    CONSTRAINT payment_claims_eu_approved_amount_check
        CHECK (eu_approved_amount IS NULL OR (approved_amount IS NOT NULL AND eu_approved_amount >= 0 AND eu_approved_amount <= approved_amount)),
    CONSTRAINT payment_claims_approved_on_check CHECK (approved_on IS NULL OR (status = 'approved' AND approved_on >= coalesce(submitted_on, approved_on)))
);
-- A claim's own number is unique within its project: the key of imports.
CREATE UNIQUE INDEX payment_claims_number_key ON payment_claims (project_id, number);
CREATE INDEX payment_claims_period_to_idx ON payment_claims (period_to);
SELECT es_track_table('payment_claims', 'payment-claims', public => true);

-- The share (0 to 1) of a period [starts, ends] that lies in [from_day, to_day):
-- the elapsed share of a project's period on a day is
-- es_period_share(starts, ends, starts, day), the share of it in a year
-- es_period_share(starts, ends, 'Y-01-01', 'Y+1-01-01'). The same arithmetic as
-- expected_percent of indicator_progress (migration 000023): days since the
-- start over the days of the period, clamped. NULL without both ends.
CREATE FUNCTION es_period_share(starts DATE, ends DATE, from_day DATE, to_day DATE) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN starts IS NULL OR ends IS NULL OR ends <= starts THEN NULL
                ELSE greatest(0, least(ends, to_day) - greatest(starts, from_day))::numeric / (ends - starts) END
$$;

-- How far (in percentage points) a project's approved spending may fall below
-- the elapsed share of its period before it counts as behind: the one place the
-- threshold is set.
CREATE FUNCTION es_spending_behind_threshold() RETURNS NUMERIC LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 25::numeric
$$;

-- The one rule: spending is behind when the share of the value approved is
-- more than the threshold below the share of the period elapsed. Not judged
-- (false) without a value or without a period.
CREATE FUNCTION es_spending_behind(spent_percent NUMERIC, expected_percent NUMERIC) RETURNS BOOLEAN
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(spent_percent < expected_percent - es_spending_behind_threshold(), false)
$$;

-- The money of each project by year: budgets by their year, claims by the year
-- of their period's end. Claimed counts claims handed in (submitted, returned
-- for correction, approved; not drafts, not rejected ones); approved the
-- approved amounts of approved claims. Advance claims (money paid ahead, not
-- money spent) are left out of the spending figures.
CREATE VIEW spending_facts AS
SELECT project_id, year, amount AS budgeted, 0::numeric AS claimed, 0::numeric AS approved, 0::numeric AS eu_approved
FROM budgets
UNION ALL
SELECT project_id, extract(year FROM period_to)::int,
       0,
       CASE WHEN status IN ('submitted', 'returned', 'approved') THEN claimed_amount ELSE 0 END,
       CASE WHEN status = 'approved' THEN approved_amount ELSE 0 END,
       CASE WHEN status = 'approved' THEN coalesce(eu_approved_amount, 0) ELSE 0 END
FROM payment_claims
WHERE kind <> 'advance';

-- Each project's spending today: what is approved against its value, and the
-- elapsed share of its period.
CREATE VIEW project_spending AS
WITH p AS (
    SELECT pr.id AS project_id, pr.voivodeship::text AS voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id,
           pr.total_value, pr.eu_amount,
           es_project_start(pr.actual_start, pr.planned_start) AS starts,
           es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision) AS ends
    FROM projects pr JOIN measures me ON me.id = pr.measure_id JOIN priority_axes ax ON ax.id = me.priority_axis_id
), m AS (
    SELECT project_id, sum(budgeted) AS budgeted, sum(claimed) AS claimed, sum(approved) AS approved, sum(eu_approved) AS eu_approved
    FROM spending_facts GROUP BY project_id
), s AS (
    SELECT p.*, coalesce(m.budgeted, 0) AS budgeted, coalesce(m.claimed, 0) AS claimed, coalesce(m.approved, 0) AS approved,
           coalesce(m.eu_approved, 0) AS eu_approved,
           round(100 * coalesce(m.approved, 0) / nullif(p.total_value, 0), 1) AS spent_percent,
           round(100 * es_period_share(p.starts, p.ends, p.starts, es_today()), 1) AS expected_percent
    FROM p LEFT JOIN m ON m.project_id = p.project_id
)
SELECT s.*, extract(year FROM s.starts)::int AS year, es_spending_behind(s.spent_percent, s.expected_percent) AS behind_spending
FROM s;
