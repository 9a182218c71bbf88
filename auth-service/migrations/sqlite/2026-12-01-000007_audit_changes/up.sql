-- The values a change replaced and what it set (API.md §7), as JSON {field: {before, after}};
-- sealed with the rest of the entry.
ALTER TABLE audit_entries ADD COLUMN changes TEXT;
