DROP INDEX decisions_outcome;
ALTER TABLE decisions DROP COLUMN terms;
