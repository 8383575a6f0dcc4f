#!/usr/bin/env bash
# The README's demo: build a store from the shipped real sample data (MLPs trained on scikit-learn's digits
# with different seeds), list it, export from it and check the round trip, compare layers, and run the layer-
# prediction benchmark with ContraSim trained on the train split; then paired retrieval on a real text model's layers.
set -euo pipefail
cd "$(dirname "$0")/.."
REPSTORE_BIN=${REPSTORE_BIN:-.build/release/repstore}
repstore() { "$REPSTORE_BIN" "$@"; }
export REPSTORE=out/demo.repstore
rm -rf out/demo.repstore out/demo
mkdir -p out/demo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step repstore import "'data/digits/{model}_train.npz'" --examples digits-train --keys data/digits/train.keys
repstore import 'data/digits/{model}_train.npz' --examples digits-train --keys data/digits/train.keys
step repstore import "'data/digits/{model}_test.npz'" --examples digits-test --keys data/digits/test.keys
repstore import 'data/digits/{model}_test.npz' --examples digits-test --keys data/digits/test.keys

step repstore ls "'model:seed0/*'"
repstore ls 'model:seed0/*'
step repstore ls --sets
repstore ls --sets
step repstore ls "'model:seed{1,2}/L2..L3@digits-test'" --format csv
repstore ls 'model:seed{1,2}/L2..L3@digits-test' --format csv

step repstore export "'model:seed0/*@digits-test'" -o out/demo/seed0_test.safetensors
repstore export 'model:seed0/*@digits-test' -o out/demo/seed0_test.safetensors
step repstore export model:seed0/L1@digits-test -o out/demo/seed0_L1.npy --keys-out out/demo/test.keys
repstore export model:seed0/L1@digits-test -o out/demo/seed0_L1.npy --keys-out out/demo/test.keys

if python3 -c 'import numpy' 2>/dev/null; then
  step "python3: compare the exported .npy with the shipped .npz (bit for bit)"
  python3 - <<'PY'
import numpy as np
shipped = np.load("data/digits/seed0_test.npz")["L1"]
exported = np.load("out/demo/seed0_L1.npy")
assert shipped.dtype == exported.dtype and shipped.shape == exported.shape
assert shipped.tobytes() == exported.tobytes()
print(f"identical: {exported.shape} {exported.dtype}")
PY
fi
cmp -s out/demo/test.keys data/digits/test.keys && echo "example keys round-trip: identical"

step repstore verify
repstore verify

step repstore measures
repstore measures
step repstore sim cka "'seed0/*@digits-test'" "'seed1/*@digits-test'"
repstore sim cka 'seed0/*@digits-test' 'seed1/*@digits-test'
step "repstore sim cka,cka.debiased,cca.mean,pwcca 'seed0/L*@digits-test' 'seed1/L*@digits-test' --reduce argmax"
repstore sim cka,cka.debiased,cca.mean,pwcca 'seed0/L*@digits-test' 'seed1/L*@digits-test' --reduce argmax
step repstore sim "'rsa(rdm=correlation,compare=spearman)'" seed2/L3@digits-test "'seed3/L*@digits-test'" --format csv
repstore sim 'rsa(rdm=correlation,compare=spearman)' seed2/L3@digits-test 'seed3/L*@digits-test' --format csv
step repstore sim cka "'seed0/L*@digits-test'" "'seed4/L*@digits-test'" --heatmap out/demo/cka-seed0-seed4.svg
repstore sim cka 'seed0/L*@digits-test' 'seed4/L*@digits-test' --heatmap out/demo/cka-seed0-seed4.svg

step "repstore query 'sim cka seed0/*@digits-test seed1/*@digits-test; show tables'   # the first is read back"
repstore query 'sim cka seed0/*@digits-test seed1/*@digits-test; show tables'

# Layer prediction (the ContraSim paper's benchmark): for each pair of seeds and each layer of the first, does the
# measure find the same layer in the second? The learned measures train on seeds 0-3's train split; seeds 4 and 5
# are never trained on.
step repstore bench layer-prediction --models "'seed*/L*'" --test-examples digits-test --train-models "'seed{0..3}'" \
  --train-examples digits-train --epochs 15 --batch 256 --lr 0.001 --heatmap out/demo/layer-prediction.svg
repstore bench layer-prediction --models 'seed*/L*' --test-examples digits-test --train-models 'seed{0..3}' \
  --train-examples digits-train --epochs 15 --batch 256 --lr 0.001 --heatmap out/demo/layer-prediction.svg 2>&1 |
  grep -v '^epoch '
# Paired retrieval on real text: all-MiniLM-L6-v2's layers for Python docstrings (query) and their functions' code
# (target). Does each measure pick the code of a set of 8 docstrings over 10 sets of the code's nearest neighbours?
step repstore import "'data/text/{model}_test.npz'" --examples text-test --keys data/text/test.keys "(and _train)"
repstore import 'data/text/{model}_test.npz' --examples text-test --keys data/text/test.keys
repstore import 'data/text/{model}_train.npz' --examples text-train --keys data/text/train.keys
step repstore bench retrieval --query "'minilm-doc/*@text-test'" --target "'minilm-code/*@text-test'" --negatives knn \
  --measures cka,dot,contrasim --train-examples text-train --epochs 30 --batch 128 --lr 0.001 \
  --heatmap out/demo/retrieval-knn.svg
repstore bench retrieval --query 'minilm-doc/*@text-test' --target 'minilm-code/*@text-test' --negatives knn \
  --measures cka,dot,contrasim --train-examples text-train --epochs 30 --batch 128 --lr 0.001 \
  --heatmap out/demo/retrieval-knn.svg 2>&1 | grep -v '^epoch '

# The same sentences seen two ways: mean-pooled states (query) against the [CLS] token's state (target), layers 1-6
# (L0, the [CLS] embedding, is one vector for every sentence). Raw [CLS] columns sit far from zero; for such pairs
# ContraSim standardizes each tensor's columns by default (with --no-standardize its training collapses, and says so).
step repstore bench retrieval --query "'minilm-doc/L[1-6]@text-test'" --target "'minilm-doc-cls/L[1-6]@text-test'" \
  --negatives knn --measures cka,dot,contrasim --train-examples text-train --epochs 30 --batch 128 --lr 0.001 \
  --heatmap out/demo/retrieval-mean-vs-cls.svg
repstore bench retrieval --query 'minilm-doc/L[1-6]@text-test' --target 'minilm-doc-cls/L[1-6]@text-test' \
  --negatives knn --measures cka,dot,contrasim --train-examples text-train --epochs 30 --batch 128 --lr 0.001 \
  --heatmap out/demo/retrieval-mean-vs-cls.svg 2>&1 | grep -v '^epoch '

printf '\nThe store is in %s; try: REPSTORE=%s %s ls\n' "$REPSTORE" "$REPSTORE" "$REPSTORE_BIN"
