#!/usr/bin/env python3
"""Multiplies the batch-norm scales of every batch-normalised [convolutional] layer of a
Darknet .weights file by SCALE (all else unchanged; a layer's output before its activation is
then (w*x - mean) * scale' / sqrt(var + eps) + bias), so that seeded weights (`darknet init`)
of a deep network stay finite: He-initialised kernels with residual [shortcut]s grow the
values of yolov4-csp-swish's backbone to inf. Both Darknets then read the same file.

  alexeyab_scale_weights.py CFG IN.weights OUT.weights SCALE

Follows the cfg's layers for the input channels of each convolution; a layer type it does
not know is an error (exit 1), never a guess.
"""
import re
import struct
import sys


def sections(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = re.sub(r"\s+", "", line.split("#")[0])
            if not line or line[0] == ";":
                continue
            if line[0] == "[":
                out.append((line[1:-1], n, {}))
            elif "=" in line and out:
                k, v = line.split("=", 1)
                out[-1][2][k] = v
    return out


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: alexeyab_scale_weights.py CFG IN.weights OUT.weights SCALE")
    cfg, src, dst, scale = argv[1], argv[2], argv[3], float(argv[4])
    secs = sections(cfg)
    if not secs or secs[0][0] not in ("net", "network"):
        sys.exit(f"{cfg}: the first section must be [net]")
    data = bytearray(open(src, "rb").read())
    major, minor, _ = struct.unpack_from("<3i", data)
    head = 12 + (8 if major * 10 + minor >= 2 else 4)
    total = (len(data) - head) // 4
    # The convolutions that end a residual branch: each layer just before a [shortcut].
    ends = {i - 1 for i, (t, _, _) in enumerate(secs[1:]) if t == "shortcut"}
    chans = []  # output channels of each layer
    c = int(secs[0][2].get("channels", 3))
    pos = 0
    for i, (t, line, kv) in enumerate(secs[1:]):
        def ref(v):
            v = int(v)
            return v + i if v < 0 else v
        if t in ("convolutional", "conv"):
            filters, size = int(kv.get("filters", 1)), int(kv.get("size", 1))
            groups = int(kv.get("groups", 1))
            n = filters * (c // groups) * size * size
            bn = int(kv.get("batch_normalize", 0)) != 0
            if pos + filters * (4 if bn else 1) + n > total:
                sys.exit(f"{src}: ends inside the weights of layer {i} ({cfg}:{line})")
            if bn and i in ends:  # biases, then the scales
                at = head + 4 * (pos + filters)
                v = struct.unpack_from(f"<{filters}f", data, at)
                struct.pack_into(f"<{filters}f", data, at, *(x * scale for x in v))
            pos += filters * (4 if bn else 1) + n
            c = filters
        elif t == "route":
            groups = int(kv.get("groups", 1))
            c = sum(chans[ref(v)] for v in kv["layers"].split(",")) // groups
        elif t in ("shortcut", "maxpool", "max", "upsample", "yolo", "dropout"):
            if t in ("maxpool", "max") and ("maxpool_depth" in kv or "out_channels" in kv):
                sys.exit(f"{cfg}:{line}: [maxpool] maxpool_depth is not handled here")
            if t == "shortcut" and kv.get("weights_type", "none") != "none":
                sys.exit(f"{cfg}:{line}: [shortcut] weights_type is not handled here")
        else:
            sys.exit(f"{cfg}:{line}: [{t}] is not handled here")
        chans.append(c)
    if pos != total:
        sys.exit(f"{src}: {total - pos} floats after the last layer: not the weights of {cfg}")
    with open(dst, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
