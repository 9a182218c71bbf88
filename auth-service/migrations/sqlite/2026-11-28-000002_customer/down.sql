DROP TABLE contacts;
DROP TABLE profiles;
DROP TABLE bank_cards;
DROP TABLE identities;
ALTER TABLE users DROP COLUMN mobile_verified_at;
ALTER TABLE users DROP COLUMN is_risk;
ALTER TABLE users DROP COLUMN is_blacklisted;
