-- Every acceptance is an evidence record (API.md §6.6), each carrying the hash of the one before:
-- removing or altering a record breaks the chain at that point. `evidence_head` is the chain's
-- end, one row, updated in the transaction that appends (so appends take turns).
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
    hash TEXT NOT NULL
);
CREATE TABLE evidence_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO evidence_head (id, seq, hash) VALUES (1, 0, '');
