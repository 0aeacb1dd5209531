#!/usr/bin/env bash
# make bench-layers: where ours and oneDNN differ, layer by layer. For each network and
# thread count, `darknet bench -method auto -layers` (ms per layer, mean over the timed
# passes) and `onednn_bench` with PEER_LAYERS=1 (ms per primitive, median, each timed
# alone) take turns for ROUNDS rounds on the same cfg and seeded weights; each layer's row is
# the least of its per-round figures, which on a shared machine (other guests on the same
# cores move single runs by 2x) is the most repeatable statistic either side has. The last
# lines are the sums of the rows both have ([yolo] rows have no oneDNN figure: onednn_bench applies
# only the last one's logistic, unlike the layer) and the per-round ratio of whole passes (median_ms of
# both). Our plan is made once per network and thread count and kept for every round.
# Usage: scripts/bench-layers.sh [NET...] (default: tiny squeezenet yolov3-tiny yolov4-tiny).
# Environment: THREADS ("1 2"), ROUNDS (5), ITERS (30), BENCH_OUT (bench/results): writes
# layers-onednn-NET-Tt.md there. Needs `make darknet` and build/bench/onednn_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
ITERS=${ITERS:-30}
OUT=${BENCH_OUT:-bench/results}
TMP=$OUT/tmp/layers
DN=./darknet
PEER=build/bench/onednn_bench
# shellcheck disable=SC2206
THREAD_LIST=(${THREADS:-1 2})
NETS=("$@")
[ ${#NETS[@]} -gt 0 ] || NETS=(tiny squeezenet yolov3-tiny yolov4-tiny)
for f in "$DN" "$PEER"; do
  [ -x "$f" ] || { echo "bench-layers: $f: not built (make darknet $PEER)" >&2; exit 1; }
done
mkdir -p "$TMP"
cfg_of() { case $1 in yolov4-tiny|yolov7-tiny) echo "cfg/alexeyab/$1.cfg" ;; *) echo "cfg/$1.cfg" ;; esac; }
dialect_of() { case $1 in yolov4-tiny|yolov7-tiny) echo alexeyab ;; *) echo pjreddie ;; esac; }

for net in "${NETS[@]}"; do
  cfg=$(cfg_of "$net"); dialect=$(dialect_of "$net")
  [ -f "$cfg" ] || { echo "bench-layers: $cfg: no such cfg" >&2; exit 1; }
  "$DN" init "$cfg" "$TMP/$net.weights" -seed 1 -dialect "$dialect" 2> /dev/null
  for t in "${THREAD_LIST[@]}"; do
    rm -f "$TMP/$net-${t}t.plan" "$TMP/$net-${t}t"-*.json "$TMP/$net-${t}t"-*.txt
    for r in $(seq "$ROUNDS"); do
      "$DN" bench "$cfg" "$TMP/$net.weights" -method auto -plan "$TMP/$net-${t}t.plan" -dialect "$dialect" \
        -threads "$t" -iters "$ITERS" -layers -json "$TMP/$net-${t}t-ours-$r.json" > /dev/null 2>&1
      PEER_LAYERS=1 "$PEER" "$cfg" "$TMP/$net.weights" -iters "$ITERS" -warmup 2 -threads "$t" -dialect "$dialect" \
        > "$TMP/$net-${t}t-onednn-$r.json" 2> "$TMP/$net-${t}t-onednn-$r.txt"
    done
    python3 - "$TMP/$net-${t}t" "$ROUNDS" "$net" "$t" <<'PY' | tee "$OUT/layers-onednn-$net-${t}t.md"
import json, re, statistics, sys
stem, rounds, net, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ours, desc, passes = {}, {}, []
for r in range(1, rounds + 1):
    m = json.load(open(f"{stem}-ours-{r}.json"))["methods"][0]
    d = json.load(open(f"{stem}-onednn-{r}.json"))
    passes.append(m["median_ms"] / d["median_ms"])
    for l in m["layers"]:
        ours.setdefault(l["index"], []).append(l["ms"])
        desc[l["index"]] = (" ".join(l["desc"].split()), l["method"])
peer = {}  # layer index -> oneDNN ms; its primitive lines read "STEP MEDIAN MIN  INDEX KIND ...: IMPL"
for r in range(1, rounds + 1):
    for line in open(f"{stem}-onednn-{r}.txt"):
        x = re.match(r"\s*\d+\s+([\d.]+)\s+[\d.]+\s+(\d+) (\S+)", line)
        if x and x.group(3) != "yolo":  # oneDNN's program does only the last [yolo]'s part of it
            peer.setdefault(int(x.group(2)), []).append(float(x.group(1)))
print(f"# {net}, {threads} thread(s): ms per layer, least of {rounds} rounds (ours: mean of a pass's layer; oneDNN: median of its primitive alone)\n")
print("| layer | description | our method | ours ms | oneDNN ms | ours / oneDNN |")
print("|---:|---|---|---:|---:|---:|")
so = sp = 0.0
for i in sorted(ours):
    o = min(ours[i])
    p = min(peer[i]) if i in peer else None
    if p:  # the sums cover the rows both engines have
        so += o
        sp += p
    ratio = f"{o / p:.2f}" if p else ""
    print(f"| {i} | {desc[i][0]} | {desc[i][1]} | {o:.3f} | {'' if p is None else f'{p:.3f}'} | {ratio} |")
print(f"\nsum of the rows with both figures: ours {so:.2f} ms, oneDNN {sp:.2f} ms, ratio {so / sp:.2f}; whole passes, ours / oneDNN per round: "
      + " ".join(f"{x:.2f}" for x in passes) + f" (median {statistics.median(passes):.2f})")
PY
  done
done
