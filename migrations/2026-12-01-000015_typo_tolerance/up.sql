-- Typo tolerance for the names of organisations and their places: "Grudziac"
-- finds an organisation in Grudziądz, "Stowarzyszenei" one named Stowarzyszenie,
-- by trigram word similarity (pg_trgm) over the unaccented names.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent with its dictionary named is immutable in fact; an index needs it declared.
CREATE FUNCTION es_unaccent(body TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower(body)) $$;

-- What a typo is forgiven in: an organisation's names and its town.
CREATE FUNCTION es_organisation_names(name TEXT, aliases TEXT[], city TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT es_unaccent(name || ' ' || es_join(aliases) || ' ' || coalesce(city, '')) $$;

CREATE INDEX beneficiaries_names_trgm_idx ON beneficiaries USING gin (es_organisation_names(name, aliases, city) gin_trgm_ops);
