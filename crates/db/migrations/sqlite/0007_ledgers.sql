-- Safety work ledgers (issue 5): funding, training, publicity, drills, meetings and
-- responsibility letters in one table (`kind`), so listing, filtering, export, import, soft
-- delete and statistics are written once. Columns a ledger does not use stay empty/NULL.
CREATE TABLE ledger_entry (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('funding', 'training', 'publicity', 'drill', 'meeting', 'letter')),
    org_id        INTEGER NOT NULL REFERENCES org(id),
    entry_date    TEXT NOT NULL,
    year          INTEGER,
    title         TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    amount_fen    INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
    hours_tenths  INTEGER CHECK (hours_tenths IS NULL OR hours_tenths > 0),
    participants  INTEGER CHECK (participants IS NULL OR participants >= 0),
    campaign_id   INTEGER REFERENCES campaign(id),
    drill_kind    TEXT NOT NULL DEFAULT '',
    drill_form    TEXT NOT NULL DEFAULT '',
    plan_type     TEXT NOT NULL DEFAULT '',
    plan          TEXT NOT NULL DEFAULT '',
    trainer       TEXT NOT NULL DEFAULT '',
    assessment    TEXT NOT NULL DEFAULT '',
    evaluation    TEXT NOT NULL DEFAULT '',
    attendees     TEXT NOT NULL DEFAULT '',
    topics        TEXT NOT NULL DEFAULT '',
    signatories   TEXT NOT NULL DEFAULT '',
    targets       TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES app_user(id),
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    CHECK (kind <> 'funding' OR amount_fen IS NOT NULL),
    CHECK (kind <> 'letter' OR year IS NOT NULL)
);
-- Lists and period totals read by kind and date range, then organisation.
CREATE INDEX ledger_entry_kind_date ON ledger_entry(kind, entry_date, org_id, deleted_at, id);
CREATE INDEX ledger_entry_org_kind ON ledger_entry(org_id, kind, entry_date, deleted_at);

-- Named attendees of a training (people of the unit), for per-person yearly hours.
CREATE TABLE ledger_attendee (
    entry_id  INTEGER NOT NULL REFERENCES ledger_entry(id),
    user_id   INTEGER NOT NULL REFERENCES app_user(id),
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX ledger_attendee_user ON ledger_attendee(user_id);

-- Meeting decisions and drill improvement items: owner, deadline, status; open ones appear on
-- the owner's to-do list.
CREATE TABLE ledger_item (
    id             INTEGER PRIMARY KEY,
    entry_id       INTEGER NOT NULL REFERENCES ledger_entry(id),
    position       INTEGER NOT NULL,
    content        TEXT NOT NULL,
    owner_user_id  INTEGER REFERENCES app_user(id),
    deadline       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_at        TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ledger_item_entry ON ledger_item(entry_id, position);
CREATE INDEX ledger_item_owner ON ledger_item(owner_user_id, status);

-- Invoices, sign-in sheets, photos, scans.
CREATE TABLE ledger_attachment (
    entry_id       INTEGER NOT NULL REFERENCES ledger_entry(id),
    attachment_id  INTEGER NOT NULL REFERENCES attachment(id),
    created_at     TEXT NOT NULL,
    PRIMARY KEY (entry_id, attachment_id)
);
