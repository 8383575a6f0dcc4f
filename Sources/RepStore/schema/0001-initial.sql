-- repstore catalog, version 1: models, example sets, tensors and their blocks.
-- A shipped migration is never edited; later changes are new numbered files.

CREATE TABLE store_info (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE models (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

-- An ordered list of example keys. Ordinal sets (keys "0".."n-1") store no key rows.
CREATE TABLE example_sets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  row_count   INTEGER NOT NULL CHECK (row_count >= 0),
  key_kind    TEXT NOT NULL CHECK (key_kind IN ('ordinal', 'explicit')),
  keys_digest TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE example_keys (
  set_id  INTEGER NOT NULL REFERENCES example_sets(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  key     TEXT NOT NULL,
  PRIMARY KEY (set_id, ordinal)
) WITHOUT ROWID;

-- One n x d Float32 matrix: a model's layer over an example set.
CREATE TABLE tensors (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id       INTEGER NOT NULL REFERENCES models(id),
  layer          TEXT NOT NULL,
  example_set_id INTEGER NOT NULL REFERENCES example_sets(id),
  row_count      INTEGER NOT NULL CHECK (row_count >= 0),
  column_count   INTEGER NOT NULL CHECK (column_count >= 0),
  source_dtype   TEXT NOT NULL,
  source         TEXT NOT NULL,
  digest         TEXT NOT NULL,
  raw_bytes      INTEGER NOT NULL,
  stored_bytes   INTEGER NOT NULL,
  imported_at    TEXT NOT NULL,
  UNIQUE (model_id, layer, example_set_id)
);

-- Rows row_start ..< row_start + row_count of a tensor: byte-shuffled Float32, zstd-compressed, stored at
-- byte_offset in segments/<segment>.seg. checksum is XXH64 (seed 0) of the raw little-endian Float32 bytes.
CREATE TABLE blocks (
  tensor_id     INTEGER NOT NULL REFERENCES tensors(id) ON DELETE CASCADE,
  block_index   INTEGER NOT NULL,
  row_start     INTEGER NOT NULL,
  row_count     INTEGER NOT NULL,
  segment       INTEGER NOT NULL,
  byte_offset   INTEGER NOT NULL,
  stored_length INTEGER NOT NULL,
  raw_length    INTEGER NOT NULL,
  checksum      INTEGER NOT NULL,
  PRIMARY KEY (tensor_id, block_index)
) WITHOUT ROWID;

CREATE INDEX blocks_by_segment ON blocks(segment);
