CREATE FUNCTION es_organisation_names(name TEXT, aliases TEXT[], city TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT es_unaccent(name || ' ' || es_join(aliases) || ' ' || coalesce(city, '')) $$;
CREATE INDEX beneficiaries_names_trgm_idx ON beneficiaries USING gin (es_organisation_names(name, aliases, city) gin_trgm_ops);

CREATE OR REPLACE FUNCTION es_search_query(words TEXT) RETURNS TSQUERY LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    query TSQUERY;
    word TEXT;
    term TSQUERY;
BEGIN
    FOREACH word IN ARRAY regexp_split_to_array(lower(trim(words)), '\s+') LOOP
        CONTINUE WHEN word = '';
        term := to_tsquery('es_polish', quote_literal(word) || ':*') || to_tsquery('es_polish_morph', quote_literal(word));
        query := CASE WHEN query IS NULL THEN term ELSE query && term END;
    END LOOP;
    RETURN coalesce(query, ''::tsquery);
END
$$;

DROP TRIGGER beneficiaries_vocabulary_insert ON beneficiaries;
DROP TRIGGER beneficiaries_vocabulary_update ON beneficiaries;
DROP FUNCTION organisations_named();
DROP FUNCTION es_add_vocabulary(TEXT);
DROP TABLE search_vocabulary;

DROP TRIGGER projects_search_insert ON projects;
DROP TRIGGER projects_search_update ON projects;
DROP TRIGGER beneficiaries_search_update ON beneficiaries;
DROP TRIGGER partners_search_insert ON partners;
DROP TRIGGER partners_search_update ON partners;
DROP TRIGGER partners_search_delete ON partners;
DROP TRIGGER activities_search_insert ON activities;
DROP TRIGGER activities_search_update ON activities;
DROP TRIGGER activities_search_delete ON activities;
DROP FUNCTION organisations_searched();
DROP FUNCTION project_parts_searched();
DROP FUNCTION projects_searched();
DROP FUNCTION es_refresh_project_search(BIGINT[]);
DROP TABLE project_search;
DROP FUNCTION es_project_document(BIGINT);
DROP FUNCTION es_place_names(TEXT[]);
DROP TABLE teryt_units;
