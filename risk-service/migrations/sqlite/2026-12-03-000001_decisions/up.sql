-- Rulesets (DECISIONS.md "Rules"): versioned documents, immutable once saved; the status says
-- which one decides (champion) and which is evaluated in shadow (challenger).
CREATE TABLE rulesets (
    version INTEGER PRIMARY KEY NOT NULL,
    document TEXT NOT NULL,
    status TEXT NOT NULL,
    share INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- One decision per application, never changed: what was decided, by which ruleset, on which
-- features (derived values only), each rule's result and the time each part took.
CREATE TABLE decisions (
    application_id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    ruleset_version INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,
    score INTEGER NOT NULL,
    band TEXT NOT NULL,
    approved_amount_fen BIGINT NOT NULL,
    approved_rate_ppm BIGINT NOT NULL,
    features TEXT NOT NULL,
    rules TEXT NOT NULL,
    timings TEXT NOT NULL,
    challenger TEXT,
    decided_at BIGINT NOT NULL,
    decided_day TEXT NOT NULL
);
CREATE INDEX decisions_day ON decisions (decided_day, decided_at);
-- Velocity (DECISIONS.md "Features"): each application once, by keyed hashes of its device
-- token, client IP and ID number, never the values.
CREATE TABLE velocity (
    application_id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    device_hash TEXT NOT NULL,
    ip_hash TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX velocity_device ON velocity (device_hash, at);
CREATE INDEX velocity_ip ON velocity (ip_hash, at);
CREATE INDEX velocity_id ON velocity (id_hash, at);
-- The decisions' evidence chain (runtime::evidence).
CREATE TABLE evidence (
    seq BIGINT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    client_ip TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    document TEXT NOT NULL,
    shown_sha256 TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    app TEXT NOT NULL DEFAULT ''
);
CREATE TABLE evidence_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO evidence_head (id, seq, hash) VALUES (1, 0, '');
CREATE TABLE evidence_stamps (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    authority TEXT NOT NULL,
    token TEXT NOT NULL
);
