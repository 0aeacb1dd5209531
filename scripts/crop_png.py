#!/usr/bin/env python3
"""Centre-crops an 8-bit RGB PNG to W x H (lossless, standard library only), e.g. a
network-size test image: crop_png.py SRC.png W H OUT.png"""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from make_test_images import read_png_rgb8, write_png  # noqa: E402


def main():
    src, w, h, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    sw, sh, rows = read_png_rgb8(src)
    assert w <= sw and h <= sh, f"{src} is {sw}x{sh}, smaller than {w}x{h}"
    x0, y0 = (sw - w) // 2, (sh - h) // 2
    write_png(out, w, h, 3, [r[3 * x0:3 * (x0 + w)] for r in rows[y0:y0 + h]])


if __name__ == "__main__":
    main()
