"""Family 4: two first imports race into the same new store path. A fails late (its second file has a NaN in its last
row) and removes the store it created, slowed by REPSTORE_FAULT_DELAY_MS=remove-created-store:N; B starts at a random
moment with --wait. Acceptable: A fails in one line; B exits 0 and its tensor is there, or B exits 75 (locked) or
fails in one line; the path then takes a new import. Never B exit 0 with its data gone, never SQLite or NSError text."""

import os
import time

import numpy as np

from harness import CAUGHT, LOST, Finding, expect_clean, file_digest

NAME = "races"
TRIALS = {"ci": 10, "full": 200}
DELAYS_MS = (0, 20, 100, 300)


def setup(ctx):
    def build(folder):
        rng = np.random.default_rng(ctx.seed + 4)
        good = rng.standard_normal((8000, 64)).astype(np.float32)
        bad = rng.standard_normal((4000, 64)).astype(np.float32)
        bad[-1, -1] = np.nan  # found only while streaming: the import fails after writing blocks
        paths = {name: os.path.join(folder, f"{name}.npy") for name in ("good", "bad", "b", "c")}
        np.save(paths["good"], good)
        np.save(paths["bad"], bad)
        np.save(paths["b"], rng.standard_normal((100, 8)).astype(np.float32))
        np.save(paths["c"], rng.standard_normal((10, 4)).astype(np.float32))
        # How long A takes alone, failing: B's start is drawn from it.
        started = time.monotonic()
        alone = ctx.repstore.run(a_args(paths), store=os.path.join(folder, "alone.repstore"))
        if alone.code == 0:
            raise SystemExit("import of a file with a NaN succeeded: the races family needs it to fail")
        return {"paths": paths, "seconds": time.monotonic() - started}
    return ctx.fixture(NAME, build)


def a_args(paths):
    return ["import", paths["good"], paths["bad"], "--model", "a", "--examples", "a", "-q"]


def run_trial(ctx, trial):
    fx = setup(ctx)
    paths = fx["paths"]
    folder = ctx.trial_folder(trial)
    store = os.path.join(folder, "new.repstore")
    delay_ms = trial.rng.choice(DELAYS_MS)
    b_start = trial.rng.uniform(0, 1.1 * fx["seconds"])
    what = f"B starts {b_start * 1000:.0f} ms after A, A's removal delayed {delay_ms} ms"
    a = ctx.repstore.start(a_args(paths), store=store, env={"REPSTORE_FAULT_DELAY_MS": f"remove-created-store:{delay_ms}"})
    time.sleep(b_start)
    b = ctx.repstore.start(["import", paths["b"], "--model", "b", "--layer", "L0", "--examples", "b", "--wait", "-q"],
                           store=store)
    a_result, b_result = ctx.repstore.finish(a), ctx.repstore.finish(b)
    expect_clean(a_result, f"{what}: A", strict=True)
    expect_clean(b_result, f"{what}: B", strict=True)
    if a_result.code == 0:
        raise Finding(LOST, f"{what}: A imported a file with a NaN (exit 0)")
    what += f"; A exit {a_result.code}, B exit {b_result.code}"
    if b_result.code == 0:
        exported = os.path.join(folder, "b.npy")
        export = ctx.repstore.run(["export", "b/L0", "-o", exported, "-q"], store=store)
        expect_clean(export, f"{what}: export of B's tensor", strict=True)
        if export.code != 0 or file_digest(exported) != file_digest(paths["b"]):
            gone = "the store is gone" if not os.path.exists(os.path.join(store, "catalog.sqlite")) else export.short()
            raise Finding(LOST, f"{what}: B exited 0 but its tensor cannot be read back: {gone}")
        verify = ctx.repstore.run(["verify", "-q"], store=store)
        expect_clean(verify, f"{what}: verify", many_lines=True, strict=True)
        if verify.code != 0:
            raise Finding(LOST, f"{what}: verify exit {verify.code}: {verify.short()}")
    # Whatever happened, the path must still be usable: a store, or nothing.
    c = ctx.repstore.run(["import", paths["c"], "--model", "c", "--layer", "L0", "--examples", "c", "-q"], store=store)
    expect_clean(c, f"{what}: a later import", strict=True)
    if c.code != 0:
        raise Finding(LOST, f"{what}: the path takes no new import afterwards: {c.short()}")
    return CAUGHT, what
