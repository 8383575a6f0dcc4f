-- repstore catalog, version 2: materialized result tables.
-- A table is one measure over rows x columns of tensors. Its axes record which tensors (and their content digests)
-- it was computed from, so a table whose inputs changed is known stale; its cells are kept as they are computed,
-- so an interrupted table resumes. Results do not reference tensors by key: removing or replacing a tensor leaves
-- the tables that used it in place, stale.

CREATE TABLE result_tables (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  statement         TEXT NOT NULL,
  measure           TEXT NOT NULL,
  larger_is_similar INTEGER NOT NULL,
  symmetric         INTEGER NOT NULL,
  -- XXH64 over everything the values depend on: measure, code version, options, axes and their digests.
  inputs_digest     TEXT NOT NULL,
  code_version      TEXT NOT NULL,
  route             TEXT,
  examples          TEXT NOT NULL,
  example_count     INTEGER NOT NULL,
  row_count         INTEGER NOT NULL CHECK (row_count >= 0),
  column_count      INTEGER NOT NULL CHECK (column_count >= 0),
  complete          INTEGER NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  seconds           REAL NOT NULL DEFAULT 0
);

CREATE INDEX result_tables_by_inputs ON result_tables(inputs_digest);

CREATE TABLE result_axes (
  table_id      INTEGER NOT NULL REFERENCES result_tables(id) ON DELETE CASCADE,
  axis          TEXT NOT NULL CHECK (axis IN ('row', 'column')),
  position      INTEGER NOT NULL,
  model         TEXT NOT NULL,
  layer         TEXT NOT NULL,
  example_set   TEXT NOT NULL,
  tensor_digest TEXT NOT NULL,
  PRIMARY KEY (table_id, axis, position)
) WITHOUT ROWID;

-- value NULL means undefined, with its reason.
CREATE TABLE result_cells (
  table_id INTEGER NOT NULL REFERENCES result_tables(id) ON DELETE CASCADE,
  row      INTEGER NOT NULL,
  col      INTEGER NOT NULL,
  value    REAL,
  reason   TEXT,
  PRIMARY KEY (table_id, row, col)
) WITHOUT ROWID;
