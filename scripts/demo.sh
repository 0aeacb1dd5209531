#!/usr/bin/env bash
# `make demo`: classify a bundled CC0 photo with Tiny-Darknet with the paper's three conv methods,
# our own-kernel backends (direct, packed, winograd), and `auto` (which times the backends per
# layer and saves its plan).
# No pretrained weights can be fetched here, so the demo makes seeded random weights: the
# classes are meaningless, but every method must print the same thing. With upstream's
# real tiny.weights, pass WEIGHTS=path/to/tiny.weights.
set -euo pipefail
cd "$(dirname "$0")/.."
weights=${WEIGHTS:-build/demo/tiny-seed1.weights}
image=${IMAGE:-data/chelsea.png}
if [ ! -f "$weights" ]; then
  mkdir -p "$(dirname "$weights")"
  ./darknet init cfg/tiny.cfg "$weights" -seed 1
fi
for m in mcmk im2col im2row direct packed winograd auto; do
  echo "== -method $m"
  ./darknet classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$weights" "$image" -method "$m" 2>&1 \
    | grep -vE "^ +[0-9]+ |^layer "
done
