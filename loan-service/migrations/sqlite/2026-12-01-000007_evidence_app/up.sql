-- The app (appType/appVersion) an acceptance was made from, when it said (API.md §6.6).
ALTER TABLE evidence ADD COLUMN app TEXT NOT NULL DEFAULT '';
