ALTER TABLE applications DROP COLUMN frozen;
