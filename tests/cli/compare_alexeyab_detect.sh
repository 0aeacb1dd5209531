#!/usr/bin/env bash
# Compares two outputs of AlexeyAB's `detector test ... -dont_show -ext_output` (or ours in
# its dialect): the "PATH: Predicted in T milli-seconds." lines with T ignored, and every
# "name: NN%" line with its box, in order (that fork sorts them by the box's left edge).
# Its other stdout lines (" GPU isn't used", " Used AVX", "mini_batch = ...", " seen 64",
# "nms_kind: ...", " Detection layer: N - type = 28") describe the build or the parse and
# are not compared. Prints the first difference and fails.
# Usage: compare_alexeyab.sh EXPECTED ACTUAL
norm() {
  sed 's/Enter Image Path: //g' "$1" |
    grep -E ': Predicted in [0-9.]+ milli-seconds\.$|^[^ ].*: [0-9]+%' |
    sed -E 's/: Predicted in [0-9.]+ milli-seconds\./: Predicted in T milli-seconds./'
}
if [ ! -s "$1" ]; then echo "expected output is empty"; exit 1; fi
d=$(diff <(norm "$1") <(norm "$2"))
if [ -n "$d" ]; then
  printf 'expected %d lines, got %d; first difference: %s\n' "$(norm "$1" | wc -l)" "$(norm "$2" | wc -l)" \
    "$(grep -m1 -E '^[<>]' <<<"$d" | sed 's/^</missing:/; s/^>/unexpected:/')"
  exit 1
fi
