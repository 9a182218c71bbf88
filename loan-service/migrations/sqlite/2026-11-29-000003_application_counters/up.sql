-- The last application number of each day: taking the next one locks the day's row, so
-- concurrent applications get consecutive numbers without scanning the day's applications.
CREATE TABLE application_counters (
    day TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
