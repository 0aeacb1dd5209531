#!/usr/bin/env python3
"""Rescales the detection heads of seeded weights (from `darknet init`) so that a YOLO
network finds a countable number of boxes: random weights make nearly every anchor confident
in every class, which at `detector valid`'s threshold of .005 prints millions of lines.
Every convolution feeding a [yolo] (or a [region] without a tree) gets its weights multiplied by SCALE, its
objectness biases set to OBJ and its class biases set to 0 for the classes in KEEP and to
-9 for the others.
A convolution feeding a [region] with tree= (KEEP is then `tree`) gets its weights times
SCALE, its objectness biases OBJ and class biases of magnitude 0.75 to 1.25, one in seven
negative, in a fixed pattern: the Debian build's tree [region] multiplies raw class outputs
along the tree (see region_layer.cpp), and with seeded biases some of those are near 0, where
the order of a convolution's sums decides the leading digits of a product; bounded away
from 0, every product is well conditioned. Standard library only.
Usage: make_valid_weights.py CFG IN.weights OUT.weights SCALE OBJ KEEP(comma-separated|tree)"""
import re
import struct
import sys


def sections(cfg):
    out = []
    for line in open(cfg):
        line = re.sub(r"\s", "", line)
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            out.append((line[1:-1].lower(), {}))
        else:
            k, v = line.split("=", 1)
            out[-1][1][k] = v
    return out


def main():
    cfg, src, dst, scale, obj, keep = sys.argv[1:7]
    tree = keep == "tree"
    scale, obj, keep = float(scale), float(obj), set() if tree else {int(k) for k in keep.split(",")}
    secs = sections(cfg)
    c = int(secs[0][1].get("channels", 3))
    chans, convs = [], []  # output channels per layer; (layer, offset in floats, n, size, c, bn)
    off = 0
    for i, (kind, o) in enumerate(secs[1:]):
        if kind in ("convolutional", "conv"):
            n, size, bn = int(o["filters"]), int(o.get("size", 1)), int(o.get("batch_normalize", 0))
            convs.append((i, off, n, size, c, bn))
            off += n * (4 if bn else 1) + n * c * size * size
            c = n
        elif kind == "route":
            idx = [int(x) for x in o["layers"].split(",")]
            c = sum(chans[x if x >= 0 else i + x] for x in idx) // int(o.get("groups", 1))
        chans.append(c)
    data = bytearray(open(src, "rb").read())
    major, minor = struct.unpack("<ii", data[:8])
    head = 20 if major * 10 + minor >= 2 else 16
    assert len(data) == head + 4 * off, f"{src}: {len(data)} bytes, {cfg} needs {head + 4 * off}"
    kinds = [k for k, _ in secs[1:]]
    for i, at, n, size, cin, bn in convs:
        if i + 1 >= len(kinds) or kinds[i + 1] not in (("region",) if tree else ("yolo", "region")):
            continue
        opts = secs[i + 2][1]
        classes = int(opts["classes"])
        coords = int(opts.get("coords", 4)) if kinds[i + 1] == "region" else 4
        assert not bn and n % (classes + coords + 1) == 0
        assert not tree or ("tree" in opts and opts.get("background", "0") == "0")
        biases = list(struct.unpack_from(f"<{n}f", data, head + 4 * at))
        for ch in range(n):
            k = ch % (classes + coords + 1)
            if k == coords:
                biases[ch] = obj
            elif k > coords and tree:
                magnitude = 1 + 0.25 * ((k * 7919) % 13 - 6) / 6
                biases[ch] = -magnitude if (k * 31) % 7 == 0 else magnitude
            elif k > coords:
                biases[ch] = 0.0 if (k - coords - 1) in keep else -9.0
        struct.pack_into(f"<{n}f", data, head + 4 * at, *biases)
        w_at, w_n = head + 4 * (at + n), n * cin * size * size
        w = struct.unpack_from(f"<{w_n}f", data, w_at)
        struct.pack_into(f"<{w_n}f", data, w_at, *(x * scale for x in w))
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
