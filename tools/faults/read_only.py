"""Family 5: a store that cannot be written: `chmod -R a-w` as an unprivileged user (root ignores permissions), or a
read-only bind mount. Every read command gives the pristine store's results and creates or touches no file; every
command that must write refuses in one line (sim still prints the table it computed)."""

import os
import subprocess

import pristine
from harness import CAUGHT, LOST, SKIPPED, Finding, copy_store, expect_clean, tree_state

NAME = "read-only"
TRIALS = {"ci": 4, "full": 40}
NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


def setup(ctx):
    def build(folder):
        base, reference = pristine.observed_fixture(ctx, folder)
        return {"store": base["store"], "inputs": base["inputs"], "reference": reference}
    return ctx.fixture(NAME, build)


def write_commands(inputs, rng):
    """(name, argv): each must refuse. sim --recompute is judged apart (it prints its table, then refuses)."""
    commands = [
        ("import", ["import", os.path.join(inputs, "replacement.npy"), "--model", "mc", "--layer", "L0", "--examples",
                    "ex", "--keys", os.path.join(inputs, "keys.txt"), "-q"]),
        ("rm", ["rm", rng.choice(["ma/L0", "mb/*", "big/L0"]), "-q"]),
        ("gc", ["gc", "-q"]),
        ("train", ["train", "contrasim", "p2", "m{a,b}/L0@ex", "--epochs", "1", "-q"]),
        ("drop table", ["query", "drop table 1", "-q"]),
    ]
    rng.shuffle(commands)
    return commands


def run_trial(ctx, trial):
    fx = setup(ctx)
    folder = ctx.trial_folder(trial)
    mode = ("chmod", "mount")[trial.index % 2]
    source = copy_store(fx["store"], os.path.join(folder, "s"))
    prefix, store = (), source
    if mode == "chmod":
        subprocess.run(["chmod", "-R", "a-w", source], check=True)
        prefix = NOBODY if os.geteuid() == 0 else ()  # only root needs another user to meet the permissions
    else:
        store = os.path.join(folder, "ro")
        os.makedirs(store)
        mounted = subprocess.run(["mount", "--bind", source, store], capture_output=True)
        if mounted.returncode != 0:
            return SKIPPED, f"mount --bind not permitted: {mounted.stderr.decode().strip()}"
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", store], check=True, capture_output=True)
            return check(ctx, trial, fx, folder, store, prefix, mode)
        finally:
            subprocess.run(["umount", store], capture_output=True)
    try:
        return check(ctx, trial, fx, folder, store, prefix, mode)
    finally:
        subprocess.run(["chmod", "-R", "u+w", source])


def check(ctx, trial, fx, folder, store, prefix, mode):
    before = tree_state(store)
    out = os.path.join(folder, "out")
    seen = pristine.observe(ctx, store, out, pristine.read_commands(out), prefix=prefix)
    reference = {name: fx["reference"][name] for name in seen}
    crashes, differing, refused = pristine.compare(reference, seen)
    if crashes or differing or refused:
        raise Finding(LOST, f"{mode}: read commands: {(crashes + differing + refused)[0]}")
    # A new table is computed and printed, then not stored: exit 1 with the pristine store's values on stdout.
    for name, args, _ in pristine.compute_commands(out):
        result = ctx.repstore.run(args, store=store, prefix=prefix)
        expect_clean(result, f"{mode}: {name}", many_lines=True)  # a query: one line per statement, and a summary
        if result.code != 1 or "read-only" not in result.stderr:
            raise Finding(LOST, f"{mode}: {name} on a read-only store: {result.short()}")
        if result.digest() != fx["reference"][name][1]:
            raise Finding(LOST, f"{mode}: {name} printed other values than on a writable store")
    for name, args in write_commands(fx["inputs"], trial.rng):
        result = ctx.repstore.run(args, store=store, prefix=prefix)
        expect_clean(result, f"{mode}: {name}")
        if result.code != 1 or "read-only" not in result.stderr:
            raise Finding(LOST, f"{mode}: {name} did not refuse as read-only: {result.short()}")
    after = tree_state(store)
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        raise Finding(LOST, f"{mode}: files created or touched: {changed[0][0]}")
    return CAUGHT, f"{mode}: every read served, every write refused in one line, no file touched"
