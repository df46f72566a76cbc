-- Monitoring (theo dõi): the KPI catalogue with its targets, and observations.

CREATE TABLE kpis (
    code           TEXT    PRIMARY KEY,
    position       INTEGER NOT NULL,
    name_vi        TEXT    NOT NULL,
    name_en        TEXT    NOT NULL,
    unit           TEXT    NOT NULL,
    direction      TEXT    NOT NULL CHECK (direction IN ('up', 'down')),
    aggregate      TEXT    NOT NULL CHECK (aggregate IN ('last', 'sum', 'mean')),
    source         TEXT,
    description_vi TEXT,
    description_en TEXT
);

CREATE TABLE kpi_targets (
    kpi_code TEXT             NOT NULL REFERENCES kpis (code) ON DELETE CASCADE,
    year     INTEGER          NOT NULL,
    value    DOUBLE PRECISION NOT NULL,
    basis    TEXT,
    PRIMARY KEY (kpi_code, year)
);

-- A KPI with observations cannot be dropped from the catalogue (no cascade).
CREATE TABLE observations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_code   TEXT             NOT NULL REFERENCES kpis (code),
    scope      TEXT             NOT NULL,
    period     TEXT             NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    note       TEXT,
    created_at INTEGER          NOT NULL,
    created_by TEXT             NOT NULL,
    UNIQUE (kpi_code, scope, period)
);
