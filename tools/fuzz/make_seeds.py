#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tools/fuzz/corpus/<target>/) and is kept beside it.

Seeds come from the RepFormats test fixtures (valid and broken files of every kind), a few arrays numpy writes here
(npz with several stored or deflated members), and the statements of docs/query-language.md and the language tests.
Files the fuzzers found later are added by `make fuzz-merge` under content-hash names; this script leaves those alone.
Needs numpy. Run from the repository root: python3 tools/fuzz/make_seeds.py
"""
import io
import pathlib
import re
import shutil
import zipfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests/RepFormatsTests/Fixtures"
CORPUS = ROOT / "tools/fuzz/corpus"
LARGEST_SEED = 8192  # bytes; larger files only slow the fuzzer down


def copy_fixtures(target, patterns):
    for pattern in patterns:
        for path in sorted(FIXTURES.glob(pattern)):
            if path.stat().st_size <= LARGEST_SEED:
                shutil.copy(path, CORPUS / target / f"{path.parent.name}-{path.name}")


def write(target, name, data):
    (CORPUS / target / name).write_bytes(data)


def npz_seeds():
    rng = np.random.default_rng(0)
    arrays = {
        "h.0": rng.standard_normal((3, 4)).astype("<f4"),
        "h.1": rng.standard_normal((2, 5)).astype(">f2"),
        "h.2": np.asfortranarray(rng.standard_normal((4, 3))),
    }
    for compress, name in [(False, "numpy-stored.npz"), (True, "numpy-deflated.npz")]:
        buffer = io.BytesIO()
        (np.savez_compressed if compress else np.savez)(buffer, **arrays)
        write("npz", name, buffer.getvalue())
    # A member written with a data descriptor (streamed, sizes after the data) and one with an empty name.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("streamed.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array(member, np.ones((2, 2), "<f4"))
        archive.writestr(".npy", np_bytes(np.zeros((1, 3), "<f8")))
    write("npz", "zipfile-streamed-zip64.npz", buffer.getvalue())


def np_bytes(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npy_seeds():
    write("npy", "numpy-v1-f2-F.npy", np_bytes(np.asfortranarray(np.ones((3, 2), "<f2")), (1, 0)))
    write("npy", "numpy-v2-f8-3d.npy", np_bytes(np.ones((2, 2, 3), ">f8"), (2, 0)))
    write("npy", "numpy-v3-f4-unicode-name.npy", np_bytes(np.ones((2, 2), "<f4"), (3, 0)))


def statements():
    found = []
    text = (ROOT / "docs/query-language.md").read_text()
    for block in re.findall(r"```query\n(.*?)```", text, re.S):
        found += [line for line in block.splitlines() if line.strip()]
    verbs = ("sim ", "train ", "show ", "drop ", "explain ")
    for test in ["LanguageTests.swift", "LanguageErrorTests.swift", "LanguageRoundTripTests.swift"]:
        source = (ROOT / "Tests/RepQueryTests" / test).read_text()
        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', source):
            literal = literal.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
            if literal.startswith(verbs) and "\\(" not in literal:
                found.append(literal)
    # Selectors, example sets, measure lists and patterns (the first line is also read as a pattern).
    found += [
        "seed*/L*@digits-test[0:300]", "model:a/L2..L7@val", "layer{1..4}\nlayer3\nlayer10", "{01..12}\n07",
        "h2.out..h7.out\nh5.out", "[!a-c]x?\nbx1", "{seed*,base}/{L1..L3,emb}@t[keys=my keys.txt]",
        "cka,svcca(var=0.99),rsa(rdm=correlation,compare=spearman)", "digits-test[:500]", "*a*a*a*a*b\naaaaaaaaaac",
        "sim cka a b; show models\n# comment\ndrop table 3;;explain train contrasim p on a",
    ]
    return list(dict.fromkeys(found))


def main():
    for target in ["npy", "npz", "safetensors", "query"]:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
    copy_fixtures("npy", ["npy/*.npy", "broken/*.npy", "headers/npy_*.bin"])
    copy_fixtures("npz", ["npz/*.npz", "broken/*.npz"])
    copy_fixtures("safetensors", ["safetensors/*.safetensors", "broken/st_*.safetensors", "headers/st_*.bin"])
    npy_seeds()
    npz_seeds()
    for index, statement in enumerate(statements()):
        write("query", f"statement-{index:03d}.rsq", statement.encode())


if __name__ == "__main__":
    main()
