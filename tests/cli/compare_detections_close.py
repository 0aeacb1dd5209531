#!/usr/bin/env python3
"""Compares two pjreddie `detector test` outputs ("name: NN%" lines after the "Predicted in"
line) as multisets, allowing each printed percentage to differ by one unit: upstream prints
%.0f of the probability, so a value on a rounding edge prints one apart when the
convolutions add in another order. Used by scripts/conformance-sweep.sh on upstream's large
networks, whose seeded heads print hundreds of lines; make test's fixtures stay exact.
Usage: compare_detections_close.py EXPECTED ACTUAL. Prints the first difference, exits 1."""
import re
import sys
from collections import defaultdict

LINE = re.compile(r"^(.*): (-?\d+)%$")


def parse(path):
    rows = defaultdict(list)
    with open(path) as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                rows[m.group(1)].append(int(m.group(2)))
    return rows


want, got = parse(sys.argv[1]), parse(sys.argv[2])
if not want:
    print("expected output is empty")
    sys.exit(1)
for name in sorted(set(want) | set(got)):
    a, b = sorted(want.get(name, [])), sorted(got.get(name, []))
    if len(a) != len(b):
        print(f"{name}: expected {len(a)} lines, got {len(b)}")
        sys.exit(1)
    for x, y in zip(a, b):
        if abs(x - y) > 1:
            print(f"{name}: expected {x}%, got {y}%")
            sys.exit(1)
