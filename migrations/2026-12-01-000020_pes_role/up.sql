-- Accounts for a social-economy entity's own staff: a `pes` user keeps its
-- organisation's record and offers, nothing else (src/domain/access.rs).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'rops', 'owes', 'jst', 'pes'));
