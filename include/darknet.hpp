// darknet-cpu C++ API: RAII and exceptions over the C API of darknet.h, header-only, so only
// the C ABI crosses the library boundary and any C++17 compiler can use libdarknet.
//
//   darknet::Network net("cfg/tiny.cfg", "tiny.weights", {"im2col", 2});
//   darknet::Image im = darknet::Image::load("data/chelsea.png");
//   std::vector<float> p = net.predict(im.letterbox(net.width(), net.height()));
//
// Every failure throws darknet::Error with the library's one-line message (the file and
// the problem). One Network may be used by one thread at a time.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darknet.h"

namespace darknet {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

namespace detail {
// Throws the C API's last error, prefixed with what failed when it says nothing.
[[noreturn]] inline void fail(const char* what) {
    const std::string msg = darknet_last_error();
    throw Error(msg.empty() ? std::string(what) + " failed" : msg);
}
inline std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size() && !s.empty()) {
        const std::size_t end = s.find(sep, start);
        out.push_back(s.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + sep.size();
    }
    return out;
}
}  // namespace detail

// Convolution method names in preference order ("im2row", "im2col", "mcmk").
inline std::vector<std::string> conv_methods() {
    return detail::split(darknet_conv_methods(), ", ");
}

// What goes to stderr: 0 nothing, 1 warnings, 2 (default) also the layer table and notices.
inline void set_log_level(int level) { darknet_set_log_level(level); }

// Non-empty lines of a names file. Throws naming the file.
inline std::vector<std::string> read_labels(const std::string& path) {
    char** names = get_labels(const_cast<char*>(path.c_str()));
    if (!names) detail::fail("get_labels");
    std::vector<std::string> out;
    int n = 0;
    for (; names[n]; ++n) out.emplace_back(names[n]);
    free_ptrs(reinterpret_cast<void**>(names), n);
    return out;
}

// A .data file: classes= (default 2) and the names file given by names= or labels=.
struct Metadata {
    int classes = 0;
    std::vector<std::string> names;
};
inline Metadata read_metadata(const std::string& data_file) {
    metadata m = get_metadata(const_cast<char*>(data_file.c_str()));
    if (m.classes == 0 && !m.names) detail::fail("get_metadata");
    Metadata out;
    out.classes = m.classes;
    int n = 0;
    for (; m.names && m.names[n]; ++n) out.names.emplace_back(m.names[n]);
    free_ptrs(reinterpret_cast<void**>(m.names), n);
    return out;
}

// Indices of the k largest values, largest first (ties: lower index first); k <= size.
inline std::vector<int> top_k(const std::vector<float>& values, int k) {
    if (k > static_cast<int>(values.size())) k = static_cast<int>(values.size());
    if (k <= 0) return {};
    std::vector<int> index(k);
    ::top_k(const_cast<float*>(values.data()), static_cast<int>(values.size()), k, index.data());
    return index;
}

// An owned planar float image (c x h x w, values in [0,1], RGB), upstream's layout.
class Image {
public:
    Image() = default;
    // Zero-filled.
    Image(int w, int h, int c) : im_(make_image(w, h, c)) {
        if (!im_.data) detail::fail("make_image");
    }
    // Decodes a file into `channels` channels (0: as stored). Throws naming the file.
    static Image load(const std::string& path, int channels = 3) {
        return Image(::load_image(const_cast<char*>(path.c_str()), 0, 0, channels), "load_image");
    }
    ~Image() { free_image(im_); }
    Image(Image&& o) noexcept : im_(o.im_) { o.im_ = image{0, 0, 0, nullptr}; }
    Image& operator=(Image&& o) noexcept {
        std::swap(im_, o.im_);
        return *this;
    }
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;

    // Upstream's aspect-preserving letterbox into w x h, and its bilinear resize.
    Image letterbox(int w, int h) const { return Image(letterbox_image(im_, w, h), "letterbox_image"); }
    Image resize(int w, int h) const { return Image(resize_image(im_, w, h), "resize_image"); }

    int width() const { return im_.w; }
    int height() const { return im_.h; }
    int channels() const { return im_.c; }
    float* data() { return im_.data; }
    const float* data() const { return im_.data; }
    std::size_t size() const { return std::size_t(im_.w) * im_.h * im_.c; }
    // The C struct, still owned by this Image.
    const image& c_image() const { return im_; }

private:
    Image(image im, const char* what) : im_(im) {
        if (!im_.data) detail::fail(what);
    }
    image im_{0, 0, 0, nullptr};
};

struct Options {
    std::string method;  // convolution method for every conv layer; "" keeps env/cfg/default
    int threads = 0;     // 0: all cores
};

// One detected box: centre and size (relative to the image, or pixels), per-class
// probabilities (0 where suppressed or below the threshold) and objectness.
struct Detection {
    float x = 0, y = 0, w = 0, h = 0;
    std::vector<float> prob;
    float objectness = 0;
};

class Network {
public:
    // Loads cfg and weights ("" for seeded random weights). DARKNET_CONV_METHOD and the
    // cfg's method= keys apply unless opt.method is set. Throws naming the file.
    Network(const std::string& cfg, const std::string& weights, const Options& opt = {})
        : net_(load_network(const_cast<char*>(cfg.c_str()), const_cast<char*>(weights.c_str()), 0)) {
        if (!net_) detail::fail("load_network");
        try {
            if (!opt.method.empty()) set_method(opt.method);
            set_threads(opt.threads);
        } catch (...) {
            free_network(net_);
            throw;
        }
    }
    ~Network() { free_network(net_); }
    Network(Network&& o) noexcept : net_(o.net_) { o.net_ = nullptr; }
    Network& operator=(Network&& o) noexcept {
        std::swap(net_, o.net_);
        return *this;
    }
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    int width() const { return network_width(net_); }
    int height() const { return network_height(net_); }
    int channels() const { return darknet_network_channels(net_); }
    int outputs() const { return darknet_network_outputs(net_); }  // per image
    // Classes of the detection layers, or the outputs of a classifier.
    int classes() const {
        const int n = darknet_network_classes(net_);
        if (n == 0) detail::fail("darknet_network_classes");
        return n;
    }
    int layers() const { return darknet_network_layers(net_); }
    std::string layer_type(int layer) const {
        const char* t = darknet_layer_type(net_, layer);
        if (!t) detail::fail("darknet_layer_type");
        return t;
    }

    // Runs the network on width*height*channels planar floats (batch 1); the outputs.
    std::vector<float> predict(const float* input) {
        const float* out = network_predict(net_, const_cast<float*>(input));
        if (!out) detail::fail("network_predict");
        return std::vector<float>(out, out + outputs());
    }
    // An image already of the network's size, e.g. from Image::letterbox.
    std::vector<float> predict(const Image& im) {
        if (im.width() != width() || im.height() != height() || im.channels() != channels())
            throw Error("predict: the image is " + std::to_string(im.width()) + "x" +
                        std::to_string(im.height()) + "x" + std::to_string(im.channels()) +
                        ", the network takes " + std::to_string(width()) + "x" +
                        std::to_string(height()) + "x" + std::to_string(channels()) +
                        " (letterbox it first)");
        return predict(im.data());
    }

    // Detection as `darknet detector test` runs it in the cfg's dialect (darknet_detect):
    // predicts `im` (letterboxed, or stretched for AlexeyAB's cfgs without letter_box), then
    // returns the boxes above thresh, mapped back to im (relative: [0,1], else pixels) after
    // the dialect's NMS at `nms` (0: none). A network without detection layers finds nothing.
    std::vector<Detection> detect(const Image& im, float thresh = .5f, float nms = .45f,
                                  bool relative = true) {
        int num = 0;
        detection* dets = darknet_detect(net_, im.c_image(), thresh, .5f, nms, &num);
        if (!dets) detail::fail("darknet_detect");
        const float sw = relative ? 1.f : static_cast<float>(im.width());
        const float sh = relative ? 1.f : static_cast<float>(im.height());
        std::vector<Detection> out;
        for (int i = 0; i < num; ++i) {
            const detection& d = dets[i];
            out.push_back({d.bbox.x * sw, d.bbox.y * sh, d.bbox.w * sw, d.bbox.h * sh,
                           std::vector<float>(d.prob, d.prob + d.classes), d.objectness});
        }
        free_detections(dets, num);
        return out;
    }

    // Convolution method of every conv layer, or of one (0-based layer index). A method
    // that cannot run a layer: the whole-network call falls back for that layer with a
    // notice; the one-layer call throws and changes nothing.
    void set_method(const std::string& name) {
        if (!darknet_set_conv_method(net_, name.c_str())) detail::fail("darknet_set_conv_method");
    }
    void set_method(int layer, const std::string& name) {
        if (!darknet_set_layer_conv_method(net_, layer, name.c_str()))
            detail::fail("darknet_set_layer_conv_method");
    }
    // The method conv layer `layer` runs; throws for other layers.
    std::string method(int layer) const {
        const char* m = darknet_layer_conv_method(net_, layer);
        if (!m) detail::fail("darknet_layer_conv_method");
        return m;
    }
    void set_threads(int n) {
        if (!darknet_set_threads(net_, n)) detail::fail("darknet_set_threads");
    }

    // The C handle, still owned by this Network, for calls this header does not wrap.
    network* handle() const { return net_; }

private:
    network* net_ = nullptr;
};

}  // namespace darknet
