-- Portal reads: Polish full-text search, coordinates for maps, and a change log
-- that lets a portal mirror the public records.

-- Search. PostgreSQL has no Polish stemmer, so words are kept whole, lower-cased and
-- stripped of diacritics ("Toruń" and "torun" are one lexeme); queries match word
-- prefixes, which covers most Polish inflection ("spółdziel" finds "spółdzielnie").
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION es_polish (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION es_polish ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- array_to_string is only STABLE (it calls type output functions); over text[] it is
-- immutable, which a generated column needs.
CREATE FUNCTION es_join(TEXT[]) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_to_string($1, ' ') $$;

ALTER TABLE projects ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', title || ' ' || coalesce(contract_number, '')), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(objective, '') || ' ' || es_join(specific_objectives)), 'B') ||
    setweight(to_tsvector('es_polish', coalesce(description, '') || ' ' || es_join(support_types)), 'C')
) STORED;
CREATE INDEX projects_search_idx ON projects USING gin (search);

ALTER TABLE beneficiaries ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', name || ' ' || es_join(aliases)), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(city, '') || ' ' || coalesce(legal_form, '')), 'C')
) STORED;
CREATE INDEX beneficiaries_search_idx ON beneficiaries USING gin (search);

ALTER TABLE activities ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('es_polish', title), 'A') ||
    setweight(to_tsvector('es_polish', coalesce(description, '')), 'C')
) STORED;
CREATE INDEX activities_search_idx ON activities USING gin (search);

-- Filters and orders the portals use.
CREATE INDEX projects_planned_start_idx ON projects (planned_start, id);
CREATE INDEX projects_total_value_idx ON projects (total_value, id);
CREATE INDEX beneficiaries_teryt_idx ON beneficiaries (teryt text_pattern_ops);
CREATE INDEX activities_teryt_idx ON activities (teryt text_pattern_ops);

-- Coordinates where known (WGS 84); maps fall back to the TERYT unit's centroid.
ALTER TABLE beneficiaries
    ADD COLUMN latitude NUMERIC(8, 6) CHECK (latitude BETWEEN -90 AND 90),
    ADD COLUMN longitude NUMERIC(9, 6) CHECK (longitude BETWEEN -180 AND 180),
    ADD CONSTRAINT beneficiaries_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL));
ALTER TABLE projects
    ADD COLUMN latitude NUMERIC(8, 6) CHECK (latitude BETWEEN -90 AND 90),
    ADD COLUMN longitude NUMERIC(9, 6) CHECK (longitude BETWEEN -180 AND 180),
    ADD CONSTRAINT projects_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL));

-- Centroids of TERYT units, for records placed only by a code. Shipped: the 16
-- voivodeships and the 18 cities with powiat rights that are their capitals
-- (approximate, to about 1 km); a deployment may load the full PRG set into it.
CREATE TABLE teryt_centroids (
    teryt      VARCHAR(7) PRIMARY KEY CHECK (teryt ~ '^[0-9]{2}([0-9]{2}([0-9]{3})?)?$'),
    name       TEXT NOT NULL,
    latitude   NUMERIC(8, 6) NOT NULL,
    longitude  NUMERIC(9, 6) NOT NULL
);
INSERT INTO teryt_centroids (teryt, name, latitude, longitude) VALUES
    ('02', 'dolnośląskie', 51.0900, 16.4000), ('04', 'kujawsko-pomorskie', 53.0700, 18.4900),
    ('06', 'lubelskie', 51.2200, 22.9000), ('08', 'lubuskie', 52.2000, 15.2500),
    ('10', 'łódzkie', 51.6000, 19.4000), ('12', 'małopolskie', 49.8500, 20.2700),
    ('14', 'mazowieckie', 52.3500, 21.1000), ('16', 'opolskie', 50.6300, 17.9000),
    ('18', 'podkarpackie', 49.9500, 22.1700), ('20', 'podlaskie', 53.3000, 22.9000),
    ('22', 'pomorskie', 54.1500, 17.9500), ('24', 'śląskie', 50.3300, 18.9800),
    ('26', 'świętokrzyskie', 50.7700, 20.7500), ('28', 'warmińsko-mazurskie', 53.8500, 20.8000),
    ('30', 'wielkopolskie', 52.3500, 17.2000), ('32', 'zachodniopomorskie', 53.6000, 15.5500),
    ('0264', 'Wrocław', 51.1079, 17.0385), ('0461', 'Bydgoszcz', 53.1235, 18.0084),
    ('0463', 'Toruń', 53.0138, 18.5984), ('0663', 'Lublin', 51.2465, 22.5684),
    ('0861', 'Gorzów Wielkopolski', 52.7368, 15.2288), ('0862', 'Zielona Góra', 51.9356, 15.5062),
    ('1061', 'Łódź', 51.7592, 19.4560), ('1261', 'Kraków', 50.0647, 19.9450),
    ('1465', 'Warszawa', 52.2297, 21.0122), ('1661', 'Opole', 50.6751, 17.9213),
    ('1863', 'Rzeszów', 50.0412, 21.9991), ('2061', 'Białystok', 53.1325, 23.1688),
    ('2261', 'Gdańsk', 54.3520, 18.6466), ('2469', 'Katowice', 50.2649, 19.0238),
    ('2661', 'Kielce', 50.8661, 20.6286), ('2862', 'Olsztyn', 53.7784, 20.4801),
    ('3064', 'Poznań', 52.4064, 16.9252), ('3262', 'Szczecin', 53.4285, 14.5528);

-- The change log behind GET /api/v1/changes. Each public write adds a row per record
-- it touched, stamped with its transaction id. A reader only sees transactions
-- older than every one still running (the snapshot's xmin), so a change can never
-- appear behind a cursor that has already passed it.
CREATE TABLE changes (
    xid        BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    seq        BIGSERIAL,
    resource   TEXT NOT NULL,
    record_id  BIGINT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (xid, seq)
);

CREATE FUNCTION log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO changes (resource, record_id, op) SELECT TG_ARGV[0], id, 'created' FROM new_rows ORDER BY id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO changes (resource, record_id, op) SELECT TG_ARGV[0], id, 'updated' FROM new_rows ORDER BY id;
    ELSE
        INSERT INTO changes (resource, record_id, op) SELECT TG_ARGV[0], id, 'deleted' FROM old_rows ORDER BY id;
    END IF;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t TEXT;
    r TEXT;
BEGIN
    FOR t, r IN SELECT * FROM (VALUES
        ('programmes', 'programmes'), ('priority_axes', 'priority-axes'), ('measures', 'measures'),
        ('beneficiaries', 'beneficiaries'), ('projects', 'projects'), ('partners', 'partners'),
        ('activities', 'activities'), ('indicators', 'indicators'),
        ('indicator_definitions', 'indicator-definitions'), ('indicator_measurements', 'indicator-measurements')) AS v
    LOOP
        EXECUTE format('CREATE TRIGGER %I_log_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)', t, t, r);
        EXECUTE format('CREATE TRIGGER %I_log_update AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)', t, t, r);
        EXECUTE format('CREATE TRIGGER %I_log_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_changes(%L)', t, t, r);
    END LOOP;
END $$;

-- Records that exist before the log starts are reported once, as created.
INSERT INTO changes (resource, record_id, op)
SELECT r, id, 'created' FROM (
    SELECT 'programmes' AS r, id FROM programmes UNION ALL SELECT 'priority-axes', id FROM priority_axes
    UNION ALL SELECT 'measures', id FROM measures UNION ALL SELECT 'beneficiaries', id FROM beneficiaries
    UNION ALL SELECT 'projects', id FROM projects UNION ALL SELECT 'partners', id FROM partners
    UNION ALL SELECT 'activities', id FROM activities UNION ALL SELECT 'indicators', id FROM indicators
    UNION ALL SELECT 'indicator-definitions', id FROM indicator_definitions
    UNION ALL SELECT 'indicator-measurements', id FROM indicator_measurements) AS existing
ORDER BY r, id;
