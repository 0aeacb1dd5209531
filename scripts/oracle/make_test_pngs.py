#!/usr/bin/env python3
"""Writes the small synthetic PNGs the image tests load (standard library only).

Pixel values come from a fixed LCG, so every run writes identical files. The set covers
the colour types load_image must map to RGB: grey, grey+alpha, RGB, RGBA, palette with
tRNS, 16-bit RGB, plus 1-pixel-wide and 1-pixel-high images for resize's edge cases.
Usage: make_test_pngs.py OUTDIR
"""
import os
import struct
import sys
import zlib


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def byte(self):
        self.state = (self.state * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.state >> 16) & 0xFF


def chunk(tag, payload):
    body = tag + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png(path, w, h, color_type, depth, rows, extra=b""):
    """rows: list of bytes objects, already packed for the colour type and depth."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)  # filter type 0 on every row
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def pixels(seed, w, h, n, extremes=True):
    """h rows of w*n bytes; the first pixel is all 0 and the last all 255 when extremes."""
    g = Lcg(seed)
    rows = [bytearray(g.byte() for _ in range(w * n)) for _ in range(h)]
    if extremes:
        rows[0][0:n] = bytes(n)
        rows[-1][-n:] = b"\xff" * n
    return [bytes(r) for r in rows]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_png(os.path.join(out, "rgb_7x5.png"), 7, 5, 2, 8, pixels(1, 7, 5, 3))
    write_png(os.path.join(out, "gray_9x6.png"), 9, 6, 0, 8, pixels(2, 9, 6, 1))
    # Alpha spans 0..255 so that any compositing onto a background would show.
    write_png(os.path.join(out, "rgba_6x5.png"), 6, 5, 6, 8, pixels(3, 6, 5, 4))
    write_png(os.path.join(out, "graya_5x4.png"), 5, 4, 4, 8, pixels(4, 5, 4, 2))
    # Palette of 16 colours; the first 5 entries are partly transparent (tRNS).
    g = Lcg(5)
    plte = bytes(g.byte() for _ in range(16 * 3))
    trns = bytes([0, 40, 128, 200, 254])
    idx = [bytes(g.byte() & 15 for _ in range(6)) for _ in range(4)]
    write_png(os.path.join(out, "pal_6x4.png"), 6, 4, 3, 8, idx,
              chunk(b"PLTE", plte) + chunk(b"tRNS", trns))
    write_png(os.path.join(out, "rgb16_5x4.png"), 5, 4, 2, 16, pixels(6, 10, 4, 3))
    write_png(os.path.join(out, "col_1x6.png"), 1, 6, 2, 8, pixels(7, 1, 6, 3))
    write_png(os.path.join(out, "row_6x1.png"), 6, 1, 2, 8, pixels(8, 6, 1, 3, extremes=False))


if __name__ == "__main__":
    main()
