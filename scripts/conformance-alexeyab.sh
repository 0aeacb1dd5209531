#!/usr/bin/env bash
# Records what AlexeyAB's Darknet prints for each case of tests/conformance/alexeyab-cases.txt
# (`detector test ... -dont_show -ext_output`), as fixtures tests/fixtures/alexeyab/NAME.out.
# Its weights are ours: `darknet init CFG W -seed N -head_scale S` (header 0.2.0, 64-bit seen,
# which that fork reads as it writes), with a case's branch_scale applied by
# tests/cli/alexeyab_scale_weights.py. It needs a CPU build of that fork (GPU=0 OPENCV=0, so
# images decode with stb as in the fixtures); this script does not build it.
# Usage: scripts/conformance-alexeyab.sh --record [NAME...]   (from the repository root)
#   ORACLE_AVX=/path/darknet (AVX=1 build) ORACLE_NOAVX=/path/darknet (AVX=0 build)
#   ORACLE_LABELS=/path/to/its/data/labels (its alphabet, which it loads from the cwd)
set -euo pipefail
[ "${1:-}" = --record ] || { echo "usage: $0 --record [NAME...]" >&2; exit 1; }
shift
DN=$(realpath ./darknet)
ORACLE_AVX=${ORACLE_AVX:-/tmp/alexeyab/darknet}
ORACLE_NOAVX=${ORACLE_NOAVX:-/tmp/alexeyab-noavx/darknet}
ORACLE_LABELS=${ORACLE_LABELS:-/tmp/alexeyab/data/labels}
root=$PWD
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/data" tests/fixtures/alexeyab
ln -s "$ORACLE_LABELS" "$T/data/labels"
printf 'classes=80\nnames=%s\n' "$root/data/coco.names" > "$T/coco.data"
while IFS='|' read -r name cfg seed scale image thresh flags oracle _ bscale; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); scale=$(echo $scale)
  image=$(echo $image); thresh=$(echo $thresh); flags=$(echo $flags); oracle=$(echo $oracle); bscale=$(echo $bscale)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  [ "$flags" = - ] && flags=
  bin=$ORACLE_AVX; [ "$oracle" = noavx ] && bin=$ORACLE_NOAVX
  # shellcheck disable=SC2086
  "$DN" init "$cfg" "$T/w" -seed "$seed" -head_scale "$scale" ${flags//-letter_box/} 2>/dev/null
  if [ -n "$bscale" ] && [ "$bscale" != 1 ]; then
    python3 tests/cli/alexeyab_scale_weights.py "$cfg" "$T/w" "$T/w.s" "$bscale" && mv "$T/w.s" "$T/w"
  fi
  mkdir -p "$T/$(dirname "$image")"; cp "$image" "$T/$image"
  # The fork reads -letter_box; -dialect is ours alone.
  oflags=; [[ " $flags " == *" -letter_box "* ]] && oflags=-letter_box
  # shellcheck disable=SC2086
  (cd "$T" && "$bin" detector test coco.data "$root/$cfg" w "$image" -dont_show -ext_output -thresh "$thresh" $oflags \
     < /dev/null > "$root/tests/fixtures/alexeyab/$name.out" 2> "$T/err") ||
    { echo "$name: oracle failed: $(tail -1 "$T/err")" >&2; exit 1; }
  echo "$name: $(grep -c '%' "tests/fixtures/alexeyab/$name.out") detections" >&2
done < tests/conformance/alexeyab-cases.txt
