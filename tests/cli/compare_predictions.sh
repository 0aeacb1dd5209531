#!/usr/bin/env bash
# Compares two `classifier predict` outputs ("%5.2f%%: name" lines): the same number of
# lines, each of ours matched to an unused expected line with the same name whose
# probability differs by at most one unit of print precision (0.01 points), and the
# first line (the top class) the same. Usage: compare_predictions.sh EXPECTED ACTUAL
awk -v tol=0.0101 '
  function trim(s) { sub(/^ +/, "", s); return s }
  FNR == NR { i = index($0, "%: "); if (!i) next; ne++; ep[ne] = trim(substr($0, 1, i - 1)) + 0; en[ne] = substr($0, i + 3); next }
  { i = index($0, "%: "); if (!i) next; na++; ap[na] = trim(substr($0, 1, i - 1)) + 0; an[na] = substr($0, i + 3) }
  END {
    if (ne == 0) { print "expected output is empty"; exit 1 }
    if (ne != na) { printf "expected %d lines, got %d\n", ne, na; exit 1 }
    for (k = 1; k <= na; k++) {
      found = 0
      for (j = 1; j <= ne; j++) {
        if (used[j] || en[j] != an[k]) continue
        d = ep[j] - ap[k]; if (d < 0) d = -d
        if (d <= tol) { used[j] = 1; found = 1; break }
      }
      if (!found) { printf "line %d \"%.2f%%: %s\" has no match in the expected output\n", k, ap[k], an[k]; exit 1 }
    }
    d = ep[1] - ap[1]; if (d < 0) d = -d
    if (en[1] != an[1] && d > tol) { printf "top class differs: expected %s, got %s\n", en[1], an[1]; exit 1 }
  }' "$1" "$2"
