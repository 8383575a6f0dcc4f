"""Family 2: damage to catalog.sqlite of a closed store: a flipped bit, an overwritten page, or one value edited the way
a bad disk or a stray tool could (weights, cells, names, keys, checksums, offsets, digests). Then verify and every
result-reading command run. Lost: verify exits 0 and some command exits 0 with results other than the pristine
store's. Also: an acknowledged import whose committed WAL is deleted must not vanish unnoticed."""

import os
import signal
import sqlite3
import struct
import subprocess
import sys

import numpy as np

import pristine
from harness import CAUGHT, HARMLESS, LOST, Finding, copy_store, expect_clean, flip_bit

NAME = "catalog-flips"
TRIALS = {"ci": 40, "full": 800}


def _flip_blob(db, rng, column):
    width, layer, blob = rng.choice(db.execute(
        f"SELECT input_width, layer_index, {column} FROM projection_layers ORDER BY 1, 2").fetchall())
    data = bytearray(blob)
    at = rng.randrange(len(data))
    data[at] ^= 1 << rng.randrange(8)
    db.execute(f"UPDATE projection_layers SET {column} = ? WHERE input_width = ? AND layer_index = ?",
               (bytes(data), width, layer))
    return f"projection {column} byte {at} (width {width}, layer {layer})"


def _flip_hex(text, rng):
    at = rng.randrange(len(text))
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1:]


def _cell(db, rng):
    table, row, col, value = rng.choice(db.execute("SELECT table_id, row, col, value FROM result_cells").fetchall())
    bits = struct.unpack("<Q", struct.pack("<d", value))[0] ^ (1 << rng.randrange(64))
    db.execute("UPDATE result_cells SET value = ? WHERE table_id = ? AND row = ? AND col = ?",
               (struct.unpack("<d", struct.pack("<Q", bits))[0], table, row, col))
    return f"table {table} cell ({row}, {col}) bit-flipped"


def _swap_axis(db, rng):
    table = rng.choice([1, 2])
    db.execute("UPDATE result_axes SET layer = CASE position WHEN 0 THEN (SELECT layer FROM result_axes WHERE table_id = ?"
               " AND axis = 'row' AND position = 1) ELSE (SELECT layer FROM result_axes WHERE table_id = ? AND axis = 'row'"
               " AND position = 0) END WHERE table_id = ? AND axis = 'row' AND position IN (0, 1)", (table, table, table))
    return f"table {table} row axis names 0 and 1 swapped"


def _key(db, rng):
    ordinal = rng.randrange(pristine.ROWS)
    db.execute("UPDATE example_keys SET key = key || 'x' WHERE ordinal = ?", (ordinal,))
    return f"example key {ordinal} renamed"


def _swap_layers(db, rng):
    model = rng.choice(["ma", "mb"])
    for old, new in (("L0", "tmp"), ("L2", "L0"), ("tmp", "L2")):
        db.execute("UPDATE tensors SET layer = ? WHERE layer = ? AND model_id = (SELECT id FROM models WHERE name = ?)",
                   (new, old, model))
    return f"layers L0 and L2 of {model} swapped"


def _model(db, rng):
    db.execute("UPDATE models SET name = 'mz' WHERE name = ?", (rng.choice(["ma", "mb", "big"]),))
    return "a model renamed"


def _block_field(db, rng):
    field, delta = rng.choice([("checksum", 1 << rng.randrange(62)), ("byte_offset", rng.choice([-1, 1, 8])),
                               ("stored_length", rng.choice([-1, 1])), ("segment", 1), ("row_start", 1),
                               ("raw_length", 4)])
    tensor, index = rng.choice(db.execute("SELECT tensor_id, block_index FROM blocks").fetchall())
    op = "^" if field == "checksum" else "+"
    if field == "checksum":
        db.execute(f"UPDATE blocks SET checksum = (checksum | ?) - (checksum & ?) WHERE tensor_id = ? AND block_index = ?",
                   (delta, delta, tensor, index))
    else:
        db.execute(f"UPDATE blocks SET {field} = {field} {op} ? WHERE tensor_id = ? AND block_index = ?",
                   (delta, tensor, index))
    return f"block ({tensor}, {index}) {field} changed"


def _digest(db, rng, table, column):
    rowid, text = rng.choice(db.execute(f"SELECT rowid, {column} FROM {table}").fetchall())
    db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (_flip_hex(text, rng), rowid))
    return f"{table}.{column} of row {rowid} changed"


def _axis_digest(db, rng):
    table, axis, position, text = rng.choice(db.execute(
        "SELECT table_id, axis, position, tensor_digest FROM result_axes ORDER BY 1, 2, 3").fetchall())
    db.execute("UPDATE result_axes SET tensor_digest = ? WHERE table_id = ? AND axis = ? AND position = ?",
               (_flip_hex(text, rng), table, axis, position))
    return f"table {table} {axis} {position} tensor_digest changed"


def _shape(db, rng):
    column = rng.choice(["row_count", "column_count"])
    db.execute(f"UPDATE tensors SET {column} = {column} + 1 WHERE id = ?",
               (rng.choice(db.execute("SELECT id FROM tensors").fetchall())[0],))
    return f"a tensor's {column} changed"


def _set_rows(db, rng):
    db.execute("UPDATE example_sets SET row_count = row_count - 1 WHERE name = ?", (rng.choice(["ex", "long"]),))
    return "an example set's row_count changed"


def _drop_block(db, rng):
    tensor, index = rng.choice(db.execute("SELECT tensor_id, block_index FROM blocks").fetchall())
    db.execute("DELETE FROM blocks WHERE tensor_id = ? AND block_index = ?", (tensor, index))
    return f"block ({tensor}, {index}) row deleted"


def _reason(db, rng):
    table, row, col = rng.choice(db.execute("SELECT table_id, row, col FROM result_cells").fetchall())
    db.execute("UPDATE result_cells SET value = NULL, reason = 'undefined' WHERE table_id = ? AND row = ? AND col = ?",
               (table, row, col))
    return f"table {table} cell ({row}, {col}) made undefined"


def _table_shape(db, rng):
    db.execute("UPDATE result_tables SET complete = 0 WHERE id = ?", (rng.choice([1, 2]),))
    return "a complete table marked partial"


def _options(db, rng):
    db.execute("UPDATE projections SET options = replace(options, '\"epochs\":2', '\"epochs\":3')")
    return "projection options edited"


EDITS = [
    lambda db, rng: _flip_blob(db, rng, "weights"), lambda db, rng: _flip_blob(db, rng, "bias"), _cell, _swap_axis,
    _key, _swap_layers, _model, _block_field, lambda db, rng: _digest(db, rng, "example_sets", "keys_digest"),
    lambda db, rng: _digest(db, rng, "tensors", "digest"), _axis_digest,
    _shape, _set_rows, _drop_block, _reason, _table_shape, _options,
]


def setup(ctx):
    def build(folder):
        base, reference = pristine.observed_fixture(ctx, folder)
        np.save(os.path.join(folder, "w.npy"), np.arange(60, dtype=np.float32).reshape(20, 3))
        return {"store": base["store"], "reference": reference, "wal_input": os.path.join(folder, "w.npy")}
    return ctx.fixture(NAME, build)


def damage(store, rng):
    catalog = os.path.join(store, "catalog.sqlite")
    mode = rng.choices(["bit", "page", "edit"], weights=[4, 2, 4])[0]
    if mode == "bit":
        at = rng.randrange(os.path.getsize(catalog))
        bit = rng.randrange(8)
        flip_bit(catalog, at, bit)
        return f"bit {bit} of byte {at} flipped"
    if mode == "page":
        pages = os.path.getsize(catalog) // 4096
        page = rng.randrange(pages)
        with open(catalog, "r+b") as f:
            f.seek(page * 4096)
            f.write(rng.randbytes(4096))
        return f"page {page + 1} of {pages} overwritten"
    db = sqlite3.connect(catalog, isolation_level=None)
    try:
        what = rng.choice(EDITS)(db, rng)
    finally:
        db.close()
    return "edit: " + what


def run_trial(ctx, trial):
    fx = setup(ctx)
    folder = ctx.trial_folder(trial)
    store = copy_store(fx["store"], os.path.join(folder, "s"))
    if trial.index % 10 == 9:
        return wal_loss(ctx, trial, fx, store)
    what = damage(store, trial.rng)
    verify = ctx.repstore.run(["verify", "-q"], store=store)
    out = os.path.join(folder, "out")
    seen = pristine.observe(ctx, store, out, pristine.read_commands(out) + pristine.compute_commands(out))
    try:
        outcome, detail = pristine.judge_by_outputs(verify, fx["reference"], seen)
    except Finding as finding:
        raise Finding(finding.outcome, f"{what}: {finding.detail}")
    if outcome == LOST:
        raise Finding(LOST, f"{what}: {detail}")
    return outcome, f"{what}: {detail}"


HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM tensors").fetchall()
print("ready", flush=True)
time.sleep(600)
"""


def wal_loss(ctx, trial, fx, store):
    """A committed import whose WAL is lost: a reader's open snapshot keeps the commit in -wal (closing without a
    checkpoint), the reader is killed, and -wal is deleted. verify must not call that store ok."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, os.path.join(store, "catalog.sqlite")],
                              stdout=subprocess.PIPE, start_new_session=True)
    try:
        holder.stdout.readline()
        result = ctx.repstore.run(["import", fx["wal_input"], "--model", "w", "--layer", "L0", "--examples", "w", "-q"],
                                  store=store)
        expect_clean(result, "import while a reader holds a snapshot")
        if result.code != 0:
            raise Finding(LOST, f"import failed beside a reader: {result.short()}")
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    wal = os.path.join(store, "catalog.sqlite-wal")
    size = os.path.getsize(wal) if os.path.exists(wal) else 0
    for suffix in ("-wal", "-shm"):
        if os.path.exists(os.path.join(store, "catalog.sqlite" + suffix)):
            os.remove(os.path.join(store, "catalog.sqlite" + suffix))
    what = f"wal-loss: committed import, -wal ({size} bytes) deleted"
    listing = ctx.repstore.run(["ls", "--format", "csv"], store=store)
    expect_clean(listing, f"{what}: ls")
    verify = ctx.repstore.run(["verify", "-q"], store=store)
    expect_clean(verify, f"{what}: verify", many_lines=True)
    if listing.code == 0 and b"\nw,L0," in listing.stdout:
        return HARMLESS, f"{what}: the import is still there"
    if verify.code != 0:
        return CAUGHT, f"{what}: verify exit {verify.code}"
    raise Finding(LOST, f"{what}: the acknowledged tensor w/L0 is gone and verify exits 0")
