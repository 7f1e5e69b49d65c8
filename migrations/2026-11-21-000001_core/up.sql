-- Core registry: programmes → priority axes → measures → projects, organisations
-- (beneficiaries) and their roles in projects, activities, participants and indicators.
-- Code lists are CHECK constraints on text rather than PostgreSQL enums so that adding a
-- value is a one-line migration and diesel maps them as plain strings.

CREATE TABLE voivodeships (
    teryt CHAR(2) PRIMARY KEY CHECK (teryt ~ '^[0-9]{2}$'),
    name  TEXT NOT NULL UNIQUE
);

INSERT INTO voivodeships (teryt, name) VALUES
    ('02', 'dolnośląskie'), ('04', 'kujawsko-pomorskie'), ('06', 'lubelskie'),
    ('08', 'lubuskie'), ('10', 'łódzkie'), ('12', 'małopolskie'), ('14', 'mazowieckie'),
    ('16', 'opolskie'), ('18', 'podkarpackie'), ('20', 'podlaskie'), ('22', 'pomorskie'),
    ('24', 'śląskie'), ('26', 'świętokrzyskie'), ('28', 'warmińsko-mazurskie'),
    ('30', 'wielkopolskie'), ('32', 'zachodniopomorskie');

CREATE TABLE programmes (
    id                  BIGSERIAL PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    period              TEXT NOT NULL CHECK (period IN ('2007-2013', '2014-2020', '2021-2027')),
    funds               TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(funds, NULL) IS NULL),
    managing_authority  TEXT,
    voivodeship         CHAR(2) REFERENCES voivodeships (teryt),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX programmes_voivodeship_idx ON programmes (voivodeship);

CREATE TABLE priority_axes (
    id            BIGSERIAL PRIMARY KEY,
    programme_id  BIGINT NOT NULL REFERENCES programmes (id),
    number        TEXT NOT NULL,
    sort_key      INTEGER NOT NULL,
    name          TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT priority_axes_number_key UNIQUE (programme_id, sort_key)
);

CREATE TABLE measures (
    id                      BIGSERIAL PRIMARY KEY,
    priority_axis_id        BIGINT NOT NULL REFERENCES priority_axes (id),
    parent_id               BIGINT REFERENCES measures (id),
    code                    TEXT NOT NULL,
    code_normalised         TEXT NOT NULL,
    name                    TEXT NOT NULL,
    default_selection_mode  TEXT CHECK (default_selection_mode IN ('competitive', 'non_competitive', 'systemic', 'unknown')),
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT measures_code_key UNIQUE (priority_axis_id, code_normalised),
    CONSTRAINT measures_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX measures_parent_id_idx ON measures (parent_id);

CREATE TABLE beneficiaries (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    aliases      TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(aliases, NULL) IS NULL),
    legal_form   TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('rops', 'owes', 'jst', 'pes', 'ngo', 'public_institution', 'other')),
    pes_type     TEXT CHECK (pes_type IN ('social_cooperative', 'cis', 'kis', 'wtz', 'zaz', 'foundation', 'association', 'non_profit_company', 'other')),
    nip          CHAR(10) UNIQUE,
    regon        VARCHAR(14) UNIQUE,
    krs          CHAR(10) UNIQUE,
    country      CHAR(2) NOT NULL DEFAULT 'PL',
    teryt        VARCHAR(7),
    voivodeship  CHAR(2) REFERENCES voivodeships (teryt),
    city         TEXT,
    website      TEXT,
    parent_id    BIGINT REFERENCES beneficiaries (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT beneficiaries_pes_type_only_for_pes CHECK (pes_type IS NULL OR kind IN ('pes', 'ngo', 'owes')),
    CONSTRAINT beneficiaries_teryt_polish CHECK (teryt IS NULL OR country = 'PL'),
    CONSTRAINT beneficiaries_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX beneficiaries_voivodeship_idx ON beneficiaries (voivodeship);
CREATE INDEX beneficiaries_parent_id_idx ON beneficiaries (parent_id);
CREATE INDEX beneficiaries_kind_idx ON beneficiaries (kind);

CREATE TABLE projects (
    id                       BIGSERIAL PRIMARY KEY,
    contract_number          TEXT UNIQUE,
    title                    TEXT NOT NULL,
    objective                TEXT,
    specific_objectives      TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(specific_objectives, NULL) IS NULL),
    description              TEXT,
    measure_id               BIGINT NOT NULL REFERENCES measures (id),
    total_value              NUMERIC(15, 2) CHECK (total_value >= 0),
    eligible_value           NUMERIC(15, 2) CHECK (eligible_value >= 0),
    eu_amount                NUMERIC(15, 2) CHECK (eu_amount >= 0),
    cofinancing_rate         NUMERIC CHECK (cofinancing_rate BETWEEN 0 AND 100),
    fund                     TEXT CHECK (fund IN ('ESF', 'ESF_PLUS', 'ERDF', 'CF', 'JTF')),
    selection_mode           TEXT NOT NULL DEFAULT 'unknown' CHECK (selection_mode IN ('competitive', 'non_competitive', 'systemic', 'unknown')),
    planned_start            DATE,
    planned_start_precision  TEXT CHECK (planned_start_precision IN ('day', 'month', 'year')),
    planned_end              DATE,
    planned_end_precision    TEXT CHECK (planned_end_precision IN ('day', 'month', 'year')),
    actual_start             DATE,
    actual_start_precision   TEXT CHECK (actual_start_precision IN ('day', 'month', 'year')),
    actual_end               DATE,
    actual_end_precision     TEXT CHECK (actual_end_precision IN ('day', 'month', 'year')),
    status                   TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('planned', 'ongoing', 'completed', 'terminated', 'unknown')),
    voivodeship              CHAR(2) REFERENCES voivodeships (teryt),
    target_groups            JSONB NOT NULL DEFAULT '[]',
    support_types            TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(support_types, NULL) IS NULL),
    source_url               TEXT,
    notes                    TEXT,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A date and its precision are set together or not at all.
    CONSTRAINT projects_planned_start_precision CHECK ((planned_start IS NULL) = (planned_start_precision IS NULL)),
    CONSTRAINT projects_planned_end_precision CHECK ((planned_end IS NULL) = (planned_end_precision IS NULL)),
    CONSTRAINT projects_actual_start_precision CHECK ((actual_start IS NULL) = (actual_start_precision IS NULL)),
    CONSTRAINT projects_actual_end_precision CHECK ((actual_end IS NULL) = (actual_end_precision IS NULL)),
    CONSTRAINT projects_eu_within_total CHECK (eu_amount IS NULL OR total_value IS NULL OR eu_amount <= total_value),
    CONSTRAINT projects_target_groups_array CHECK (jsonb_typeof(target_groups) = 'array')
);
CREATE INDEX projects_measure_id_idx ON projects (measure_id);
CREATE INDEX projects_voivodeship_idx ON projects (voivodeship);
CREATE INDEX projects_status_idx ON projects (status);

CREATE TABLE partners (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT NOT NULL REFERENCES projects (id),
    beneficiary_id  BIGINT NOT NULL REFERENCES beneficiaries (id),
    role            TEXT NOT NULL CHECK (role IN ('beneficiary', 'leader', 'partner', 'implementer', 'on_behalf_of')),
    valid_from      DATE,
    valid_to        DATE,
    notes           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT partners_valid_range CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX partners_project_id_idx ON partners (project_id);
CREATE INDEX partners_beneficiary_id_idx ON partners (beneficiary_id);

CREATE TABLE activities (
    id                    BIGSERIAL PRIMARY KEY,
    project_id            BIGINT NOT NULL REFERENCES projects (id),
    activity_type         TEXT NOT NULL CHECK (activity_type IN ('training', 'networking_meeting', 'study_visit', 'conference',
                              'consulting', 'campaign', 'fair', 'competition', 'certification', 'portal', 'publication',
                              'media_production', 'evaluation', 'committee', 'other')),
    title                 TEXT NOT NULL,
    description           TEXT,
    start_date            DATE,
    end_date              DATE,
    teryt                 VARCHAR(7),
    planned_participants  INTEGER CHECK (planned_participants >= 0),
    actual_participants   INTEGER CHECK (actual_participants >= 0),
    document_reference    TEXT,
    document_date         DATE,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT activities_date_range CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX activities_project_id_idx ON activities (project_id);

CREATE TABLE participants (
    id          BIGSERIAL PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    pesel       CHAR(11),
    birth_date  DATE,
    sex         TEXT CHECK (sex IN ('female', 'male', 'not_stated')),
    joined_on   DATE,
    left_on     DATE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT participants_pesel_per_project UNIQUE (project_id, pesel),
    CONSTRAINT participants_date_range CHECK (joined_on IS NULL OR left_on IS NULL OR joined_on <= left_on)
);
CREATE INDEX participants_project_id_idx ON participants (project_id);

CREATE TABLE indicator_definitions (
    id    BIGSERIAL PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL,
    unit  TEXT,
    kind  TEXT NOT NULL CHECK (kind IN ('output', 'result'))
);

CREATE TABLE indicators (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT NOT NULL REFERENCES projects (id),
    definition_id   BIGINT REFERENCES indicator_definitions (id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('output', 'result')),
    unit            TEXT,
    baseline_value  NUMERIC,
    target_value    NUMERIC,
    achieved_value  NUMERIC,
    target_text     TEXT,
    achieved_text   TEXT,
    position        INTEGER,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT indicators_has_target CHECK (target_value IS NOT NULL OR target_text IS NOT NULL)
);
CREATE INDEX indicators_project_id_idx ON indicators (project_id);

-- updated_at is kept by the database so that no write path can forget it.
CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['programmes', 'priority_axes', 'measures', 'beneficiaries', 'projects',
                             'partners', 'activities', 'participants', 'indicators'] LOOP
        EXECUTE format('CREATE TRIGGER %I_set_updated_at BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()', t, t);
    END LOOP;
END $$;
