-- Polish search that understands inflection. Debian's hunspell-pl dictionary
-- (scripts/polish-dictionary.sh puts it where PostgreSQL reads it) maps every
-- form of a word to its dictionary form: "spółdzielniach socjalnych" and
-- "spółdzielnia socjalna" are both {spółdzielnia} {socjalny}. Each search column
-- holds those lemmas next to the forms of `es_polish` (lower-cased, without
-- diacritics, for prefixes and for words the dictionary does not know: names).
CREATE TEXT SEARCH DICTIONARY es_polish_hunspell (TEMPLATE = ispell, DictFile = pl_pl, AffFile = pl_pl);
CREATE TEXT SEARCH CONFIGURATION es_polish_morph (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION es_polish_morph
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH es_polish_hunspell;

-- A text in both forms: its words as typed (unaccented) and their lemmas.
CREATE FUNCTION es_search_vector(body TEXT, weight "char") RETURNS TSVECTOR LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector('es_polish'::regconfig, body) || to_tsvector('es_polish_morph'::regconfig, body), weight) $$;

-- The names of a project's target groups (an array of objects with `name`).
CREATE FUNCTION es_target_group_names(groups JSONB) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(string_agg(g->>'name', ' '), '') FROM jsonb_array_elements(groups) AS g $$;

-- What a visitor typed, as a query: every word must match, as a prefix of a word
-- (unaccented) or as any form of its lemma. `words` holds letters and digits
-- separated by spaces (the service drops everything else).
CREATE FUNCTION es_search_query(words TEXT) RETURNS TSQUERY LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
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

ALTER TABLE projects DROP COLUMN search;
ALTER TABLE projects ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    es_search_vector(title || ' ' || coalesce(contract_number, ''), 'A') ||
    es_search_vector(coalesce(objective, '') || ' ' || es_join(specific_objectives) || ' ' || es_target_group_names(target_groups), 'B') ||
    es_search_vector(coalesce(description, '') || ' ' || es_join(support_types), 'C')
) STORED;
CREATE INDEX projects_search_idx ON projects USING gin (search);

ALTER TABLE beneficiaries DROP COLUMN search;
ALTER TABLE beneficiaries ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    es_search_vector(name || ' ' || es_join(aliases), 'A') ||
    es_search_vector(coalesce(city, '') || ' ' || coalesce(legal_form, ''), 'C')
) STORED;
CREATE INDEX beneficiaries_search_idx ON beneficiaries USING gin (search);

ALTER TABLE activities DROP COLUMN search;
ALTER TABLE activities ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    es_search_vector(title, 'A') || es_search_vector(coalesce(description, ''), 'C')
) STORED;
CREATE INDEX activities_search_idx ON activities USING gin (search);
