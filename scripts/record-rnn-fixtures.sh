#!/usr/bin/env bash
# Regenerates tests/fixtures/rnn/NAME.out: what upstream Darknet (/usr/bin/darknet, the
# Debian package `darknet`) prints for `rnn generate` on each case of
# tests/fixtures/rnn/cases.txt, with seeded weights written by ours (`darknet init`). Each
# weights file is first checked to be byte for byte what upstream itself writes after
# loading it (`darknet partial CFG W OUT 1000`), so both sides read the same floats.
# Run from anywhere; needs ./darknet built.
set -euo pipefail
cd "$(dirname "$0")/.."
UPSTREAM=${UPSTREAM:-/usr/bin/darknet}
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
[ -x "$UPSTREAM" ] && [ -d "$UPCFG" ] || { echo "record-rnn-fixtures: $UPSTREAM or $UPCFG missing (apt-get install darknet)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq 0 255); do [ "$i" = 10 ] && echo "<NEWLINE>" || echo "t$i"; done > "$tmp/tokens"
while IFS='|' read -r name cfg init args; do
  name=$(echo $name); cfg=$(echo $cfg)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  cfg=${cfg/#@up\//$UPCFG/}
  # shellcheck disable=SC2086
  ./darknet init "$cfg" "$tmp/w" $init 2>/dev/null
  "$UPSTREAM" partial "$cfg" "$tmp/w" "$tmp/up.w" 1000 > /dev/null 2>&1
  cmp -s "$tmp/w" "$tmp/up.w" || { echo "record-rnn-fixtures: $name: upstream re-saves the weights differently" >&2; exit 1; }
  # shellcheck disable=SC2086
  "$UPSTREAM" rnn generate "$cfg" "$tmp/w" ${args//@tokens/$tmp/tokens} > "tests/fixtures/rnn/$name.out" 2> "$tmp/err"
  echo "recorded $name ($(wc -c < "tests/fixtures/rnn/$name.out") bytes)"
done < tests/fixtures/rnn/cases.txt
# An empty -seed (upstream prints a NUL for it, then samples from input 0), which the cases
# file's word splitting cannot pass; tests/cli/t_rnn.sh runs the same.
./darknet init tests/data/rnn/lstm.cfg "$tmp/w" -seed 2 2>/dev/null
"$UPSTREAM" rnn generate tests/data/rnn/lstm.cfg "$tmp/w" -seed "" -len 50 -srand 5 > tests/fixtures/rnn/lstm-empty-seed.out 2> "$tmp/err"
echo "recorded lstm-empty-seed ($(wc -c < tests/fixtures/rnn/lstm-empty-seed.out) bytes)"
