#!/usr/bin/env python3
"""Check every repstore measure against the peer libraries researchers use, like with like, on the shipped data.

For each measure, repstore's values (`repstore sim MEASURE A B --format csv`, from a temporary store built from
data/digits and data/text) are compared cell by cell with one or more peer implementations run in float64 on the same
float32 arrays read with numpy. One table is printed: measure id, peer (library + version or commit + function),
data, number of cells compared, the largest absolute difference and the cell where it occurs, and a note that says
what was adapted or where a peer's convention differs. Rows marked "differs by convention" are reported, not hidden.

Peers from PyPI (pip install; these versions were used):
    ckatorch==1.0.3  torch-cka==0.21  pytorch-cka==1.1.3  repsim==0.1.5  rsatoolbox==0.3.2
    (with numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1, torch 2.13.0+cpu)
Peers not on PyPI: check out these repositories side by side in one folder and pass it as --peers DIR:
    DIR/netrep        github ahwillia/netrep       (netrep/metrics/linear.py, utils.py, validation.py)
    DIR/svcca         github google/svcca          (cca_core.py, pwcca.py)
    DIR/sim_metric    github js-d/sim_metric       (dists/scoring.py)
    DIR/platonic-rep  github minyoungg/platonic-rep (metrics.py)
A missing one is skipped with a note. The commit is read with `git rev-parse HEAD`, or from a `.commit` file.
No peer code is committed here; it is loaded from DIR at run time.

`dot` and `norm` (the ContraSim paper's definitions) have no library: they are checked against a float64 numpy
transcription of docs/measures.md.

Usage:
    python3 tools/peers/check_peers.py --peers DIR [--repstore BIN] [--quick] [--markdown]
"""
from __future__ import annotations

import argparse
import csv
import importlib
import importlib.metadata as md
import io
import math
import os
import subprocess
import sys
import tempfile
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
warnings.filterwarnings("ignore")


class Skip(Exception):
    """A peer that is undefined (or not comparable) for this cell."""


# --------------------------------------------------------------------------------------------------------------------
# Data and repstore


@dataclass
class Dataset:
    label: str          # shown in the table
    set: str            # example set in the store
    pairs: list         # [(model_a, model_b), ...]
    files: dict         # model -> npz path
    heavy_ok: bool      # n×n peers run here (kept off the 1,257-row split to keep the run short)


def datasets(quick: bool) -> list[Dataset]:
    d = ROOT / "data"
    out = [
        Dataset("digits-test (540×40)", "digits-test", [("seed0", "seed1"), ("seed0", "seed0")],
                {m: d / f"digits/{m}_test.npz" for m in ("seed0", "seed1")}, True),
        Dataset("text-test (200×384)", "text-test", [("minilm-doc", "minilm-code"), ("minilm-doc", "minilm-doc")],
                {m: d / f"text/{m}_test.npz" for m in ("minilm-doc", "minilm-code")}, True),
    ]
    if not quick:
        out.insert(1, Dataset("digits-train (1257×40)", "digits-train", [("seed0", "seed1")],
                              {m: d / f"digits/{m}_train.npz" for m in ("seed0", "seed1")}, False))
    return out


def build_store(binary: str, store: str, sets: list[Dataset]) -> None:
    keys = {"digits-test": "data/digits/test.keys", "digits-train": "data/digits/train.keys",
            "text-test": "data/text/test.keys"}
    for ds in sets:
        for model, path in ds.files.items():
            subprocess.run([binary, "import", str(path), "--model", model, "--examples", ds.set,
                            "--keys", str(ROOT / keys[ds.set]), "--store", store],
                           check=True, capture_output=True, cwd=ROOT)


_sim_cache: dict = {}


def repstore_table(binary: str, store: str, measure: str, ds: Dataset, a: str, b: str, layers: str) -> dict:
    key = (measure, ds.set, a, b, layers)
    if key not in _sim_cache:
        r = subprocess.run([binary, "sim", measure, f"{a}/{layers}@{ds.set}", f"{b}/{layers}@{ds.set}",
                            "--format", "csv", "--store", store], capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            raise RuntimeError(f"repstore sim {measure} failed: {r.stderr.strip()}")
        cells = {}
        for row in csv.DictReader(io.StringIO(r.stdout)):
            cells[(row["a"], row["b"])] = (float(row["value"]), row["reason"])
        _sim_cache[key] = cells
    return _sim_cache[key]


# --------------------------------------------------------------------------------------------------------------------
# Peers


def pkg(name: str) -> str:
    try:
        return f"{name} {md.version(name)}"
    except md.PackageNotFoundError:
        return ""


def commit_of(path: Path) -> str:
    f = path / ".commit"
    if f.exists():
        return f.read_text().strip()[:10]
    try:
        return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()[:10]
    except Exception:
        return "unknown commit"


def load_file_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


class Peers:
    """Loads what is available and says what is missing."""

    def __init__(self, peers_dir: Optional[Path]):
        self.missing: list[str] = []
        self.mods: dict = {}
        self.names: dict = {}
        import torch  # noqa: F401  (every torch peer needs it)
        for name, label in (("ckatorch", "ckatorch"), ("torch_cka", "torch-cka"), ("cka", "pytorch-cka"),
                            ("repsim", "repsim"), ("rsatoolbox", "rsatoolbox")):
            try:
                self.mods[name] = importlib.import_module(name)
                self.names[name] = pkg(label)
            except Exception as e:  # pragma: no cover - reported in the table
                self.missing.append(f"{label} (pip: {e})")
        if "ckatorch" in self.mods:
            self.mods["ckatorch.core"] = importlib.import_module("ckatorch.core")
            self.mods["ckatorch.hsic"] = importlib.import_module("ckatorch.hsic")
            self.mods["ckatorch.utils"] = importlib.import_module("ckatorch.utils")
        if "torch_cka" in self.mods:
            self.mods["torch_cka.cka"] = importlib.import_module("torch_cka.cka")
        if "cka" in self.mods:
            self.mods["cka.hsic"] = importlib.import_module("cka.hsic")
            self.mods["cka.cka"] = importlib.import_module("cka.cka")
        if "rsatoolbox" in self.mods:
            self.mods["rsatoolbox.rdm"] = importlib.import_module("rsatoolbox.rdm")
            self.mods["rsatoolbox.data"] = importlib.import_module("rsatoolbox.data")

        pd = peers_dir
        def have(sub, files):
            if pd is None or not all((pd / sub / f).exists() for f in files):
                self.missing.append(f"{sub} (not found under --peers {pd})")
                return False
            return True
        if have("svcca", ["cca_core.py", "pwcca.py"]):
            sys.path.insert(0, str(pd / "svcca"))
            self.mods["cca_core"] = importlib.import_module("cca_core")
            self.mods["pwcca"] = importlib.import_module("pwcca")
            self.names["svcca"] = f"google/svcca@{commit_of(pd / 'svcca')}"
        if have("sim_metric", ["dists/scoring.py"]):
            self.mods["scoring"] = load_file_module("sim_metric_scoring", pd / "sim_metric/dists/scoring.py")
            self.names["sim_metric"] = f"js-d/sim_metric@{commit_of(pd / 'sim_metric')}"
        if have("netrep", ["netrep/metrics/linear.py", "netrep/utils.py", "netrep/validation.py"]):
            # The package's __init__ pulls in everything (stochastic metrics, ...); load just these three files.
            for p, sub in (("netrep", "netrep"), ("netrep.metrics", "netrep/metrics")):
                m = types.ModuleType(p)
                m.__path__ = [str(pd / "netrep" / sub)]
                sys.modules[p] = m
            self.mods["netrep.linear"] = importlib.import_module("netrep.metrics.linear")
            self.names["netrep"] = f"ahwillia/netrep@{commit_of(pd / 'netrep')}"
        if have("platonic-rep", ["metrics.py"]):
            # metrics.py imports torchaudio for edit_distance_knn only; stub it (not installed here).
            if "torchaudio" not in sys.modules:
                ta = types.ModuleType("torchaudio"); ta.functional = types.ModuleType("torchaudio.functional")
                sys.modules["torchaudio"] = ta; sys.modules["torchaudio.functional"] = ta.functional
            import contextlib
            with contextlib.redirect_stdout(io.StringIO()):
                self.mods["platonic"] = load_file_module("platonic_metrics", pd / "platonic-rep/metrics.py")
            self.names["platonic"] = f"minyoungg/platonic-rep@{commit_of(pd / 'platonic-rep')}"

    def has(self, *names) -> bool:
        return all(n in self.mods for n in names)


# -- helpers (float64 numpy) -----------------------------------------------------------------------------------------

def T(x):
    import torch
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))


def center(x):
    return x - x.mean(axis=0, keepdims=True)


def live(x):
    """Drop exactly constant columns (dead units). repstore's rank cut drops them; the CCA peers would otherwise
    count their zero correlations (google/svcca, sim_metric) or divide by zero."""
    keep = x.std(axis=0) > 0
    if not keep.any():
        raise Skip("constant")
    return x[:, keep]


def sq_dists(x):
    g = x @ x.T
    d = np.diag(g)
    return np.maximum(d[:, None] + d[None, :] - 2 * g, 0.0)


def repstore_sigma2(x, t=1.0):
    """σ² of docs/measures.md: t² × numpy median of all n² squared distances, zero diagonal included."""
    return t * t * float(np.median(sq_dists(x)))


def lower_median_all(x):
    import torch
    return float(torch.median(T(sq_dists(x)).ravel()))


def kept_by_variance(x, v):
    xc = center(x)
    lam = np.linalg.eigvalsh(xc.T @ xc)[::-1]
    r = int((lam > 1e-10 * lam[0]).sum())
    frac = np.cumsum(lam[:r]) / lam.sum()
    return min(int(np.searchsorted(frac, v - 1e-15) + 1), r), r


def svd_scores(x, k):
    xc = center(x)
    u, s, vt = np.linalg.svd(xc, full_matrices=False)
    return (u[:, :k] * s[:k])


@dataclass
class Peer:
    measure: str                 # repstore measure id
    label: str                   # library + version/commit + function
    fn: Callable                 # (X, Y) -> float, float64 inputs
    note: str = ""
    heavy: bool = False          # n×n work: only on heavy_ok datasets
    reference: str = "value"     # "value" or "sym" (mean of repstore's (a,b) and (b,a))
    layers: str = "*"            # layer pattern
    convention: bool = False     # True: the peer differs by convention (expected to disagree)
    requires: tuple = ()


CTX: dict = {}   # the cell being compared: arrays of both models, layer names (for peers that batch all layers)
_batch_cache: dict = {}


def batched(key, fn):
    """Call fn once on all layers of both models of the current pair (repsim works on a list of matrices and
    computes every pair of it in one call) and pick the current cell out of the matrix."""
    la, lb = CTX["layers_a"], CTX["layers_b"]
    k = (key, CTX["ds"], CTX["a"], CTX["b"])
    if k not in _batch_cache:
        mats = [CTX["arr_a"][l].astype(np.float64) for l in la] + [CTX["arr_b"][l].astype(np.float64) for l in lb]
        _batch_cache[k] = fn(mats)
    return float(_batch_cache[k][la.index(CTX["ca"]), len(la) + lb.index(CTX["cb"])])


def peer_list(P: Peers) -> list[Peer]:
    L: list[Peer] = []
    n = P.names
    add = L.append

    # ---- linear CKA ------------------------------------------------------------------------------------------------
    if P.has("ckatorch"):
        ck = P.mods["ckatorch.core"]
        add(Peer("cka", f"{n['ckatorch']} cka_base(kernel=linear)",
                 lambda x, y: float(ck.cka_base(T(x), T(y), "linear", False)), heavy=True))
        add(Peer("cka.debiased", f"{n['ckatorch']} cka_base(kernel=linear, unbiased=True)",
                 lambda x, y: float(ck.cka_base(T(x), T(y), "linear", True)), heavy=True))
    if P.has("cka"):
        ph = P.mods["cka.cka"]
        add(Peer("cka.debiased", f"{n['cka']} cka_from_features (one batch of all rows)",
                 lambda x, y: float(ph.cka_from_features(T(x), T(y))[0, 0]),
                 "one batch of all rows is debiased CKA; its [0,1] clamp never acts here", heavy=True))
    if P.has("repsim"):
        rs = P.mods["repsim"]
        add(Peer("cka", f"{n['repsim']} cka(kernel_type=linear, estimator=gretton)",
                 lambda x, y: batched("cka-lin-g", lambda m: rs.cka(m, "linear", "gretton")), heavy=True))
        add(Peer("cka.debiased", f"{n['repsim']} cka(kernel_type=linear, estimator=song)",
                 lambda x, y: batched("cka-lin-s", lambda m: rs.cka(m, "linear", "song")),
                 "differs by convention: unbiased HSIC numerator over biased (Gretton) self-HSICs", heavy=True,
                 convention=True))
    if P.has("scoring"):
        sm = P.mods["scoring"]
        def sm_prep(x):  # score_pair.py: neurons × examples, each neuron centered, Frobenius-normalised
            a = x.T - x.T.mean(axis=1, keepdims=True)
            return a / np.linalg.norm(a)
        add(Peer("cka", f"{n['sim_metric']} scoring.lin_cka_dist (1 − value, score_pair.py preprocessing)",
                 lambda x, y: 1 - sm.lin_cka_dist(sm_prep(x), sm_prep(y))))
    if P.has("netrep.linear"):
        import netrep.metrics.cka as _  # noqa: F401  (same folder; tiny)
        nc = sys.modules["netrep.metrics.cka"]
        add(Peer("cka", f"{n['netrep']} LinearCKA().score (cos of the angle)",
                 lambda x, y: math.cos(nc.LinearCKA().score(x, y)),
                 "netrep returns arccos(CKA); compared as cos(score)", heavy=True))
    if P.has("platonic"):
        pm = P.mods["platonic"].AlignmentMetrics
        add(Peer("cka", f"{n['platonic']} AlignmentMetrics.cka(kernel_metric=ip)",
                 lambda x, y: pm.cka(T(x), T(y)),
                 "raw rows (measure_alignment.py would L2-normalise rows first); +1e-6 in its denominator",
                 heavy=True))
        add(Peer("cka.debiased", f"{n['platonic']} AlignmentMetrics.unbiased_cka(kernel_metric=ip)",
                 lambda x, y: pm.unbiased_cka(T(x), T(y)), "raw rows; +1e-6 in its denominator", heavy=True))

    # ---- RBF CKA ---------------------------------------------------------------------------------------------------
    if P.has("ckatorch"):
        ck = P.mods["ckatorch.core"]
        add(Peer("cka.rbf", f"{n['ckatorch']} cka_base(kernel=rbf, threshold=1)",
                 lambda x, y: float(ck.cka_base(T(x), T(y), "rbf", False, 1.0)),
                 "differs by convention: σ² from torch.median, the lower of the two middle entries (n² is even); "
                 "repstore and Kornblith's numpy colab take their mean", heavy=True, convention=True))
        def ck_rbf_adapted(unb):
            def f(x, y):
                tx = math.sqrt(repstore_sigma2(x) / lower_median_all(x))
                ty = math.sqrt(repstore_sigma2(y) / lower_median_all(y))
                u = P.mods["ckatorch.utils"]
                gx, gy = u.rbf_kernel(T(x), tx), u.rbf_kernel(T(y), ty)
                gx, gy = u.center_gram_matrix(gx, unb), u.center_gram_matrix(gy, unb)
                return float(gx.ravel().dot(gy.ravel()) / (gx.norm() * gy.norm()))
            return f
        add(Peer("cka.rbf", f"{n['ckatorch']} utils.rbf_kernel + center_gram_matrix (cka_base's steps)",
                 ck_rbf_adapted(False), "adapted: threshold per side chosen so that its σ² equals repstore's",
                 heavy=True))
        add(Peer("cka.rbf.debiased", f"{n['ckatorch']} utils.rbf_kernel + center_gram_matrix(unbiased=True)",
                 ck_rbf_adapted(True), "adapted: threshold per side chosen so that its σ² equals repstore's",
                 heavy=True))
    if P.has("platonic"):
        pm = P.mods["platonic"].AlignmentMetrics
        def pl_rbf(unb):
            def f(x, y):
                sx, sy = math.sqrt(repstore_sigma2(x)), math.sqrt(repstore_sigma2(y))
                if abs(sx - sy) > 0:  # one rbf_sigma for both sides: only usable when they agree
                    raise Skip("different σ per side")
                return pm.cka(T(x), T(y), kernel_metric="rbf", rbf_sigma=sx, unbiased=unb)
            return f
        for m, unb in (("cka.rbf", False), ("cka.rbf.debiased", True)):
            add(Peer(m, f"{n['platonic']} AlignmentMetrics.cka(kernel_metric=rbf, unbiased={unb})",
                     pl_rbf(unb), "adapted: passed repstore's σ; it takes one σ for both sides, so only a layer "
                     "against itself is comparable; +1e-6 in its denominator (visible with the small RBF HSICs: "
                     "differs by convention)", heavy=True, convention=unb))
    if P.has("repsim"):
        rs = P.mods["repsim"]
        add(Peer("cka.rbf", f"{n['repsim']} cka(kernel_type=rbf, estimator=gretton)",
                 lambda x, y: batched("cka-rbf-g", lambda m: rs.cka(m, "rbf", "gretton")),
                 "differs by convention: σ = median of the i<j distances (no zero diagonal, no threshold)",
                 heavy=True, convention=True))

    # ---- minibatch CKA ---------------------------------------------------------------------------------------------
    def minibatch(hsic_u, b):
        def f(x, y):
            sxy = sxx = syy = 0.0
            for s in range(0, x.shape[0], b):
                xb, yb = x[s:s + b], y[s:s + b]
                if xb.shape[0] < 4:
                    continue  # repstore drops a final batch of fewer than 4 rows
                kx, ky = xb @ xb.T, yb @ yb.T
                sxy += hsic_u(kx, ky); sxx += hsic_u(kx, kx); syy += hsic_u(ky, ky)
            return sxy / math.sqrt(sxx * syy)
        return f
    for b in (256, 100):
        mid = "cka.minibatch" if b == 256 else f"cka.minibatch(batch={b})"
        note = (f"batches of {b} consecutive rows (the last one shorter), uncentered Grams (HSIC_u ignores "
                "centering); sums and ratio taken here, as the library does")
        if P.has("ckatorch"):
            h1 = P.mods["ckatorch.hsic"].hsic1
            add(Peer(mid, f"{n['ckatorch']} hsic.hsic1 (cka_batch's HSIC)",
                     minibatch(lambda k, l: float(h1(T(k)[None], T(l)[None])[0]), b), note, heavy=True))
        if P.has("cka"):
            hc = P.mods["cka.hsic"].hsic_cross
            add(Peer(mid, f"{n['cka']} hsic.hsic_cross",
                     minibatch(lambda k, l: float(hc(T(k)[None], T(l)[None])[0, 0]), b),
                     note + "; no [0,1] clamp applied", heavy=True))
        if P.has("torch_cka"):
            import torch
            stub = types.SimpleNamespace(device="cpu")
            hsic_t = P.mods["torch_cka.cka"].CKA._HSIC
            def th(k, l):
                old = torch.get_default_dtype(); torch.set_default_dtype(torch.float64)
                try:
                    kk, ll = T(k), T(l)
                    kk.fill_diagonal_(0.0); ll.fill_diagonal_(0.0)  # CKA.compare zeroes the diagonals before _HSIC
                    return float(hsic_t(stub, kk, ll))
                finally:
                    torch.set_default_dtype(old)
            add(Peer(mid, f"{n['torch_cka']} CKA._HSIC", minibatch(th, b),
                     note + "; diagonals zeroed as CKA.compare does; float64 default dtype so that its ones vector matches", heavy=True))

    # ---- CCA family ------------------------------------------------------------------------------------------------
    if P.has("cca_core"):
        cc = P.mods["cca_core"]
        def g_cca(x, y, eps=0.0):
            return cc.get_cca_similarity(x.T, y.T, epsilon=eps, compute_dirns=False, verbose=False)["cca_coef1"]
        add(Peer("cca.mean", f"{n['svcca']} cca_core.get_cca_similarity(epsilon=0): mean(cca_coef1)",
                 lambda x, y: float(np.mean(g_cca(live(x), live(y)))), "adapted: constant (dead) columns dropped"))
        add(Peer("cca.r2", f"{n['svcca']} cca_core.get_cca_similarity(epsilon=0): mean(cca_coef1²)",
                 lambda x, y: float(np.mean(g_cca(live(x), live(y)) ** 2)), "adapted: constant columns dropped"))
        add(Peer("svcca.full", f"{n['svcca']} cca_core.get_cca_similarity(epsilon=1e-10) on SVD scores (ContraSim "
                 "compute_svcca)",
                 lambda x, y: float(np.mean(g_cca(svd_scores(x, min(x.shape)), svd_scores(y, min(y.shape)), 1e-10))),
                 "the recipe of contrasim-spec §2.4, all min(d, n) directions"))
        def g_svcca_var(v):
            def f(x, y):
                kx, _ = kept_by_variance(x, v); ky, _ = kept_by_variance(y, v)
                return float(np.mean(g_cca(svd_scores(x, kx), svd_scores(y, ky))))
            return f
        add(Peer("svcca", f"{n['svcca']} tutorial recipe (SVD, then cca_core.get_cca_similarity)",
                 g_svcca_var(0.99), "adapted: kept count by the 0.99 variance rule (the tutorial keeps 20), "
                 "epsilon=0 (the tutorial passes 1e-10)"))
        def g_svcca_k(k):
            def f(x, y):
                kx = min(k, kept_by_variance(x, 1.0)[1]); ky = min(k, kept_by_variance(y, 1.0)[1])
                return float(np.mean(g_cca(svd_scores(x, kx), svd_scores(y, ky))))
            return f
        add(Peer("svcca(k=20)", f"{n['svcca']} tutorial recipe (top 20 SVD dims, cca_core.get_cca_similarity)",
                 g_svcca_k(20), "adapted: epsilon=0 (the tutorial passes 1e-10)"))
    if P.has("pwcca"):
        pw = P.mods["pwcca"]
        def g_pw(x, y):
            if x.shape[1] > y.shape[1]:
                raise Skip("d1 > d2 (IndexError in the peer)")
            return float(pw.compute_pwcca(x.T, y.T, epsilon=0.0)[0])
        add(Peer("pwcca.contrasim", f"{n['svcca']} pwcca.compute_pwcca(epsilon=0)", g_pw,
                 "cells where repstore is defined (d1 ≤ d2, full rank)"))
    if P.has("scoring"):
        sm = P.mods["scoring"]
        def sm_in(x):
            a = live(x).T
            a = a - a.mean(axis=1, keepdims=True)
            return a / np.linalg.norm(a)
        add(Peer("cca.mean", f"{n['sim_metric']} scoring.cca_decomp + mean_cca_corr",
                 lambda x, y: float(sm.mean_cca_corr(sm.cca_decomp(sm_in(x), sm_in(y))[1])),
                 "adapted: constant columns dropped; score_pair.py preprocessing"))
        add(Peer("cca.r2", f"{n['sim_metric']} scoring.cca_decomp + mean_sq_cca_corr",
                 lambda x, y: float(sm.mean_sq_cca_corr(sm.cca_decomp(sm_in(x), sm_in(y))[1])),
                 "adapted: constant columns dropped; score_pair.py preprocessing"))
        def sm_pw(x, y):
            a, b = sm_in(x), sm_in(y)
            _, rho, _, ta, _ = sm.cca_decomp(a, b)
            return float(1 - sm.pwcca_dist(a, rho, ta))
        add(Peer("pwcca", f"{n['sim_metric']} scoring.pwcca_dist (1 − value)", sm_pw,
                 "adapted: constant columns dropped; score_pair.py preprocessing"))
        def sm_proc(x, y):
            a, b = sm_prep_c(x), sm_prep_c(y)
            return math.sqrt(max(sm.procrustes(a, b), 0.0))
        def sm_prep_c(x):
            a = x.T - x.T.mean(axis=1, keepdims=True)
            return a / np.linalg.norm(a)
        add(Peer("procrustes.euclidean", f"{n['sim_metric']} scoring.procrustes (sqrt of it)", sm_proc,
                 "Ding et al.'s squared distance; compared as its square root"))
    if P.has("repsim"):
        rs = P.mods["repsim"]
        add(Peer("cca.mean", f"{n['repsim']} cca(summary_type=pillai)",
                 lambda x, y: float(rs.cca([x, y], "pillai")[0, 1]), "Σρ / min(rank X, rank Y)"))
        add(Peer("cca.r2", f"{n['repsim']} cca(summary_type=yanai)",
                 lambda x, y: float(rs.cca([x, y], "yanai")[0, 1]), "Σρ² / min(rank X, rank Y)"))
        add(Peer("svcca", f"{n['repsim']} svcca(summary_type=pillai)",
                 lambda x, y: float(rs.svcca([x, y], "pillai")[0, 1]),
                 "differs by convention: repsim applies the 99% variance cut to an orthonormal basis of each layer, "
                 "where every direction weighs the same, so it keeps directions by count, not by variance"))
        add(Peer("pwcca", f"{n['repsim']} pwcca", lambda x, y: float(rs.pwcca([x, y])[0, 1]),
                 "repsim symmetrises: compared with the mean of repstore's pwcca(a,b) and pwcca(b,a)",
                 reference="sym"))

    # ---- Procrustes ------------------------------------------------------------------------------------------------
    if P.has("netrep.linear"):
        LM = P.mods["netrep.linear"].LinearMetric
        add(Peer("procrustes", f"{n['netrep']} LinearMetric(alpha=1, score_method=angular).fit_score",
                 lambda x, y: LM(alpha=1.0, score_method="angular").fit_score(x, y),
                 "unequal widths zero-padded by netrep"))
        def nr_euc(x, y):
            a, b = center(x), center(y)
            a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
            return LM(alpha=1.0, score_method="euclidean").fit_score(a, b)
        add(Peer("procrustes.euclidean", f"{n['netrep']} LinearMetric(alpha=1, score_method=euclidean).fit_score",
                 nr_euc, "adapted: inputs centered and scaled to unit Frobenius norm (netrep's euclidean score "
                 "is not normalised)"))

    # ---- RSA -------------------------------------------------------------------------------------------------------
    if P.has("rsatoolbox"):
        rdm_mod, data_mod = P.mods["rsatoolbox.rdm"], P.mods["rsatoolbox.data"]
        def rsa(rdm, comp, sqrt=False):
            def f(x, y):
                r = [rdm_mod.calc_rdm(data_mod.Dataset(z), method=rdm) for z in (x, y)]
                if sqrt:
                    for q in r:
                        q.dissimilarities = np.sqrt(np.maximum(q.dissimilarities, 0.0))
                return float(rdm_mod.compare(r[0], r[1], method=comp)[0, 0])
            return f
        rv = n["rsatoolbox"]
        for rdm, comp in (("correlation", "spearman"), ("correlation", "pearson"), ("euclidean", "spearman")):
            add(Peer(f"rsa(rdm={rdm},compare={comp})",
                     f"{rv} calc_rdm(method={rdm}) + compare(method={'corr' if comp == 'pearson' else comp})",
                     rsa(rdm, "corr" if comp == "pearson" else comp), "", heavy=True))
        add(Peer("rsa(rdm=euclidean,compare=pearson)", f"{rv} calc_rdm(method=euclidean) + compare(method=corr)",
                 rsa("euclidean", "corr"), "differs by convention: rsatoolbox's euclidean RDM holds squared "
                 "distances / d; Pearson sees the square", heavy=True, convention=True))
        add(Peer("rsa(rdm=euclidean,compare=pearson)", f"{rv} calc_rdm(method=euclidean), sqrt, compare(method=corr)",
                 rsa("euclidean", "corr", sqrt=True), "adapted: square root of its dissimilarities (sqrt(D²/d) "
                 "= D/√d; Pearson ignores the scale)", heavy=True))

    # ---- mutual kNN ------------------------------------------------------------------------------------------------
    if P.has("platonic"):
        pm = P.mods["platonic"].AlignmentMetrics
        import torch.nn.functional as F
        add(Peer("mknn(k=10)", f"{n['platonic']} AlignmentMetrics.mutual_knn(topk=10)",
                 lambda x, y: pm.mutual_knn(F.normalize(T(x), p=2, dim=-1), F.normalize(T(y), p=2, dim=-1), 10),
                 "rows L2-normalised as compute_score does; no outlier clamp (prepare_features' q=0.95 is "
                 "preprocessing, not the measure)", heavy=True))

    # ---- dot, norm (no library) ------------------------------------------------------------------------------------
    def dot(x, y):
        if x.shape != y.shape:
            raise Skip("widths differ")
        return float(np.sum(x * y))
    def norm(x, y):
        if x.shape != y.shape:
            raise Skip("widths differ")
        def unit(z):
            nz = np.linalg.norm(z, axis=1, keepdims=True)
            return np.divide(z, nz, out=np.zeros_like(z), where=nz > 0)
        return float(np.mean(1 - np.linalg.norm(unit(x) - unit(y), axis=1)))
    add(Peer("dot", "numpy float64 transcription of docs/measures.md (no library)", dot,
             "L1..L6 on digits (equal widths); the largest |Δ| is relative to values of ~1e3-1e5", layers="L*"))
    add(Peer("norm", "numpy float64 transcription of docs/measures.md (no library)", norm, layers="L*"))
    return L


# --------------------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    peer: Peer
    data: str
    cells: int = 0
    max_diff: float = 0.0
    at: str = ""
    at_values: tuple = ()
    skipped: dict = field(default_factory=dict)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peers", type=Path, default=None, help="folder with netrep, svcca, sim_metric, platonic-rep")
    ap.add_argument("--repstore", default=os.environ.get("REPSTORE_BIN") or
                    ("/tmp/repstore-main" if Path("/tmp/repstore-main").exists() else
                     str(ROOT / ".build/release/repstore")))
    ap.add_argument("--quick", action="store_true", help="leave out the 1,257-row digits train split")
    ap.add_argument("--only", default="", help="comma-separated measure ids to check (default: all)")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(1)
    sets = datasets(args.quick)
    P = Peers(args.peers)
    peers = peer_list(P)
    if args.only:
        want = set(args.only.split(","))
        peers = [p for p in peers if p.measure in want]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="repstore-peers-") as tmp:
        store = str(Path(tmp) / "s.repstore")
        build_store(args.repstore, store, sets)
        for ds in sets:
            arrays = {m: np.load(p) for m, p in ds.files.items()}
            for peer in peers:
                if peer.heavy and not ds.heavy_ok:
                    continue
                res = Result(peer, ds.label)
                for a, b in ds.pairs:
                    tab = repstore_table(args.repstore, store, peer.measure, ds, a, b, peer.layers)
                    rev = (repstore_table(args.repstore, store, peer.measure, ds, b, a, peer.layers)
                           if peer.reference == "sym" else None)
                    for (ca, cb), (val, reason) in tab.items():
                        if peer.heavy and a == b and ca != cb:
                            continue  # n×n peers: only a layer against itself on the self pair (keeps runs short)
                        if peer.reference == "sym":
                            val = 0.5 * (val + rev[(cb, ca)][0])
                        if not math.isfinite(val):
                            res.skipped[f"repstore NaN ({reason or 'reverse direction'})"] = \
                                res.skipped.get(f"repstore NaN ({reason or 'reverse direction'})", 0) + 1
                            continue
                        x = arrays[a][ca.split("/")[1]].astype(np.float64)
                        y = arrays[b][cb.split("/")[1]].astype(np.float64)
                        CTX.update(ds=ds.set, a=a, b=b, arr_a=arrays[a], arr_b=arrays[b], ca=ca.split("/")[1],
                                   cb=cb.split("/")[1], layers_a=sorted({k[0].split("/")[1] for k in tab}, key=lambda
                                   l: list(arrays[a].files).index(l)), layers_b=sorted({k[1].split("/")[1] for k in tab},
                                   key=lambda l: list(arrays[b].files).index(l)))
                        try:
                            pv = float(peer.fn(x, y))
                        except Skip as e:
                            res.skipped[str(e)] = res.skipped.get(str(e), 0) + 1
                            continue
                        except Exception as e:  # the peer itself failed on this cell: count it, say what
                            k = f"peer error ({type(e).__name__}: {e})"
                            res.skipped[k] = res.skipped.get(k, 0) + 1
                            continue
                        if not math.isfinite(pv):
                            res.skipped["peer NaN"] = res.skipped.get("peer NaN", 0) + 1
                            continue
                        res.cells += 1
                        d = abs(pv - val)
                        if d >= res.max_diff:
                            res.max_diff, res.at, res.at_values = d, f"{ca} × {cb}", (val, pv)
                results.append(res)
                print(f"  {peer.measure:38s} {ds.label:24s} {res.cells:3d} cells  max|Δ| {res.max_diff:.2e}  "
                      f"{peer.label}", file=sys.stderr)

    print("| measure | peer | data | cells | max abs diff | at cell (repstore / peer) | note |")
    print("|---|---|---|---:|---:|---|---|")
    for r in results:
        note = r.peer.note
        if r.skipped:
            note = (note + "; " if note else "") + "not compared: " + ", ".join(f"{k} ×{v}" for k, v in
                                                                               sorted(r.skipped.items()))
        if r.cells == 0:
            cell, diff = "–", "–"
        else:
            cell = f"{r.at} ({r.at_values[0]:.10g} / {r.at_values[1]:.10g})"
            diff = f"{r.max_diff:.1e}"
            if r.max_diff > 1e-6 and not r.peer.convention:
                diff = f"**{diff}**"
        print(f"| `{r.peer.measure}` | {r.peer.label} | {r.data} | {r.cells} | {diff} | {cell} | {note} |")
    if P.missing:
        print("\nPeers skipped (missing): " + "; ".join(P.missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
