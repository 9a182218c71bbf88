-- Operators of the admin console (API.md §7). Roles are comma-separated names; the TOTP secret is
-- sealed by the PII vault; `totp_last_step` makes each code usable once; `session_epoch` rises on a
-- new password or disabling, which ends every session issued before. Rows are never deleted.
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    totp_secret TEXT,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
