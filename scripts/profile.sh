#!/usr/bin/env bash
# make profile: where the forward pass spends its time, per layer type and per function.
# For each network (Tiny-Darknet, SqueezeNet, YOLOv3-tiny) with seeded weights (seed 1):
#  1. `darknet bench -method auto -layers` at THREADS threads: per-layer wall time (mean of
#     ITERS passes) with the backend auto chose for each conv layer;
#  2. callgrind on ONE forward pass (1 thread; --toggle-collect on Network::forward) of an
#     x86-64-v3 build (valgrind cannot decode AVX-512), with every conv layer pinned to the
#     backend auto chose in step 1 (method= in a copy of the cfg): instructions per function.
# scripts/profile_report.py then writes PROFILE_OUT/profile.{md,json,csv}.
# Environment: THREADS (all cores), ITERS (15), WARMUP (3), PROFILE_OUT (bench/results),
# PROFILE_NETS ("tiny squeezenet yolov3-tiny"), CALLGRIND=0 to skip step 2, PROFILE_KEEP=DIR
# to keep the raw files (bench JSON and text, callgrind.out, callgrind_annotate output) in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
ITERS=${ITERS:-15}
WARMUP=${WARMUP:-3}
OUT=${PROFILE_OUT:-bench/results}
NETS=${PROFILE_NETS:-tiny squeezenet yolov3-tiny}
CALLGRIND=${CALLGRIND:-1}
VG_BUILD=build/profile
DN=./darknet
VDN=$VG_BUILD/darknet

if [ "$CALLGRIND" = 1 ] && ! command -v valgrind >/dev/null; then
  echo "profile: valgrind is not installed (apt-get install valgrind), or run with CALLGRIND=0"; exit 1
fi
[ -x "$DN" ] || { echo "profile: $DN missing (make darknet)"; exit 1; }
[ "$CALLGRIND" != 1 ] || [ -x "$VDN" ] || { echo "profile: $VDN missing (make profile builds it)"; exit 1; }

if [ -n "${PROFILE_KEEP:-}" ]; then
  T=$PROFILE_KEEP; mkdir -p "$T"
else
  T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fi
# Share of CPU time (all cores) that other processes used during one second: the load
# average cannot tell other jobs from this script's own earlier runs.
busy_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  local idle=$(( (b[4] - a[4]) + (b[5] - a[5]) ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
mkdir -p "$OUT"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
args=()
for n in $NETS; do
  cfg=cfg/$n.cfg
  "$DN" init "$cfg" "$T/$n.weights" -seed 1 >/dev/null 2>&1 || { echo "profile: init $cfg failed"; exit 1; }
  busy_before=$(busy_pct)
  echo "profile: $n: bench -method auto -layers, $THREADS threads, $WARMUP + $ITERS passes (CPU busy before: $busy_before%)"
  "$DN" bench "$cfg" "$T/$n.weights" -method auto -plan - -layers -threads "$THREADS" \
    -iters "$ITERS" -warmup "$WARMUP" -json "$T/$n.json" > "$T/$n.bench.txt" 2>&1 \
    || { cat "$T/$n.bench.txt"; echo "profile: bench $cfg failed"; exit 1; }
  busy_after=$(busy_pct)
  cg=""
  if [ "$CALLGRIND" = 1 ]; then
    python3 scripts/profile_report.py pin "$cfg" "$T/$n.json" "$T/$n.pinned.cfg"
    # OpenBLAS picks its kernel from CPUID; under valgrind use the kernel the timed run used,
    # unless it needs AVX-512, which valgrind cannot run (then Haswell, and the report says so).
    core=$(python3 scripts/profile_report.py blas-core "$T/$n.json")
    case "$core" in SkylakeX|Cooperlake|SapphireRapids|"") core=Haswell ;; esac
    if grep -q '^\[yolo\]\|^\[region\]' "$cfg"; then
      cmd=("$VDN" detector test cfg/coco.data "$T/$n.pinned.cfg" "$T/$n.weights" data/chelsea.png -thresh 0.99 -out "$T/pred")
    else
      cmd=("$VDN" classifier predict cfg/imagenet1k.data "$T/$n.pinned.cfg" "$T/$n.weights" data/chelsea.png)
    fi
    echo "profile: $n: callgrind, one forward pass, 1 thread, OpenBLAS kernel $core"
    OPENBLAS_CORETYPE=$core valgrind --tool=callgrind --callgrind-out-file="$T/$n.cg" \
      --toggle-collect='dn::Network::forward*' "${cmd[@]}" -threads 1 -plan - \
      > "$T/$n.cg.stdout" 2> "$T/$n.cg.log" || { tail -20 "$T/$n.cg.log"; echo "profile: callgrind $n failed"; exit 1; }
    callgrind_annotate --auto=no --threshold=100 "$T/$n.cg" > "$T/$n.excl.txt"
    callgrind_annotate --auto=no --threshold=100 --inclusive=yes "$T/$n.cg" > "$T/$n.incl.txt"
    cg="$T/$n.excl.txt,$T/$n.incl.txt,$core"
  fi
  args+=("$n" "$T/$n.json" "$cg" "$busy_before,$busy_after")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 scripts/profile_report.py report "$OUT" "$load_before" "$load_after" "${args[@]}"
