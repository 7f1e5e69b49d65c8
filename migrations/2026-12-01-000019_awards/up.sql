-- Awards a region grants in its competitions ("Samorząd Przyjazny Ekonomii
-- Społecznej", "Gmina przyjazna ekonomii społecznej", "Przyjaciel ekonomii
-- społecznej", "Przedsiębiorstwo zaangażowane społecznie"): competition,
-- edition, category, laureate and placing (column `place`: PLACING is an SQL
-- keyword). A laureate is an organisation (a PES, a JST, a firm entered as an
-- organisation) or a person, by name only and only with their recorded consent
-- to its publication.
CREATE TABLE awards (
    id                   BIGSERIAL PRIMARY KEY,
    voivodeship          TEXT NOT NULL REFERENCES voivodeships (teryt),
    competition          TEXT NOT NULL,
    edition              TEXT NOT NULL,
    category             TEXT,
    laureate_id          BIGINT REFERENCES beneficiaries (id),
    laureate_person_name TEXT,
    person_consent_on    DATE,
    place                TEXT NOT NULL DEFAULT 'winner' CHECK (place IN ('winner', 'second', 'third', 'distinction', 'nominee')),
    awarded_on           DATE,
    notes                TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT awards_laureate_check CHECK ((laureate_id IS NULL) <> (laureate_person_name IS NULL)),
    CONSTRAINT awards_person_consent_on_check CHECK (laureate_person_name IS NULL OR person_consent_on IS NOT NULL)
);
CREATE INDEX awards_laureate_id_idx ON awards (laureate_id);
CREATE INDEX awards_competition_idx ON awards (voivodeship, competition, edition);
SELECT es_track_table('awards', 'awards', public => true);
