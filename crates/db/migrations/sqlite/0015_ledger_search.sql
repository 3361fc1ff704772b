-- Safety work ledger search (issue 5 performance). The list's keyword matched title, description,
-- type and the organisation's name by substring (LIKE '%k%'), which read every entry of the
-- ledger: 596 ms a page for 消防 on a million entries. As for hazards (0005), an FTS5 index with
-- the trigram tokenizer finds the candidates of a keyword of three or more characters; the list
-- still applies the LIKE conditions to them, so results are exactly the LIKE results (trigram
-- folds case more widely than LIKE, so its candidates are a superset). The organisation's name
-- is matched on the org table (2,000 rows), not indexed here.
-- External content: the text lives once, in ledger_entry; triggers keep the index in step with
-- every writer (the application, imports, the bench generator, which drops them for its load and
-- rebuilds the index from ledger_entry).
CREATE VIRTUAL TABLE ledger_entry_fts USING fts5(
    title, description, category,
    content = 'ledger_entry', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO ledger_entry_fts(ledger_entry_fts) VALUES ('rebuild');

CREATE TRIGGER ledger_entry_fts_insert AFTER INSERT ON ledger_entry BEGIN
    INSERT INTO ledger_entry_fts(rowid, title, description, category)
    VALUES (new.id, new.title, new.description, new.category);
END;

CREATE TRIGGER ledger_entry_fts_delete AFTER DELETE ON ledger_entry BEGIN
    INSERT INTO ledger_entry_fts(ledger_entry_fts, rowid, title, description, category)
    VALUES ('delete', old.id, old.title, old.description, old.category);
END;

-- Only when the searched text changes: a soft delete or an amount leaves the index alone.
CREATE TRIGGER ledger_entry_fts_update AFTER UPDATE OF title, description, category ON ledger_entry
WHEN old.title IS NOT new.title OR old.description IS NOT new.description
    OR old.category IS NOT new.category
BEGIN
    INSERT INTO ledger_entry_fts(ledger_entry_fts, rowid, title, description, category)
    VALUES ('delete', old.id, old.title, old.description, old.category);
    INSERT INTO ledger_entry_fts(rowid, title, description, category)
    VALUES (new.id, new.title, new.description, new.category);
END;

-- One unit's (or site's) figures, the funding list's total and the period statistics of a
-- subtree, read the entries of its organisations through this index and then every entry's row
-- for its amount, hours and people. The index carries them now (same leading columns as 0007's,
-- so what used it still does).
DROP INDEX ledger_entry_org_kind;
CREATE INDEX ledger_entry_org_kind ON ledger_entry(org_id, kind, entry_date, deleted_at, category, amount_fen, hours_tenths, participants);
