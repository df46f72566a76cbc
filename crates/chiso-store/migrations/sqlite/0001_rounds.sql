-- Assessment rounds (đợt đánh giá): the exact input files of an imported package,
-- a queryable copy of its groups and units, the values in long form, and the
-- immutable publications of its scored results.
-- Portable schema (see DEPENDENCIES.md): integers, doubles, text, blobs; booleans
-- are 0/1 integers; instants are Unix milliseconds; JSON is text.

CREATE TABLE rounds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    year           INTEGER NOT NULL,
    name_vi        TEXT    NOT NULL,
    name_en        TEXT    NOT NULL,
    overall        TEXT    NOT NULL CHECK (overall IN ('mean_of_groups', 'mean_of_units')),
    rank_precision INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE INDEX rounds_year ON rounds (year);

-- assessment.toml, frameworks/*.toml and units.csv exactly as imported (values.csv
-- is generated from round_values).
CREATE TABLE round_files (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    path     TEXT    NOT NULL,
    content  BLOB    NOT NULL,
    PRIMARY KEY (round_id, path)
);

CREATE TABLE round_groups (
    round_id       INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    code           TEXT    NOT NULL,
    name_vi        TEXT    NOT NULL,
    name_en        TEXT    NOT NULL,
    framework_path TEXT    NOT NULL,
    PRIMARY KEY (round_id, code),
    UNIQUE (round_id, position)
);

CREATE TABLE units (
    round_id   INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    code       TEXT    NOT NULL,
    name_vi    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    group_code TEXT    NOT NULL,
    parent     TEXT,
    PRIMARY KEY (round_id, code),
    FOREIGN KEY (round_id, group_code) REFERENCES round_groups (round_id, code) ON DELETE CASCADE
);

-- One row per (unit, indicator) value, the text as written ("97%", "có", "3/4", "na").
CREATE TABLE round_values (
    round_id   INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    unit_code  TEXT    NOT NULL,
    indicator  TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    note       TEXT,
    position   INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (round_id, unit_code, indicator),
    FOREIGN KEY (round_id, unit_code) REFERENCES units (round_id, code) ON DELETE CASCADE
);

-- Published results (kết quả công bố): immutable. A correction is a new row that
-- supersedes the previous one; UNIQUE (supersedes) keeps the chain linear.
CREATE TABLE publications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    published_at    INTEGER NOT NULL,
    published_by    TEXT    NOT NULL,
    decision        TEXT    NOT NULL,
    results_json_vi TEXT    NOT NULL,
    results_json_en TEXT    NOT NULL,
    inputs_hash     TEXT    NOT NULL,
    supersedes      INTEGER UNIQUE REFERENCES publications (id)
);
CREATE INDEX publications_round ON publications (round_id, id);

CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
BEGIN
    SELECT RAISE(ABORT, 'immutable: publications cannot be changed');
END;
CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN
    SELECT RAISE(ABORT, 'immutable: publications cannot be deleted');
END;
