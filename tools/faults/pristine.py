"""The pristine store the families damage, and the read commands whose results are compared against it."""

import os

import numpy as np

from harness import CRASH, Finding, copy_store, file_digest, message_problem

SIDE_A, SIDE_B = "ma/*@ex", "mb/*@ex"
ROWS, WIDTHS = 300, (24, 32, 40)


def write_arrays(folder, seed):
    """Two models of three layers over 300 keyed examples, a replacement layer, and a tensor of another (ordinal) set.
    Small, so that a trial takes a fraction of a second with the debug binary CI runs."""
    rng = np.random.default_rng(seed)
    with open(os.path.join(folder, "keys.txt"), "w") as f:
        f.writelines(f"ex{i:04d}\n" for i in range(ROWS))
    base = rng.standard_normal((ROWS, 16)).astype(np.float32)
    for model in ("ma", "mb"):
        os.makedirs(os.path.join(folder, model))
        for layer, width in enumerate(WIDTHS):
            # Shared signal plus noise: the tables have structure, so a changed input changes them.
            mix = rng.standard_normal((16, width)).astype(np.float32)
            x = base @ mix + 0.5 * rng.standard_normal((ROWS, width)).astype(np.float32)
            np.save(os.path.join(folder, model, f"L{layer}.npy"), x.astype(np.float32))
    np.save(os.path.join(folder, "replacement.npy"), rng.standard_normal((ROWS, WIDTHS[1])).astype(np.float32))
    np.save(os.path.join(folder, "long.npy"), rng.standard_normal((1000, 16)).astype(np.float32))


def build(ctx, folder):
    """Returns {'store', 'inputs'}: a closed store with dead space, two segments, two tables and a projection."""
    inputs = os.path.join(folder, "inputs")
    os.makedirs(inputs)
    write_arrays(inputs, ctx.seed)
    store = os.path.join(folder, "store.repstore")
    keys = os.path.join(inputs, "keys.txt")
    steps = [
        ["import", os.path.join(inputs, "{model}/{layer}.npy"), "--examples", "ex", "--keys", keys, "-q"],
        # Replacing a layer leaves its old block in segment 1 as dead space (where a flip harms nothing).
        ["import", os.path.join(inputs, "replacement.npy"), "--model", "mb", "--layer", "L1", "--examples", "ex",
         "--keys", keys, "--replace", "-q"],
        ["import", os.path.join(inputs, "long.npy"), "--model", "big", "--layer", "L0", "--examples", "long", "-q"],
        ["sim", "cka", SIDE_A, SIDE_B, "-q"],
        ["train", "contrasim", "probe", "m{a,b}/*@ex", "--epochs", "2", "--batch", "128", "-q"],
        ["sim", "contrasim", SIDE_A, SIDE_B, "--using", "probe", "-q"],
    ]
    for args in steps:
        result = ctx.repstore.run(args, store=store)
        if result.code != 0:
            raise SystemExit(f"building the pristine store failed: {' '.join(result.argv)}: {result.short()}")
    return {"store": store, "inputs": inputs, "keys": keys}


def read_commands(out):
    """(name, argv, output files): the commands that read results, none that writes. Statements share one `query`
    process (a process start is most of a command's time with the debug binary)."""
    shows = "show models; show layers; show examples; show projections; show tables"
    return [
        ("ls", ["ls", "--format", "csv"], []),
        ("ls --sets", ["ls", "--sets", "--format", "csv"], []),
        ("table 1", ["table", "1", "--format", "csv"], []),
        ("export", ["export", "*/*@ex", "-o", f"{out}/ex.safetensors", "--keys-out", f"{out}/ex.keys", "-q"],
         [f"{out}/ex.safetensors", f"{out}/ex.keys"]),
        ("export long", ["export", "big/L0", "-o", f"{out}/long.npy", "-q"], [f"{out}/long.npy"]),
        ("show, sim (stored)", ["query", f"{shows}; sim cka {SIDE_A} {SIDE_B}; sim contrasim {SIDE_A} {SIDE_B} --using probe",
                                "--format", "csv", "-q"], []),
    ]


def compute_commands(out):
    """Tables computed again from the stored blocks and the projection's weights (stored as new tables: run last)."""
    return [
        ("sim --recompute", ["query", f"sim cka {SIDE_A} {SIDE_B} --recompute; "
                             f"sim contrasim {SIDE_A} {SIDE_B} --using probe --recompute", "--format", "csv", "-q"], []),
    ]


def observe(ctx, store, out, commands, prefix=()):
    """{name: (exit, digest of stdout and output files, result)}."""
    os.makedirs(out, exist_ok=True)
    os.chmod(out, 0o777)
    seen = {}
    for name, args, files in commands:
        for path in files:
            if os.path.exists(path):
                os.remove(path)
        result = ctx.repstore.run(args, store=store, prefix=prefix)
        digest = result.digest() + "".join(str(file_digest(p)) for p in files) if result.code == 0 else None
        seen[name] = (result.code, digest, result)
    return seen


def observed_fixture(ctx, folder):
    """The shared pristine store and what every read and compute command gives on a copy of it in `folder`."""
    base = ctx.fixture("pristine", lambda f: build(ctx, f))
    out = os.path.join(folder, "out")
    commands = read_commands(out) + compute_commands(out)
    return base, observe(ctx, copy_store(base["store"], os.path.join(folder, "s")), out, commands)


def compare(reference, observed):
    """(crashes, differing, refused): commands that crashed, exited 0 with other results, or failed in one line."""
    crashes, differing, refused = [], [], []
    for name, (code, digest, result) in observed.items():
        problem = message_problem(result, many_lines="query" in result.argv)  # one line per failed statement
        if problem:
            crashes.append(f"{name}: {problem}")
        elif code == 0 and digest != reference[name][1]:
            differing.append(name)
        elif code != 0:
            refused.append(f"{name}: {result.stderr.strip().splitlines()[-1][:120]}")
    return crashes, differing, refused


def judge_by_outputs(verify, reference, observed):
    """The catalog rule: lost when verify passes and a command gives other results; crash on any dump or hang."""
    crashes, differing, refused = compare(reference, observed)
    problem = message_problem(verify, many_lines=True)
    if problem:
        crashes.insert(0, f"verify: {problem}")
    if crashes:
        raise Finding(CRASH, crashes[0])
    if verify.code == 0 and differing:
        return "lost", f"verify passed, {', '.join(differing)} gave other results"
    if verify.code != 0:
        return "caught", f"verify exit {verify.code}: {verify.stderr.strip().splitlines()[0][:120]}"
    if refused:
        return "caught", f"verify passed; refused: {refused[0]}"
    return "harmless", "every result identical"
