-- repstore catalog, version 4: benchmark runs (layer prediction, paired retrieval).
-- A run is one benchmark statement over the store's tensors; its scores are the decisions it counted, per measure
-- and per subject (a model pair, or a layer). The similarity tables it computed are stored as result tables; the
-- inputs digest (over the statement, the code version and the content digests of every tensor it read) finds the run
-- again when the same benchmark is asked for over the same data.

CREATE TABLE benchmark_runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  kind           TEXT NOT NULL,
  statement      TEXT NOT NULL,
  inputs_digest  TEXT NOT NULL,
  examples       TEXT NOT NULL,
  chance         REAL NOT NULL,
  -- JSON object: measure id -> the projection it compared through.
  projections    TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  seconds        REAL NOT NULL
);

CREATE INDEX benchmark_runs_by_inputs ON benchmark_runs(inputs_digest);

CREATE TABLE benchmark_scores (
  run_id    INTEGER NOT NULL REFERENCES benchmark_runs(id) ON DELETE CASCADE,
  measure   TEXT NOT NULL,
  measure_position INTEGER NOT NULL,
  subject   TEXT NOT NULL,
  subject_position INTEGER NOT NULL,
  correct   INTEGER NOT NULL CHECK (correct >= 0),
  total     INTEGER NOT NULL CHECK (total >= correct),
  PRIMARY KEY (run_id, measure_position, subject_position)
) WITHOUT ROWID;
