-- repstore catalog, version 3: trained projections (ContraSim's encoders and the learned baselines').
-- A projection is one encoder per input width, each a stack of dense layers whose weights and biases are kept
-- here as little-endian Float32 blobs (a few MB at most, unlike activations, which live in segments).

CREATE TABLE projections (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,
  statement   TEXT NOT NULL,
  -- JSON object of the hyper-parameters; JSON array of the training inputs; JSON array of the loss per epoch.
  options     TEXT NOT NULL,
  trained_on  TEXT NOT NULL,
  losses      TEXT NOT NULL,
  seconds     REAL NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE projection_layers (
  projection_id INTEGER NOT NULL REFERENCES projections(id) ON DELETE CASCADE,
  input_width   INTEGER NOT NULL,
  layer_index   INTEGER NOT NULL,
  row_count     INTEGER NOT NULL,
  column_count  INTEGER NOT NULL,
  weights       BLOB NOT NULL,
  bias          BLOB NOT NULL,
  PRIMARY KEY (projection_id, input_width, layer_index)
) WITHOUT ROWID;
