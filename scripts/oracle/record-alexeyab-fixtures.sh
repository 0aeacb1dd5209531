#!/usr/bin/env bash
# Records AlexeyAB's `classifier predict` output on the cfgs of tests/data/alexeyab/ with
# seeded weights (made by our `darknet init`), as fixtures for tests/cli/t_alexeyab.sh.
# Needs AlexeyAB's CPU build (not part of this project): ABDN=/path/to/darknet, by default
# its AVX=0 build, since its AVX maxpool (forward_maxpool_layer_avx) drops left-border taps of
# stride-1 windows of size 3 and more (yolov4's SPP); ours computes what its AVX=0 build does.
# The detector cfgs are cut before a [yolo] head (earlier heads become [dropout], an identity
# at inference, so layer indices stay) and shrunk to 96x96: `classifier predict` then prints
# the top raw values of the neck's output. The cfgs are derived from AlexeyAB's cfg/ by
# derive() below; efficientnet_b0 and csdarknet53-omega are unchanged copies; mix-layers.cfg
# is the project's own.
# Usage: [ONLY=NAME] scripts/oracle/record-alexeyab-fixtures.sh [ABCFG_DIR]   (from the repository root)
set -euo pipefail
ABDN=${ABDN:-/tmp/alexeyab-noavx/darknet}
ABCFG=${1:-/tmp/alexeyab/cfg}
D=tests/data/alexeyab
F=tests/fixtures/alexeyab
IMG=data/chelsea.png
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$D" "$F"

# derive SRC OUT HEAD_TO_CUT_BEFORE SIDE: strips inline comments, replaces the [yolo] heads
# before the given one by [dropout] and drops everything from it on.
derive() {
  awk -v cut="$3" -v side="$4" '
    { sub(/[ \t]*#.*/, "") }
    /^\[yolo\]/ { n++; if (n >= cut) exit; print "[dropout]"; skip = 1; next }
    /^\[/ { skip = 0 }
    skip && /=/ { next }
    side && /^(width|height)[ \t]*=/ { sub(/=.*/, "=" side) }
    { print }' "$ABCFG/$1" > "$D/$2"
}
cp "$ABCFG/efficientnet_b0.cfg" "$ABCFG/csdarknet53-omega.cfg" "$D/"
# relu6 gives 0 in AlexeyAB's CPU build (no case in its activate()), so its lite3 is
# recorded with relu in place of relu6; ours computes relu6 as the function (unit-tested).
derive efficientnet-lite3.cfg efficientnet-lite3-relu.cfg 1 0
sed -i 's/activation=relu6/activation=relu/' "$D/efficientnet-lite3-relu.cfg"
# yolov4-csp-swish is left out: on these seeded weights its activations overflow and
# AlexeyAB's -Ofast build prints nan.
derive yolov4.cfg yolov4-neck96.cfg 1 96
derive yolov7.cfg yolov7-neck96.cfg 1 96
derive resnet152_trident.cfg resnet152_trident-neck96.cfg 3 96

head -1000 data/imagenet.shortnames.list > "$T/in1k.names" 2>/dev/null || head -1000 /usr/share/darknet/data/imagenet.shortnames.list > "$T/in1k.names"
for cfg in "$D"/*.cfg; do
  name=$(basename "$cfg" .cfg)
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ] && continue
  ./darknet init "$cfg" "$T/$name.weights" -seed 15 -dialect alexeyab 2> "$T/init.err" || { cat "$T/init.err"; exit 1; }
  # Necks: one name per output value, v0, v1, ... (classes= only caps top= here).
  case $name in efficientnet*|csdarknet*) names=$T/in1k.names; classes=1000 ;;
    *) names=$T/values.names; classes=200000; seq 0 199999 | sed 's/^/v/' > "$names" ;; esac
  printf 'classes=%s\nnames=%s\ntop=5\n' "$classes" "$names" > "$T/$name.data"
  (cd "$T" && "$ABDN" classifier predict "$name.data" "$OLDPWD/$cfg" "$name.weights" "$OLDPWD/$IMG" 2>/dev/null) |
    grep -v "Predicted in" | sed "s|$PWD/||" > "$F/$name.out"
  echo "$name: $(tail -1 "$F/$name.out")"
done
