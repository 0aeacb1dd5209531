#!/usr/bin/env python3
"""Helpers of scripts/profile.sh (standard library only).

  profile_report.py pin CFG BENCH_JSON OUT_CFG
      copies CFG with method=BACKEND added to every [convolutional] section, the backend
      `bench -method auto` chose for that layer (so callgrind profiles the same plan).
  profile_report.py blas-core BENCH_JSON
      prints the OpenBLAS kernel the timed run used ("core X" in the blas string).
  profile_report.py report OUTDIR LOAD_BEFORE LOAD_AFTER (NAME BENCH_JSON CALLGRIND BUSY)...
      writes OUTDIR/profile.{md,json,csv}. CALLGRIND is "EXCL_TXT,INCL_TXT,CORE" (the
      callgrind_annotate outputs, exclusive and inclusive) or "" when callgrind was skipped;
      BUSY is "BEFORE,AFTER": % of CPU time other processes used in the second before and
      after the timed run.
"""
import csv
import datetime
import json
import os
import re
import sys

NAMES = {"tiny": "Tiny-Darknet", "squeezenet": "SqueezeNet", "yolov3-tiny": "YOLOv3-tiny"}
KINDS = {"conv": "conv", "max": "maxpool", "avg": "avgpool", "softmax": "softmax", "route": "route",
         "upsample": "upsample", "downsample": "upsample", "yolo": "yolo", "detection": "region",
         "res": "shortcut", "reorg": "reorg", "dropout": "dropout", "connected": "connected",
         "cost": "cost"}
TOP_LAYERS = 5
TOP_FUNCS = 12
BUSY_PCT = 20


def pin(cfg, bench_json, out):
    layers = json.load(open(bench_json))["methods"][0]["layers"]
    methods = [l["method"] for l in layers if l["kind"] == "conv"]
    lines, k = [], 0
    for line in open(cfg).read().split("\n"):
        lines.append(line)
        if line.strip().lower() == "[convolutional]":
            lines.append("method=%s" % methods[k])
            k += 1
    if k != len(methods):
        sys.exit("pin: %s has %d [convolutional] sections, the bench %d conv layers" % (cfg, k, len(methods)))
    open(out, "w").write("\n".join(lines))


def blas_core(bench_json):
    m = re.search(r"core (\w+)", json.load(open(bench_json))["blas"])
    print(m.group(1) if m else "")


def layer_breakdown(bench):
    run = bench["methods"][0]
    groups, layers = {}, []
    for l in run["layers"]:
        kind = KINDS.get(l["kind"], l["kind"])
        key = "conv %s" % l["method"] if kind == "conv" else kind
        g = groups.setdefault(key, {"type": key, "layers": 0, "ms": 0.0})
        g["layers"] += 1
        g["ms"] += l["ms"]
        layers.append({"index": l["index"], "type": key, "desc": l["desc"], "ms": l["ms"]})
    total = sum(g["ms"] for g in groups.values())
    out = sorted(groups.values(), key=lambda g: -g["ms"])
    for g in out:
        g["pct"] = 100.0 * g["ms"] / total if total else 0.0
    top = sorted(layers, key=lambda l: -l["ms"])[:TOP_LAYERS]
    for l in top:
        l["pct"] = 100.0 * l["ms"] / total if total else 0.0
    return {"median_ms": run["median_ms"], "layer_sum_ms": total, "types": out, "top_layers": top}


LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?)(?:\s+\[([^\]]*)\])?\s*$")


def short_name(fn):
    clone = " (omp)" if "._omp_fn" in fn else ""
    fn = re.sub(r"\s*\[clone [^\]]*\]", "", fn)
    depth, cut = 0, len(fn)
    for i, ch in enumerate(fn):  # drop the parameter list (the first top-level '(')
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0 and not fn.startswith("(anonymous", i):
            cut = i
            break
    fn = fn[:cut].replace("(anonymous namespace)::", "").replace("dn::", "")
    fn = re.sub(r"^(void|int|float|bool) ", "", fn)  # return type of template functions
    return fn + clone


def parse_annotate(path):
    """(total, [(ir, file, function, object)]) from callgrind_annotate output."""
    total, rows = 0, []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        ir, what, obj = int(m.group(1).replace(",", "")), m.group(2), m.group(3) or ""
        if what == "PROGRAM TOTALS":
            total = ir
            continue
        if ":" not in what:
            continue
        f, fn = what.split(":", 1)
        rows.append((ir, f, fn, os.path.basename(obj)))
    return total, rows


def category(f, fn, obj):
    if "openblas" in obj:
        return "OpenBLAS"
    # The microkernels are templates whose file callgrind may not name: match them by name too.
    if f.startswith("backends/") or "/backends/" in f or re.search(r"gemm_rows|f32_i?gemm|pack_b|transform_(input|output)", fn):
        return "conv backends (ours)"
    if "bias_activate" in fn or f.endswith("activations.cpp"):
        return "bias + activation"
    m = re.search(r"src/(\w+)_layer\.cpp$", f)
    if m:
        return "%s layer" % m.group(1)
    if re.search(r"mem(cpy|move|set)", fn):
        return "memcpy/memset (libc)"
    if obj.startswith("libm"):
        return "libm (exp, ...)"
    if obj.startswith("libgomp"):
        return "OpenMP runtime"
    return "other"


def callgrind_summary(excl_path, incl_path, core):
    total, excl = parse_annotate(excl_path)
    _, incl = parse_annotate(incl_path)
    cats = {}
    for ir, f, fn, obj in excl:
        c = category(f, fn, obj)
        cats[c] = cats.get(c, 0) + ir
    per_fn = {}
    for ir, f, fn, obj in excl:
        k = short_name(fn)
        per_fn[k] = per_fn.get(k, 0) + ir
    top_excl = sorted(per_fn.items(), key=lambda kv: -kv[1])[:TOP_FUNCS]
    # Inclusive: the frames from main down to Network::forward all hold 100%; keep forward
    # itself and what it calls. Merge duplicate rows (one per file of a function).
    seen, top_incl = {}, []
    for ir, f, fn, obj in incl:
        k = short_name(fn)
        if (ir >= total and k != "Network::forward") or k.startswith("GOMP_"):
            continue
        seen[k] = max(seen.get(k, 0), ir)
    # An OpenMP region's body ("f (omp)") costs what its caller f costs: list f only.
    seen = {k: v for k, v in seen.items()
            if not (k.endswith(" (omp)") and abs(seen.get(k[:-6], -total) - v) <= total // 1000)}
    top_incl = sorted(seen.items(), key=lambda kv: -kv[1])[:TOP_FUNCS]

    def pct(x):
        return 100.0 * x / total if total else 0.0
    return {
        "total_ir": total,
        "openblas_kernel": core,
        "categories": [{"category": c, "ir": v, "pct": pct(v)} for c, v in sorted(cats.items(), key=lambda kv: -kv[1])],
        "top_exclusive": [{"function": k, "ir": v, "pct": pct(v)} for k, v in top_excl],
        "top_inclusive": [{"function": k, "ir": v, "pct": pct(v)} for k, v in top_incl],
    }


def md_escape(s):
    return s.replace("|", "\\|")


def findings(nets, meta):
    """A few plain sentences drawn from the numbers."""
    out = []
    busy = [n["title"] for n in nets if max(n["busy_pct"]) > BUSY_PCT]
    if busy:
        out.append("Other processes used more than %d%% of the CPU around the timed runs of %s: those wall "
                   "times are inflated and noisy (each OpenMP barrier can wait for a descheduled thread), "
                   "and auto's per-layer choices may differ from a quiet run's. The instruction counts "
                   "do not depend on load." % (BUSY_PCT, ", ".join(busy)))
    for n in nets:
        t = n["time"]
        conv = sum(g["ms"] for g in t["types"] if g["type"].startswith("conv"))
        total = t["layer_sum_ms"]
        non = [g for g in t["types"] if not g["type"].startswith("conv")]
        s = "%s: conv layers take %.1f%% of the per-layer time (%.2f of %.2f ms)" % (
            n["title"], 100 * conv / total, conv, total)
        if non:
            s += "; the largest other type is %s with %.1f%% (%.2f ms)" % (non[0]["type"], non[0]["pct"], non[0]["ms"])
        s += "."
        cg = n.get("callgrind")
        if cg:
            cats = {c["category"]: c["pct"] for c in cg["categories"]}
            s += " Instructions: OpenBLAS %.1f%%, our conv backends %.1f%%, bias+activation %.1f%%" % (
                cats.get("OpenBLAS", 0), cats.get("conv backends (ours)", 0), cats.get("bias + activation", 0))
            pools = sum(v for k, v in cats.items() if k in ("maxpool layer", "avgpool layer"))
            s += ", pooling %.1f%%, memcpy/memset %.1f%%." % (pools, cats.get("memcpy/memset (libc)", 0))
            rest = [c for c in cg["categories"] if c["category"] not in ("OpenBLAS", "conv backends (ours)")]
            if rest:
                s += " Outside the convolutions proper, the most instructions go to " + ", ".join(
                    "%s (%.1f%%)" % (c["category"], c["pct"]) for c in rest[:3]) + "."
        out.append(s)
    return out


def report(outdir, load_before, load_after, triples):
    nets = []
    for i in range(0, len(triples), 4):
        name, bench_json, cg, busy = triples[i:i + 4]
        bench = json.load(open(bench_json))
        net = {"name": name, "title": NAMES.get(name, name), "cfg": bench["cfg"], "gflop": bench["gflop"],
               "iters": bench["iters"], "warmup": bench["warmup"],
               "busy_pct": [int(x) for x in busy.split(",")], "time": layer_breakdown(bench)}
        if cg:
            excl, incl, core = cg.split(",")
            net["callgrind"] = callgrind_summary(excl, incl, core)
        nets.append((net, bench))
    b0 = nets[0][1]
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": b0["cpu"], "cores": b0["cores"], "threads": b0["threads"], "blas": b0["blas"],
            "build": b0["build"], "load_before": load_before, "load_after": load_after}
    nets = [n for n, _ in nets]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "profile.json"), "w") as f:
        json.dump({"machine": meta, "networks": nets}, f, indent=1)
    with open(os.path.join(outdir, "profile.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["network", "table", "name", "count", "value", "unit", "pct"])
        for n in nets:
            for g in n["time"]["types"]:
                w.writerow([n["name"], "time_by_type", g["type"], g["layers"], "%.4f" % g["ms"], "ms", "%.2f" % g["pct"]])
            for l in n["time"]["top_layers"]:
                w.writerow([n["name"], "top_layer", "%d %s" % (l["index"], l["desc"]), 1, "%.4f" % l["ms"], "ms", "%.2f" % l["pct"]])
            cg = n.get("callgrind")
            if cg:
                for key, table in (("categories", "ir_by_category"), ("top_exclusive", "ir_exclusive"),
                                   ("top_inclusive", "ir_inclusive")):
                    for r in cg[key]:
                        w.writerow([n["name"], table, r.get("category", r.get("function")), "", r["ir"], "Ir", "%.2f" % r["pct"]])
    md = ["# Where the time goes", "",
          "Written by `make profile` (scripts/profile.sh) on %s." % meta["date"], "",
          "- Machine: %s, %d cores; %d threads for the timings, 1 thread for callgrind." % (meta["cpu"], meta["cores"], meta["threads"]),
          "- Load average (1, 5, 15 min) before: %s; after: %s (includes this script's own runs)." % (meta["load_before"], meta["load_after"]),
          "- BLAS: %s. Build: `%s`." % (meta["blas"], meta["build"]),
          "- Timings: `darknet bench CFG W -method auto -plan - -layers`, seeded random weights (seed 1), batch 1; "
          "per-layer times are the mean over the timed passes (wall clock around each layer's forward, "
          "conv layers including their bias+activation pass). The % columns are shares of the sum of the "
          "per-layer times.",
          "- Instructions: callgrind on one forward pass (`--toggle-collect=dn::Network::forward`), 1 thread, "
          "an `-O3 -march=x86-64-v3` build (valgrind cannot decode AVX-512), every conv layer pinned to the "
          "backend `auto` chose above. Instruction counts are not times: an AVX2 FMA counts as one "
          "instruction, a scalar compare also as one."
          if any("callgrind" in n for n in nets) else "- Instructions: not measured (CALLGRIND=0).", "",
          "## Findings", ""]
    md += ["- " + s for s in findings(nets, meta)]
    md.append("")
    for n in nets:
        t = n["time"]
        md += ["## %s (`%s`, %.3f GFLOP)" % (n["title"], n["cfg"], n["gflop"]), "",
               "Whole forward pass: median %.2f ms over %d passes; sum of per-layer means %.2f ms. "
               "Other processes' CPU use in the second before / after: %d%% / %d%%." % (
                   t["median_ms"], n["iters"], t["layer_sum_ms"], n["busy_pct"][0], n["busy_pct"][1]), "",
               "| layer type | layers | ms | % |", "|---|---:|---:|---:|"]
        md += ["| %s | %d | %.3f | %.1f |" % (g["type"], g["layers"], g["ms"], g["pct"]) for g in t["types"]]
        md += ["", "Top %d layers:" % TOP_LAYERS, "", "| layer | type | description | ms | % |", "|---:|---|---|---:|---:|"]
        md += ["| %d | %s | `%s` | %.3f | %.1f |" % (l["index"], l["type"], " ".join(l["desc"].split()), l["ms"], l["pct"])
               for l in t["top_layers"]]
        cg = n.get("callgrind")
        if cg:
            md += ["", "Callgrind, one forward pass: %s instructions (OpenBLAS kernel %s)." % (
                "{:,}".format(cg["total_ir"]), cg["openblas_kernel"]), "",
                "| where (exclusive) | instructions | % |", "|---|---:|---:|"]
            md += ["| %s | %s | %.1f |" % (c["category"], "{:,}".format(c["ir"]), c["pct"]) for c in cg["categories"]]
            md += ["", "| function (exclusive) | instructions | % |", "|---|---:|---:|"]
            md += ["| `%s` | %s | %.1f |" % (md_escape(r["function"]), "{:,}".format(r["ir"]), r["pct"]) for r in cg["top_exclusive"]]
            md += ["", "| function (inclusive) | instructions | % |", "|---|---:|---:|"]
            md += ["| `%s` | %s | %.1f |" % (md_escape(r["function"]), "{:,}".format(r["ir"]), r["pct"]) for r in cg["top_inclusive"]]
        md.append("")
    with open(os.path.join(outdir, "profile.md"), "w") as f:
        f.write("\n".join(md))
    print("profile: wrote %s/profile.md, profile.json, profile.csv" % outdir)


def main(argv):
    if len(argv) == 4 and argv[0] == "pin":
        pin(*argv[1:])
    elif len(argv) == 2 and argv[0] == "blas-core":
        blas_core(argv[1])
    elif len(argv) >= 8 and argv[0] == "report" and (len(argv) - 4) % 4 == 0:
        report(argv[1], argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
