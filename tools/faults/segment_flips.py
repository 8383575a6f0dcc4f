"""Family 1: one bit flipped in a segment file. verify must exit 2; export and sim of the damaged tensor must refuse;
every other tensor must read back as before. A flip in dead space or the file's magic changes nothing."""

import os
import sqlite3
import tempfile

import pristine
from harness import CAUGHT, CRASH, HARMLESS, LOST, Finding, copy_store, expect_clean, flip_bit

NAME = "segment-flips"
TRIALS = {"ci": 50, "full": 800}


def block_map(store):
    """[(segment, start, end, selector)] of every live block, read from a copy (the fixture stays untouched)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = copy_store(store, os.path.join(scratch, "s"))
        db = sqlite3.connect(os.path.join(copy, "catalog.sqlite"))
        rows = db.execute(
            "SELECT b.segment, b.byte_offset, b.byte_offset + b.stored_length, m.name || '/' || t.layer || '@' || e.name"
            " FROM blocks b JOIN tensors t ON t.id = b.tensor_id JOIN models m ON m.id = t.model_id"
            " JOIN example_sets e ON e.id = t.example_set_id").fetchall()
        tensors = [r[0] for r in db.execute(
            "SELECT m.name || '/' || t.layer || '@' || e.name FROM tensors t JOIN models m ON m.id = t.model_id"
            " JOIN example_sets e ON e.id = t.example_set_id ORDER BY 1")]
        db.close()
    return rows, tensors


def export_commands(tensors, out):
    return [(f"export {t}", ["export", t, "-o", f"{out}/{i}.npy", "-q"], [f"{out}/{i}.npy"])
            for i, t in enumerate(tensors)]


def setup(ctx):
    def build(folder):
        base = ctx.fixture("pristine", lambda f: pristine.build(ctx, f))
        blocks, tensors = block_map(base["store"])
        reference = pristine.observe(ctx, copy_store(base["store"], os.path.join(folder, "s")), os.path.join(folder, "out"),
                                     export_commands(tensors, os.path.join(folder, "out")))
        return {"store": base["store"], "blocks": blocks, "tensors": tensors, "reference": reference}
    return ctx.fixture(NAME, build)


def run_trial(ctx, trial):
    fx = setup(ctx)
    folder = ctx.trial_folder(trial)
    store = copy_store(fx["store"], os.path.join(folder, "s"))
    segments = sorted(os.listdir(os.path.join(store, "segments")))
    sizes = [os.path.getsize(os.path.join(store, "segments", s)) for s in segments]
    position = trial.rng.randrange(sum(sizes))
    index = 0
    while position >= sizes[index]:
        position -= sizes[index]
        index += 1
    segment, bit = int(segments[index][:-4]), trial.rng.randrange(8)
    flip_bit(os.path.join(store, "segments", segments[index]), position, bit)
    hit = next((sel for seg, start, end, sel in fx["blocks"] if seg == segment and start <= position < end), None)
    where = f"segment {segments[index]} byte {position} bit {bit} ({hit or 'no live block'})"

    verify = ctx.repstore.run(["verify", "-q"], store=store)
    expect_clean(verify, f"{where}: verify", many_lines=True)
    out = os.path.join(folder, "out")
    seen = pristine.observe(ctx, store, out, export_commands(fx["tensors"], out))
    crashes, differing, refused = pristine.compare(fx["reference"], seen)
    if crashes:
        raise Finding(CRASH, f"{where}: {crashes[0]}")
    if differing:
        raise Finding(LOST, f"{where}: exit 0 with other data: {', '.join(differing)} (verify exit {verify.code})")
    damaged_refused = f"export {hit}" in [r.split(":")[0] for r in refused]
    if hit and hit.endswith("@ex") and damaged_refused:
        sim = ctx.repstore.run(["sim", "cka", pristine.SIDE_A, pristine.SIDE_B, "--recompute", "--format", "csv", "-q"],
                               store=store)
        expect_clean(sim, f"{where}: sim --recompute")
        if sim.code == 0:
            raise Finding(LOST, f"{where}: sim --recompute computed a table from a damaged block (exit 0)")
    if not refused:
        if verify.code == 0:
            return HARMLESS, where
        return CAUGHT, f"{where}: verify exit {verify.code} though every tensor reads back intact"
    if verify.code != 2:
        raise Finding(LOST, f"{where}: {refused[0]} but verify exit {verify.code}")
    if not damaged_refused or len(refused) > 1:
        return CAUGHT, f"{where}: refused beyond the damaged tensor: {'; '.join(refused)}"
    return CAUGHT, where
