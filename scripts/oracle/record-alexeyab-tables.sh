#!/usr/bin/env bash
# Records the conv rows of AlexeyAB's layer table (output size and BFLOPs per conv layer) for
# the cfgs in tests/data/alexeyab/full/ (unchanged copies of its cfg/ files), as fixtures for
# tests/cli/t_alexeyab.sh. AlexeyAB's darknet parses the cfg, prints the table, then stops at
# the missing weights file. Usage: ABDN=/path/to/darknet scripts/oracle/record-alexeyab-tables.sh
set -euo pipefail
ABDN=${ABDN:-/tmp/alexeyab-noavx/darknet}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf 'classes=1\nnames=%s/n\n' "$T" > "$T/d"; echo x > "$T/n"
for cfg in tests/data/alexeyab/full/*.cfg; do
  name=$(basename "$cfg" .cfg)
  (cd "$T" && "$ABDN" classifier predict d "$OLDPWD/$cfg" missing.weights missing.png 2>&1 || true) |
    bash tests/cli/conv_rows.sh > "tests/fixtures/alexeyab/tables/$name.conv"
  echo "$name: $(wc -l < "tests/fixtures/alexeyab/tables/$name.conv") conv rows"
done
