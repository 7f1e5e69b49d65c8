-- The map of the sector's resources and needs (seeds 002 and 004): what
-- social-economy entities offer, and the areas of cooperation local governments
-- seek, each by category (a CPV code) and area (TERYT units), so that a need can
-- be matched with the offers that cover it.

-- Whether a unit of `areas` and the unit `code` overlap: one lies within the
-- other (an offer for the whole voivodeship "04" serves a need in Toruń
-- "0463011", and one in Toruń serves a need of powiat "0463").
CREATE FUNCTION es_areas_overlap(areas TEXT[], code TEXT) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM unnest(areas) AS a WHERE code LIKE a || '%' OR a LIKE code || '%')
$$;

-- Whether two CPV codes ("55520000-1") are of one kind: the significant digits
-- of one (without its trailing zeros and check digit) begin the other, so a need
-- for catering in general (555…) meets an offer of canteen catering (5552…).
CREATE FUNCTION es_cpv_related(a TEXT, b TEXT) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT left(b, 8) LIKE rtrim(left(a, 8), '0') || '%' OR left(a, 8) LIKE rtrim(left(b, 8), '0') || '%'
$$;

-- The one rule of matching: an active offer covers a need when they are of one
-- kind (related CPV codes, or the same category where either lacks a code) and
-- their areas overlap (an offer or need without areas is anywhere).
CREATE FUNCTION es_offer_covers(offer_cpv TEXT, offer_category TEXT, offer_areas TEXT[], need_cpv TEXT, need_category TEXT, need_areas TEXT[])
    RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN offer_cpv IS NOT NULL AND need_cpv IS NOT NULL THEN es_cpv_related(offer_cpv, need_cpv)
                ELSE lower(offer_category) = lower(need_category) END
       AND (cardinality(offer_areas) = 0 OR cardinality(need_areas) = 0
            OR EXISTS (SELECT 1 FROM unnest(need_areas) AS n WHERE es_areas_overlap(offer_areas, n)))
$$;

CREATE TABLE offers (
    id              BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    title           TEXT NOT NULL,
    description     TEXT,
    category        TEXT NOT NULL,
    cpv_code        TEXT,
    areas           TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(areas, NULL) IS NULL),
    price_from      NUMERIC(14, 2),
    price_to        NUMERIC(14, 2),
    price_on_request BOOLEAN NOT NULL DEFAULT false,
    contact_email   TEXT,
    contact_phone   TEXT,
    photo_urls      TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(photo_urls, NULL) IS NULL),
    active          BOOLEAN NOT NULL DEFAULT true,
    external_id     TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    search          TSVECTOR GENERATED ALWAYS AS (
        es_search_vector(title || ' ' || category, 'A') || es_search_vector(coalesce(description, ''), 'C')
    ) STORED
);
CREATE INDEX offers_organisation_id_idx ON offers (organisation_id);
CREATE INDEX offers_search_idx ON offers USING gin (search);
CREATE INDEX offers_cpv_code_idx ON offers (cpv_code text_pattern_ops);
CREATE UNIQUE INDEX offers_external_id_key ON offers (organisation_id, external_id) WHERE external_id IS NOT NULL;
SELECT es_track_table('offers', 'offers', public => true);

CREATE TABLE needs (
    id              BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES beneficiaries (id),
    title           TEXT NOT NULL,
    description     TEXT,
    category        TEXT NOT NULL,
    cpv_code        TEXT,
    areas           TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(areas, NULL) IS NULL),
    deadline        DATE,
    active          BOOLEAN NOT NULL DEFAULT true,
    external_id     TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    search          TSVECTOR GENERATED ALWAYS AS (
        es_search_vector(title || ' ' || category, 'A') || es_search_vector(coalesce(description, ''), 'C')
    ) STORED
);
CREATE INDEX needs_organisation_id_idx ON needs (organisation_id);
CREATE INDEX needs_search_idx ON needs USING gin (search);
CREATE UNIQUE INDEX needs_external_id_key ON needs (organisation_id, external_id) WHERE external_id IS NOT NULL;
SELECT es_track_table('needs', 'needs', public => true);
