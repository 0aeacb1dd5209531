#!/usr/bin/env bash
# Cross-checks ours against OpenCV DNN (Debian's libopencv-dev) on the cfgs of
# tests/data/alexeyab/ that OpenCV imports: the top 5 raw outputs of each on a net-size crop of
# data/chelsea.png (no resampling on either side), seeded weights (-seed 15), side by side.
# Usage: scripts/oracle/opencv-crosscheck.sh   (from the repository root, after make)
set -euo pipefail
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
g++ -O1 scripts/oracle/opencv_predict.cpp $(pkg-config --cflags --libs opencv4) -o "$T/ocv"
head -1000 data/imagenet.shortnames.list > "$T/in1k.names"
seq 0 199999 | sed 's/^/v/' > "$T/values.names"
printf 'classes=1000\nnames=%s\ntop=5\n' "$T/in1k.names" > "$T/in1k.data"
printf 'classes=200000\nnames=%s\ntop=5\n' "$T/values.names" > "$T/values.data"
for n in efficientnet_b0 csdarknet53-omega yolov4-neck96 yolov7-neck96; do
  cfg=tests/data/alexeyab/$n.cfg
  side=$(grep -m1 -E '^width' "$cfg" | tr -dc 0-9)
  case $n in efficientnet*|csdarknet*) d=$T/in1k.data; names=$T/in1k.names ;; *) d=$T/values.data; names=$T/values.names ;; esac
  "$T/ocv" crop data/chelsea.png "$side" "$side" "$T/in.png" 2>/dev/null
  ./darknet init "$cfg" "$T/w" -seed 15 -dialect alexeyab 2>/dev/null
  echo "== $n ($side x $side)"
  paste -d' ' <("$T/ocv" run "$cfg" "$T/w" "$T/in.png" 2>/dev/null | while read -r i v; do echo "opencv $(sed -n "$((i + 1))p" "$names"): $v"; done) \
    <(./darknet classifier predict "$d" "$cfg" "$T/w" "$T/in.png" -dialect alexeyab 2>/dev/null | tail -n 5 | sed 's/^/  ours /')
done
