#!/usr/bin/env python3
"""ContraSim training time: repstore side by side with an equivalent PyTorch CPU implementation.

The layer-prediction setting of the ContraSim paper (same-layer positives): M models that differ only in seed, L
layers each, n examples; per batch of b examples, every (model, layer) matrix goes through one shared encoder
(in -> 512 -> 256 -> 128, ReLU between, unit rows), is divided by sqrt(b) and flattened; the supervised
contrastive loss (tau 0.07, view-major stacking, self excluded from the denominator) runs over classes = layers and
views = models; Adam (lr 1e-4) steps once per batch. Both sides get the same data, shapes, epochs, batch size and
thread count (2); the data are random activation-like matrices (ReLU of correlated Gaussians) written as .npy and
imported into a fresh store for repstore.

  python3 tools/bench/train_bench.py --repstore .build/release/repstore [--models 4 --layers 6 --rows 4096
      --width 256 --batch 1024 --epochs 3]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def make_layers(models, layers, rows, width, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((rows, width), dtype=np.float32)
    mixes = [rng.standard_normal((width, width), dtype=np.float32) / np.sqrt(width) for _ in range(layers)]
    data = []
    for _ in range(models):
        rotation = np.linalg.qr(rng.standard_normal((width, width)))[0].astype(np.float32)
        x = base
        model = []
        for mix in mixes:
            x = np.maximum(x @ mix + 0.1 * rng.standard_normal((rows, width), dtype=np.float32), 0)
            model.append(np.ascontiguousarray((x @ rotation).astype(np.float32)))
        data.append(model)
    return data


def torch_train(data, batch, epochs, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    width = data[0][0].shape[1]
    encoder = torch.nn.Sequential(
        torch.nn.Linear(width, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128))
    optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-4)
    tensors = [[torch.from_numpy(layer) for layer in model] for model in data]
    models, layers, rows = len(data), len(data[0]), data[0][0].shape[0]
    tau = 0.07

    def supcon(features):  # [B classes, V views, D]
        b, v, _ = features.shape
        z = torch.cat(torch.unbind(features, dim=1), dim=0)  # view-major rows r = v*B + b
        logits = z @ z.T / tau
        logits = logits - logits.max(dim=1, keepdim=True).values.detach()
        labels = torch.arange(b).repeat(v)
        positives = (labels[:, None] == labels[None, :]).float()
        self_mask = torch.eye(b * v)
        positives = positives - self_mask
        exp = torch.exp(logits) * (1 - self_mask)
        log_prob = logits - torch.log(exp.sum(dim=1, keepdim=True))
        return -((positives * log_prob).sum(1) / positives.sum(1)).mean()

    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(rows)
        for s in range(0, rows, batch):
            index = order[s:s + batch]
            samples = []
            for l in range(layers):
                views = []
                for m in range(models):
                    encoded = torch.nn.functional.normalize(encoder(tensors[m][l][index]), dim=1)
                    views.append((encoded / np.sqrt(len(index))).reshape(-1))
                samples.append(torch.stack(views))
            loss = supcon(torch.stack(samples))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start, float(loss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repstore", default=".build/release/repstore")
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    repstore = os.path.abspath(args.repstore)
    work = tempfile.mkdtemp(prefix="repstore-train-bench-")
    try:
        data = make_layers(args.models, args.layers, args.rows, args.width)
        for m, model in enumerate(data):
            for l, layer in enumerate(model):
                np.save(os.path.join(work, f"m{m}_L{l + 1}.npy"), layer)
        store = os.path.join(work, "bench.repstore")
        subprocess.run([repstore, "import", os.path.join(work, "{model}_{layer}.npy"), "--store", store, "--quiet"],
                       check=True)
        t_torch, loss_torch = torch_train(data, args.batch, args.epochs, args.threads)
        start = time.perf_counter()
        done = subprocess.run(
            [repstore, "train", "contrasim", "bench", "model:m*/*", "--epochs", str(args.epochs), "--batch",
             str(args.batch), "--lr", "1e-4", "--seed", "0", "--store", store],
            check=True, capture_output=True, text=True)
        t_repstore = time.perf_counter() - start
        last = [line for line in done.stderr.splitlines() if line.startswith("epoch")][-1]
        print(f"layer-prediction training: {args.models} models x {args.layers} layers x {args.rows} rows x "
              f"{args.width}, batch {args.batch}, {args.epochs} epochs, encoder {args.width}-512-256-128, "
              f"{args.threads} threads")
        print(f"{'contender':40s} {'seconds':>8s}  final loss")
        print(f"{'PyTorch ' + __import__('torch').__version__ + ' (CPU)':40s} {t_torch:8.2f}  {loss_torch:.4f}")
        print(f"{'repstore train contrasim':40s} {t_repstore:8.2f}  {last.split('loss ')[1].split()[0]}")
        print(f"repstore / PyTorch time: {t_repstore / t_torch:.2f} (target <= 1)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
