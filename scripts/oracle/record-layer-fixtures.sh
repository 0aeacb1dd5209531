#!/usr/bin/env bash
# Regenerates tests/fixtures/layers/*.bin: every layer's output of upstream Darknet's forward
# pass (libdarknet.so from the Debian package `darknet`), dumped by scripts/oracle/layer_dump.c
# for each cfg below with seeded weights (`darknet init CFG W -seed SEED`).
# tests/test_upstream_layers.cpp replays them against our layers. Run from anywhere; needs
# ./darknet built and gcc.
set -euo pipefail
cd "$(dirname "$0")/../.."
DN=/usr/lib/darknet
ORACLE=build/oracle/layer_dump
[[ -f $DN/libdarknet.so && -f $DN/include/darknet.h ]] ||
    { echo "upstream darknet not installed (apt-get install darknet)" >&2; exit 1; }
mkdir -p "$(dirname "$ORACLE")" tests/fixtures/layers
gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$DN/include" scripts/oracle/layer_dump.c \
    -o "$ORACLE" -L"$DN" -ldarknet -Wl,-rpath,"$DN"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# name | cfg | seed
while read -r name cfg seed; do
    ./darknet init "$cfg" "$tmp/w" -seed "$seed" 2>/dev/null
    "$ORACLE" "$cfg" "$tmp/w" "tests/fixtures/layers/$name.bin" 2>/dev/null
    echo "recorded $name"
done <<'CASES'
upstream-layers tests/data/upstream-layers.cfg 3
CASES
