#!/usr/bin/env python3
"""Classify and detect through libdarknet.so with ctypes, the way upstream Darknet's
python/darknet.py does: same C calls, same structures, no dependencies beyond Python 3.

    python3 examples/darknet.py classify cfg/imagenet1k.data cfg/tiny.cfg tiny.weights data/chelsea.png [-t N] [-method NAME]
    python3 examples/darknet.py detect cfg/coco.data cfg/yolov3-tiny.cfg yolov3-tiny.weights data/dog.jpg [-thresh T]

classify prints the `%5.2f%%: name` lines of `darknet classifier predict`. The library is
DARKNET_LIB if set, else the libdarknet.so of this checkout, else the system's. Failing
calls raise DarknetError with the library's message (darknet_last_error).
"""
import os
import sys
from ctypes import (CDLL, POINTER, RTLD_GLOBAL, Structure, c_char_p, c_float, c_int,
                    c_void_p, cast, pointer)


class BOX(Structure):
    _fields_ = [("x", c_float), ("y", c_float), ("w", c_float), ("h", c_float)]


class DETECTION(Structure):
    _fields_ = [("bbox", BOX),
                ("classes", c_int),
                ("prob", POINTER(c_float)),
                ("mask", POINTER(c_float)),
                ("objectness", c_float),
                ("sort_class", c_int)]


class IMAGE(Structure):
    _fields_ = [("w", c_int), ("h", c_int), ("c", c_int), ("data", POINTER(c_float))]


class METADATA(Structure):
    _fields_ = [("classes", c_int), ("names", POINTER(c_char_p))]


class DarknetError(RuntimeError):
    pass


def _find_library():
    if os.environ.get("DARKNET_LIB"):
        return os.environ["DARKNET_LIB"]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "libdarknet.so")
    return here if os.path.exists(here) else "libdarknet.so"


lib = CDLL(_find_library(), RTLD_GLOBAL)

lib.darknet_last_error.argtypes = []
lib.darknet_last_error.restype = c_char_p


def _check_ptr(result, func, args):
    """errcheck for calls that return NULL on failure."""
    if not result:
        raise DarknetError(lib.darknet_last_error().decode())
    return result


def _check_image(result, func, args):
    if not result.data:
        raise DarknetError(lib.darknet_last_error().decode())
    return result


def _check_ok(result, func, args):
    if result == 0:
        raise DarknetError(lib.darknet_last_error().decode())
    return result


def _proto(name, argtypes, restype=None, errcheck=None):
    f = getattr(lib, name)
    f.argtypes = argtypes
    f.restype = restype
    if errcheck:
        f.errcheck = errcheck
    return f


load_net = _proto("load_network", [c_char_p, c_char_p, c_int], c_void_p, _check_ptr)
free_network = _proto("free_network", [c_void_p])
network_width = _proto("network_width", [c_void_p], c_int)
network_height = _proto("network_height", [c_void_p], c_int)
network_outputs = _proto("darknet_network_outputs", [c_void_p], c_int)
set_batch_network = _proto("set_batch_network", [c_void_p, c_int])
predict = _proto("network_predict", [c_void_p, POINTER(c_float)], POINTER(c_float), _check_ptr)
predict_image = _proto("network_predict_image", [c_void_p, IMAGE], POINTER(c_float), _check_ptr)

load_image = _proto("load_image_color", [c_char_p, c_int, c_int], IMAGE, _check_image)
make_image = _proto("make_image", [c_int, c_int, c_int], IMAGE, _check_image)
letterbox_image = _proto("letterbox_image", [IMAGE, c_int, c_int], IMAGE, _check_image)
free_image = _proto("free_image", [IMAGE])

load_meta = _proto("get_metadata", [c_char_p], METADATA)
free_ptrs = _proto("free_ptrs", [POINTER(c_void_p), c_int])

get_network_boxes = _proto("get_network_boxes",
                           [c_void_p, c_int, c_int, c_float, c_float, POINTER(c_int), c_int,
                            POINTER(c_int)], POINTER(DETECTION), _check_ptr)
do_nms_sort = _proto("do_nms_sort", [POINTER(DETECTION), c_int, c_int, c_float])
do_nms_obj = _proto("do_nms_obj", [POINTER(DETECTION), c_int, c_int, c_float])
free_detections = _proto("free_detections", [POINTER(DETECTION), c_int])

conv_methods = _proto("darknet_conv_methods", [], c_char_p)
set_conv_method = _proto("darknet_set_conv_method", [c_void_p, c_char_p], c_int, _check_ok)
set_layer_conv_method = _proto("darknet_set_layer_conv_method", [c_void_p, c_int, c_char_p],
                               c_int, _check_ok)
layer_conv_method = _proto("darknet_layer_conv_method", [c_void_p, c_int], c_char_p)
set_threads = _proto("darknet_set_threads", [c_void_p, c_int], c_int, _check_ok)


def meta_names(meta):
    """The class names of a METADATA (its names array ends with NULL)."""
    names = []
    while meta.names and meta.names[len(names)] is not None:
        names.append(meta.names[len(names)].decode())
    return names


def classify(net, meta, im):
    """(name, probability) for every class, most probable first, as upstream's classify.
    Probabilities are the float32 outputs; ties keep the lower class index first."""
    out = predict_image(net, im)
    names = meta_names(meta)
    n = min(network_outputs(net), len(names))
    res = [(names[i], out[i]) for i in range(n)]
    return sorted(res, key=lambda r: -r[1])


def detect(net, meta, image, thresh=.5, hier_thresh=.5, nms=.45):
    """(name, probability, (x, y, w, h) in pixels) for every class of every box above
    thresh after per-class NMS, most probable first, as upstream's detect. A network
    without [yolo]/[region] layers finds nothing."""
    im = load_image(image.encode() if isinstance(image, str) else image, 0, 0)
    try:
        predict_image(net, im)
        num = c_int(0)
        dets = get_network_boxes(net, im.w, im.h, thresh, hier_thresh, None, 0, pointer(num))
        num = num.value
        try:
            if nms:
                do_nms_sort(dets, num, meta.classes, nms)
            names = meta_names(meta)
            res = []
            for j in range(num):
                d = dets[j]
                for i in range(min(d.classes, len(names))):
                    if d.prob[i] > 0:
                        res.append((names[i], d.prob[i], (d.bbox.x, d.bbox.y, d.bbox.w, d.bbox.h)))
            return sorted(res, key=lambda r: -r[1])
        finally:
            free_detections(dets, num)
    finally:
        free_image(im)


def _percent(p):
    # The CLI prints float(p * 100) computed in float32; do the same so the rounding agrees.
    return c_float(p * 100).value


def _take(args, flag, default):
    if flag in args:
        i = args.index(flag)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def main(argv):
    args = list(argv[1:])
    top = int(_take(args, "-t", "5"))
    method = _take(args, "-method", None)
    thresh = float(_take(args, "-thresh", ".5"))
    if len(args) != 5 or args[0] not in ("classify", "detect"):
        sys.stderr.write(__doc__)
        return 1
    cmd, data, cfg, weights, image = args
    meta = load_meta(data.encode())
    if not meta.names:
        raise DarknetError(data + ": no class names")
    net = load_net(cfg.encode(), weights.encode(), 0)
    try:
        set_batch_network(net, 1)
        if method:
            set_conv_method(net, method.encode())
        if cmd == "classify":
            im = load_image(image.encode(), 0, 0)
            try:
                for name, p in classify(net, meta, im)[:top]:
                    print("%5.2f%%: %s" % (_percent(p), name))
            finally:
                free_image(im)
        else:
            for name, p, (x, y, w, h) in detect(net, meta, image, thresh):
                print("%s: %.0f%% (x %.1f, y %.1f, w %.1f, h %.1f)" % (name, _percent(p), x, y, w, h))
    finally:
        free_network(net)
        free_ptrs(cast(meta.names, POINTER(c_void_p)), len(meta_names(meta)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except DarknetError as e:
        sys.stderr.write("darknet.py: %s\n" % e)
        sys.exit(1)
