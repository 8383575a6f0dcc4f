#!/usr/bin/env python3
"""ContraSim training time: repstore side by side with an equivalent PyTorch CPU implementation.

The layer-prediction setting of the ContraSim paper (same-layer positives): M models that differ only in seed, L
layers each, n examples; per batch of b examples, every (model, layer) matrix goes through one shared encoder
(in -> 512 -> 256 -> 128, ReLU between, unit rows), is divided by sqrt(b) and flattened; the supervised
contrastive loss (tau 0.07, view-major stacking, self excluded from the denominator) runs over classes = layers and
views = models; Adam (lr 1e-4) steps once per batch. Both sides get the same data, shapes, epochs, batch size and
thread count (2); the data are random activation-like matrices (ReLU of correlated Gaussians) written as .npy and
imported into a fresh store for repstore.

Two times per contender, best of --repeat runs: the training loop (PyTorch: the loop over epochs with the data
already in memory; repstore: the sum of its per-epoch times, as `train` reports them) and, for repstore, the whole
command (start-up, reading and decoding the layers from the store, training, storing the projection). The ratio
that the target speaks of is the training loop's; the final loss printed is the mean over the last epoch's batches
on both sides.

  python3 tools/bench/train_bench.py --repstore .build/release/repstore [--models 4 --layers 6 --rows 4096
      --width 256 --batch 1024 --epochs 3 --repeat 3]
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
        losses = []
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
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start, sum(losses) / len(losses)


def repstore_train(repstore, store, args, name):
    """(training seconds, whole-command seconds, last epoch's mean loss) of one `repstore train` run."""
    start = time.perf_counter()
    done = subprocess.run(
        [repstore, "train", "contrasim", name, "model:m*/*", "--epochs", str(args.epochs), "--batch",
         str(args.batch), "--lr", "1e-4", "--seed", "0", "--store", store],
        check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    epochs = [line for line in done.stderr.splitlines() if line.startswith("epoch")]
    # "epoch 3/3: loss 2.46531 (1.02 s, 12043 examples/s)"
    seconds = sum(float(line.rsplit("(", 1)[1].split()[0]) for line in epochs)
    return seconds, wall, float(epochs[-1].split("loss ")[1].split()[0])


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
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender; the best time is reported")
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
        torch_runs = [torch_train(data, args.batch, args.epochs, args.threads) for _ in range(args.repeat)]
        runs = [repstore_train(repstore, store, args, f"bench{k}") for k in range(args.repeat)]
        t_torch, loss_torch = min(torch_runs)
        t_train, t_wall = min(r[0] for r in runs), min(r[1] for r in runs)
        print(f"layer-prediction training: {args.models} models x {args.layers} layers x {args.rows} rows x "
              f"{args.width}, batch {args.batch}, {args.epochs} epochs, encoder {args.width}-512-256-128, "
              f"{args.threads} threads, best of {args.repeat}")
        print(f"{'contender':40s} {'training s':>10s} {'command s':>10s}  last epoch's loss")
        print(f"{'PyTorch ' + __import__('torch').__version__ + ' (CPU)':40s} {t_torch:10.2f} {'':>10s}  {loss_torch:.4f}")
        print(f"{'repstore train contrasim':40s} {t_train:10.2f} {t_wall:10.2f}  {runs[0][2]:.4f}")
        print(f"repstore / PyTorch training time: {t_train / t_torch:.2f} (target <= 1); "
              f"whole repstore command / PyTorch training: {t_wall / t_torch:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
