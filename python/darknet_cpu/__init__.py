"""Darknet models from Python through libdarknet.so (darknet-cpu's C API), with ctypes.

    import darknet_cpu
    net = darknet_cpu.Network("cfg/yolov3-tiny.cfg", "yolov3-tiny.weights",
                              names="data/coco.names", method="winograd", threads=2)
    net.detect("photo.png")          # or an HxWx3 (or HxW, HxWx4) uint8 numpy array
    net.classify(array, top=5)

Results are plain Python: classify gives [(name, probability), ...], most probable first;
detect gives one dict per box and class above the threshold, in the order `darknet
detector test` prints them, with the box in pixels. ctypes releases the GIL during every
library call, so threads running different networks run in parallel. The library is
DARKNET_LIB if set, else libdarknet.so beside this package, else the one `make install`
installed with it, else the system's. Failing
calls raise DarknetError with the library's message.
"""
import ctypes
import os
from ctypes import POINTER, Structure, c_char_p, c_float, c_int, c_void_p

import numpy as np

__all__ = ["Network", "DarknetError", "conv_methods"]


class DarknetError(RuntimeError):
    """A failing library call; the message is the library's (file, line and problem)."""


class _Box(Structure):
    _fields_ = [("x", c_float), ("y", c_float), ("w", c_float), ("h", c_float)]


class _Detection(Structure):
    _fields_ = [("bbox", _Box), ("classes", c_int), ("prob", POINTER(c_float)),
                ("mask", POINTER(c_float)), ("objectness", c_float), ("sort_class", c_int)]


class _Image(Structure):
    _fields_ = [("w", c_int), ("h", c_int), ("c", c_int), ("data", POINTER(c_float))]


def _library_path():
    if os.environ.get("DARKNET_LIB"):
        return os.environ["DARKNET_LIB"]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libdarknet.so")
    if os.path.exists(here):
        return here
    try:  # `make install` names the library it installed beside this package
        from ._installed import LIBRARY
        if os.path.exists(LIBRARY):
            return LIBRARY
    except ImportError:
        pass
    return "libdarknet.so"


_lib = None


def _library():
    """libdarknet.so, loaded at the first call (so that importing the package, and a
    command built on it, can say in one line that the library is missing)."""
    global _lib
    if _lib is None:
        path = _library_path()
        try:
            lib = ctypes.CDLL(path)  # CDLL, not PyDLL: the GIL is released in each call
        except OSError as e:
            raise DarknetError(f"{path}: cannot load libdarknet.so ({e}); set DARKNET_LIB to its "
                               "path, or make install") from None
        lib.darknet_last_error.restype = c_char_p
        _lib = lib
    return _lib


def _error():
    return DarknetError(_library().darknet_last_error().decode())


def _fn(name, argtypes, restype=None):
    """The library function `name`, typed, bound at its first call."""
    bound = []

    def call(*args):
        if not bound:
            f = getattr(_library(), name)
            f.argtypes, f.restype = argtypes, restype
            bound.append(f)
        return bound[0](*args)
    call.__name__ = name
    return call


_load_network = _fn("load_network", [c_char_p, c_char_p, c_int], c_void_p)
_free_network = _fn("free_network", [c_void_p])
_width = _fn("network_width", [c_void_p], c_int)
_height = _fn("network_height", [c_void_p], c_int)
_channels = _fn("darknet_network_channels", [c_void_p], c_int)
_outputs = _fn("darknet_network_outputs", [c_void_p], c_int)
_classes = _fn("darknet_network_classes", [c_void_p], c_int)
_load_image = _fn("load_image_color", [c_char_p, c_int, c_int], _Image)
_free_image = _fn("free_image", [_Image])
_classify = _fn("darknet_classify", [c_void_p, _Image], POINTER(c_float))
_detect = _fn("darknet_detect", [c_void_p, _Image, c_float, c_float, c_float, POINTER(c_int)],
              POINTER(_Detection))
_dialect = _fn("darknet_network_dialect", [c_void_p], c_char_p)
_free_detections = _fn("free_detections", [POINTER(_Detection), c_int])
_conv_methods = _fn("darknet_conv_methods", [], c_char_p)
_set_method = _fn("darknet_set_conv_method", [c_void_p, c_char_p], c_int)
_set_threads = _fn("darknet_set_threads", [c_void_p, c_int], c_int)
_set_log_level = _fn("darknet_set_log_level", [c_int])


def conv_methods():
    """The convolution methods this build has, e.g. ["direct", "winograd", ...]."""
    return [m.strip() for m in _conv_methods().decode().split(",") if m.strip()]


def _read_names(names):
    if names is None:
        return None
    if isinstance(names, (str, os.PathLike)):
        with open(names) as f:
            return [line.rstrip("\r\n") for line in f if line.rstrip("\r\n")]
    return [str(n) for n in names]


class _Input:
    """An image as the library holds it (planar float RGB in [0, 1]), from a path or from
    an HxW, HxWx1, HxWx3 or HxWx4 uint8 array (grey replicated, alpha dropped, as files)."""

    def __init__(self, image):
        self._keep = None
        if isinstance(image, (str, os.PathLike)):
            self.im = _load_image(os.fsencode(image), 0, 0)
            if not self.im.data:
                raise _error()
            self._owned = True
            return
        a = np.asarray(image)
        if a.dtype != np.uint8:
            raise ValueError(f"image: expected a uint8 array, got {a.dtype}")
        if a.ndim == 2:
            a = a[:, :, None]
        if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or a.shape[0] < 1 or a.shape[1] < 1:
            raise ValueError(f"image: expected HxW, HxWx1, HxWx3 or HxWx4, got shape {a.shape}")
        if a.shape[2] == 1:
            a = np.repeat(a, 3, axis=2)
        a = a[:, :, :3]
        chw = np.ascontiguousarray(a.transpose(2, 0, 1), dtype=np.float32) / np.float32(255)
        self._keep = chw
        self.im = _Image(a.shape[1], a.shape[0], 3, chw.ctypes.data_as(POINTER(c_float)))
        self._owned = False

    def close(self):
        if self._owned:
            _free_image(self.im)
            self._owned = False


class Network:
    """A network loaded from a Darknet .cfg and .weights (None: seeded random weights).

    method: a convolution method name (see conv_methods(), or "auto"); threads: how many
    threads forward uses (default: all cores); names: a names file or a list of class
    names for the results (default: class indices); quiet: no layer table on stderr.
    One Network is not to be used from two threads at once; make one per thread."""

    def __init__(self, cfg, weights=None, method=None, threads=None, names=None, quiet=True):
        _set_log_level(1 if quiet else 2)
        self._net = _load_network(os.fsencode(cfg), os.fsencode(weights) if weights else None, 0)
        if not self._net:
            raise _error()
        try:
            if method is not None and not _set_method(self._net, method.encode()):
                raise _error()
            if threads is not None:
                if int(threads) < 1:
                    raise ValueError(f"threads: expected 1 or more, got {threads}")
                if not _set_threads(self._net, int(threads)):
                    raise _error()
            self.names = _read_names(names)
        except BaseException:
            self.close()
            raise
        self.width, self.height = _width(self._net), _height(self._net)
        self.channels, self.outputs = _channels(self._net), _outputs(self._net)
        self.dialect = _dialect(self._net).decode()  # "pjreddie" or "alexeyab": the cfg's

    def close(self):
        if getattr(self, "_net", None):
            _free_network(self._net)
            self._net = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _name(self, i):
        return self.names[i] if self.names is not None and i < len(self.names) else i

    def _forward(self, inp):
        if not self._net:
            raise DarknetError("the network is closed")
        out = _classify(self._net, inp.im)  # classifier predict's input and tree, in the cfg's dialect
        if not out:
            raise _error()
        return out

    def classify(self, image, top=5):
        """[(name, probability)] of the `top` most probable classes, most probable first
        (ties: lower index first), as `darknet classifier predict -t TOP`."""
        inp = _Input(image)
        try:
            out = self._forward(inp)
            p = np.ctypeslib.as_array(out, shape=(self.outputs,)).copy()
        finally:
            inp.close()
        order = np.argsort(-p, kind="stable")[:max(0, int(top))]
        return [(self._name(int(i)), float(p[i])) for i in order]

    def detect(self, image, thresh=.5, nms=.45):
        """One dict per box and class whose probability exceeds thresh, as `darknet detector
        test` finds and orders them in the cfg's dialect (pjreddie's: NMS order; AlexeyAB's:
        by the box's left edge, best class first): class (name or index), class_index, prob,
        and the box in pixels: left, top, right, bottom (clipped to the image) and x, y, w, h
        (centre and size, unclipped). nms: the IoU threshold (0 or None: no suppression)."""
        inp = _Input(image)
        try:
            return self._detect_input(inp, thresh, nms)
        finally:
            inp.close()

    def _detect_input(self, inp, thresh, nms):
        if not self._net:
            raise DarknetError("the network is closed")
        w, h = inp.im.w, inp.im.h
        num = c_int(0)
        dets = _detect(self._net, inp.im, thresh, .5, nms or 0, ctypes.byref(num))
        if not dets:
            raise _error()
        try:
            classes = _classes(self._net)
            lines = []  # (detection, class index) in detector test's order
            if self.dialect == "alexeyab":
                # draw_detections_v3: boxes whose best class (not "dont_show...") beats thresh,
                # stably sorted by left edge (as glibc's qsort), best class first.
                chosen = []
                for k in range(num.value):
                    d, best, best_p = dets[k], -1, thresh
                    for j in range(classes):
                        if d.prob[j] > best_p and not str(self._name(j)).startswith("dont_show"):
                            best, best_p = j, d.prob[j]
                    if best >= 0:
                        chosen.append((np.float32(d.bbox.x) - np.float32(d.bbox.w) / np.float32(2), k, best))
                chosen.sort(key=lambda c: c[0])
                for _, k, best in chosen:
                    lines.append((k, best))
                    lines += [(k, j) for j in range(classes) if j != best and dets[k].prob[j] > thresh]
            else:
                lines = [(k, j) for k in range(num.value) for j in range(classes) if dets[k].prob[j] > thresh]
            res = []
            for k, j in lines:
                d = dets[k]
                b = d.bbox
                left, right = int((b.x - b.w / 2.) * w), int((b.x + b.w / 2.) * w)
                top, bottom = int((b.y - b.h / 2.) * h), int((b.y + b.h / 2.) * h)
                left, right = min(max(left, 0), w - 1), min(max(right, 0), w - 1)
                top, bottom = min(max(top, 0), h - 1), min(max(bottom, 0), h - 1)
                res.append({"class": self._name(j), "class_index": j, "prob": float(d.prob[j]),
                            "left": left, "top": top, "right": right, "bottom": bottom,
                            "x": b.x * w, "y": b.y * h, "w": b.w * w, "h": b.h * h})
            return res
        finally:
            _free_detections(dets, num.value)
