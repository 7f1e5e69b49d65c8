-- The list of operations (Article 49(3) of Regulation (EU) 2021/1060) names each
-- operation's category of intervention: the intervention field code of the
-- programme's period (2021-2027: Annex I to Regulation (EU) 2021/1060, three
-- digits 001-182; 2014-2020: Annex I to Implementing Regulation (EU) No 215/2014,
-- 001-123; 2007-2013: the priority themes of Annex II to Regulation (EC) No
-- 1828/2006, two digits 01-86). The project's check (service/resources/projects.rs)
-- knows the ranges; the database keeps the form.
ALTER TABLE projects ADD COLUMN intervention_field TEXT CHECK (intervention_field ~ '^[0-9]{2,3}$');

-- Whether an indicator counts people: bound to attendance (its value is a count
-- of participants, protected by migration 000013), or measured in a unit of
-- persons (osoby, uczestnicy, beneficjenci ostateczni, kobiety, mężczyźni,
-- persons, participants). The public lists of operations give the achievements of
-- the others only: counts of participants are personal data here.
CREATE FUNCTION es_counts_people(unit TEXT, protected BOOLEAN) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(protected, FALSE)
        OR coalesce(lower(unit) ~ '^\s*(osob|osób|osoba|uczestni|b\.\s*o\.|beneficjen|kobiet|mężczyzn|person|participant|people)', FALSE)
$$;
