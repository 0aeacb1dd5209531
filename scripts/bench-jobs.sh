#!/usr/bin/env bash
# Throughput of the streaming mode: images per second of `-jsonl` over a list with -jobs 1
# and -jobs 2 at the same -threads (default 2), the two taking turns for ROUNDS rounds; prints
# each round and the medians with the machine, ISA and thread count. A benchmark, not a test.
#   scripts/bench-jobs.sh [ROUNDS]     (from the repository root, after make)
# Workloads: YOLOv3-tiny (`detector test`) and Tiny Darknet (`classifier predict`) with
# seeded weights over tests/data/valid/valid.list repeated to REPEAT x 26 images.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; threads=${THREADS:-2}; repeat=${REPEAT:-2}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "$repeat"); do cat tests/data/valid/valid.list; done > "$tmp/list"
n=$(wc -l < "$tmp/list")
./darknet init cfg/yolov3-tiny.cfg "$tmp/y.w" -seed 2 2>/dev/null
./darknet init cfg/tiny.cfg "$tmp/t.w" -seed 2 2>/dev/null
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
isa=$(grep -o -m1 -w -E 'avx512f|avx2|avx|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "machine: $cpu, $(nproc) cores, ISA flags: $isa; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$n images per run, -threads $threads, $rounds rounds, -jobs 1 and -jobs 2 alternating"
run() {  # NAME JOBS COMMAND...: prints images/s
  local name=$1 jobs=$2; shift 2
  local t0 t1; t0=$(date +%s.%N)
  "$@" -list "$tmp/list" -jsonl "$tmp/out" -jobs "$jobs" -threads "$threads" 2>/dev/null
  t1=$(date +%s.%N)
  python3 -c "print(f'{$n / ($t1 - $t0):.2f}')"
}
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
for work in detect classify; do
  if [ $work = detect ]; then cmd=(./darknet detector test cfg/coco.data cfg/yolov3-tiny.cfg "$tmp/y.w" -thresh 0.9)
  else cmd=(./darknet classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$tmp/t.w"); fi
  run $work 1 "${cmd[@]}" > /dev/null  # warm-up (and the auto plan, if any)
  a=(); b=()
  for r in $(seq "$rounds"); do
    a+=("$(run $work 1 "${cmd[@]}")"); b+=("$(run $work 2 "${cmd[@]}")")
    echo "  $work round $r: -jobs 1 ${a[-1]} img/s, -jobs 2 ${b[-1]} img/s"
  done
  ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
  echo "$work: median -jobs 1 $ma img/s, -jobs 2 $mb img/s, ratio $(python3 -c "print(f'{$mb / $ma:.2f}')")x"
done
