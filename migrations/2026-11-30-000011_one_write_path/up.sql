-- Kept answers to idempotent requests are sealed from now on (see api::idempotency);
-- answers kept before were in clear and may hold personal data, so they go.
DELETE FROM idempotency_keys;
-- When the person a kept answer named was erased: the answer is gone with them.
ALTER TABLE idempotency_keys ADD COLUMN erased_at TIMESTAMPTZ;
CREATE INDEX idempotency_keys_location_idx ON idempotency_keys (location);
