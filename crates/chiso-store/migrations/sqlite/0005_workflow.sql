-- The assessment round in the app (issue 5): stages with deadlines, each unit's
-- progress, its history (submitted, returned, resubmitted, appraised), appraised
-- values with their reasons, and evidence (files with their hash, or a reference
-- to a document). Self-assessed values stay in round_values.

CREATE TABLE round_workflow (
    round_id           INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    stage              TEXT    NOT NULL
                       CHECK (stage IN ('draft', 'open', 'appraisal', 'approved', 'published')),
    self_deadline      INTEGER,
    appraisal_deadline INTEGER,
    approval_deadline  INTEGER,
    updated_at         INTEGER NOT NULL,
    updated_by         TEXT    NOT NULL
);

CREATE TABLE unit_progress (
    round_id   INTEGER NOT NULL,
    unit_code  TEXT    NOT NULL,
    assigned   INTEGER NOT NULL DEFAULT 1 CHECK (assigned IN (0, 1)),
    state      TEXT    NOT NULL DEFAULT 'not_started'
               CHECK (state IN ('not_started', 'draft', 'submitted', 'returned', 'appraised')),
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (round_id, unit_code),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);

CREATE TABLE unit_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id  INTEGER NOT NULL,
    unit_code TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    comment   TEXT,
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);
CREATE INDEX unit_events_unit ON unit_events (round_id, unit_code, id);

CREATE TABLE appraisals (
    round_id   INTEGER NOT NULL,
    unit_code  TEXT    NOT NULL,
    indicator  TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (round_id, unit_code, indicator),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);

CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id     INTEGER NOT NULL,
    unit_code    TEXT    NOT NULL,
    indicator    TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('file', 'reference')),
    file_name    TEXT,
    content_type TEXT,
    size         INTEGER,
    sha256       TEXT,
    content      BLOB,
    doc_number   TEXT,
    doc_date     TEXT,
    summary      TEXT,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);
CREATE INDEX evidence_unit ON evidence (round_id, unit_code, indicator);

-- Self-assessed, appraised and final scores per unit and indicator, for rounds run
-- in the app (null for imported rounds).
ALTER TABLE publications ADD COLUMN stages_json TEXT;
