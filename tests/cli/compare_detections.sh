#!/usr/bin/env bash
# Compares two `detector test` outputs: the same multiset of lines, where the timing in
# "PATH: Predicted in S seconds." is ignored. Prints the first difference and fails.
# Usage: compare_detections.sh EXPECTED ACTUAL
norm() { sed -E 's/: Predicted in [0-9.]+ seconds\./: Predicted in S seconds./' "$1" | LC_ALL=C sort; }
if [ ! -s "$1" ]; then echo "expected output is empty"; exit 1; fi
d=$(diff <(norm "$1") <(norm "$2"))
if [ -n "$d" ]; then
  printf 'expected %d lines, got %d; first difference: %s\n' "$(wc -l < "$1")" "$(wc -l < "$2")" \
    "$(grep -m1 -E '^[<>]' <<<"$d" | sed 's/^</missing:/; s/^>/unexpected:/')"
  exit 1
fi
