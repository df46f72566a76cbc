-- Sign-in throttling: one counter per key (a username with a client address, or a
-- client address alone), incremented atomically before a password is checked.
CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- The exact inputs each publication was scored from, so what is public (the
-- results annex, documents) is rebuilt from the publication, never from the
-- round's current values. Publications made before this migration have none.
CREATE TABLE publication_files (
    publication_id INTEGER NOT NULL REFERENCES publications (id),
    path           TEXT    NOT NULL,
    content        BLOB    NOT NULL,
    PRIMARY KEY (publication_id, path)
);

-- A counter per kind of data, incremented by every write of that kind in the same
-- transaction: app servers cache what they derive (the monitoring dashboard) and
-- rebuild it only when the counter moved, which one cheap query tells.
CREATE TABLE data_versions (
    name    TEXT   PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('monitoring', 0);
