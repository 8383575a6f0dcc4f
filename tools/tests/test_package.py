"""Tests of the repstore Python package (tools/python) against the repstore binary.

Run from the repository root with the binary in REPSTORE_BIN (as `make test` does):

    REPSTORE_BIN=.build/debug/repstore python3 -m unittest tools.tests.test_package -v

The package is the binary's door, not a second implementation: every value here is checked against the array put
in, numpy, or the command line's own output.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TOOLS = Path(__file__).resolve().parent.parent
REPO = TOOLS.parent
sys.path.insert(0, str(TOOLS / "python"))
sys.path.insert(0, str(TOOLS))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import repstore  # noqa: E402

BINARY = os.environ.get("REPSTORE_BIN")


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA in float64, from its definition (centred cross-covariance Frobenius norms)."""
    x = x.astype(np.float64) - x.mean(axis=0)
    y = y.astype(np.float64) - y.mean(axis=0)
    return float(np.linalg.norm(x.T @ y) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


@unittest.skipUnless(BINARY, "REPSTORE_BIN is not set")
class StoreTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.store = repstore.Store(Path(self.folder.name) / "acts.repstore", progress=False)
        self.rng = np.random.default_rng(7)

    def tearDown(self):
        self.folder.cleanup()

    def cli(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([BINARY, *arguments, "--store", str(self.store.path)], capture_output=True)

    def test_arrays_go_in_and_come_back_bit_for_bit(self):
        x = self.rng.standard_normal((300, 17)).astype(np.float32)
        x[3, 4] = np.float32(-0.0)
        keys = [f"sent-{i}" for i in range(300)]
        self.store.add("gpt2", "L3", x, examples="wiki", keys=keys)
        back = self.store.tensor("gpt2/L3@wiki")
        self.assertEqual(back.dtype, np.float32)
        self.assertTrue(np.array_equal(back.view(np.uint32), x.view(np.uint32)))
        self.assertEqual(self.store.keys("gpt2/L3@wiki"), keys)
        # float64 is stored as float32, as numpy rounds it.
        wide = self.rng.standard_normal((300, 5))
        self.store.add("gpt2", "L4", wide, examples="wiki", keys=keys)
        self.assertTrue(np.array_equal(self.store.tensor("gpt2/L4@wiki"), wide.astype(np.float32)))
        # The CLI sees what the package put in.
        listing = json.loads(self.cli("ls", "--format", "json").stdout)
        self.assertEqual([(t["model"], t["layer"], t["rows"], t["columns"]) for t in listing],
                         [("gpt2", "L3", 300, 17), ("gpt2", "L4", 300, 5)])

    def test_a_large_array_streams_through(self):
        x = self.rng.standard_normal((20_000, 64)).astype(np.float32)  # 5 MB, many pipe buffers each way
        self.store.add("m", "big", x)
        self.assertTrue(np.array_equal(self.store.tensor("m/big"), x))

    def test_stacks_torch_tensors_and_atomic_layer_sets(self):
        import torch

        stack = self.rng.standard_normal((3, 40, 6)).astype(np.float32)
        self.store.add("m", ["emb", "h1", "h2"], torch.from_numpy(stack))
        tensors = self.store.tensors("m/*")
        self.assertEqual(list(tensors), ["emb", "h1", "h2"])
        for i, name in enumerate(["emb", "h1", "h2"]):
            self.assertTrue(np.array_equal(tensors[name], stack[i]))

        good = self.rng.standard_normal((40, 6)).astype(np.float32)
        bad = good.copy()
        bad[5, 2] = np.nan
        with self.assertRaises(repstore.RepstoreError) as caught:
            self.store.add_layers("n", {"a": good, "b": bad})
        self.assertEqual(caught.exception.status, 1)
        self.assertIn("NaN", caught.exception.message)
        self.assertEqual(len(self.store.ls()), 3, "a failed layer set must land not at all")
        self.store.add_layers("n", {"a": good, "b": bad}, allow_nonfinite=True)
        self.assertEqual(len(self.store.ls("n/*")), 2)

    def test_errors_carry_the_message_and_status(self):
        with self.assertRaises(repstore.RepstoreError) as caught:
            self.store.tensor("nothing/here")
        self.assertNotEqual(caught.exception.status, 0)
        self.assertNotIn("\n", caught.exception.message)
        self.store.add("m", "L1", self.rng.standard_normal((10, 3)).astype(np.float32))
        with self.assertRaises(repstore.RepstoreError) as caught:
            self.store.sim("cka", "m/L1", "m/L1", reduce="sideways")
        self.assertEqual(caught.exception.status, 64)
        with self.assertRaises(repstore.RepstoreError) as caught:
            self.store.add("m", "L2", self.rng.standard_normal((10, 3)), keys=[str(i) for i in range(9, -1, -1)])
        self.assertIn("keys", caught.exception.message)
        with self.assertRaises(ValueError):
            self.store.add("m", "L2", self.rng.standard_normal((10, 3)), keys=["a"] * 9)
        with self.assertRaises(TypeError):
            self.store.add("m", "L2", np.arange(30).reshape(10, 3))
        with self.assertRaises(repstore.RepstoreError) as caught:
            repstore.Store(self.store.path, binary=Path(self.folder.name) / "missing")
        self.assertEqual(caught.exception.status, 127)

    def test_sim_is_a_frame_of_the_cli_table_and_matches_numpy(self):
        x = self.rng.standard_normal((200, 12)).astype(np.float32)
        y = np.tanh(x @ self.rng.standard_normal((12, 12)).astype(np.float32))
        z = self.rng.standard_normal((200, 12)).astype(np.float32)
        self.store.add_layers("a", {"L1": x, "L2": y}, examples="s")
        self.store.add_layers("b", {"L1": z, "L2": y}, examples="s")
        frame = self.store.sim("cka,dot", "a/*@s", "b/*@s")
        self.assertIsInstance(frame, pd.DataFrame)
        self.assertEqual(list(frame.columns),
                         ["a", "b", "a_model", "a_layer", "b_model", "b_layer", "measure", "value", "reason"])
        self.assertEqual(len(frame), 8)
        cka = frame[frame.measure == "cka"].set_index(["a_layer", "b_layer"])["value"]
        for (la, lb), (xa, xb) in {("L1", "L1"): (x, z), ("L1", "L2"): (x, y), ("L2", "L2"): (y, y)}.items():
            self.assertAlmostEqual(cka[(la, lb)], linear_cka(xa, xb), places=6)
        cli = self.cli("sim", "cka,dot", "a/*@s", "b/*@s", "--format", "csv")
        self.assertEqual(cli.returncode, 0, cli.stderr)
        # round_trip: pandas' default float parser can be off in the last digit.
        cli_frame = pd.read_csv(io.StringIO(cli.stdout.decode()), float_precision="round_trip")
        merged = frame.merge(cli_frame, on=["a", "b", "measure"])
        self.assertEqual(len(merged), 8)
        self.assertTrue(np.array_equal(merged["value_x"].to_numpy(), merged["value_y"].to_numpy()))
        tables = self.store.tables()
        self.assertGreaterEqual(len(tables), 1)
        self.assertIn("statement", tables.columns)
        # An undefined cell is NaN with its reason.
        undefined = self.store.sim("pwcca", "a/L1@s[0:10]", "b/L1@s[0:10]")
        self.assertTrue(np.isnan(undefined["value"][0]))
        self.assertIn("n too small", undefined["reason"][0])

    def test_progress_goes_to_stderr_and_the_error_only_in_the_exception(self):
        loud = repstore.Store(self.store.path, progress=True)
        loud.add("m", "L1", self.rng.standard_normal((30, 4)).astype(np.float32))
        captured = io.StringIO()
        with contextlib.redirect_stderr(captured):
            loud.sim("cka", "m/L1", "m/L1")
            with self.assertRaises(repstore.RepstoreError):
                loud.sim("cka", "m/L1", "m/nothing")
        text = captured.getvalue()
        self.assertIn("stored as table", text)
        self.assertNotIn("repstore: ", text)


def read_bench(output: bytes) -> dict:
    return json.loads(output)


@unittest.skipUnless(BINARY, "REPSTORE_BIN is not set")
class TrainingAndBenchmarksTest(unittest.TestCase):
    """Training and a benchmark through the package give the command line's figures on the shipped text data."""

    def test_bench_retrieval_with_contrasim_equals_the_cli(self):
        data = REPO / "data" / "text"
        options = ["--measures", "cka,contrasim", "--train-examples", "text-train", "--epochs", "3", "--batch", "128",
                   "--lr", "0.001", "--negatives", "knn"]
        with tempfile.TemporaryDirectory() as folder:
            stores = [Path(folder) / "cli.repstore", Path(folder) / "py.repstore"]
            for store in stores:
                for split in ("test", "train"):
                    subprocess.run([BINARY, "import", str(data / f"{{model}}_{split}.npz"), "--examples",
                                    f"text-{split}", "--keys", str(data / f"{split}.keys"), "-q", "--store",
                                    str(store)], check=True)
            cli = subprocess.run([BINARY, "bench", "retrieval", "--query", "minilm-doc/L[5-6]@text-test", "--target",
                                  "minilm-code/L[5-6]@text-test", *options, "--format", "json", "--store",
                                  str(stores[0])], capture_output=True, check=True)
            expected = read_bench(cli.stdout)

            store = repstore.Store(stores[1], progress=False)
            frame = store.bench_retrieval("minilm-doc/L[5-6]@text-test", "minilm-code/L[5-6]@text-test",
                                          measures=["cka", "contrasim"], train_examples="text-train", epochs=3,
                                          batch=128, lr=0.001, negatives="knn")
            for measure in expected["measures"]:
                rows = frame[frame.measure == measure["measure"]].set_index("layer")
                self.assertEqual(rows.loc["all", "correct"], measure["correct"])
                for layer in measure["layers"]:
                    self.assertEqual(rows.loc[layer["layer"], "correct"], layer["correct"], measure["measure"])
                    self.assertEqual(rows.loc[layer["layer"], "total"], layer["total"])

            trained = store.train("contrasim", "doc-code", "minilm-doc/L6@text-train", "minilm-code/L6@text-train",
                                  positives="same-example", epochs=2, batch=128, lr=0.001)
            self.assertEqual(trained["name"], "doc-code")
            self.assertEqual(trained["epochs"], 2)
            self.assertIn("doc-code", list(store.projections()["name"]))
            self.assertEqual(store.projections().set_index("name").loc["doc-code", "interrupted"], "no")
            through = store.sim("contrasim", "minilm-doc/L6@text-test", "minilm-code/L6@text-test", using="doc-code")
            self.assertTrue(0 < through["value"][0] <= 1)
            with self.assertRaises(repstore.RepstoreError) as caught:
                store.remove_projections("doc-code")  # a stored table compares through it
            self.assertIn("--force", caught.exception.message)
            store.remove_projections("doc-code", force=True)
            self.assertNotIn("doc-code", list(store.projections()["name"]))


@unittest.skipUnless(BINARY, "REPSTORE_BIN is not set")
class CaptureTest(unittest.TestCase):
    """`Store.capture` on the shipped MiniLM gives, bit for bit, what tools/dump_activations.py + import give."""

    def test_capture_equals_dump_and_import(self):
        import torch

        import make_text_samples as mts

        torch.set_num_threads(1)
        model, tokenizer, model_dir = mts.load_minilm()
        texts = ["Return the number of items in the queue.", "Cats sleep.",
                 "Open a tar archive for reading, writing or appending.", "Close the file.", "Split the text."]
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            (folder / "texts.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
            store = repstore.Store(folder / "s.repstore", progress=False)
            subprocess.run([sys.executable, str(TOOLS / "dump_activations.py"), str(model_dir), str(folder / "texts.txt"),
                            "-o", str(folder / "dumps" / "minilm"), "--pooling", "mean", "--batch-size", "2",
                            "--layers", "L0,L3,L6", "-q"], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            store.run("import", str(folder / "dumps" / "minilm"), "--examples", "texts", quiet=True)

            batches = [tokenizer(texts[i:i + 2], padding=True, truncation=True, max_length=256, return_tensors="pt")
                       for i in range(0, len(texts), 2)]
            store.capture(model, {"L0": model.embeddings, "L3": model.encoder.layer[2], "L6": model.encoder.layer[5]},
                          batches, model="captured", examples="texts", pooling="mean")
            for layer in ("L0", "L3", "L6"):
                dumped = store.tensor(f"minilm/{layer}@texts")
                captured = store.tensor(f"captured/{layer}@texts")
                self.assertEqual(captured.shape, (5, 384))
                self.assertTrue(np.array_equal(dumped.view(np.uint32), captured.view(np.uint32)), layer)
            self.assertEqual(store.keys("captured/L0@texts"), [str(i) for i in range(5)])


if __name__ == "__main__":
    unittest.main()
