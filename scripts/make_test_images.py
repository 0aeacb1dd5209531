#!/usr/bin/env python3
"""Derives the conformance test images from a bundled CC0 photo, with the standard library
only: a grayscale PNG, an RGBA PNG (alpha varies, colour kept), a 24-bit BMP and a
portrait RGB PNG (the image turned 90 degrees, so letterboxing pads the sides), each
downscaled 2x (nearest) to stay small. Usage: make_test_images.py SRC.png OUTDIR"""
import struct
import sys
import zlib


def read_png_rgb8(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype == 2 and interlace == 0, "want 8-bit RGB, not interlaced"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, bpp, stride = zlib.decompress(idat), 3, w * 3
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def write_png(path, w, h, channels, rows):
    ctype = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(png)


def write_bmp(path, w, h, rows):
    pad = (4 - (w * 3) % 4) % 4
    pixels = b""
    for r in reversed(rows):
        pixels += bytes(v for x in range(w) for v in (r[3 * x + 2], r[3 * x + 1], r[3 * x])) + b"\0" * pad
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    header += struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    open(path, "wb").write(header + pixels)


def main():
    src, out = sys.argv[1], sys.argv[2]
    w, h, rows = read_png_rgb8(src)
    w2, h2 = w // 2, h // 2
    small = [bytearray(v for x in range(w2) for v in rows[2 * y][6 * x:6 * x + 3]) for y in range(h2)]
    gray = [bytearray((299 * r[3 * x] + 587 * r[3 * x + 1] + 114 * r[3 * x + 2]) // 1000 for x in range(w2)) for r in small]
    rgba = [bytearray(v for x in range(w2) for v in (*r[3 * x:3 * x + 3], (x * 255) // max(1, w2 - 1))) for r in small]
    write_png(f"{out}/gray.png", w2, h2, 1, gray)
    write_png(f"{out}/rgba.png", w2, h2, 4, rgba)
    write_bmp(f"{out}/rgb.bmp", w2, h2, small)
    tall = [bytearray(v for y in reversed(range(h2)) for v in small[y][3 * x:3 * x + 3]) for x in range(w2)]
    write_png(f"{out}/tall.png", h2, w2, 3, tall)


if __name__ == "__main__":
    main()
