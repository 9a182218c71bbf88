-- Each user's standing acceptance of each consent type (API.md §6.6); the history of every
-- acceptance and withdrawal is the evidence chain.
CREATE TABLE consents (
    user_id TEXT NOT NULL REFERENCES users (id),
    consent_type TEXT NOT NULL,
    version TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    PRIMARY KEY (user_id, consent_type)
);

-- The evidence chain (runtime::evidence): each record carries the hash of the one before;
-- `evidence_head` is its end, one row, taken by every append.
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

-- The chain's head as the timestamp authority stamped it, once a day (runtime::evidence).
CREATE TABLE evidence_stamps (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    authority TEXT NOT NULL,
    token TEXT NOT NULL
);
