-- Verification per indicator and preliminary results (issue 12).
--
-- round_workflow gains the stage 'preliminary' and the deadline of its contest
-- window. SQLite cannot change a CHECK constraint: the table is rebuilt (nothing
-- references it).
CREATE TABLE round_workflow_new (
    round_id           INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    stage              TEXT    NOT NULL
                       CHECK (stage IN ('draft', 'open', 'appraisal', 'preliminary', 'approved', 'published')),
    self_deadline      INTEGER,
    appraisal_deadline INTEGER,
    approval_deadline  INTEGER,
    contest_deadline   INTEGER,
    updated_at         INTEGER NOT NULL,
    updated_by         TEXT    NOT NULL
);
INSERT INTO round_workflow_new
    (round_id, stage, self_deadline, appraisal_deadline, approval_deadline, updated_at, updated_by)
SELECT round_id, stage, self_deadline, appraisal_deadline, approval_deadline, updated_at, updated_by
FROM round_workflow;
DROP TABLE round_workflow;
ALTER TABLE round_workflow_new RENAME TO round_workflow;

-- Where evidence is required and a unit has none, its reporter explains why; the
-- verifier reads it. One explanation per indicator, replaced when rewritten.
CREATE TABLE evidence_explanations (
    round_id   INTEGER NOT NULL,
    unit_code  TEXT    NOT NULL,
    indicator  TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (round_id, unit_code, indicator),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);

-- A unit's request to reconsider one indicator of the preliminary results, and the
-- appraisers' answer (accepted with a new value, or rejected), each with a reason.
CREATE TABLE contests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER NOT NULL,
    unit_code     TEXT    NOT NULL,
    indicator     TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    answer_value  TEXT,
    answer_reason TEXT,
    answered_at   INTEGER,
    answered_by   TEXT,
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);
CREATE UNIQUE INDEX contests_one_open ON contests (round_id, unit_code, indicator) WHERE status = 'open';
CREATE INDEX contests_round ON contests (round_id, id);

CREATE TABLE contest_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contest_id   INTEGER NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    content      BLOB    NOT NULL
);
CREATE INDEX contest_files_contest ON contest_files (contest_id);

-- Preliminary results are published like final ones, marked as such; the final
-- publication supersedes them.
ALTER TABLE publications ADD COLUMN preliminary INTEGER NOT NULL DEFAULT 0 CHECK (preliminary IN (0, 1));

-- A new value takes the position after the round's last one: found by this index
-- instead of a scan of the round's values inside every save.
CREATE INDEX round_values_position ON round_values (round_id, position);
