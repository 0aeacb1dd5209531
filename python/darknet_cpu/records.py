"""The -jsonl records of `darknet classifier predict` and `darknet detector test`, made in
Python from a Network: the same keys, order, number formats and string escapes as the
command line writes (examples/cli/stream.cpp), so that a list run elsewhere (the Dask
engine, darknet_cpu.dask) gives the same lines. Only "time" differs from run to run."""
import time

from . import DarknetError, _Input

__all__ = ["json_string", "read_data", "read_names", "read_image_list", "record"]


def json_string(s):
    """A JSON string as the command line writes it: quote and backslash escaped, control
    characters as \\u00XX, everything else (UTF-8 included) as it is."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except IsADirectoryError:
        raise DarknetError(f"{path}: is a directory, not a file") from None
    except OSError:
        raise DarknetError(f"{path}: cannot open") from None
    return [line.rstrip(b"\r\n").decode("utf-8", "surrogateescape") for line in data.split(b"\n")][
        :-1 if data.endswith(b"\n") else None]


def read_data(path):
    """A .data file's key=value options (names=, labels=, top=, ...), as a dict."""
    opts = {}
    for line in _read_lines(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise DarknetError(f"{path}: expected key=value, got \"{line}\"")
        opts[key.strip()] = value.strip()
    return opts


def read_names(path):
    return _read_lines(path)


def read_image_list(path):
    """The non-empty lines of an image list; an error for an empty one, as the command line."""
    paths = [line for line in _read_lines(path) if line]
    if not paths:
        raise DarknetError(f"{path}: no image paths in the list")
    return paths


def _classify_body(net, image, top, names):
    res = net.classify(image, top=top)
    return '"top": [' + ", ".join(
        "{\"class\": %s, \"index\": %d, \"prob\": %.6f}" % (json_string(names[i]), i, p)
        for i, p in res) + "]"


def _detect_body(net, image, thresh, names):
    inp = _Input(image)
    try:
        w, h = inp.im.w, inp.im.h
        dets = net._detect_input(inp, thresh, .45)
    finally:
        inp.close()
    return "\"width\": %d, \"height\": %d, \"detections\": [" % (w, h) + ", ".join(
        "{\"class\": %s, \"class_index\": %d, \"prob\": %.6f, \"left\": %d, \"top\": %d, \"right\": %d, \"bottom\": %d}"
        % (json_string(names[d["class_index"]]), d["class_index"], d["prob"], d["left"], d["top"], d["right"], d["bottom"])
        for d in dets) + "]"


def default_thresh(net):
    """detector test's threshold without -thresh: pjreddie's .5, AlexeyAB's .25."""
    return .25 if net.dialect == "alexeyab" else .5


def record(net, kind, index, path, names, top=1, thresh=None):
    """One -jsonl line (without its newline) for image `path`, list position `index`:
    kind "classify" (classifier predict's record, the `top` most probable classes) or
    "detect" (detector test's, boxes above `thresh`, None: the dialect's default). A bad image gives the error record;
    the second value is its message, None on success."""
    head = "{\"index\": %d, \"path\": %s, " % (index, json_string(path))
    t0 = time.perf_counter()
    try:
        if kind == "classify":
            body = _classify_body(net, path, top, names)
        else:
            body = _detect_body(net, path, default_thresh(net) if thresh is None else thresh, names)
    except DarknetError as e:
        return head[:-2] + ", \"error\": %s}" % json_string(str(e)), str(e)
    return head + body + ", \"time\": %.6f}" % (time.perf_counter() - t0), None
