-- The chain's head as the timestamp authority stamped it, once a day (API.md §6.6): a record
-- removed or altered before a stamp is found even if the head was rewritten with it.
CREATE TABLE evidence_stamps (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    authority TEXT NOT NULL,
    token TEXT NOT NULL
);
