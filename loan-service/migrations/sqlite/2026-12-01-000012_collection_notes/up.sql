-- Collections (API.md §7): what operators noted while chasing an overdue loan, by whom and when.
-- Notes are added, never changed or deleted.
CREATE TABLE collection_notes (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    operator TEXT NOT NULL,
    note TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX collection_notes_application ON collection_notes (application_id, at);
