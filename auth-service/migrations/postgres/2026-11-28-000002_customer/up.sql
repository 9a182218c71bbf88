-- Risk flags set by operators, and the carrier (mobile real-name) check.
ALTER TABLE users ADD COLUMN is_blacklisted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN is_risk BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN mobile_verified_at BIGINT;

-- A verified identity is fixed: one row per user, never updated.
CREATE TABLE identities (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    real_name TEXT NOT NULL,
    -- AES-256-GCM ciphertext; the keyed hash enforces one account per ID number.
    id_card_cipher TEXT NOT NULL,
    id_card_hash TEXT NOT NULL UNIQUE,
    verified_at BIGINT NOT NULL
);

-- The verified bank card; re-verification replaces it.
CREATE TABLE bank_cards (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    card_cipher TEXT NOT NULL,
    reserved_mobile_cipher TEXT NOT NULL,
    verified_at BIGINT NOT NULL
);

CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    education TEXT NOT NULL,
    martial_status TEXT NOT NULL,
    registry_province TEXT NOT NULL,
    registry_city TEXT NOT NULL,
    registry_detail TEXT NOT NULL,
    house_address_province TEXT NOT NULL,
    house_address_city TEXT NOT NULL,
    house_address_county TEXT NOT NULL,
    house_address_detail TEXT NOT NULL,
    residence_length TEXT NOT NULL,
    industry_type TEXT NOT NULL,
    work_address_province TEXT NOT NULL,
    work_address_city TEXT NOT NULL,
    work_address_county TEXT NOT NULL,
    work_address_detail TEXT NOT NULL,
    working_hours TEXT NOT NULL,
    current_work_info TEXT NOT NULL,
    current_position TEXT NOT NULL,
    month_income BIGINT NOT NULL,
    payroll_day INTEGER,
    updated_at BIGINT NOT NULL
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    rel_type TEXT NOT NULL,
    real_name TEXT NOT NULL,
    phone_cipher TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_user ON contacts (user_id, created_at);
