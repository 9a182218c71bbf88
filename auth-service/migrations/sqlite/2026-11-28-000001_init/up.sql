CREATE TABLE users (
    id TEXT PRIMARY KEY,
    mobile TEXT NOT NULL UNIQUE,
    -- Argon2id PHC string; the plain password is never stored.
    password_hash TEXT NOT NULL,
    app_type TEXT NOT NULL DEFAULT '',
    device_token TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT
);
