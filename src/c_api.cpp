// The C API of include/darknet.h over the engine. Every entry point catches everything:
// errors become a NULL/0 result plus a thread-local message for darknet_last_error().
// Memory handed to the caller comes from malloc, as upstream's, so free() works on it.
#include "darknet.h"

#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "cfg.h"
#include "layers/convolutional_layer.h"
#include "classifier.h"
#include "detection.h"
#include "detection_hook.h"
#include "error.h"
#include "image.h"
#include "log.h"
#include "network.h"
#include "top_k.h"
#include "weights.h"

// The handle behind `network *`: the engine's network plus what is needed to rebuild it
// with another batch size (set_batch_network) without losing the caller's settings.
struct network {
    std::unique_ptr<dn::Network> net;
    dn::NetworkOptions opt;
    // darknet_set_*conv_method calls since load, replayed after a rebuild; layer -1 is
    // the whole network (which also drops the earlier entries).
    std::vector<std::pair<int, std::string>> methods;
    std::vector<float> tree_pred;  // darknet_classify's hierarchy predictions (tree networks)
};

namespace {

using dn::Error;

thread_local std::string t_last_error;

// Runs f; on any exception records its message and returns on_error.
template <class R, class F>
R guarded(R on_error, F&& f) {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        t_last_error = "out of memory";
    } catch (const std::exception& e) {
        t_last_error = e.what();
    } catch (...) {
        t_last_error = "unknown error";
    }
    return on_error;
}

template <class F>
void guarded_void(F&& f) {
    guarded(0, [&] {
        f();
        return 0;
    });
}

dn::Network& checked(network* h, const char* fn) {
    if (!h || !h->net) throw Error(std::string(fn) + ": network is NULL");
    return *h->net;
}

void* checked_malloc(std::size_t bytes) {
    void* p = std::malloc(bytes ? bytes : 1);
    if (!p) throw std::bad_alloc();
    return p;
}

char* copy_string(const std::string& s) {
    char* p = static_cast<char*>(checked_malloc(s.size() + 1));
    std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

// Frees a partly built array of malloc'ed pointers when an exception leaves early.
struct PtrArrayGuard {
    void** ptrs;
    int n = 0;
    ~PtrArrayGuard() {
        if (ptrs) free_ptrs(ptrs, n);
    }
};

// The lines as a NULL-terminated malloc'ed array of malloc'ed strings (get_labels' format).
char** string_array(const std::vector<std::string>& lines) {
    PtrArrayGuard g{static_cast<void**>(checked_malloc((lines.size() + 1) * sizeof(char*)))};
    char** out = reinterpret_cast<char**>(g.ptrs);
    for (const std::string& s : lines) out[g.n++] = copy_string(s);
    out[g.n] = nullptr;
    g.ptrs = nullptr;
    return out;
}

image empty_image() { return image{0, 0, 0, nullptr}; }

void check_size(int w, int h, int c, const char* fn) {
    if (w < 1 || h < 1 || c < 1 || c > 4 || (long long)w * h > dn::kMaxImagePixels)
        throw Error(std::string(fn) + ": bad image size " + std::to_string(w) + "x" +
                    std::to_string(h) + "x" + std::to_string(c) +
                    " (need 1..4 channels and a positive size)");
}

dn::Image from_c(const image& im, const char* fn) {
    check_size(im.w, im.h, im.c, fn);
    if (!im.data) throw Error(std::string(fn) + ": image data is NULL");
    dn::Image out;
    out.w = im.w, out.h = im.h, out.c = im.c;
    out.data.assign(im.data, im.data + std::size_t(im.w) * im.h * im.c);
    return out;
}

image to_c(const dn::Image& im) {
    image out{im.w, im.h, im.c, nullptr};
    out.data = static_cast<float*>(checked_malloc(im.data.size() * sizeof(float)));
    std::memcpy(out.data, im.data.data(), im.data.size() * sizeof(float));
    return out;
}

bool print_progress() { return dn::log_level() >= dn::LogLevel::info; }

// Parses the cfg again with another batch size and carries the parameters over, so a
// failure leaves the old network untouched.
std::unique_ptr<dn::Network> rebuild(const network& h, int batch) {
    dn::NetworkOptions opt = h.opt;
    opt.batch = batch;
    opt.print_table = false;
    dn::Network& old = *h.net;
    auto fresh = dn::parse_network(old.cfg_path, opt);
    if (fresh->size() != old.size())
        throw Error(old.cfg_path + ": changed since the network was loaded");
    for (int i = 0; i < old.size(); ++i) {
        const std::vector<dn::ParamRef> from = old.layers[i]->params();
        const std::vector<dn::ParamRef> to = fresh->layers[i]->params();
        if (from.size() != to.size())
            throw Error(old.cfg_path + ": changed since the network was loaded");
        for (std::size_t j = 0; j < from.size(); ++j) {
            if (from[j].data->size() != to[j].data->size())
                throw Error(old.cfg_path + ": changed since the network was loaded");
            *to[j].data = *from[j].data;
        }
    }
    fresh->threads = old.threads;
    fresh->finalize();
    for (const auto& m : h.methods) fresh->set_conv_method(m.second, m.first);
    return fresh;
}

const dn::Layer& checked_layer(network* h, int layer, const char* fn) {
    const dn::Network& net = checked(h, fn);
    if (layer < 0 || layer >= net.size())
        throw Error(std::string(fn) + ": layer " + std::to_string(layer) +
                    " is out of range: the network has " + std::to_string(net.size()) + " layers");
    return net.layer(layer);
}

float c_overlap(float x1, float w1, float x2, float w2) {
    const float left = std::max(x1 - w1 / 2, x2 - w2 / 2);
    const float right = std::min(x1 + w1 / 2, x2 + w2 / 2);
    return right - left;
}

// Upstream's box_iou, same float operations in the same order.
float c_box_iou(const box& a, const box& b) {
    const float w = c_overlap(a.x, a.w, b.x, b.w);
    const float h = c_overlap(a.y, a.h, b.y, b.h);
    const float inter = (w < 0 || h < 0) ? 0 : w * h;
    const float uni = a.w * a.h + b.w * b.h - inter;
    return inter / uni;
}

// Moves boxes with objectness 0 to the end as upstream does (swapping with the last
// candidate, so the order of the rest matches upstream too); returns how many remain.
int drop_empty(detection* dets, int total) {
    int k = total - 1;
    for (int i = 0; i <= k; ++i) {
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    }
    return k + 1;
}

// Upstream sorts with qsort, which glibc implements as a stable merge sort; descending by
// the class probability, or by objectness when sort_class < 0.
void sort_for_nms(detection* dets, int total) {
    std::stable_sort(dets, dets + total, [](const detection& a, const detection& b) {
        const float diff = b.sort_class >= 0 ? a.prob[b.sort_class] - b.prob[b.sort_class]
                                             : a.objectness - b.objectness;
        return diff > 0;
    });
}

}  // namespace

extern "C" {

const char* darknet_last_error(void) { return t_last_error.c_str(); }

void darknet_set_log_level(int level) {
    dn::set_log_level(static_cast<dn::LogLevel>(std::clamp(level, 0, 3)));
}

network* load_network(char* cfg, char* weights, int) {
    return guarded<network*>(nullptr, [&] {
        if (!cfg) throw Error("load_network: cfg is NULL");
        auto h = std::make_unique<network>();
        h->opt.print_table = print_progress();
        if (const char* env = std::getenv("DARKNET_CONV_METHOD")) h->opt.env_method = env;
        h->net = dn::parse_network(cfg, h->opt);
        if (weights && *weights) {
            if (print_progress()) std::fprintf(stderr, "Loading weights from %s...", weights);
            try {
                dn::load_weights(*h->net, weights);
            } catch (...) {
                if (print_progress()) std::fprintf(stderr, "\n");
                throw;
            }
            if (print_progress()) std::fprintf(stderr, "Done!\n");
        } else {
            dn::init_weights(*h->net, 1);  // the weights of `darknet init CFG W` (seed 1)
        }
        return h.release();
    });
}

void free_network(network* net) { delete net; }

void set_batch_network(network* net, int b) {
    guarded_void([&] {
        dn::Network& n = checked(net, "set_batch_network");
        if (b < 1) throw Error("set_batch_network: batch " + std::to_string(b) + " is not positive");
        if (b == n.batch) return;
        net->net = rebuild(*net, b);
        net->opt.batch = b;
    });
}

int network_width(network* net) { return net && net->net ? net->net->width() : 0; }
int network_height(network* net) { return net && net->net ? net->net->height() : 0; }
int darknet_network_channels(network* net) { return net && net->net ? net->net->channels() : 0; }
int darknet_network_outputs(network* net) {
    return net && net->net ? static_cast<int>(net->net->outputs()) : 0;
}
int darknet_network_layers(network* net) { return net && net->net ? net->net->size() : 0; }

int darknet_network_classes(network* net) {
    return guarded(0, [&] {
        const dn::Network& n = checked(net, "darknet_network_classes");
        const int classes = dn::network_detection_classes(n);
        return classes > 0 ? classes : static_cast<int>(n.outputs());
    });
}

const char* darknet_layer_type(network* net, int layer) {
    return guarded<const char*>(nullptr, [&] {
        return checked_layer(net, layer, "darknet_layer_type").kind();
    });
}

float* network_predict(network* net, float* input) {
    return guarded<float*>(nullptr, [&] {
        dn::Network& n = checked(net, "network_predict");
        if (!input) throw Error("network_predict: input is NULL");
        // The output buffer belongs to the network; upstream hands it out writable too.
        return const_cast<float*>(n.forward(input));
    });
}

float* network_predict_image(network* net, image im) {
    return guarded<float*>(nullptr, [&] {
        checked(net, "network_predict_image");
        const dn::Image in = from_c(im, "network_predict_image");
        if (in.c != net->net->channels())
            throw Error("network_predict_image: the image has " + std::to_string(in.c) +
                        " channels, the network takes " + std::to_string(net->net->channels()));
        const dn::Image boxed = dn::letterbox_image(in, net->net->width(), net->net->height());
        if (net->net->batch != 1) {
            net->net = rebuild(*net, 1);
            net->opt.batch = 1;
        }
        return const_cast<float*>(net->net->forward(boxed.data.data()));
    });
}

float* darknet_classify(network* net, image im) {
    return guarded<float*>(nullptr, [&] {
        checked(net, "darknet_classify");
        const dn::Image in = from_c(im, "darknet_classify");
        if (in.c != net->net->channels())
            throw Error("darknet_classify: the image has " + std::to_string(in.c) +
                        " channels, the network takes " + std::to_string(net->net->channels()));
        if (net->net->batch != 1) {
            net->net = rebuild(*net, 1);
            net->opt.batch = 1;
        }
        dn::Network& n = *net->net;
        const dn::Image sized = dn::classifier_input(n, in);
        const float* pred = dn::classifier_predictions(n, n.forward(sized.data.data()), &net->tree_pred);
        return const_cast<float*>(pred);
    });
}

image load_image(char* filename, int w, int h, int c) {
    return guarded(empty_image(), [&] {
        if (!filename) throw Error("load_image: filename is NULL");
        if (w < 0 || h < 0) throw Error(std::string(filename) + ": cannot resize to a negative size");
        dn::Image im = dn::load_image(filename, c);
        if (w && h && (im.w != w || im.h != h)) {
            check_size(w, h, im.c, "load_image");
            im = dn::resize_image(im, w, h);
        }
        return to_c(im);
    });
}

image load_image_color(char* filename, int w, int h) { return load_image(filename, w, h, 3); }

image make_image(int w, int h, int c) {
    return guarded(empty_image(), [&] {
        if (w < 0 || h < 0 || c < 0) throw Error("make_image: negative size");
        image im{w, h, c, nullptr};
        if (w == 0 || h == 0 || c == 0) return im;  // upstream's empty image
        check_size(w, h, c, "make_image");
        im.data = static_cast<float*>(std::calloc(std::size_t(w) * h * c, sizeof(float)));
        if (!im.data) throw std::bad_alloc();
        return im;
    });
}

image resize_image(image im, int w, int h) {
    return guarded(empty_image(), [&] {
        const dn::Image in = from_c(im, "resize_image");
        check_size(w, h, im.c, "resize_image");
        return to_c(dn::resize_image(in, w, h));
    });
}

image letterbox_image(image im, int w, int h) {
    return guarded(empty_image(), [&] {
        const dn::Image in = from_c(im, "letterbox_image");
        check_size(w, h, im.c, "letterbox_image");
        return to_c(dn::letterbox_image(in, w, h));
    });
}

void free_image(image m) { std::free(m.data); }

char** get_labels(char* filename) {
    return guarded<char**>(nullptr, [&] {
        if (!filename) throw Error("get_labels: filename is NULL");
        return string_array(dn::read_lines(filename));
    });
}

metadata get_metadata(char* file) {
    return guarded(metadata{0, nullptr}, [&] {
        if (!file) throw Error("get_metadata: file is NULL");
        const dn::CfgSection data = dn::read_options_file(file);
        const dn::SectionReader r(file, data, 0);
        std::string names = r.get_string("names", "");
        if (names.empty()) names = r.get_string("labels", "");
        metadata m{r.get_int_in("classes", 2, 0, INT_MAX), nullptr};
        if (names.empty())
            dn::log_warn("%s: no names= or labels=, so no class names", file);
        else
            m.names = string_array(dn::read_lines(names));
        return m;
    });
}

void free_ptrs(void** ptrs, int n) {
    if (!ptrs) return;
    for (int i = 0; i < n; ++i) std::free(ptrs[i]);
    std::free(ptrs);
}

void top_k(float* a, int n, int k, int* index) {
    if (!index || k <= 0) return;
    std::fill(index, index + k, -1);
    if (!a || n <= 0) return;
    const std::vector<int> best = guarded(std::vector<int>(), [&] {
        return dn::top_k(a, static_cast<std::size_t>(n), k);
    });
    std::copy(best.begin(), best.end(), index);
}

namespace {

// A malloc'ed array of detections as upstream's C API hands them out, each owning its prob.
detection* to_c_detections(const std::vector<dn::BoxDetection>& found, int* num) {
    auto* dets = static_cast<detection*>(checked_malloc(found.size() * sizeof(detection)));
    int filled = 0;
    try {
        for (const dn::BoxDetection& d : found) {
            detection& o = dets[filled];
            o.bbox = box{d.x, d.y, d.w, d.h};
            o.classes = static_cast<int>(d.prob.size());
            o.prob = static_cast<float*>(checked_malloc(d.prob.size() * sizeof(float)));
            std::copy(d.prob.begin(), d.prob.end(), o.prob);
            o.mask = nullptr;
            o.objectness = d.objectness;
            o.sort_class = 0;
            ++filled;
        }
    } catch (...) {
        free_detections(dets, filled);
        throw;
    }
    *num = filled;
    return dets;
}

}  // namespace

detection* get_network_boxes(network* net, int w, int h, float thresh, float hier, int* map,
                             int relative, int* num) {
    if (num) *num = 0;
    return guarded<detection*>(nullptr, [&] {
        const dn::Network& n = checked(net, "get_network_boxes");
        if (!num) throw Error("get_network_boxes: num is NULL");
        if (w < 1 || h < 1)
            throw Error("get_network_boxes: image size " + std::to_string(w) + "x" +
                        std::to_string(h) + " is not positive");
        return to_c_detections(dn::network_boxes(n, w, h, thresh, hier, relative != 0, map), num);
    });
}

detection* darknet_detect(network* net, image im, float thresh, float hier, float nms, int* num) {
    if (num) *num = 0;
    return guarded<detection*>(nullptr, [&] {
        checked(net, "darknet_detect");
        if (!num) throw Error("darknet_detect: num is NULL");
        const dn::Image in = from_c(im, "darknet_detect");
        if (in.c != net->net->channels())
            throw Error("darknet_detect: the image has " + std::to_string(in.c) +
                        " channels, the network takes " + std::to_string(net->net->channels()));
        if (net->net->batch != 1) {
            net->net = rebuild(*net, 1);
            net->opt.batch = 1;
        }
        dn::Network& n = *net->net;
        const dn::Image sized = dn::detector_input(dn::detector_pipeline(n, false), in, n.width(), n.height());
        n.forward(sized.data.data());
        return to_c_detections(dn::network_detections(n, in.w, in.h, thresh, hier, nms), num);
    });
}

const char* darknet_network_dialect(network* net) {
    return guarded<const char*>(nullptr, [&]() -> const char* {
        return checked(net, "darknet_network_dialect").dialect == dn::Dialect::alexeyab ? "alexeyab" : "pjreddie";
    });
}

void free_detections(detection* dets, int n) {
    if (!dets) return;
    for (int i = 0; i < n; ++i) {
        std::free(dets[i].prob);
        std::free(dets[i].mask);
    }
    std::free(dets);
}

void do_nms_sort(detection* dets, int total, int classes, float thresh) {
    if (!dets || total <= 0) return;
    total = drop_empty(dets, total);
    // Upstream's per-class sorts and scans, computed from each class's live boxes only.
    std::vector<float*> prob(static_cast<std::size_t>(total));
    std::vector<dn::Box> boxes(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
        prob[i] = dets[i].prob;
        boxes[i] = {dets[i].bbox.x, dets[i].bbox.y, dets[i].bbox.w, dets[i].bbox.h};
    }
    const std::vector<int> order = dn::nms_sort_live(total, classes, thresh, prob.data(), boxes.data());
    std::vector<detection> sorted(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) sorted[i] = dets[order[i]];
    std::copy(sorted.begin(), sorted.end(), dets);
    if (classes > 0)
        for (int i = 0; i < total; ++i) dets[i].sort_class = classes - 1;
}

void do_nms_obj(detection* dets, int total, int classes, float thresh) {
    if (!dets || total <= 0) return;
    total = drop_empty(dets, total);
    for (int i = 0; i < total; ++i) dets[i].sort_class = -1;
    sort_for_nms(dets, total);
    for (int i = 0; i < total; ++i) {
        if (dets[i].objectness == 0) continue;
        for (int j = i + 1; j < total; ++j) {
            if (dets[j].objectness == 0) continue;
            if (c_box_iou(dets[i].bbox, dets[j].bbox) > thresh) {
                dets[j].objectness = 0;
                for (int k = 0; k < classes; ++k) dets[j].prob[k] = 0;
            }
        }
    }
}

const char* darknet_conv_methods(void) {
    static const std::string names = dn::conv_backend_names();
    return names.c_str();
}

int darknet_set_conv_method(network* net, const char* name) {
    return guarded(0, [&] {
        dn::Network& n = checked(net, "darknet_set_conv_method");
        if (!name) throw Error("darknet_set_conv_method: name is NULL");
        n.set_conv_method(name, -1);
        net->methods.clear();
        net->methods.emplace_back(-1, name);
        return 1;
    });
}

int darknet_set_layer_conv_method(network* net, int layer, const char* name) {
    return guarded(0, [&] {
        checked_layer(net, layer, "darknet_set_layer_conv_method");
        if (!name) throw Error("darknet_set_layer_conv_method: name is NULL");
        net->net->set_conv_method(name, layer);
        net->methods.emplace_back(layer, name);
        return 1;
    });
}

const char* darknet_layer_conv_method(network* net, int layer) {
    return guarded<const char*>(nullptr, [&] {
        const dn::Layer& l = checked_layer(net, layer, "darknet_layer_conv_method");
        const auto* conv = dynamic_cast<const dn::ConvolutionalLayer*>(&l);
        if (!conv)
            throw Error("darknet_layer_conv_method: layer " + std::to_string(layer) + " is [" +
                        l.kind() + "], not convolutional");
        return conv->backend()->name;
    });
}

int darknet_set_threads(network* net, int n) {
    return guarded(0, [&] {
        dn::Network& nw = checked(net, "darknet_set_threads");
        if (n < 0) throw Error("darknet_set_threads: " + std::to_string(n) + " threads");
        nw.threads = n > 0 ? n : omp_get_num_procs();
        net->opt.threads = n;
        return 1;
    });
}

}  // extern "C"
