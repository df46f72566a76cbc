-- Scheduled service-index feeds (issue 15): a source of public-service records
-- (a URL, a folder another system drops files into, or generated demo data) is
-- pulled on a schedule by `chiso serve`; each pull is recorded, and a pull that
-- brought new content stores an immutable snapshot of the computed index.

CREATE TABLE service_sources (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('url', 'folder', 'demo')),
    location         TEXT    NOT NULL,
    format           TEXT    NOT NULL CHECK (format IN ('csv', 'json')),
    token            TEXT,
    mapping          TEXT    NOT NULL DEFAULT '',
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes > 0),
    enabled          INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at       INTEGER NOT NULL,
    created_by       TEXT    NOT NULL,
    next_run_at      INTEGER NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    last_attempt_at  INTEGER,
    last_success_at  INTEGER,
    lease_until      INTEGER
);
CREATE INDEX service_sources_due ON service_sources (enabled, next_run_at);

-- One row per pull, whatever its outcome; `snapshot_id` is set when it stored one.
CREATE TABLE service_pulls (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id            INTEGER NOT NULL REFERENCES service_sources (id),
    started_at           INTEGER NOT NULL,
    finished_at          INTEGER NOT NULL,
    outcome              TEXT    NOT NULL CHECK (outcome IN ('stored', 'unchanged', 'failed')),
    error                TEXT,
    content_hash         TEXT,
    rows_read            INTEGER,
    rows_skipped         INTEGER,
    observations_changed INTEGER,
    observations_ignored INTEGER,
    snapshot_id          INTEGER REFERENCES service_snapshots (id)
);
CREATE INDEX service_pulls_source ON service_pulls (source_id, id);

-- What a pull computed, as it was: never changed nor deleted.
CREATE TABLE service_snapshots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id    INTEGER NOT NULL REFERENCES service_sources (id),
    pull_id      INTEGER NOT NULL UNIQUE REFERENCES service_pulls (id),
    pulled_at    INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    rows_read    INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL,
    row_counts   TEXT    NOT NULL,
    period_kind  TEXT    NOT NULL,
    document     TEXT    NOT NULL,
    demo         INTEGER NOT NULL CHECK (demo IN (0, 1))
);
CREATE INDEX service_snapshots_source ON service_snapshots (source_id, id);
CREATE INDEX service_snapshots_latest ON service_snapshots (demo, id);

CREATE TRIGGER service_snapshots_no_update BEFORE UPDATE ON service_snapshots
BEGIN
    SELECT RAISE(ABORT, 'immutable: service snapshots cannot be changed');
END;
CREATE TRIGGER service_snapshots_no_delete BEFORE DELETE ON service_snapshots
BEGIN
    SELECT RAISE(ABORT, 'immutable: service snapshots cannot be deleted');
END;

INSERT INTO data_versions (name, version) VALUES ('service', 0);
