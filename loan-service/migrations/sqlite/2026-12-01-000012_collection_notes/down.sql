DROP TABLE collection_notes;
