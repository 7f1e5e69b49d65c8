-- The registry's calendar day: today in Poland, where its dates are legal dates
-- (a mark valid until 31 March is valid on 31 March in Toruń, whatever the hour
-- in UTC). Timestamps stay UTC; this is the one place a day is taken from now.
CREATE FUNCTION es_today() RETURNS DATE LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (now() AT TIME ZONE 'Europe/Warsaw')::date
$$;
