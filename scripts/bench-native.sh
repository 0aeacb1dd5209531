#!/usr/bin/env bash
# make bench-native: the portable build (the default, x86-64 baseline plus run-time dispatch)
# against the native build (make NATIVE=1, -march=native) on bench-peers' networks, 1 and 2
# threads. The two binaries take turns: ROUNDS rounds, each running A then B (B then A on
# even rounds) for ITERS timed passes after WARMUP warm-up passes, so that a burst of load on
# a shared machine hits both. The portable binary plans `auto` once before the rounds, and
# both run that plan. Prints one markdown row per network and thread count: the median over
# rounds of each binary's median pass, and the median of the per-round ratios native /
# portable.
# Usage: scripts/bench-native.sh PORTABLE_BIN NATIVE_BIN. Environment: ROUNDS (7), ITERS (10),
# WARMUP (2), NETS ("tiny squeezenet yolov3-tiny yolov4-tiny"), THREADS ("1 2").
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2
rounds=${ROUNDS:-7} iters=${ITERS:-10} warmup=${WARMUP:-2}
read -r -a nets <<< "${NETS:-tiny squeezenet yolov3-tiny yolov4-tiny}"
read -r -a threads <<< "${THREADS:-1 2}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { echo "bench-native: $*" >&2; }

# bench-peers' cfgs: AlexeyAB's networks sit in cfg/alexeyab and are read in that dialect.
cfg_of() { case $1 in yolov4-tiny|yolov7-tiny) echo "cfg/alexeyab/$1.cfg" ;; *) echo "cfg/$1.cfg" ;; esac; }
dialect_of() { case $1 in yolov4-tiny|yolov7-tiny) echo alexeyab ;; *) echo pjreddie ;; esac; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
run() {  # BIN NET THREADS PLAN -> median ms of one bench run
  "$1" bench "$(cfg_of "$2")" "$tmp/$2.weights" -method auto -plan "$4" -iters "$iters" -warmup "$warmup" \
    -threads "$3" -dialect "$(dialect_of "$2")" -json "$tmp/run.json" > /dev/null 2>&1
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["methods"][0]["median_ms"]);
print(j["cpu"], "|", j["blas"], "|", j["build"], file=sys.stderr)' "$tmp/run.json" 2>> "$tmp/builds"
}

echo "| network | threads | portable ms | native ms | native / portable |"
echo "|---|---|---|---|---|"
for net in "${nets[@]}"; do
  "$a" init "$(cfg_of "$net")" "$tmp/$net.weights" -seed 1 -dialect "$(dialect_of "$net")" 2> /dev/null
  for t in "${threads[@]}"; do
    # One plan for both, so that the rounds compare the builds, not two timings of `auto`: the
    # portable binary plans; the native one gets those choices under its own header lines
    # (a plan names the build it was made by, and a binary ignores another build's plan).
    for x in a b; do run "${!x}" "$net" "$t" "$tmp/$x-$net-$t.plan" > /dev/null; done
    { grep "^#" "$tmp/b-$net-$t.plan"; grep -v "^#" "$tmp/a-$net-$t.plan"; } > "$tmp/shared.plan"
    mv "$tmp/shared.plan" "$tmp/b-$net-$t.plan"
    : > "$tmp/a.ms"; : > "$tmp/b.ms"; : > "$tmp/ratio"
    for r in $(seq "$rounds"); do
      if [ $((r % 2)) = 1 ]; then ma=$(run "$a" "$net" "$t" "$tmp/a-$net-$t.plan"); mb=$(run "$b" "$net" "$t" "$tmp/b-$net-$t.plan")
      else mb=$(run "$b" "$net" "$t" "$tmp/b-$net-$t.plan"); ma=$(run "$a" "$net" "$t" "$tmp/a-$net-$t.plan"); fi
      echo "$ma" >> "$tmp/a.ms"; echo "$mb" >> "$tmp/b.ms"
      awk -v x="$mb" -v y="$ma" 'BEGIN {print x / y}' >> "$tmp/ratio"
      say "$net ${t}t round $r: portable $ma ms, native $mb ms"
    done
    cmp -s <(grep -v "^#" "$tmp/a-$net-$t.plan") <(grep -v "^#" "$tmp/b-$net-$t.plan") ||
      say "warning: $net ${t}t: the two binaries' plans parted (one of them planned again)"
    printf '| %s | %s | %.2f | %.2f | %.3f |\n' "$net" "$t" "$(median < "$tmp/a.ms")" "$(median < "$tmp/b.ms")" \
      "$(median < "$tmp/ratio")"
  done
done
sort -u "$tmp/builds" | sed 's/^/builds: /' >&2
