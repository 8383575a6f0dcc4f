"""Family 1: one bit flipped in a segment file. verify must exit 2; export and sim of the damaged tensor must refuse;
every other tensor must read back as before. A flip in dead space or the file's magic changes nothing."""

import os
import sqlite3
import tempfile

import pristine
from harness import CAUGHT, HARMLESS, LOST, Finding, copy_store, expect_clean, file_digest, flip_bit

NAME = "segment-flips"
TRIALS = {"ci": 40, "full": 800}


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


def export_all(ctx, store, out):
    """`export '*/*' -o DIR/`: the exit and {file: digest} of every tensor written."""
    result = ctx.repstore.run(["export", "*/*", "-o", out + "/", "-q"], store=store)
    files = {}
    for root, _, names in os.walk(out):
        for name in names:
            files[os.path.relpath(os.path.join(root, name), out)] = file_digest(os.path.join(root, name))
    return result, files


def setup(ctx):
    def build(folder):
        base = ctx.fixture("pristine", lambda f: pristine.build(ctx, f))
        blocks, tensors = block_map(base["store"])
        result, files = export_all(ctx, base["store"], os.path.join(folder, "out"))
        if result.code != 0:
            raise SystemExit(f"export of the pristine store failed: {result.short()}")
        return {"store": base["store"], "blocks": blocks, "tensors": tensors, "files": files}
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
    everything, files = export_all(ctx, store, os.path.join(folder, "all"))
    expect_clean(everything, f"{where}: export of every tensor")
    if everything.code == 0:
        if files != fx["files"]:
            changed = sorted(k for k in set(files) | set(fx["files"]) if files.get(k) != fx["files"].get(k))
            raise Finding(LOST, f"{where}: export exit 0 with other data: {', '.join(changed)} (verify exit {verify.code})")
        if verify.code == 0:
            return HARMLESS, where
        return CAUGHT, f"{where}: verify exit {verify.code} though every tensor reads back intact"
    if not hit:
        raise Finding(LOST, f"{where}: a flip outside every live block made export fail: {everything.short()}")
    if verify.code != 2:
        raise Finding(LOST, f"{where}: export refused ({everything.short()}) but verify exit {verify.code}")
    model, rest = hit.split("/")
    layer, examples = rest.split("@")
    others = [l for l in verify.stderr.splitlines() if l.startswith("repstore: ") and f"{model}/{layer}" not in l]
    if others:
        raise Finding(LOST, f"{where}: verify blames another tensor: {others[0][:160]}")
    alone = ctx.repstore.run(["export", hit, "-o", os.path.join(folder, "hit.npy"), "-q"], store=store)
    expect_clean(alone, f"{where}: export of the damaged tensor")
    if alone.code == 0:
        raise Finding(LOST, f"{where}: export of the damaged tensor exited 0")
    if examples == "ex":
        sim = ctx.repstore.run(["sim", "cka", pristine.SIDE_A, pristine.SIDE_B, "--recompute", "--format", "csv", "-q"],
                               store=store)
        expect_clean(sim, f"{where}: sim --recompute")
        if sim.code == 0:
            raise Finding(LOST, f"{where}: sim --recompute computed a table from a damaged block (exit 0)")
    return CAUGHT, where
