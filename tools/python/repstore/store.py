"""`Store`: a repstore store from Python, through the repstore binary's standard input and output."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _engine, _streams

# Boolean options that repstore spells --NAME / --no-NAME: False is said, not left out.
_INVERTIBLE = {"standardize"}


def _options(options: Mapping[str, Any]) -> list[str]:
    """Keyword arguments as repstore options: set_size=8 -> --set-size 8, recompute=True -> --recompute,
    measures=["cka", "dot"] -> --measures cka,dot; None and False are left out (standardize=False is
    --no-standardize)."""
    words: list[str] = []
    for key, value in options.items():
        name = key.replace("_", "-")
        if value is None or (value is False and key not in _INVERTIBLE):
            continue
        if value is True:
            words.append(f"--{name}")
        elif value is False:
            words.append(f"--no-{name}")
        elif isinstance(value, (list, tuple)):
            words += [f"--{name}", ",".join(str(v) for v in value)]
        else:
            words += [f"--{name}", str(value)]
    return words


def _frame(records: list[dict], columns: Sequence[str] | None = None):
    """A pandas DataFrame of ``records`` when pandas is installed, else the list itself."""
    try:
        import pandas as pd
    except ImportError:
        return records
    return pd.DataFrame.from_records(records, columns=columns)


def _as_array(array, what: str) -> np.ndarray:
    """A numpy array of a numpy array, a torch tensor (any device) or anything numpy takes."""
    if hasattr(array, "detach") and hasattr(array, "cpu"):
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    if array.dtype.kind != "f":
        raise TypeError(f"{what}: dtype {array.dtype} is not floating point (repstore stores float32)")
    if array.dtype not in (np.float16, np.float32, np.float64):
        array = array.astype(np.float32)
    return array


def _split_name(name: str) -> tuple[str, str]:
    """("seed0", "L1") of "seed0/L1" or "seed0/L1@set"."""
    tensor = name.split("@", 1)[0]
    model, _, layer = tensor.partition("/")
    return model, layer


class Store:
    """A repstore store: a folder of activations and their similarity tables.

    Every call runs the ``repstore`` binary (``binary=``, else $REPSTORE_BIN, else ``repstore`` on the PATH) on this
    store, streaming arrays through its standard input and output; nothing reads the folder behind its back. A
    failed command raises ``RepstoreError`` with repstore's one-line message and exit status.

    progress: copy repstore's progress and notes (stderr) to ``sys.stderr`` as they come (imports are quiet).
    """

    def __init__(self, path: str | os.PathLike = "store.repstore", *, binary: str | os.PathLike | None = None,
                 progress: bool = True):
        self.path = Path(path)
        self.binary = _engine.find_binary(binary)
        self.progress = progress

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------------------------------------------------------
    # running commands

    def run(self, *arguments: str, feed=None, read=None, quiet: bool = False):
        """Runs ``repstore ARGUMENTS --store PATH`` and returns its standard output (bytes, or what ``read`` made of
        it). The building block of every other method; use it for anything they do not cover."""
        result, _ = _engine.run(self.binary, [*arguments, "--store", str(self.path)], feed=feed, read=read,
                                progress=self.progress and not quiet)
        return result

    def _json(self, *arguments: str, quiet: bool = False):
        return json.loads(self.run(*arguments, "--format", "json", quiet=quiet))

    # ------------------------------------------------------------------------------------------------------------
    # putting activations in

    def add(self, model: str, layer: str | Sequence[str] | None, array, *, examples: str | None = None,
            keys: Sequence[str] | None = None, replace: bool = False, allow_nonfinite: bool = False) -> None:
        """Imports one layer (an (n, d) array) or a stack of layers ((L, n, d) with ``layer`` a list of L names),
        streamed to ``repstore import -`` as .npy bytes, atomically.

        examples: the example set (default: repstore's "default"); keys: one key per row, in row order (default
        0..n-1), checked against the set's keys when it exists. float16/32/64 arrays and torch tensors are taken;
        rows are stored as float32."""
        array = _as_array(array, f"{model}/{layer}")
        arguments = ["import", "-", "--model", model, "-q"]
        if array.ndim == 2:
            if not isinstance(layer, str):
                raise TypeError(f"{model}: a 2-D array is one layer; give its name as a string")
            arguments += ["--layer", layer]
        elif array.ndim == 3:
            names = [layer] if isinstance(layer, str) else list(layer or [])
            if names and len(names) != array.shape[0]:
                raise ValueError(f"{model}: {len(names)} layer names for a stack of {array.shape[0]} layers")
            if names:
                arguments += ["--layers", ",".join(names)]
        else:
            raise ValueError(f"{model}/{layer}: array of shape {array.shape}; expected (n, d) or (L, n, d)")
        self._import(arguments, lambda stream: _streams.write_npy(stream, array), examples, keys,
                     array.shape[-2], replace, allow_nonfinite)

    def add_layers(self, model: str, layers: Mapping[str, Any], *, examples: str | None = None,
                   keys: Sequence[str] | None = None, replace: bool = False, allow_nonfinite: bool = False) -> None:
        """Imports several layers of one model in one atomic import (all land or none): ``layers`` maps names to
        (n, d) arrays over the same examples, streamed as one .npz."""
        arrays = {name: _as_array(array, f"{model}/{name}") for name, array in layers.items()}
        if not arrays:
            raise ValueError(f"{model}: no layers to add")
        for name, array in arrays.items():
            if array.ndim != 2:
                raise ValueError(f"{model}/{name}: array of shape {array.shape}; expected (n, d)")
        rows = {array.shape[0] for array in arrays.values()}
        if len(rows) != 1:
            raise ValueError(f"{model}: the layers have different row counts {sorted(rows)}; one example set has one")
        self._import(["import", "-", "--model", model, "-q"], lambda stream: np.savez(stream, **arrays), examples,
                     keys, rows.pop(), replace, allow_nonfinite)

    def _import(self, arguments, write, examples, keys, rows, replace, allow_nonfinite) -> None:
        if examples is not None:
            arguments += ["--examples", examples]
        if replace:
            arguments.append("--replace")
        if allow_nonfinite:
            arguments.append("--allow-nonfinite")
        if keys is None:
            self.run(*arguments, feed=write, quiet=True)
            return
        keys = [str(key) for key in keys]
        if len(keys) != rows:
            raise ValueError(f"{len(keys)} keys for {rows} rows")
        bad = next((key for key in keys if "\n" in key or "\r" in key), None)
        if bad is not None:
            raise ValueError(f"example key {bad!r} holds a line break")
        # The keys go in a small file of their own beside the data stream.
        with tempfile.NamedTemporaryFile("w", suffix=".keys", encoding="utf-8", delete=False) as file:
            file.write("\n".join(keys) + "\n")
        try:
            self.run(*arguments, "--keys", file.name, feed=write, quiet=True)
        finally:
            os.unlink(file.name)

    def capture(self, module, layers: Mapping, batches: Iterable, *, model: str, pooling: str,
                examples: str | None = None, keys: Sequence[str] | None = None, replace: bool = False,
                mask_of=None) -> None:
        """Runs a PyTorch ``module`` over ``batches`` with forward hooks on ``layers`` ({name: submodule or dotted
        path}) and imports the pooled outputs as ``model``'s layers, in one atomic import: no dump folder. The rows
        are exactly those of ``repstore.dump.dump_module`` (and so of tools/dump_activations.py), which documents
        ``pooling`` ("mean", "cls", "last", "tokens") and ``mask_of``."""
        from . import dump

        extra = {} if mask_of is None else {"mask_of": mask_of}
        captured = dump.dump_module(module, layers, batches, pooling, keys=list(keys) if keys is not None else None,
                                    **extra)
        for note in captured.notes:
            print(f"note: {note}", file=__import__("sys").stderr)
        self.add_layers(model, captured.layers, examples=examples, keys=captured.keys, replace=replace)

    # ------------------------------------------------------------------------------------------------------------
    # getting activations out

    def tensor(self, selector: str) -> np.ndarray:
        """One stored tensor as a float32 (n, d) array, bit for bit what was imported (``export -o -``)."""
        return self.run("export", selector, "-o", "-", "-q", read=_streams.read_npy, quiet=True)

    def tensors(self, selector: str) -> dict[str, np.ndarray]:
        """Every tensor a selector names, by name (LAYER for one model, MODEL/LAYER, or MODEL/LAYER@SET for several
        example sets), streamed as one .safetensors."""
        return self.run("export", selector, "-o", "-", "--format", "safetensors", "-q", read=_streams.read_safetensors,
                        quiet=True)

    def keys(self, selector: str) -> list[str]:
        """The example keys of the selected tensors' example set, in row order."""
        text = self.run("export", selector, "-o", os.devnull, "--keys-out", "-", "-q", quiet=True)
        return text.decode("utf-8").splitlines()

    # ------------------------------------------------------------------------------------------------------------
    # listings

    def ls(self, selector: str | None = None):
        """The tensors (all, or those a selector names): model, layer, examples, rows, columns, sizes, source."""
        return _frame(self._json("ls", *([selector] if selector else []), quiet=True))

    def tables(self):
        """The stored similarity tables: id, measure, shape, cells, state, statement."""
        return _frame(self._json("tables", quiet=True))

    def projections(self):
        """The trained projections (``repstore projections``): name, kind, whether auto-named, the models, layers,
        examples and rows trained on, positives, epochs, the tables using it, final loss, collapse, interruption,
        statement."""
        return _frame(self._json("projections", quiet=True))

    def query(self, statements: str):
        """Runs statements of the query language (``repstore query``) and returns their JSON output, parsed."""
        output = self.run("query", statements, "--format", "json", quiet=True).decode("utf-8").strip()
        return json.loads(output) if output else None

    # ------------------------------------------------------------------------------------------------------------
    # similarity, training, benchmarks

    def sim(self, measure: str, a: str, b: str | None = None, **options):
        """A similarity table, one row per cell: a, b, a_model, a_layer, b_model, b_layer, measure, value, reason
        (why a value is undefined). ``measure`` may list several ("cka,dot"); ``options`` are sim's
        (using="probe", reduce="argmax", subsample=..., recompute=True, ...). The table is stored in the store."""
        arguments = ["sim", measure, a] + ([b] if b is not None else []) + _options(options)
        result = self._json(*arguments)
        tables = result if isinstance(result, list) else [result]
        rows = []
        for table in tables:
            for cell in table["cells"]:
                a_model, a_layer = _split_name(cell["a"])
                b_model, b_layer = _split_name(cell["b"])
                value = cell.get("value")
                rows.append({"a": cell["a"], "b": cell["b"], "a_model": a_model, "a_layer": a_layer,
                             "b_model": b_model, "b_layer": b_layer, "measure": cell.get("measure", table["measure"]),
                             "value": float("nan") if value is None else value, "reason": cell.get("reason")})
        return _frame(rows, ["a", "b", "a_model", "a_layer", "b_model", "b_layer", "measure", "value", "reason"])

    def train(self, kind: str, name: str, *selectors: str, **options) -> dict:
        """Trains a projection (``repstore train KIND NAME SELECTORS``; options such as epochs=50,
        positives="same-example", negatives="knn:10", validation=0.1) and returns its listing row."""
        if not selectors:
            raise ValueError("name the layers to train on")
        self.run("train", kind, name, *selectors, *_options(options))
        rows = [row for row in self._json("projections", quiet=True) if row["name"] == name]
        return rows[0] if rows else {"name": name}

    def bench_layer_prediction(self, models: str, **options):
        """The ContraSim paper's layer-prediction benchmark (``repstore bench layer-prediction``): one row per
        measure and model pair, plus one per measure over all pairs (pair "all"); options as the command's
        (test_examples=..., measures=[...], train_models=..., train_examples=..., epochs=...)."""
        result = self._json("bench", "layer-prediction", "--models", models, *_options(options))
        return self._bench_rows(result, "pairs", "pair")

    def bench_retrieval(self, query: str, target: str, **options):
        """The paired-retrieval benchmark (``repstore bench retrieval``): one row per measure and layer, plus one per
        measure over all layers (layer "all"); options as the command's (measures=..., set_size=8, candidates=10,
        negatives="knn", train_examples=...)."""
        result = self._json("bench", "retrieval", "--query", query, "--target", target, *_options(options))
        return self._bench_rows(result, "layers", "layer")

    @staticmethod
    def _bench_rows(result: dict, parts: str, part: str):
        rows = []
        for measure in result["measures"]:
            for entry in measure.get(parts, []) + [dict(measure, **{part: "all"})]:
                rows.append({"measure": measure["measure"], part: entry[part], "correct": entry["correct"],
                             "total": entry["total"], "accuracy": entry["accuracy"],
                             "collapsed": entry.get("collapsed", False), "chance": result.get("chance")})
        return _frame(rows, ["measure", part, "correct", "total", "accuracy", "collapsed", "chance"])

    # ------------------------------------------------------------------------------------------------------------
    # housekeeping

    def remove(self, selector: str) -> None:
        """Removes the selected tensors (``repstore rm``)."""
        self.run("rm", selector, quiet=True)

    def remove_projections(self, *names: str, force: bool = False) -> None:
        """Removes projections by name or pattern (``repstore rm-projection``); ``force`` also removes the stored
        tables that compare through them, which are otherwise a reason to refuse."""
        self.run("rm-projection", *names, *(["--force"] if force else []), quiet=True)

    def verify(self) -> dict:
        """Checks the catalog and every block (``repstore verify``); raises RepstoreError (status 2) on damage."""
        return self._json("verify", quiet=True)
