#!/usr/bin/env bash
# The benchmarks behind `make bench` and `make bench-peers`. Run from the repository root
# after `make darknet`; results go to bench/results/ (md, csv, json, png).
#   scripts/bench.sh table   Park & Chung's Table 1 on this machine: Tiny-Darknet and
#                            SqueezeNet x MCMK, Im2col, Im2row, beside the paper's figures,
#                            plus per-layer tables and charts; the same three methods on
#                            AlexeyAB's YOLOv4-tiny and YOLOv7-tiny (416x416, no paper figures)
#   scripts/bench.sh peers   the same networks, YOLOv3-tiny and AlexeyAB's YOLOv4-tiny and
#                            YOLOv7-tiny (416x416), with the same weights and input, on our
#                            engine, OpenCV's DNN module, oneDNN, ncnn (when NCNN_DIR or
#                            /usr/local holds an ncnn install with darknet2ncnn) and upstream
#                            Darknet (when installed; it cannot read AlexeyAB's cfgs)
# Environment: ITERS (15) timed and WARMUP (3) warm-up passes per method, THREADS (all
# cores), PEER_ROUNDS (5: peers' head-to-head, see h2h below), PEER_MCMK_YOLO=1 (peers: also
# time our MCMK on the YOLO networks), PEER_NETS and BENCH_NETS (table's; space-separated
# subsets), BLAS_CORETYPE
# (unset: OpenBLAS detects the CPU itself; e.g. Haswell sets OPENBLAS_CORETYPE), BENCH_OUT
# (bench/results), NCNN_DIR (an ncnn install prefix: include/ncnn, lib/libncnn.a, bin/darknet2ncnn).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
ITERS=${ITERS:-15}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-$(nproc)}
OUT=${BENCH_OUT:-bench/results}
TMP=$OUT/tmp
DN=./darknet
# shellcheck disable=SC2206
NETS=(${BENCH_NETS:-tiny squeezenet yolov4-tiny yolov7-tiny})
# shellcheck disable=SC2206
PEER_NETS=(${PEER_NETS:-tiny squeezenet yolov3-tiny yolov4-tiny yolov7-tiny})
# A peer network's cfg, and the -dialect flags for ours and oneDNN (AlexeyAB's cfgs fold batch
# norm with sqrt(var + 1e-5)); upstream (pjreddie's) Darknet cannot read AlexeyAB's cfgs.
peer_cfg() { case $1 in yolov4-tiny|yolov7-tiny) echo "cfg/alexeyab/$1.cfg" ;; *) echo "cfg/$1.cfg" ;; esac; }
peer_dialect() { case $1 in yolov4-tiny|yolov7-tiny) echo alexeyab ;; *) echo pjreddie ;; esac; }
if [ -n "${BLAS_CORETYPE:-}" ]; then
  export OPENBLAS_CORETYPE=$BLAS_CORETYPE
  echo "bench: OPENBLAS_CORETYPE=$BLAS_CORETYPE (overrides OpenBLAS's CPU detection)" >&2
fi
mkdir -p "$OUT" "$TMP"
say() { echo "bench: $*" >&2; }
cut -d' ' -f1 /proc/loadavg > "$TMP/load-start"

# bars DAT PNG HEADING SUBTITLE [gnuplot assignments]
bars() {
  local q="'" qq="''"  # a quote inside a gnuplot single-quoted string is doubled
  gnuplot -e "dat='$1'; out='$2'; heading='${3//$q/$qq}'; sub='${4//$q/$qq}'; ${5:-}" bench/plots/bars.gp
}
# One line on the machine, for chart subtitles.
machine() { python3 scripts/bench_report.py machine "$1"; }

table() {
  local jsons=()
  for net in "${NETS[@]}"; do
    say "$net: mcmk, im2col, im2row, $WARMUP warm-up + $ITERS timed passes each, $THREADS threads"
    "$DN" bench "$(peer_cfg "$net")" -method mcmk,im2col,im2row -iters "$ITERS" -warmup "$WARMUP" \
      -threads "$THREADS" -dialect "$(peer_dialect "$net")" -layers -json "$OUT/bench-$net.json" | tee "$OUT/bench-$net.txt"
    jsons+=("$OUT/bench-$net.json")
  done
  cut -d' ' -f1 /proc/loadavg > "$TMP/load-end"
  python3 scripts/bench_report.py table "$OUT" "$TMP" "${jsons[@]}"
  local m name; m=$(machine "$OUT/bench-${NETS[0]}.json")
  for net in "${NETS[@]}"; do
    case $net in
      tiny) name=Tiny-Darknet ;; squeezenet) name=SqueezeNet ;; yolov4-tiny) name=YOLOv4-tiny ;;
      yolov7-tiny) name=YOLOv7-tiny ;; *) name=$net ;;
    esac
    if [[ $net == yolo* ]]; then
      bars "$TMP/table1-$net.dat" "$OUT/table1-$net.png" "$name: ms per image by method (the paper has no figures for it)" "ours: $m"
    else
      bars "$TMP/table1-$net.dat" "$OUT/table1-$net.png" "$name: ms per image by method, ours beside Park & Chung's Table 1" "ours: $m"
    fi
    local w=1500; [ "$net" = tiny ] && w=1100; [[ $net == yolo* ]] && w=2400
    bars "$TMP/layers-$net.dat" "$OUT/layers-$net.png" "$name: ms per conv layer by method (mean of $ITERS passes)" "$m" \
      "rot=45; w=$w; values=0; xlab='layer index: kernel/stride, filters'; ylab='ms per layer (log scale)'"
  done
  say "wrote $OUT/table1.{md,csv,json}, layers.csv, table1-*.png, layers-*.png"
}

# peer_row NET ENGINE THREADS STATUS JSON OUTPUT: one line of the manifest bench_report.py reads.
peer_row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TMP/peers.tsv"; }

# run_peer NET ENGINE THREADS BINARY ARGS...: a peer program on the network's cfg and weights;
# exit 2 means "cannot run this network". run_peer_files: the same with two other files
# (FILE1 FILE2 before ARGS) in place of the cfg and weights.
run_peer() { local net=$1; run_peer_files "$1" "$2" "$3" "$4" "$(peer_cfg "$net")" "$TMP/$net.weights" "${@:5}"; }
run_peer_files() {
  local net=$1 engine=$2 threads=$3 bin=$4 file1=$5 file2=$6; shift 6
  local tag="$net-$engine-${threads}t"
  say "$net: $engine, $threads thread(s)"
  local rc=0
  "$bin" "$file1" "$file2" -iters "$ITERS" -warmup "$WARMUP" -out "$TMP/$tag.out" "$@" \
    > "$TMP/$tag.json" 2> "$TMP/$tag.err" || rc=$?
  if [ $rc = 0 ]; then
    peer_row "$net" "$engine" "$threads" ok "$TMP/$tag.json" "$TMP/$tag.out"
  elif [ $rc = 2 ]; then
    local why; why=$(grep -m1 '^unsupported' "$TMP/$tag.err" | cut -c1-160 | tr '\t|' '  ')
    say "$net: $engine: ${why:-unsupported}"
    peer_row "$net" "$engine" "$threads" "${why:-unsupported}" "" ""
  else
    say "$net: $engine failed (exit $rc): $(tail -1 "$TMP/$tag.err")"
    peer_row "$net" "$engine" "$threads" "failed (exit $rc)" "" ""
  fi
}

# ncnn_convert NET: darknet2ncnn on the network's cfg and seeded weights -> $TMP/NET.param,
# $TMP/NET.bin; darknet2ncnn writes a section it does not convert as a layer with an empty
# type, and [softmax] (no keys but groups=1) is ncnn's Softmax over channels, so such a line
# whose name (index_cfgline) points at a [softmax] section is named Softmax. Prints nothing
# and returns 0, or prints why not.
ncnn_convert() {
  local net=$1 cfg; cfg=$(peer_cfg "$1")
  if ! "$darknet2ncnn" "$cfg" "$TMP/$net.weights" "$TMP/$net.param" "$TMP/$net.bin" 1 > "$TMP/$net-darknet2ncnn.log" 2>&1; then
    echo "darknet2ncnn failed: $(tail -1 "$TMP/$net-darknet2ncnn.log" | cut -c1-120 | tr '\t|' '  ')"
    return 1
  fi
  if ! awk 'NR == FNR {  # the cfg: which line numbers open a plain [softmax] section
         sub(/[ \t\r]+$/, ""); sub(/^[ \t]+/, "")
         if ($0 ~ /^\[/) { sec = $0; start = FNR; if (sec == "[softmax]") soft[start] = 1; next }
         if (sec == "[softmax]" && $0 != "" && $0 !~ /^[#;]/) { g = $0; gsub(/[ \t]/, "", g); if (g != "groups=1") delete soft[start] }
         next }
       /^[ \t]/ { split($1, p, "_"); if (p[2] in soft) $0 = "Softmax" $0 }
       { print }' "$cfg" "$TMP/$net.param" > "$TMP/$net.param.tmp" || ! mv "$TMP/$net.param.tmp" "$TMP/$net.param"; then
    echo "could not rewrite $TMP/$net.param"
    return 1
  fi
}

# h2h HAVE_OPENCV HAVE_ONEDNN HAVE_NCNN THREADS...: the head-to-head. On a shared machine the
# speed of every engine drifts by up to 2x over minutes (other tenants), so engines timed one
# after another can land in different phases. Here ours (auto, its plan kept from the first
# round), OpenCV, oneDNN and ncnn (on the networks darknet2ncnn converted) take turns:
# PEER_ROUNDS rounds, each engine ITERS/PEER_ROUNDS timed passes (at least 5) after 2 warm-up
# passes per turn; the report pools each engine's passes and also gives the median of the
# per-round ratios.
h2h() {
  local have_opencv=$1 have_onednn=$2 have_ncnn=$3; shift 3
  local rounds=${PEER_ROUNDS:-5} iters=$(( ITERS / ${PEER_ROUNDS:-5} ))
  [ "$iters" -lt 5 ] && iters=5
  : > "$TMP/h2h.tsv"
  for net in "${PEER_NETS[@]}"; do
    for t in "$@"; do
      say "$net: head-to-head, $rounds rounds of ours auto / OpenCV / oneDNN / ncnn, $iters passes each, $t thread(s)"
      rm -f "$TMP/h2h-$net-${t}t.plan"
      for r in $(seq "$rounds"); do
        local tag="h2h-$net-${t}t-r$r"
        "$DN" bench "$(peer_cfg "$net")" "$TMP/$net.weights" -method auto -plan "$TMP/h2h-$net-${t}t.plan" -dialect "$(peer_dialect "$net")" \
          -iters "$iters" -warmup 2 -threads "$t" -json "$TMP/$tag-ours.json" > /dev/null 2>&1 \
          && printf '%s\t%s\t%s\t%s\t%s\n' "$net" ours "$t" "$r" "$TMP/$tag-ours.json" >> "$TMP/h2h.tsv"
        if [ "$have_opencv" = 1 ]; then
          build/bench/opencv_dnn_bench "$(peer_cfg "$net")" "$TMP/$net.weights" -iters "$iters" -warmup 2 -threads "$t" \
            > "$TMP/$tag-opencv.json" 2> /dev/null \
            && printf '%s\t%s\t%s\t%s\t%s\n' "$net" opencv "$t" "$r" "$TMP/$tag-opencv.json" >> "$TMP/h2h.tsv"
        fi
        if [ "$have_onednn" = 1 ]; then
          build/bench/onednn_bench "$(peer_cfg "$net")" "$TMP/$net.weights" -iters "$iters" -warmup 2 -threads "$t" -dialect "$(peer_dialect "$net")" \
            > "$TMP/$tag-onednn.json" 2> /dev/null \
            && printf '%s\t%s\t%s\t%s\t%s\n' "$net" onednn "$t" "$r" "$TMP/$tag-onednn.json" >> "$TMP/h2h.tsv"
        fi
        if [ "$have_ncnn" = 1 ] && [ -f "$TMP/$net.ncnn-ok" ]; then
          build/bench/ncnn_bench "$TMP/$net.param" "$TMP/$net.bin" -cfg "$(peer_cfg "$net")" -iters "$iters" -warmup 2 -threads "$t" \
            > "$TMP/$tag-ncnn.json" 2> /dev/null \
            && printf '%s\t%s\t%s\t%s\t%s\n' "$net" ncnn "$t" "$r" "$TMP/$tag-ncnn.json" >> "$TMP/h2h.tsv"
        fi
      done
    done
  done
}

peers() {
  : > "$TMP/peers.tsv"
  local opencv=build/bench/opencv_dnn_bench onednn=build/bench/onednn_bench upstream=build/bench/upstream_bench
  local have_opencv=1 have_onednn=1 no_upstream="" ncnn=build/bench/ncnn_bench no_ncnn=""
  make --no-print-directory "$opencv" >&2 || have_opencv=0
  make --no-print-directory "$onednn" >&2 || have_onednn=0
  # ncnn is not a Debian package: built and run only where the user has it (NCNN_DIR).
  darknet2ncnn=""  # global: ncnn_convert runs it
  if [ -n "${NCNN_DIR:-}" ] && [ -x "$NCNN_DIR/bin/darknet2ncnn" ]; then darknet2ncnn=$NCNN_DIR/bin/darknet2ncnn
  else darknet2ncnn=$(command -v darknet2ncnn || true); fi
  if ! make --no-print-directory "$ncnn" > "$TMP/ncnn-make.log" 2>&1; then
    if grep -q 'ncnn not found' "$TMP/ncnn-make.log"; then no_ncnn="not found (set NCNN_DIR to an ncnn install)"
    else no_ncnn="not built (see $TMP/ncnn-make.log)"; fi
  elif [ -z "$darknet2ncnn" ]; then
    no_ncnn="darknet2ncnn not found (NCNN_DIR/bin or PATH)"
  fi
  [ -n "$no_ncnn" ] && say "ncnn: $no_ncnn: reported as such"
  if [ -x /usr/bin/darknet ] && [ -f /usr/lib/darknet/libdarknet.so ]; then
    make --no-print-directory "$upstream" >&2 || no_upstream="not built (see make output)"
  else
    no_upstream="not installed"
    say "upstream Darknet not installed (Debian package darknet): reported as such"
  fi
  local thread_counts=("$THREADS")
  [ "$THREADS" != 1 ] && thread_counts+=(1)
  for net in "${PEER_NETS[@]}"; do
    local cfg dialect; cfg=$(peer_cfg "$net"); dialect=$(peer_dialect "$net")
    "$DN" init "$cfg" "$TMP/$net.weights" -seed 1 -dialect "$dialect" 2> /dev/null
    local ncnn_why=$no_ncnn
    rm -f "$TMP/$net.ncnn-ok"
    if [ -z "$ncnn_why" ]; then
      ncnn_why=$(ncnn_convert "$net") && touch "$TMP/$net.ncnn-ok"
      [ -n "$ncnn_why" ] && say "$net: ncnn: $ncnn_why"
    fi
    for t in "${thread_counts[@]}"; do
      # Ours: the paper's methods, our own-kernel backends and `auto` (planned afresh, before
      # timing) at the full thread count; im2col, packed and auto again on one thread, for a
      # like-for-like comparison with upstream's single-threaded build.
      # MCMK on YOLOv3-tiny takes 2.5-4 s a pass here (on YOLOv4-tiny and YOLOv7-tiny more),
      # over a minute for the warm-up and timed passes, so it is left out unless PEER_MCMK_YOLO=1.
      local methods=mcmk,im2col,im2row,direct,packed,winograd,winograd4,auto
      [ "$t" != "$THREADS" ] && methods=im2col,packed,auto
      [ "$t" = "$THREADS" ] && [[ $net == yolo* ]] && [ "${PEER_MCMK_YOLO:-0}" != 1 ] && methods=${methods#mcmk,}
      say "$net: ours $methods, $t thread(s)"
      "$DN" bench "$cfg" "$TMP/$net.weights" -method "$methods" -plan - -dialect "$dialect" -iters "$ITERS" -warmup "$WARMUP" \
        -threads "$t" -json "$TMP/$net-ours-${t}t.json" -output "$TMP/$net-ours-${t}t.out" >&2
      peer_row "$net" ours "$t" ok "$TMP/$net-ours-${t}t.json" "$TMP/$net-ours-${t}t.out"
      if [ $have_opencv = 1 ]; then
        run_peer "$net" opencv "$t" "$opencv" -threads "$t"
      else
        peer_row "$net" opencv "$t" "not built (libopencv-dev missing?)" "" ""
      fi
      if [ $have_onednn = 1 ]; then
        run_peer "$net" onednn "$t" "$onednn" -threads "$t" -dialect "$dialect"
      else
        peer_row "$net" onednn "$t" "not built (libdnnl-dev missing?)" "" ""
      fi
      if [ -z "$ncnn_why" ]; then
        run_peer_files "$net" ncnn "$t" "$ncnn" "$TMP/$net.param" "$TMP/$net.bin" -cfg "$cfg" -threads "$t"
      else
        peer_row "$net" ncnn "$t" "$ncnn_why" "" ""
      fi
      if [ "$t" = 1 ] || [ "$THREADS" = 1 ]; then
        if [ "$dialect" = alexeyab ]; then
          peer_row "$net" upstream 1 "cannot read AlexeyAB's cfg" "" ""
        elif [ -z "$no_upstream" ]; then
          run_peer "$net" upstream 1 "$upstream"
        else
          peer_row "$net" upstream 1 "$no_upstream" "" ""
        fi
      fi
    done
  done
  h2h "$have_opencv" "$have_onednn" "$([ -z "$no_ncnn" ] && echo 1 || echo 0)" "${thread_counts[@]}"
  cut -d' ' -f1 /proc/loadavg > "$TMP/load-end"
  python3 scripts/bench_report.py peers "$OUT" "$TMP" "$TMP/peers.tsv" "$TMP/h2h.tsv"
  bars "$TMP/peers.dat" "$OUT/peers.png" "The same networks on five engines: ms per image (batch 1)" \
    "$(machine "$TMP/${PEER_NETS[0]}-ours-${THREADS}t.json")" "rot=30; w=1600"
  say "wrote $OUT/peers.{md,csv,json,png}"
}

case "$mode" in
  table) table ;;
  peers) peers ;;
  *) echo "usage: scripts/bench.sh table|peers" >&2; exit 1 ;;
esac
