#!/usr/bin/env bash
# Reduces a Darknet layer table (ours or AlexeyAB's, on stdin) to its conv rows as
# "INDEX OUT_W OUT_H OUT_C BFLOPS", the geometry both must agree on (AlexeyAB marks layers
# with share_index "convS").
awk '/^ *[0-9]+ convS? / { s = $0; sub(/.*->/, "", s); gsub(/x/, " ", s); split(s, a, " "); print $1, a[1], a[2], a[3], a[4] }'
