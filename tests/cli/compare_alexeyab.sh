#!/usr/bin/env bash
# Compares AlexeyAB-style `classifier predict` outputs: the lines from " classes = ..." on,
# without the timing line. Other lines must be equal; each "name: value" line of ours must
# match an unused expected line of the same name within TOL relative (plus one print unit,
# 1e-6), and the first (top) line the same name unless the two top values are that close.
# Usage: compare_alexeyab.sh EXPECTED ACTUAL [TOL]
awk -v tol="${3:-1e-5}" '
  function near(a, b) { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; return d <= 1e-6 + tol * m }
  function val(s,   i) { i = index(s, ": "); return i ? substr(s, i + 2) + 0 : "" }
  function key(s,   i) { i = index(s, ": "); return i ? substr(s, 1, i - 1) : s }
  /Predicted in/ { next }
  /^ classes = / { on[FILENAME] = 1 }
  !on[FILENAME] { next }
  FNR == NR { ne++; el[ne] = $0; next }
  { na++; al[na] = $0 }
  END {
    if (ne == 0) { print "expected output is empty"; exit 1 }
    if (ne != na) { printf "expected %d lines, got %d\n", ne, na; exit 1 }
    for (k = 1; k <= na; k++) {
      if (al[k] !~ /: -?[0-9.]+$/ && al[k] !~ /: -?nan$/) { if (al[k] != el[k]) { printf "line \"%s\", expected \"%s\"\n", al[k], el[k]; exit 1 } continue }
      found = 0
      for (j = 1; j <= ne; j++)
        if (!used[j] && key(el[j]) == key(al[k]) && near(val(al[k]), val(el[j]))) { used[j] = 1; found = 1; break }
      if (!found) { printf "\"%s\" has no match in the expected output\n", al[k]; exit 1 }
    }
  }' "$1" "$2"
