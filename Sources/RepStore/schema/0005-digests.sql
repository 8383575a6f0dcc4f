-- repstore catalog, version 5: the catalog checked like the blocks.
-- Every object a result depends on has an XXH64 digest of its rows (see CatalogDigests.swift for what each covers),
-- written in the transaction that writes the object and checked when the object is read and by `verify`.
-- A table's cells, which arrive a batch at a time, are covered by the wrapping sum of one XXH64 per cell.

CREATE TABLE digests (
  object TEXT NOT NULL,
  id     INTEGER NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (object, id)
) WITHOUT ROWID;

-- The blocks of tensors that were replaced or removed, kept until `gc` (which runs only while no reader holds the
-- store), so that a reader that listed a tensor before it was replaced reads the version it listed.
CREATE TABLE retired_blocks (
  tensor_id     INTEGER NOT NULL,
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
