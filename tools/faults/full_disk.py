"""Family 6: a store on a small tmpfs. "full": the disk is filled to the last byte; every read command still gives the
pristine results, and an import fails in one line leaving the store's results as they were. "midway": a random number
of bytes is left free, fewer or more than an import needs; the import is all or nothing. Afterwards, with space
again, verify exits 0 and the import succeeds."""

import os
import subprocess

import numpy as np

import pristine
from harness import CAUGHT, HARMLESS, LOST, SKIPPED, Finding, copy_store, expect_clean, file_digest

NAME = "full-disk"
TRIALS = {"ci": 4, "full": 100}
TMPFS_BYTES = 8 << 20


def setup(ctx):
    def build(folder):
        base = ctx.fixture("pristine", lambda f: pristine.build(ctx, f))
        out = os.path.join(folder, "out")
        reference = pristine.observe(ctx, copy_store(base["store"], os.path.join(folder, "s")), out,
                                     pristine.read_commands(out))
        rng = np.random.default_rng(ctx.seed + 6)
        new = os.path.join(folder, "new.npy")
        np.save(new, rng.standard_normal((8000, 64)).astype(np.float32))  # 2 MB, about 1.9 MB stored: two blocks
        return {"store": base["store"], "reference": reference, "new": new}
    return ctx.fixture(NAME, build)


def fill(path, leave):
    """Fills the file system of `path` with one file until `leave` bytes are free (0: until ENOSPC)."""
    filler = os.path.join(path, "filler")
    with open(filler, "wb") as f:
        while True:
            free = os.statvfs(path).f_bavail * os.statvfs(path).f_frsize
            if free <= leave:
                break
            try:
                f.write(b"\0" * min(1 << 20, max(1, free - leave)))
                f.flush()
            except OSError:
                break
    return filler


def run_trial(ctx, trial):
    fx = setup(ctx)
    folder = ctx.trial_folder(trial)
    mount = os.path.join(folder, "tmpfs")
    os.makedirs(mount)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", mount], capture_output=True)
    if mounted.returncode != 0:
        return SKIPPED, f"mount -t tmpfs not permitted: {mounted.stderr.decode().strip()}"
    try:
        return check(ctx, trial, fx, folder, mount)
    finally:
        subprocess.run(["umount", "-l", mount], capture_output=True)


def check(ctx, trial, fx, folder, mount):
    store = copy_store(fx["store"], os.path.join(mount, "s"))
    mode = ("full", "midway")[trial.index % 2]
    leave = 0 if mode == "full" else trial.rng.randrange(0, 3 << 20)
    filler = fill(mount, leave)
    free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
    what = f"{mode}: {free} bytes free"
    out = os.path.join(folder, "out")
    import_args = ["import", fx["new"], "--model", "n", "--layer", "L0", "--examples", "n", "-q"]
    if mode == "full":
        seen = pristine.observe(ctx, store, out, pristine.read_commands(out))
        crashes, differing, refused = pristine.compare(fx["reference"], seen)
        if crashes or differing or refused:
            raise Finding(LOST, f"{what}: read commands on a full disk: {(crashes + differing + refused)[0]}")
    result = ctx.repstore.run(import_args, store=store)
    expect_clean(result, f"{what}: import")
    what += f"; import exit {result.code}"
    if mode == "full" and result.code == 0:
        raise Finding(LOST, f"{what}: an import succeeded on a full disk")
    if result.code == 0:
        exported = os.path.join(folder, "n.npy")
        export = ctx.repstore.run(["export", "n/L0", "-o", exported, "-q"], store=store)
        if export.code != 0 or file_digest(exported) != file_digest(fx["new"]):
            raise Finding(LOST, f"{what}: the imported tensor does not read back: {export.short()}")
    else:
        # Nothing of the failed import may show.
        seen = pristine.observe(ctx, store, out, pristine.read_commands(out))
        crashes, differing, refused = pristine.compare(fx["reference"], seen)
        if crashes or differing or refused:
            raise Finding(LOST, f"{what}: after the failed import: {(crashes + differing + refused)[0]}")
    os.remove(filler)
    verify = ctx.repstore.run(["verify", "-q"], store=store)
    expect_clean(verify, f"{what}: verify", many_lines=True)
    if verify.code != 0:
        raise Finding(LOST, f"{what}: verify exit {verify.code} once space is back: {verify.short()}")
    if result.code != 0:
        again = ctx.repstore.run(import_args, store=store)
        expect_clean(again, f"{what}: import with space again")
        if again.code != 0:
            raise Finding(LOST, f"{what}: the import fails with space again: {again.short()}")
        return CAUGHT, what
    return HARMLESS, what
