DELETE FROM users WHERE role = 'pes';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'rops', 'owes', 'jst'));
