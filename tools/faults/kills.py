"""Family 3: SIGKILL at a random moment of an import, a gc, a table computation or a training run, and SIGINT during a
table computation. Afterwards verify exits 0, the command run again completes, and what it gives equals an
uninterrupted run's (a resumed table, a re-run import, a projection). SIGINT: exit 130, the finished cells kept.
Caught: the signal hit a running command and the store recovered; harmless: the command had finished already."""

import os
import signal
import time

import numpy as np

import pristine
from harness import CAUGHT, HARMLESS, LOST, Finding, copy_store, expect_clean

NAME = "kills"
TRIALS = {"ci": 10, "full": 300}
KINDS = ("import", "gc", "sim", "train", "sigint")

SIM = ["sim", "mknn(k=10)", "ka/*@k", "kb/*@k", "--format", "csv", "-q", "--threads", "1"]  # cell by cell
# SIGINT: cells stream as they are computed, so the cells printed before the signal are the ones that must be kept.
STREAM = [("ndjson" if a == "csv" else a) for a in SIM]
TRAIN = ["train", "contrasim", "tp", "k{a,b}/L{0,1}@k", "--epochs", "4", "--batch", "100", "-q"]
USE = ["sim", "contrasim", "ka/L0..L1@k", "kb/L0..L1@k", "--using", "tp", "--recompute", "--format", "csv", "-q"]


def import_args(inputs):
    return ["import"] + [os.path.join(inputs, f"imp{i}.npy") for i in range(3)] + ["--model", "w", "--examples", "big",
                                                                                  "-q"]


def setup(ctx):
    def build(folder):
        rng = np.random.default_rng(ctx.seed + 3)
        inputs = os.path.join(folder, "inputs")
        for model in ("ka", "kb"):
            os.makedirs(os.path.join(inputs, model))
            for layer in range(4):
                np.save(os.path.join(inputs, model, f"L{layer}.npy"), rng.standard_normal((300, 48)).astype(np.float32))
        # Sizes that keep each command near a second with the debug binary CI runs.
        for i in range(3):
            np.save(os.path.join(inputs, f"imp{i}.npy"), rng.standard_normal((4000, 64)).astype(np.float32))
        for name in ("keep", "gone"):
            np.save(os.path.join(inputs, f"{name}.npy"), rng.standard_normal((4000, 64)).astype(np.float32))
        store = os.path.join(folder, "store.repstore")
        for args in (["import", os.path.join(inputs, "{model}/{layer}.npy"), "--examples", "k", "-q"],
                     # One import, one segment: removing half of it leaves a segment gc must rewrite.
                     ["import", os.path.join(inputs, "keep.npy"), os.path.join(inputs, "gone.npy"), "--model", "g",
                      "--examples", "g", "-q"],
                     ["rm", "g/gone", "-q"]):
            result = ctx.repstore.run(args, store=store)
            if result.code != 0:
                raise SystemExit(f"building the kills store failed: {result.short()}")
        reference = {}
        for kind, args in (("import", import_args(inputs)), ("gc", ["gc", "-q"]), ("sim", SIM), ("train", TRAIN),
                           ("sigint", STREAM)):
            copy = copy_store(store, os.path.join(folder, "ref-" + kind))
            started = time.monotonic()
            result = ctx.repstore.run(args, store=copy)
            seconds = time.monotonic() - started
            if result.code != 0:
                raise SystemExit(f"uninterrupted {kind} failed: {result.short()}")
            after = ctx.repstore.run(USE if kind == "train" else ["ls", "--format", "csv"], store=copy)
            reference[kind] = {"seconds": seconds, "stdout": result.stdout, "after": after.stdout}
        return {"store": store, "inputs": inputs, "reference": reference,
                "ls": ctx.repstore.run(["ls", "--format", "csv"], store=store).stdout}
    return ctx.fixture(NAME, build)


def tensor_lines(listing, model):
    return [line for line in listing.decode().splitlines() if line.startswith(model + ",")]


def run_trial(ctx, trial):
    fx = setup(ctx)
    kind = KINDS[trial.index % len(KINDS)]
    ref = fx["reference"][kind]
    store = copy_store(fx["store"], os.path.join(ctx.trial_folder(trial), "s"))
    args = {"import": import_args(fx["inputs"]), "gc": ["gc", "-q"], "sim": SIM, "sigint": STREAM, "train": TRAIN}[kind]
    delay = trial.rng.uniform(0, ref["seconds"])
    process = ctx.repstore.start(args, store=store)
    time.sleep(delay)
    finished_before = process.poll() is not None
    if not finished_before:
        if kind == "sigint":
            os.kill(process.pid, signal.SIGINT)
        else:
            os.killpg(process.pid, signal.SIGKILL)
    first = ctx.repstore.finish(process)
    what = f"{kind} signalled after {delay * 1000:.0f} ms ({'already finished' if finished_before else 'running'})"
    # Killed by SIGINT itself: the signal came before repstore installed its handler (the shell shows 130 too).
    if first.code == -signal.SIGINT and kind == "sigint":
        first.code, what = 130, what + ", before its handler"
    elif kind == "sigint" or finished_before or first.code != -signal.SIGKILL:
        expect_clean(first, f"{what}: the command")
    if kind == "sigint" and first.code not in (0, 130):
        raise Finding(LOST, f"{what}: exit {first.code}, expected 130 (or 0 when it had finished)")

    verify = ctx.repstore.run(["verify", "--format", "csv"], store=store)
    expect_clean(verify, f"{what}: verify", many_lines=True)
    if verify.code != 0:
        raise Finding(LOST, f"{what}: verify exit {verify.code} after the kill: {verify.short()}")
    globals()["check_" + kind](ctx, store, fx, ref, first, what)
    return (HARMLESS if finished_before else CAUGHT), what


def rerun(ctx, args, store, what):
    result = ctx.repstore.run(args, store=store)
    expect_clean(result, f"{what}: the re-run")
    if result.code != 0:
        raise Finding(LOST, f"{what}: the re-run failed: {result.short()}")
    return result


def check_import(ctx, store, fx, ref, first, what):
    listing = ctx.repstore.run(["ls", "--format", "csv"], store=store).stdout
    present, expected = tensor_lines(listing, "w"), tensor_lines(ref["after"], "w")
    if first.code == 0 and not present:
        raise Finding(LOST, f"{what}: import exited 0 but its tensors are not there")
    if present and [l.split(",")[:11] for l in present] != [l.split(",")[:11] for l in expected]:
        raise Finding(LOST, f"{what}: {len(present)} of {len(expected)} tensors present, or other digests")
    if not present:
        rerun(ctx, import_args(fx["inputs"]), store, what)
        listing = ctx.repstore.run(["ls", "--format", "csv"], store=store).stdout
        if [l.split(",")[:11] for l in tensor_lines(listing, "w")] != [l.split(",")[:11] for l in expected]:
            raise Finding(LOST, f"{what}: the re-run import's tensors differ from an uninterrupted import's")


def check_gc(ctx, store, fx, ref, first, what):
    listing = ctx.repstore.run(["ls", "--format", "csv"], store=store).stdout
    if listing != fx["ls"]:
        raise Finding(LOST, f"{what}: ls differs from before gc")
    rerun(ctx, ["gc", "-q"], store, what)
    verify = ctx.repstore.run(["verify", "--format", "csv"], store=store)
    row = verify.stdout.decode().splitlines()[-1].split(",")
    if verify.code != 0 or row[6] != "0":
        raise Finding(LOST, f"{what}: after a second gc verify says {verify.stdout.decode().strip()!r}")


def check_sim(ctx, store, fx, ref, first, what):
    again = rerun(ctx, SIM, store, what)
    if again.stdout != ref["stdout"]:
        raise Finding(LOST, f"{what}: the resumed table differs from an uninterrupted one")


def check_sigint(ctx, store, fx, ref, first, what):
    printed = [line for line in first.stdout.decode().split("\n")[:-1] if line]
    if first.code == 130:
        tables = ctx.repstore.run(["tables", "--format", "csv"], store=store).stdout.decode().strip().splitlines()[1:]
        kept = int(tables[0].split(",")[3].split("/")[0]) if tables else 0
        if kept < len(printed):
            raise Finding(LOST, f"{what}: {len(printed)} cells printed before the signal, {kept} kept")
    again = rerun(ctx, STREAM, store, what)
    if sorted(again.stdout.decode().splitlines()) != sorted(ref["stdout"].decode().splitlines()):
        raise Finding(LOST, f"{what}: the resumed table differs from an uninterrupted one")


def check_train(ctx, store, fx, ref, first, what):
    listing = ctx.repstore.run(["query", "show projections", "--format", "csv", "-q"], store=store)
    exists = any(line.startswith("tp,") for line in listing.stdout.decode().splitlines())
    if first.code == 0 and not exists:
        raise Finding(LOST, f"{what}: train exited 0 but projection tp is not there")
    if not exists:
        rerun(ctx, TRAIN, store, what)
    use = ctx.repstore.run(USE, store=store)
    expect_clean(use, f"{what}: sim --using tp")
    if use.code != 0 or use.stdout != ref["after"]:
        raise Finding(LOST, f"{what}: the projection compares differently from an uninterrupted training's "
                            f"({use.short()})")
