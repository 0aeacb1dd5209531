#!/usr/bin/env python3
"""Derives the validation-list images (tests/data/valid/images/) from the bundled CC0 photos,
with the standard library only: crops, nearest-neighbour downscales, a grayscale copy and a
90-degree turn of each photo, all lossless PNGs. Upstream's `classifier valid` finds an
image's label as a substring of its path and `detector valid` takes a COCO image id from
the digits after the last '_', so files are named LABEL_NNN.png (misc_NNN.png has no label).
Also writes made-up truth boxes to OUTDIR/../labels/ for `detector recall`.
Usage: make_valid_images.py OUTDIR   (from the repository root)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_test_images import read_png_rgb8, write_png  # noqa: E402

PHOTOS = [("kitten", "data/chelsea.png"), ("mug", "data/coffee.png"), ("astronaut", "data/astronaut.png")]


def crop(rows, x0, y0, w, h):
    return [bytearray(r[3 * x0:3 * (x0 + w)]) for r in rows[y0:y0 + h]]


def shrink(rows, w, h, f):
    return [bytearray(v for x in range(w // f) for v in rows[f * y][3 * f * x:3 * f * x + 3]) for y in range(h // f)]


def gray(rows, w):
    return [bytearray((299 * r[3 * x] + 587 * r[3 * x + 1] + 114 * r[3 * x + 2]) // 1000 for x in range(w)) for r in rows]


def turn(rows, w, h):
    return [bytearray(v for y in reversed(range(h)) for v in rows[y][3 * x:3 * x + 3]) for x in range(w)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for label, src in PHOTOS:
        w, h, rows = read_png_rgb8(src)
        variants = []
        for f in (4, 5, 6):
            variants.append((w // f, h // f, 3, shrink(rows, w, h, f)))
        s = shrink(rows, w, h, 4)
        sw, sh = w // 4, h // 4
        variants.append((sw, sh, 1, gray(s, sw)))
        variants.append((sh, sw, 3, turn(s, sw, sh)))
        for i, (cw, ch) in enumerate(((120, 90), (80, 112), (100, 100))):
            x0, y0 = (w - cw) * (i + 1) // 4, (h - ch) * (3 - i) // 4
            variants.append((cw, ch, 3, crop(rows, x0, y0, cw, ch)))
        for vw, vh, c, vrows in variants:
            n += 1
            write_png(f"{out}/{label}_{n:03d}.png", vw, vh, c, vrows)
    # Two images whose paths hold no label: class -1 upstream, never counted correct.
    w, h, rows = read_png_rgb8("data/coffee.png")
    n += 1
    write_png(f"{out}/misc_{n:03d}.png", 80, 60, 3, crop(rows, 0, 0, 80, 60))
    w, h, rows = read_png_rgb8("data/chelsea.png")
    n += 1
    write_png(f"{out}/misc_{n:03d}.png", 64, 96, 3, crop(rows, 300, 100, 64, 96))
    write_labels(out, os.path.join(os.path.dirname(out.rstrip("/")), "labels"))




def write_labels(images, out):
    """One or two made-up "class x y w h" truth boxes per image (relative to the image), the
    label files upstream's `detector recall` reads beside each image."""
    os.makedirs(out, exist_ok=True)
    for n, name in enumerate(sorted(os.listdir(images))):
        lines = [f"{n % 3} {0.3 + 0.02 * (n % 10):.6f} {0.4 + 0.015 * (n % 7):.6f} {0.25 + 0.03 * (n % 5):.6f} {0.3 + 0.02 * (n % 6):.6f}"]
        if n % 2:
            lines.append(f"{(n + 1) % 3} 0.650000 0.600000 0.400000 0.500000")
        open(f"{out}/{name[:-4]}.txt", "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
