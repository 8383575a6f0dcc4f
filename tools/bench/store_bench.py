#!/usr/bin/env python3
"""Store throughput: repstore import / read-back side by side with numpy and the zstd CLI.

Makes a set of realistic float32 activation dumps (default 12 layers x 20,000 rows x 768 columns, about
740 MB: low-rank structure, a GELU non-linearity, some dead units), then times on the same files, warm in
the page cache:

  repstore import      all layers into a fresh store (byte shuffle + zstd, checksums, catalog)
  repstore verify      full read-back: decompress, unshuffle, checksum every block, digest every tensor
  repstore export      read-back written as .npy files
  numpy                np.load of every file + np.save to a new folder
  zstd CLI             `zstd -LEVEL -T0` on the same .npy bytes (compress, then decompress to /dev/null)

and prints MB/s of float32 input for each, the compressed/raw ratios, and repstore's speed relative to each
baseline. Usage:

  python3 tools/bench/store_bench.py --repstore .build/release/repstore [--layers 12 --rows 20000 --cols 768]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def make_layer(rng, rows, cols, rank=48):
    """A plausible activation matrix: low-rank signal plus noise, through GELU, with ~5% dead units."""
    signal = rng.standard_normal((rows, rank), dtype=np.float32) @ rng.standard_normal((rank, cols), dtype=np.float32)
    x = signal / np.sqrt(rank) + 0.3 * rng.standard_normal((rows, cols), dtype=np.float32)
    x = 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))
    dead = rng.random(cols) < 0.05
    x[:, dead] = 0.0
    return x.astype(np.float32)


def timed(label, command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repstore", default=".build/release/repstore")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--cols", type=int, default=768)
    parser.add_argument("--level", type=int, default=1)
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()

    repstore = os.path.abspath(args.repstore)
    work = args.work or tempfile.mkdtemp(prefix="repstore-bench-")
    dumps = os.path.join(work, "dumps")
    os.makedirs(dumps, exist_ok=True)
    rng = np.random.default_rng(0)
    for layer in range(args.layers):
        np.save(os.path.join(dumps, f"L{layer}.npy"), make_layer(rng, args.rows, args.cols))
    files = sorted(os.listdir(dumps))
    raw = args.layers * args.rows * args.cols * 4
    mb = raw / 1e6
    for name in files:  # warm the page cache so every contender reads from memory
        with open(os.path.join(dumps, name), "rb") as handle:
            while handle.read(1 << 24):
                pass

    results = []
    store = os.path.join(work, "bench.repstore")
    shutil.rmtree(store, ignore_errors=True)
    t_import = timed("import", [repstore, "import", os.path.join(dumps, "{layer}.npy"), "--model", "bench",
                                "--store", store, "--level", str(args.level), "--quiet"])
    stored = sum(os.path.getsize(os.path.join(store, "segments", f)) for f in os.listdir(os.path.join(store, "segments")))
    t_verify = timed("verify", [repstore, "verify", "--store", store, "--quiet"])
    exported = os.path.join(work, "exported")
    t_export = timed("export", [repstore, "export", "model:bench/*", "-o", exported, "--store", store, "--quiet"])

    start = time.perf_counter()
    saved = os.path.join(work, "numpy-saved")
    os.makedirs(saved, exist_ok=True)
    for name in files:
        array = np.load(os.path.join(dumps, name))
        np.save(os.path.join(saved, name), array)
    t_numpy = time.perf_counter() - start

    concatenated = os.path.join(work, "all.npy.cat")
    with open(concatenated, "wb") as out:
        for name in files:
            with open(os.path.join(dumps, name), "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 24)
    t_zstd_c = timed("zstd", ["zstd", f"-{args.level}", "-T0", "-q", "-f", concatenated, "-o", concatenated + ".zst"])
    zstd_size = os.path.getsize(concatenated + ".zst")
    t_zstd_d = timed("unzstd", ["zstd", "-d", "-q", "-c", concatenated + ".zst"], stdout=subprocess.DEVNULL)

    # Bit-exactness of the round trip, checked on every layer.
    for name in files:
        original = np.load(os.path.join(dumps, name))
        back = np.load(os.path.join(exported, "bench", name))
        assert original.tobytes() == back.tobytes(), f"{name}: export differs from input"

    rate = lambda seconds: mb / seconds
    print(f"data: {args.layers} layers x {args.rows} x {args.cols} float32 = {mb:.0f} MB; "
          f"{os.cpu_count()} cores; zstd level {args.level}")
    print(f"{'operation':44s} {'seconds':>8s} {'MB/s':>8s}")
    rows = [
        ("repstore import (shuffle+zstd+checksum+catalog)", t_import),
        ("repstore verify (read back: unzstd+unshuffle+check)", t_verify),
        ("repstore export (read back to .npy files)", t_export),
        ("numpy np.load + np.save", t_numpy),
        ("zstd CLI compress (-T0, no shuffle)", t_zstd_c),
        ("zstd CLI decompress", t_zstd_d),
    ]
    for label, seconds in rows:
        print(f"{label:44s} {seconds:8.2f} {rate(seconds):8.0f}")
    print(f"compressed/raw: repstore {stored / raw:.3f} (byte-shuffled), zstd CLI {zstd_size / raw:.3f} (plain)")
    print(f"ratios: import vs zstd compress {t_zstd_c / t_import:.2f}x, verify vs zstd decompress "
          f"{t_zstd_d / t_verify:.2f}x, export vs numpy load+save {t_numpy / t_export:.2f}x")
    print("round trip: export bit-identical to input for every layer")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
