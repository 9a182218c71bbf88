DROP INDEX users_mobile_hash;
ALTER TABLE users DROP COLUMN mobile_hash;
