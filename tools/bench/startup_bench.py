#!/usr/bin/env python3
"""Start-up: whole repstore processes that do little, against the sqlite3 CLI reading the same catalog.

Builds a store once (default 1,000 tensors: models A and B of 13 layers, 64 rows x 32 columns, and filler models
of 100 layers each, 64 x 16, imported one model per command; then `sim cka A/* B/*` stores a 13x13 table), and
times, with warm caches, interleaved, many times each:

  repstore --version                  process start-up alone (no store)
  repstore ls                         open the catalog read-only, list every tensor
  repstore sim cka A/* B/*            asked again: the stored 13x13 table read back
  ... with OPENBLAS_CORETYPE set      the same without a re-execution, if this OpenBLAS cannot switch kernels in-process
  sqlite3 catalog.sqlite 'select count(*) from tensors'   the floor: a process that opens the catalog and reads it

and prints the median and minimum wall time of each, and its ratio to the sqlite3 floor. The targets are 30 ms and
3x the floor. Usage:

  python3 tools/bench/startup_bench.py --repstore .build/release/repstore [--repeat 200 --tensors 1000]

The sqlite3 CLI comes with Debian's `sqlite3` package (`apt-get install sqlite3`).
"""
import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def write_npy(path, rows, cols, seed):
    """A float32 (rows, cols) .npy of repeatable values, written without numpy."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    state = seed * 2654435761 % 2**32 or 1
    values = []
    for _ in range(rows * cols):
        state = state * 1103515245 + 12345 & 0x7FFFFFFF  # a small LCG: the values only need to differ
        values.append(state / 0x7FFFFFFF - 0.5)
    with open(path, "wb") as handle:
        handle.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("ascii"))
        handle.write(struct.pack("<%df" % len(values), *values))


def build_store(repstore, work, tensors):
    """The store: A and B (13 layers each), then fillers of up to 100 layers, one import per model; the table."""
    store = os.path.join(work, "startup.repstore")
    shutil.rmtree(store, ignore_errors=True)
    models = [("A", 13, 32), ("B", 13, 32)]
    left = tensors - 26
    while left > 0:
        models.append((f"f{len(models) - 2}", min(100, left), 16))
        left -= models[-1][1]
    for index, (model, layers, cols) in enumerate(models):
        folder = os.path.join(work, "dumps", model)
        os.makedirs(folder, exist_ok=True)
        for layer in range(1, layers + 1):
            write_npy(os.path.join(folder, f"L{layer}.npy"), 64, cols, seed=index * 1000 + layer)
        subprocess.run([repstore, "import", os.path.join(folder, "{layer}.npy"), "--model", model,
                        "--store", store, "--quiet"], check=True)
    subprocess.run([repstore, "sim", "cka", "A/*", "B/*", "--store", store, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    return store


def run_once(command, environment):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repstore", default=".build/release/repstore")
    parser.add_argument("--sqlite3", default=shutil.which("sqlite3"))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--tensors", type=int, default=1000)
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    if not args.sqlite3:
        sys.exit("startup_bench: the sqlite3 command-line tool is missing (apt-get install sqlite3)")

    repstore = os.path.abspath(args.repstore)
    work = args.work or tempfile.mkdtemp(prefix="repstore-startup-")
    try:
        store = build_store(repstore, work, args.tensors)
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("REPSTORE", "OPENBLAS_CORETYPE")}
        # The kernels sim would choose, set by hand: OpenBLAS then loads them at once and sim need not re-execute.
        version = subprocess.run([repstore, "--version"], check=True, capture_output=True, text=True).stdout
        chosen = version.split(" kernels for sim")[0].rsplit(" ", 1)[-1] if " kernels for sim" in version else None
        cases = [
            ("repstore --version", [repstore, "--version"], environment),
            (f"repstore ls ({args.tensors} tensors)", [repstore, "ls", "--store", store], environment),
            ("repstore sim cka A/* B/* (stored 13x13)", [repstore, "sim", "cka", "A/*", "B/*", "--store", store],
             environment),
        ]
        if chosen:
            cases.append((f"  same, OPENBLAS_CORETYPE={chosen} (no re-exec)", cases[-1][1],
                          dict(environment, OPENBLAS_CORETYPE=chosen)))
        floor_command = [args.sqlite3, os.path.join(store, "catalog.sqlite"), "select count(*) from tensors"]
        cases.append(("sqlite3 'select count(*) from tensors'", floor_command, environment))

        times = {label: [] for label, _, _ in cases}
        for _ in range(5):  # warm the page cache and the dynamic loader's
            for _, command, env in cases:
                run_once(command, env)
        for _ in range(args.repeat):  # interleaved, so that a slow moment of the machine hits every case alike
            for label, command, env in cases:
                times[label].append(run_once(command, env))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    floor_label = cases[-1][0]
    floor_median = statistics.median(times[floor_label])
    floor_min = min(times[floor_label])
    print(f"{args.repeat} runs each, interleaved, warm; {os.cpu_count()} cores; {version.strip()}")
    print(f"{'command':48s} {'median ms':>10s} {'min ms':>8s} {'x floor':>8s}  {'<= 30 ms':>8s} {'<= 3x':>6s}")
    for label, _, _ in cases:
        median = statistics.median(times[label])
        ratio = median / floor_median
        verdicts = "" if label == floor_label else "".join(
            f" {'met' if ok else 'MISSED':>8s}"[-width:] for ok, width in ((median <= 0.030, 9), (ratio <= 3, 7)))
        print(f"{label:48s} {median * 1e3:10.2f} {min(times[label]) * 1e3:8.2f} {ratio:8.2f} {verdicts}")
    print(f"(x floor: median over the sqlite3 median; the floor's minimum is {floor_min * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
