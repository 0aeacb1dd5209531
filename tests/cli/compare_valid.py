#!/usr/bin/env python3
"""Compares upstream's list-command outputs (fixtures recorded from /usr/bin/darknet) with
ours, allowing for the last printed digit: our convolutions add in another order, so a
printed %f may differ by a unit or two.

  compare_valid.py lines EXPECTED ACTUAL [TOL]     `classifier valid`, `detector recall`:
      the same lines; numbers with a decimal point within TOL (default 1e-5), the rest exact.
  compare_valid.py voc EXPECTED ACTUAL             `detector valid` (eval=voc): both hold
      "== FILE" headers, each followed by that file's lines; the same files.
  compare_valid.py coco EXPECTED ACTUAL            eval=coco: both JSON, ACTUAL in upstream's
      layout (one object per line).
  compare_valid.py imagenet EXPECTED ACTUAL        eval=imagenet.

Detections are matched by image and class, score within 2e-5 and box within 0.01 pixels. A
detection may be missing on one side only if its score is within 2e-5 of upstream's
threshold (.005), where the last digit decides whether it is kept. Prints the first
difference and exits 1."""
import json
import re
import sys

THRESH, STOL, BTOL = 0.005, 2e-5, 0.01
NUM = re.compile(r"(-?\d+\.\d+|-?nan|-?inf)")


def fail(msg):
    print(msg)
    sys.exit(1)


def lines_mode(exp_path, act_path, tol):
    exp = open(exp_path).read().splitlines()
    act = open(act_path).read().splitlines()
    if not exp:
        fail("expected output is empty")
    if len(exp) != len(act):
        fail(f"expected {len(exp)} lines, got {len(act)}")
    for n, (e, a) in enumerate(zip(exp, act), 1):
        te, ta = NUM.split(e), NUM.split(a)
        ok = len(te) == len(ta)
        for i, (x, y) in enumerate(zip(te, ta)):
            if not ok:
                break
            if i % 2 == 0:
                ok = x == y
            else:
                try:
                    ok = abs(float(x) - float(y)) <= tol or x == y
                except ValueError:
                    ok = x == y
        if not ok:
            fail(f"line {n}: expected \"{e}\", got \"{a}\"")


def match(where, exp, act):
    """exp, act: lists of (key, score, box). Every expected record needs an actual one with
    the same key, close score and box, except near the threshold."""
    pool = {}
    for r in act:
        pool.setdefault(r[0], []).append(r)
    near = 0
    for key, score, box in exp:
        cands = pool.get(key, [])
        for i, (_, s, b) in enumerate(cands):
            if abs(s - score) <= STOL and all(abs(p - q) <= BTOL for p, q in zip(box, b)):
                del cands[i]
                break
        else:
            if score <= THRESH + STOL:
                near += 1
                continue
            fail(f"{where}: missing {key} score {score:f} box {box}")
    for recs in pool.values():
        for key, score, box in recs:
            if score > THRESH + STOL:
                fail(f"{where}: unexpected {key} score {score:f} box {box}")
            near += 1
    return near


def voc_records(lines):
    out = []
    for line in lines:
        f = line.split(" ")
        if len(f) != 6:
            fail(f"not a VOC line: \"{line}\"")
        out.append((f[0], float(f[1]), [float(x) for x in f[2:]]))
    return out


def voc_files(path):
    files, cur = {}, None
    for line in open(path).read().splitlines():
        if line.startswith("== "):
            cur = files.setdefault(line[3:], [])
        elif cur is None:
            fail(f"{path}: no \"== FILE\" header before \"{line}\"")
        else:
            cur.append(line)
    return files


def voc_mode(exp_path, act_path):
    files, have = voc_files(exp_path), voc_files(act_path)
    if sorted(have) != sorted(files):
        fail(f"files differ: expected {len(files)}, got {len(have)}: {sorted(set(have) ^ set(files))[:5]}")
    near = total = 0
    for name, lines in files.items():
        near += match(name, voc_records(lines), voc_records(have[name]))
        total += len(lines)
    if total == 0:
        fail("expected no detections at all")
    return near


COCO_LINE = re.compile(r'^\{"image_id":-?\d+, "category_id":\d+, "bbox":\[(-?\d+\.\d{6}, ){3}-?\d+\.\d{6}\], "score":\d+\.\d{6}\},?$')


def coco_records(path, check_layout):
    text = open(path).read()
    if check_layout:
        body = text.splitlines()
        if body[:1] != ["["] or body[-1:] != ["]"]:
            fail(f"{path}: not upstream's layout (\"[\" ... \"]\" lines)")
        for line in body[1:-1]:
            if line and not COCO_LINE.match(line):
                fail(f"{path}: not upstream's layout: \"{line}\"")
    try:
        data = json.loads(text)
    except ValueError as e:
        fail(f"{path}: not JSON: {e}")
    return [((d["image_id"], d["category_id"]), d["score"], d["bbox"]) for d in data]


def imagenet_records(path):
    out = []
    for line in open(path).read().splitlines():
        f = line.split(" ")
        if len(f) != 7:
            fail(f"not an ImageNet line: \"{line}\"")
        out.append(((int(f[0]), int(f[1])), float(f[2]), [float(x) for x in f[3:]]))
    return out


def main():
    mode, exp, act = sys.argv[1:4]
    if mode == "lines":
        lines_mode(exp, act, float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5)
        return
    if mode == "voc":
        near = voc_mode(exp, act)
    elif mode == "coco":
        e = coco_records(exp, False)
        if not e:
            fail("expected no detections at all")
        near = match(act, e, coco_records(act, True))
    elif mode == "imagenet":
        e = imagenet_records(exp)
        if not e:
            fail("expected no detections at all")
        near = match(act, e, imagenet_records(act))
    else:
        fail(f"unknown mode {mode}")
    if near:
        print(f"({near} detections at the threshold on one side only)")


if __name__ == "__main__":
    main()
