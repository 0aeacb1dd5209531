#!/usr/bin/env python3
"""Turns `darknet bench -json` output into the tables and gnuplot data of make bench and
make bench-peers. Standard library only.

  bench_report.py table OUT_DIR TMP_DIR NET.json...   Table 1 (md, csv, json), per-layer
                                                     tables, gnuplot .dat files in TMP_DIR
  bench_report.py peers OUT_DIR TMP_DIR MANIFEST [H2H] peers table (md, csv, json), .dat;
                                                       H2H: the head-to-head rounds (bench.sh)
  bench_report.py machine NET.json                    one line on the machine, for charts
"""
import csv
import json
import statistics
import math
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAPER_CSV = os.path.join(HERE, "..", "bench", "paper_table1.csv")
NAMES = {"tiny": "Tiny-Darknet", "squeezenet": "SqueezeNet", "yolov3-tiny": "YOLOv3-tiny",
         "yolov4-tiny": "YOLOv4-tiny", "yolov7-tiny": "YOLOv7-tiny"}
METHOD_NAMES = {"mcmk": "MCMK", "im2col": "Im2col", "im2row": "Im2row", "1x1": "1x1", "winograd": "Winograd", "winograd4": "Winograd F(4x4)",
                "direct": "direct", "packed": "packed", "auto": "auto"}


def net_key(cfg):
    return os.path.splitext(os.path.basename(cfg))[0]


def net_name(key):
    return NAMES.get(key, key)


def fmt(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


def read_load(tmp):
    """Load averages written by bench.sh before and after the runs ("" when absent)."""
    out = {}
    for when in ("start", "end"):
        try:
            with open(os.path.join(tmp, f"load-{when}")) as f:
                out[when] = f.read().split()[0]
        except OSError:
            out[when] = ""
    return out


def machine_line(b):
    return (f"**Machine:** {b['cpu']}, {b['cores']} cores, {b['threads']} threads; "
            f"BLAS: {b['blas']}; build: `{b['build'].strip()}`")


def read_paper():
    rows = []
    with open(PAPER_CSV) as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            rows.append({"network": r["network"], "machine": r["machine"], "method": r["method"],
                         "ms": float(r["ms"])})
    return rows


def conv_label(layer):
    """Short x-axis label for a conv layer: index, kernel/stride, output channels."""
    m = re.match(r"conv\s+(\d+)\s+(\d+) x (\d+) / (\d+)", layer["desc"])
    if not m:
        return str(layer["index"])
    return f"{layer['index']}:{m.group(2)}x{m.group(3)}/{m.group(4)},{m.group(1)}"


def write_dat(path, header, rows):
    with open(path, "w") as f:
        f.write("\t".join('"%s"' % h for h in header) + "\n")  # gnuplot's columnheader
        for r in rows:
            f.write("\t".join('"%s"' % c if isinstance(c, str) else ("?" if c is None else f"{c:.6g}")
                              for c in r) + "\n")


def table(out, tmp, paths):
    paper = read_paper()
    machines = []
    for r in paper:
        if r["machine"] not in machines:
            machines.append(r["machine"])
    load = read_load(tmp)
    benches = []
    for p in paths:
        with open(p) as f:
            benches.append(json.load(f))
    first = benches[0]

    summary = {"machine": {k: first[k] for k in ("cpu", "cores", "threads", "blas", "build")},
               "load_average": load, "timing": None, "networks": [], "paper": paper}
    csv_rows = [["network", "source", "machine", "method", "median_ms", "min_ms", "max_ms",
                 "speedup_vs_mcmk", "iters", "warmup", "threads"]]
    md = ["# Table 1 on this machine", "",
          "Park & Chung, *Performance Comparison of Acceleration Methods for Efficient Deep Learning "
          "Inference on CPUs*, Table 1, measured here with `make bench` beside the published figures. "
          "Times are milliseconds per image (batch 1); speed-up is MCMK time / method time.", "",
          machine_line(first), ""]
    weights = (f"seeded random weights ({first['weights']})" if first["weights"].startswith("seed")
               else f"weights {first['weights']}")
    timing = (f"Timing: `darknet bench`, median of {first['iters']} timed forward passes after "
              f"{first['warmup']} warm-up passes, every method with the same count, one process per network, "
              f"{weights}. "
              f"Load average {load['start'] or '?'} before and {load['end'] or '?'} after: the machine is shared "
              f"with other jobs, so the times are noisy; min and max show the spread.")
    summary["timing"] = timing
    md += [timing, ""]
    md += ["| Network | Method | ours median ms | ours min–max ms | ours speed-up | "
           + " | ".join(f"paper {m} ms | speed-up" for m in machines) + " |",
           "|---|---|---:|---:|---:|" + "---:|---:|" * len(machines)]
    for b in benches:
        key = net_key(b["cfg"])
        ms = {m["method"]: m for m in b["methods"] if not m["wrong"]}
        base = ms.get("mcmk", {}).get("median_ms")
        net = {"network": key, "name": net_name(key), "cfg": b["cfg"], "gflop": b["gflop"], "methods": []}
        dat = []
        for m in b["methods"]:
            name = m["method"]
            ok = not m["wrong"]
            med = m["median_ms"] if ok else None
            sp = base / med if ok and base and med else None
            pap = [next((r["ms"] for r in paper if r["network"] == key and r["machine"] == mach
                         and r["method"] == name), None) for mach in machines]
            pbase = [next((r["ms"] for r in paper if r["network"] == key and r["machine"] == mach
                           and r["method"] == "mcmk"), None) for mach in machines]
            psp = [pb / p if p and pb else None for p, pb in zip(pap, pbase)]
            net["methods"].append({"method": name, "wrong": m["wrong"], "median_ms": med,
                                   "min_ms": m["min_ms"] if ok else None, "max_ms": m["max_ms"] if ok else None,
                                   "speedup_vs_mcmk": sp, "max_abs_diff": m["max_abs_diff"],
                                   "paper": [{"machine": mach, "ms": p, "speedup_vs_mcmk": s}
                                             for mach, p, s in zip(machines, pap, psp)]})
            cells = " | ".join(f"{fmt(p)} | {fmt(s)}" for p, s in zip(pap, psp))
            shown = f"{fmt(med)}" if ok else f"WRONG (differs by {m['max_abs_diff']:g})"
            spread = f"{fmt(m['min_ms'])}–{fmt(m['max_ms'])}" if ok else ""
            md.append(f"| {net_name(key)} | {METHOD_NAMES.get(name, name)} | {shown} | {spread} | {fmt(sp)} | {cells} |")
            csv_rows.append([key, "ours", first["cpu"], name, fmt(med, 3), fmt(m["min_ms"] if ok else None, 3),
                             fmt(m["max_ms"] if ok else None, 3), fmt(sp, 3), b["iters"], b["warmup"], b["threads"]])
            for mach, p, s in zip(machines, pap, psp):
                if p is not None:
                    csv_rows.append([key, "paper", mach, name, fmt(p, 2), "", "", fmt(s, 3), "", "", ""])
            dat.append([METHOD_NAMES.get(name, name), med] + pap)
        write_dat(os.path.join(tmp, f"table1-{key}.dat"), ["method", "ours"] + machines, dat)
        summary["networks"].append(net)
    wrong = any(m["wrong"] for b in benches for m in b["methods"])
    md += ["", ("Some outputs differ: see WRONG above. " if wrong else "Outputs of all methods agree. ")
           + "Max abs diff vs the first method: "
           + "; ".join(f"{net_name(net_key(b['cfg']))} "
                       + ", ".join(f"{m['method']} {m['max_abs_diff']:.3g}" for m in b["methods"][1:])
                       for b in benches) + ".", ""]
    md += [f"![{net_name(net_key(b['cfg']))}: time per method](table1-{net_key(b['cfg'])}.png)" for b in benches]

    # Per-layer tables: the mean time of each layer over the timed runs.
    layer_csv = [["network", "index", "kind", "desc", "method", "ms"]]
    for b in benches:
        key = net_key(b["cfg"])
        ok = [m for m in b["methods"] if not m["wrong"] and m["layers"]]
        if not ok:
            continue
        md += ["", f"## {net_name(key)} per layer", "", machine_line(b), "",
               f"Mean time of each layer over the {b['iters']} timed runs above ({b['cfg']}, "
               f"{b['gflop']:.3f} GFLOP per image). Only convolutions change with the method; the other "
               f"layers differ by noise.", "",
               "| # | layer | " + " | ".join(f"{METHOD_NAMES.get(m['method'], m['method'])} ms" for m in ok)
               + " | fastest |",
               "|---:|---|" + "---:|" * len(ok) + "---|"]
        dat = []
        for i, layer in enumerate(ok[0]["layers"]):
            times = [m["layers"][i]["ms"] for m in ok]
            fastest = ""
            if layer["kind"] == "conv":
                fastest = METHOD_NAMES.get(ok[times.index(min(times))]["method"], "")
                dat.append([conv_label(layer)] + times)
            desc = re.sub(r"\s+", " ", layer["desc"]).strip()
            md.append(f"| {i} | `{desc}` | " + " | ".join(f"{t:.3f}" for t in times) + f" | {fastest} |")
            for m in ok:
                layer_csv.append([key, i, layer["kind"], desc, m["method"], f"{m['layers'][i]['ms']:.4f}"])
        sums = [sum(l["ms"] for l in m["layers"]) for m in ok]
        md.append("| | **sum** | " + " | ".join(f"**{s:.2f}**" for s in sums) + " | |")
        md += ["", f"![{net_name(key)}: time per conv layer and method](layers-{key}.png)"]
        write_dat(os.path.join(tmp, f"layers-{key}.dat"), ["layer"] + [m["method"] for m in ok], dat)

    with open(os.path.join(out, "table1.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out, "table1.csv"), "w", newline="") as f:
        csv.writer(f).writerows(csv_rows)
    with open(os.path.join(out, "layers.csv"), "w", newline="") as f:
        csv.writer(f).writerows(layer_csv)
    with open(os.path.join(out, "table1.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


def read_floats(path):
    try:
        with open(path, "rb") as f:
            b = f.read()
    except OSError:
        return None
    return struct.unpack(f"{len(b) // 4}f", b[: len(b) // 4 * 4])


HOW = {
    "ours": "`darknet bench`: per method a freshly loaded network, warm-up passes, then steady_clock around "
            "each Network::forward; OpenMP and OpenBLAS use the given thread count",
    "opencv": "bench/peers/opencv_dnn_bench: cv::dnn::readNetFromDarknet, DNN_BACKEND_OPENCV / DNN_TARGET_CPU, "
              "cv::setNumThreads(threads), the same input packed by blobFromImage; steady_clock around "
              "setInput + forward()",
    "onednn": "bench/peers/onednn_bench: the cfg and weights read by the program itself and built from oneDNN "
              "primitives (C++ API): convolution_forward with format_tag::any for src, weights and dst (oneDNN "
              "picks its blocked layouts), bias and the activation as an eltwise post-op, batch norm folded into "
              "the weights at load; pooling_forward for maxpool (Darknet's padding) and the global avgpool, concat "
              "for route (AlexeyAB's groups/group_id: a reorder of the channel slice), resampling_forward (nearest) "
              "for upsample, softmax_forward; batch norm folded as the cfg's dialect folds it; weights reordered once "
              "at load; steady_clock around each full forward pass, which includes the input reorder into the first "
              "layer's layout, the reorder of the final output to plain NCHW and, for the YOLO networks, the last "
              "yolo layer (logistic, AlexeyAB's new_coords and scale_x_y; the other heads are timed to their "
              "convolutions); omp_set_num_threads(threads) before any primitive is created",
    "ncnn": "bench/peers/ncnn_bench: the .param/.bin pair ncnn's darknet2ncnn makes from the same cfg and "
            "weights ([softmax], which it leaves without a type, named Softmax); ncnn::Net with ncnn's default "
            "options but fp16 (packed, storage, arithmetic) and bf16 storage off (fp32 throughout), no Vulkan, "
            "opt.num_threads = threads; steady_clock around a fresh Extractor, input() and extract() of the "
            "outputs: for the YOLO networks the head convolutions (after their activation; darknet2ncnn's "
            "Yolov3DetectionOutput layer, box decoding and NMS, is not run), the last yolo layer applied after "
            "timing for the output check",
    "upstream": "bench/peers/upstream_bench: upstream's libdarknet.so (Debian package `darknet`), "
                "load_network + set_batch_network(net, 1), CLOCK_MONOTONIC around network_predict; "
                "upstream's CPU build is single-threaded (no OpenMP, its own gemm, no BLAS)",
}
ENGINE_NAMES = {"ours": "ours", "opencv": "OpenCV DNN", "onednn": "oneDNN", "ncnn": "ncnn",
                "upstream": "upstream Darknet"}
ENGINE_LIBS = {"opencv": "OpenCV", "onednn": "oneDNN", "ncnn": "ncnn"}  # "(OpenCV 4.6.0)" after the name in "How each was timed"
PEER_DETAILS = ("runtime", "isa", "omp_threads", "conv_impls", "primitives")  # extra JSON keys kept per row


def read_h2h(manifest):
    """The head-to-head rounds (bench.sh h2h): per (network, threads), per engine, the timed
    passes of each round; returns rows with pooled medians and per-round ratios to ours."""
    if not manifest or not os.path.exists(manifest):
        return []
    runs = {}  # (net, threads) -> engine -> round -> [ms]
    with open(manifest) as f:
        for line in f:
            if not line.strip():
                continue
            net, engine, threads, rnd, jpath = line.rstrip("\n").split("\t")
            with open(jpath) as jf:
                j = json.load(jf)
            ms = j["methods"][0]["ms"] if engine == "ours" else j["ms"]
            runs.setdefault((net, int(threads)), {}).setdefault(engine, {})[int(rnd)] = ms
    out = []
    for (net, threads), engines in runs.items():
        ours = engines.get("ours", {})
        for engine, rounds in engines.items():
            pooled = [x for r in sorted(rounds) for x in rounds[r]]
            per_round = [statistics.median(rounds[r]) / statistics.median(ours[r])
                         for r in sorted(rounds) if r in ours and engine != "ours"]
            out.append({"network": net, "threads": threads, "engine": engine, "rounds": len(rounds),
                        "passes": len(pooled), "median_ms": statistics.median(pooled), "min_ms": min(pooled),
                        "round_medians_ms": [statistics.median(rounds[r]) for r in sorted(rounds)],
                        "ratio_to_ours_median_of_rounds": statistics.median(per_round) if per_round else None})
    return out


def peers(out, tmp, manifest, h2h_manifest=None):
    rows = []  # one per (network, engine, method, threads)
    with open(manifest) as f:
        for line in f:
            if not line.strip():
                continue
            net, engine, threads, status, jpath, opath = line.rstrip("\n").split("\t")
            base = {"network": net, "engine": engine, "threads": int(threads), "status": status,
                    "output": opath}
            if status != "ok":
                rows.append(dict(base, method="", median_ms=None, min_ms=None, max_ms=None))
                continue
            with open(jpath) as jf:
                j = json.load(jf)
            if engine == "ours":
                for k, m in enumerate(j["methods"]):
                    rows.append(dict(base, method=m["method"], median_ms=None if m["wrong"] else m["median_ms"],
                                     min_ms=m["min_ms"], max_ms=m["max_ms"], iters=j["iters"],
                                     warmup=j["warmup"], status="ok" if not m["wrong"] else "wrong output",
                                     output=opath if k == 0 else "", bench=j))
            else:
                rows.append(dict(base, method="", median_ms=j["median_ms"], min_ms=j["min_ms"],
                                 max_ms=j["max_ms"], iters=j["iters"], warmup=j["warmup"],
                                 version=j.get("version", ""), **{k: j[k] for k in PEER_DETAILS if k in j}))
    ours_any = next((r for r in rows if r["engine"] == "ours" and "bench" in r), None)
    if ours_any is None:
        sys.exit("bench_report: no result from darknet bench in " + manifest)
    b = ours_any["bench"]
    top_threads = max(r["threads"] for r in rows if r["engine"] == "ours")
    load = read_load(tmp)
    nets = []
    for r in rows:
        if r["network"] not in nets:
            nets.append(r["network"])

    def ours_best(net, threads):
        t = [r["median_ms"] for r in rows if r["network"] == net and r["engine"] == "ours"
             and r["threads"] == threads and r["median_ms"]]
        return min(t) if t else None

    def ours_auto(net, threads):
        return next((r["median_ms"] for r in rows if r["network"] == net and r["engine"] == "ours"
                     and r["method"] == "auto" and r["threads"] == threads and r["median_ms"]), None)

    ref_methods = {}
    for net in nets:
        ref_row = next(r for r in rows if r["network"] == net and r["engine"] == "ours" and r["output"])
        ref_methods[net] = (ref_row["method"], ref_row["threads"])
        ref = read_floats(ref_row["output"])
        for r in rows:
            if r["network"] != net:
                continue
            best_same, best_top = ours_best(net, r["threads"]), ours_best(net, top_threads)
            auto_same = ours_auto(net, r["threads"])
            r["ratio_to_auto"] = r["median_ms"] / auto_same if r["median_ms"] and auto_same else None
            r["ratio_same_threads"] = r["median_ms"] / best_same if r["median_ms"] and best_same else None
            r["ratio_top_threads"] = r["median_ms"] / best_top if r["median_ms"] and best_top else None
            r["max_abs_diff"] = None
            if r["engine"] != "ours" and r["status"] == "ok":
                x = read_floats(r["output"])
                if ref and x and len(x) == len(ref):
                    r["max_abs_diff"] = max(abs(a - c) for a, c in zip(x, ref))
                    r["top1_agrees"] = max(range(len(x)), key=x.__getitem__) == max(range(len(ref)), key=ref.__getitem__)
                    # A peer timed on another network is worthless: beyond float rounding
                    # (observed up to 3e-4 on outputs of magnitude 3, from the batch-norm
                    # epsilons of OpenCV and the two dialects), its time is not reported.
                    tol = 1e-3 * max(1.0, max(abs(c) for c in ref))
                    if not r["max_abs_diff"] <= tol:
                        r["status"] = f"wrong output (max abs diff {r['max_abs_diff']:.2g})"
                        r["median_ms"] = None
                else:
                    r["status"] = "output size differs" if x and ref else r["status"]
            if r["engine"] == "ours":
                r["max_abs_diff"] = next((m["max_abs_diff"] for m in r.get("bench", {}).get("methods", [])
                                          if m["method"] == r["method"]), None)

    def label(r):
        name = ENGINE_NAMES.get(r["engine"], r["engine"])
        if r["method"]:
            name += " " + METHOD_NAMES.get(r["method"], r["method"])
        return name

    def ref_text(net):
        m, t = ref_methods[net]
        return f"{net_name(net)}: {METHOD_NAMES.get(m, m)} at {t}t"

    md = ["# Peers: the same networks on other engines", "",
          "`make bench-peers`: " + ", ".join(net_name(n) for n in nets[:-1]) + f" and {net_name(nets[-1])} "
          "with the same seeded weights file "
          "(`darknet init CFG W -seed 1`) and the same input, in one run, on our engine (every conv "
          "method), OpenCV's DNN module, oneDNN, ncnn and upstream Darknet. Times are milliseconds per image (batch 1).", "",
          machine_line(b), "",
          f"Timing: median of {b['iters']} timed passes after {b['warmup']} warm-up passes for every engine. "
          f"Load average {load['start'] or '?'} before and {load['end'] or '?'} after: the machine is shared "
          f"with other jobs, so the times are noisy.", "",
          f"*× ours auto* divides by our `auto` plan at the row's thread count; *× ours best* by our fastest "
          f"method at the row's thread count; *× ours best ({top_threads}t)* by our fastest at {top_threads} "
          f"threads. *max |diff|* compares each output with ours (our first method at {top_threads} threads: "
          + "; ".join(ref_text(n) for n in nets) + "; for our other rows, the first method at their thread count); "
          f"it shows every engine computed the same network.", ""]
    no_mcmk = [n for n in nets if not any(r["network"] == n and r["engine"] == "ours" and r["method"] == "mcmk"
                                          for r in rows)]
    if no_mcmk:
        md += [f"Our MCMK was not run on {', '.join(net_name(n) for n in no_mcmk)}: it takes seconds per pass "
               f"there, over a minute for the warm-up and timed passes (`PEER_MCMK_YOLO=1` in scripts/bench.sh "
               f"runs it).", ""]

    # Summary: ours auto beside each peer, per network and thread count.
    peer_engines = [e for e in ("opencv", "onednn", "ncnn", "upstream") if any(r["engine"] == e for r in rows)]
    thread_list = sorted({r["threads"] for r in rows}, reverse=True)
    md += ["## Summary: median ms (× ours auto)", "",
           "| network | threads | ours auto | " + " | ".join(ENGINE_NAMES[e] for e in peer_engines) + " |",
           "|---|---:|---:|" + "---:|" * len(peer_engines)]
    for net in nets:
        for t in thread_list:
            cells = []
            for e in peer_engines:
                r = next((x for x in rows if x["network"] == net and x["engine"] == e and x["threads"] == t), None)
                if r is None:
                    cells.append("")
                elif r["status"] != "ok":
                    cells.append(r["status"])
                else:
                    cells.append(f"{fmt(r['median_ms'])} ({fmt(r['ratio_to_auto'])})")
            if all(c == "" for c in cells) and ours_auto(net, t) is None:
                continue
            md.append(f"| {net_name(net)} | {t} | {fmt(ours_auto(net, t))} | " + " | ".join(cells) + " |")
    md.append("")

    # Head-to-head: the engines taking turns (bench.sh h2h), so drifts of the shared machine
    # hit all of them alike.
    h2h = read_h2h(h2h_manifest)
    if h2h:
        h_rounds = max(r["rounds"] for r in h2h)
        md += ["## Head to head: engines taking turns", "",
               f"The tables above time each engine in one block, one after another; on this shared machine "
               f"the speed of every engine drifts by up to 2x over minutes. Here ours (`auto`), OpenCV, "
               f"oneDNN and ncnn take turns in {h_rounds} rounds (each turn: 2 warm-up passes, then "
               f"{max(r['passes'] for r in h2h) // h_rounds} timed passes). *median ms* pools every timed pass "
               f"of an engine; *÷ ours* is the median over rounds of (engine's median ÷ ours in the same round): "
               f"above 1, ours is faster; ours is within 1.3x of an engine when its ÷ ours is at least 0.77.", "",
               "| network | threads | ours auto ms | OpenCV DNN ms (÷ ours) | oneDNN ms (÷ ours) | ncnn ms (÷ ours) "
               "| rounds: ours / oneDNN median ms |",
               "|---|---:|---:|---:|---:|---:|---|"]
        for net in nets:
            for t in thread_list:
                cell = {r["engine"]: r for r in h2h if r["network"] == net and r["threads"] == t}
                if "ours" not in cell:
                    continue
                def c(e):
                    r = cell.get(e)
                    main = next((x for x in rows if x["network"] == net and x["engine"] == e and x["threads"] == t), None)
                    if main and main["status"] != "ok":
                        return main["status"]
                    return f"{fmt(r['median_ms'])} ({fmt(r['ratio_to_ours_median_of_rounds'])})" if r else "not run"
                rounds_txt = ""
                if "onednn" in cell:
                    rounds_txt = ", ".join(f"{fmt(a)} / {fmt(b_)}" for a, b_ in
                                           zip(cell["ours"]["round_medians_ms"], cell["onednn"]["round_medians_ms"]))
                md.append(f"| {net_name(net)} | {t} | {fmt(cell['ours']['median_ms'])} | {c('opencv')} | "
                          f"{c('onednn')} | {c('ncnn')} | {rounds_txt} |")
        md.append("")

    csv_rows = [["network", "engine", "method", "threads", "status", "median_ms", "min_ms", "max_ms",
                 "ratio_to_ours_auto_same_threads", "ratio_to_ours_best_same_threads",
                 f"ratio_to_ours_best_{top_threads}_threads", "max_abs_diff"]]
    for net in nets:
        md += [f"## {net_name(net)}", "",
               f"| engine | threads | median ms | min–max ms | × ours auto | × ours best | "
               f"× ours best ({top_threads}t) | max \\|diff\\| |",
               "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            if r["network"] != net:
                continue
            if r["status"] != "ok":
                md.append(f"| {label(r)} | {r['threads']} | {r['status']} | | | | | |")
            else:
                md.append(f"| {label(r)} | {r['threads']} | {fmt(r['median_ms'])} | "
                          f"{fmt(r['min_ms'])}–{fmt(r['max_ms'])} | {fmt(r['ratio_to_auto'])} | "
                          f"{fmt(r['ratio_same_threads'])} | {fmt(r['ratio_top_threads'])} | "
                          f"{'' if r['max_abs_diff'] is None else format(r['max_abs_diff'], '.2g')} |")
            csv_rows.append([net, r["engine"], r["method"], r["threads"], r["status"], fmt(r["median_ms"], 3),
                             fmt(r["min_ms"], 3), fmt(r["max_ms"], 3), fmt(r["ratio_to_auto"], 3),
                             fmt(r["ratio_same_threads"], 3), fmt(r["ratio_top_threads"], 3),
                             "" if r["max_abs_diff"] is None else f"{r['max_abs_diff']:.3g}"])
        md.append("")
    md += ["## How each was timed", ""]
    engines = []
    for r in rows:
        if r["engine"] not in engines:
            engines.append(r["engine"])
    versions = {r["engine"]: r.get("version") for r in rows if r.get("version")}
    how = {}
    for e in engines:
        text = HOW.get(e, "")
        done = [r for r in rows if r["engine"] == e and r["status"] == "ok"]
        if e == "onednn" and done:
            # What oneDNN ran: its CPU runtime, the ISA it detected, and the convolution
            # implementations it picked (impl_info_str) per network and thread count.
            text += (f". CPU runtime {done[0].get('runtime', '?')}, ISA {done[0].get('isa', '?')}; "
                     "convolution implementations: ")
            impls = []
            for net in nets:
                per_t = [(r["threads"], ", ".join(f"{k} ×{v}" for k, v in (r.get("conv_impls") or {}).items()))
                         for r in done if r["network"] == net]
                if len({c for _, c in per_t}) == 1:  # the same at every thread count
                    impls.append(f"{net_name(net)}: {per_t[0][1]}")
                else:
                    impls += [f"{net_name(net)} {t}t: {c}" for t, c in per_t]
            text += "; ".join(impls) + ". The full per-primitive list is in peers.json (`primitives`)"
        if e == "ncnn" and done:
            text += f". ISA ncnn detected at run time: {done[0].get('isa', '?')}"
        how[e] = text
        v = f" ({ENGINE_LIBS.get(e, e)} {versions[e]})" if e in versions else ""
        md.append(f"- **{ENGINE_NAMES.get(e, e)}**{v}: {text}.")
    md += ["", "![time per engine](peers.png)"]

    # Chart data: one row per engine/method/threads, one column per network.
    keys = []
    for r in rows:
        k = (r["engine"], r["method"], r["threads"])
        if k not in keys:
            keys.append(k)
    dat = []
    for k in keys:
        cells = []
        for net in nets:
            r = next((x for x in rows if x["network"] == net and (x["engine"], x["method"], x["threads"]) == k), None)
            cells.append(r["median_ms"] if r and r["status"] == "ok" else None)
        if any(c is not None for c in cells):
            dat.append([f"{label({'engine': k[0], 'method': k[1]})} ({k[2]}t)"] + cells)
    write_dat(os.path.join(tmp, "peers.dat"), ["engine"] + [net_name(n) for n in nets], dat)

    clean = [{k: v for k, v in r.items() if k not in ("bench", "output")} for r in rows]
    summary = {"machine": {k: b[k] for k in ("cpu", "cores", "threads", "blas", "build")},
               "load_average": load, "iters": b["iters"], "warmup": b["warmup"], "weights": "darknet init -seed 1",
               "how": how, "rows": clean, "head_to_head": h2h}
    for r in clean:
        for k, v in list(r.items()):
            if isinstance(v, float) and not math.isfinite(v):
                r[k] = None
    with open(os.path.join(out, "peers.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out, "peers.csv"), "w", newline="") as f:
        csv.writer(f).writerows(csv_rows)
    with open(os.path.join(out, "peers.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


def machine_short(path):
    with open(path) as f:
        b = json.load(f)
    core = b["blas"].rsplit("core ", 1)[-1].rstrip(")")
    print(f"{b['cpu']}, {b['cores']} cores, {b['threads']} threads, OpenBLAS core {core}")


def main(argv):
    if len(argv) == 3 and argv[1] == "machine":
        machine_short(argv[2])
    elif len(argv) >= 5 and argv[1] == "table":
        table(argv[2], argv[3], argv[4:])
    elif len(argv) in (5, 6) and argv[1] == "peers":
        peers(argv[2], argv[3], argv[4], argv[5] if len(argv) == 6 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
