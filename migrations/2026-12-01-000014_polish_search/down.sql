-- Back to the search columns of migration 000007.
ALTER TABLE projects DROP COLUMN search;
ALTER TABLE projects ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', title || ' ' || coalesce(contract_number, '')), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(objective, '') || ' ' || es_join(specific_objectives)), 'B') ||
    setweight(to_tsvector('es_polish', coalesce(description, '') || ' ' || es_join(support_types)), 'C')
) STORED;
CREATE INDEX projects_search_idx ON projects USING gin (search);

ALTER TABLE beneficiaries DROP COLUMN search;
ALTER TABLE beneficiaries ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', name || ' ' || es_join(aliases)), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(city, '') || ' ' || coalesce(legal_form, '')), 'C')
) STORED;
CREATE INDEX beneficiaries_search_idx ON beneficiaries USING gin (search);

ALTER TABLE activities DROP COLUMN search;
ALTER TABLE activities ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', title), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(description, '')), 'C')
) STORED;
CREATE INDEX activities_search_idx ON activities USING gin (search);

DROP FUNCTION es_search_query(TEXT);
DROP FUNCTION es_target_group_names(JSONB);
DROP FUNCTION es_search_vector(TEXT, "char");
DROP TEXT SEARCH CONFIGURATION es_polish_morph;
DROP TEXT SEARCH DICTIONARY es_polish_hunspell;
