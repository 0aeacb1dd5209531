// Times oneDNN (Debian's libdnnl, C++ API) on a Darknet cfg + weights. oneDNN has no Darknet
// importer, so this program reads the cfg and the .weights file itself and builds the network
// from oneDNN primitives: convolution_forward (format_tag::any for src, weights and dst, so
// oneDNN picks its blocked layouts; bias; the activation as an eltwise post-op), pooling_forward
// for [maxpool] (Darknet's padding: the window starts at -padding/2, pixels outside are ignored)
// and the global [avgpool], concat for [route] (AlexeyAB's groups/group_id: a reorder of the
// channel slice), resampling_forward (nearest) for [upsample], binary add for [shortcut],
// softmax_forward for [softmax]; reorders where layouts differ. Batch norm is folded into the
// weights and bias at load, as our engine does, with the fold of the cfg's dialect (-dialect:
// pjreddie's sqrt(var)+1e-6 or AlexeyAB's sqrt(var+1e-5)). Weights are reordered once at
// load; each timed forward pass reorders the input into the first layer's layout and the final
// output back to plain NCHW, then applies the last [yolo] layer (logistic unless new_coords,
// then scale_x_y on x and y; the network output is the last layer's output, as in `darknet
// bench -output`). A key that changes what a layer computes and that this program does not
// build is "unsupported", never ignored.
// Threads: Debian's build uses OpenMP, so omp_set_num_threads(threads) before any primitive is
// created. Prints one JSON object on stdout; exit 2 with "unsupported: ..." on stderr when the
// network uses something this program does not build.
// Usage: onednn_bench CFG WEIGHTS [-iters N] [-warmup N] [-threads N] [-out FILE] [-dialect D]
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bench_input.h"
#include "peer_args.h"

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using dt = memory::data_type;
using tag = memory::format_tag;

// "cannot run this network here" (exit 2) versus a broken file or argument (exit 1).
struct Unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- the cfg: sections of key=value lines, with line numbers for messages ----

struct Section {
    std::string type;
    int line = 0;
    std::map<std::string, std::string> kv;

    std::string where(const std::string& key) const {
        return "[" + type + "] at line " + std::to_string(line) + (key.empty() ? "" : ", " + key);
    }
    bool has(const std::string& k) const { return kv.count(k) != 0; }
    std::string str(const std::string& k, const std::string& def) const {
        const auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    long parse_long(const std::string& k, const std::string& s) const {
        char* end = nullptr;
        const long v = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || *end) throw BadInput(where(k) + ": expected an integer, got \"" + s + "\"");
        return v;
    }
    int integer(const std::string& k, int def) const {
        const auto it = kv.find(k);
        return it == kv.end() ? def : static_cast<int>(parse_long(k, it->second));
    }
    float real(const std::string& k, float def) const {
        const auto it = kv.find(k);
        if (it == kv.end()) return def;
        char* end = nullptr;
        const float v = std::strtof(it->second.c_str(), &end);
        if (it->second.empty() || *end) throw BadInput(where(k) + ": expected a number, got \"" + it->second + "\"");
        return v;
    }
    std::vector<int> ints(const std::string& k) const {
        std::vector<int> v;
        const std::string s = str(k, "");
        size_t start = 0;
        while (start <= s.size() && !s.empty()) {
            const size_t comma = s.find(',', start);
            const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            v.push_back(static_cast<int>(parse_long(k, item)));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return v;
    }
};

std::vector<Section> read_cfg(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw BadInput(path + ": cannot open");
    std::vector<Section> out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char ch) { return std::isspace(ch); }),
                   line.end());
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            if (line.back() != ']') throw BadInput(path + ":" + std::to_string(n) + ": bad section header");
            out.push_back({line.substr(1, line.size() - 2), n, {}});
            continue;
        }
        const size_t eq = line.find('=');
        if (eq == std::string::npos || out.empty())
            throw BadInput(path + ":" + std::to_string(n) + ": expected key=value inside a section");
        out.back().kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    if (out.empty() || (out[0].type != "net" && out[0].type != "network"))
        throw BadInput(path + ": the first section must be [net]");
    return out;
}

// ---- the .weights file ----

class WeightsFile {
public:
    explicit WeightsFile(const std::string& path) : f_(std::fopen(path.c_str(), "rb")), path_(path) {
        if (!f_) throw BadInput(path + ": cannot open");
        int32_t head[3];
        if (std::fread(head, sizeof head, 1, f_) != 1) throw BadInput(path + ": short header");
        // `seen` is 64-bit from format 0.2 on, 32-bit before.
        const bool wide = int64_t(head[0]) * 10 + head[1] >= 2;
        char seen[8];
        if (std::fread(seen, wide ? 8 : 4, 1, f_) != 1) throw BadInput(path + ": short header");
    }
    ~WeightsFile() { std::fclose(f_); }
    WeightsFile(const WeightsFile&) = delete;
    WeightsFile& operator=(const WeightsFile&) = delete;

    std::vector<float> read(size_t n, const std::string& what) {
        std::vector<float> v(n);
        if (n && std::fread(v.data(), sizeof(float), n, f_) != n)
            throw BadInput(path_ + ": ends inside the " + what);
        return v;
    }

private:
    std::FILE* f_;
    std::string path_;
};

// ---- the network as a list of oneDNN steps ----

struct Tensor {
    memory mem;  // empty for a yolo layer that is not the last one (its output is never built)
    int c = 0, h = 0, w = 0;
};

struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
};

struct Net {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    std::vector<Step> steps;
    std::vector<float> input;       // plain NCHW bench input
    std::vector<float> output;      // plain NCHW final output
    std::vector<memory> owned;      // every oneDNN-allocated buffer, alive as long as the net
    const float* out_ptr = nullptr;  // the final output after a forward pass
    std::map<std::string, int> conv_impls;
    std::vector<std::string> impls;  // one line per primitive: "index type: impl"
};

// Every buffer the network owns; the steps may hold only views of them (softmax).
memory alloc(Net& net, const memory::desc& md) {
    net.owned.emplace_back(md, net.eng);
    return net.owned.back();
}

memory::desc plain(int c, int h, int w) { return memory::desc({1, c, h, w}, dt::f32, tag::nchw); }

// The memory of `t` in layout `want`: t itself, or a new buffer filled by a reorder step.
memory in_layout(Net& net, const Tensor& t, const memory::desc& want) {
    if (t.mem.get_desc() == want) return t.mem;
    memory m = alloc(net, want);
    net.steps.push_back({dnnl::reorder(t.mem, m), {{DNNL_ARG_FROM, t.mem}, {DNNL_ARG_TO, m}}});
    net.impls.push_back("reorder: " + std::string(dnnl::reorder::primitive_desc(t.mem, m).impl_info_str()));
    return m;
}

void note(Net& net, int index, const std::string& type, const char* impl) {
    net.impls.push_back(std::to_string(index) + " " + type + ": " + impl);
}

// Darknet's activation as a conv post-op; false for linear.
bool activation_post_op(const std::string& act, const Section& s, dnnl::post_ops* po) {
    if (act == "linear") return false;
    if (act == "leaky") po->append_eltwise(1.f, algorithm::eltwise_relu, 0.1f, 0.f);
    else if (act == "relu") po->append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    else if (act == "logistic") po->append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f);
    else if (act == "tanh") po->append_eltwise(1.f, algorithm::eltwise_tanh, 0.f, 0.f);
    else if (act == "elu") po->append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f);
    else throw Unsupported(s.where("activation") + ": activation " + act);
    return true;
}

// Keys of a section that change what it computes and that this program does not build.
void refuse_keys(const Section& s, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (s.has(k)) throw Unsupported(s.where(k) + ": not built by this program");
}

Tensor conv(Net& net, const Section& s, int index, const Tensor& x, WeightsFile& wf, bool alexeyab_fold) {
    refuse_keys(s, {"share_index", "antialiasing", "deform", "assisted_excitation", "sway", "rotate", "stretch",
                    "stretch_sway", "flipped", "coordconv"});
    const int filters = s.integer("filters", 1), size = s.integer("size", 1), stride = s.integer("stride", 1);
    const int groups = s.integer("groups", 1);
    const int pad = s.integer("pad", 0) ? size / 2 : s.integer("padding", 0);
    const bool bn = s.integer("batch_normalize", 0) != 0;
    const std::string act = s.str("activation", "logistic");
    if (s.integer("dilation", 1) != 1) throw Unsupported(s.where("dilation") + ": dilation != 1");
    if (s.integer("binary", 0) || s.integer("xnor", 0)) throw Unsupported(s.where("binary") + ": binary/xnor");
    if (filters < 1 || size < 1 || stride < 1 || groups < 1 || x.c % groups || filters % groups)
        throw BadInput(s.where("") + ": bad filters/size/stride/groups");
    const int oh = (x.h + 2 * pad - size) / stride + 1, ow = (x.w + 2 * pad - size) / stride + 1;
    if (oh < 1 || ow < 1) throw BadInput(s.where("size") + ": kernel larger than the padded input");

    // Parameters in file order, batch norm folded in: w' = w*s/d, b' = b - m*s/d with
    // d = sqrt(var) + .000001 (upstream's denominator) or, AlexeyAB's, d = sqrt(var + .00001),
    // in double as our engine folds.
    const size_t per_filter = size_t(x.c / groups) * size * size;
    std::vector<float> bias = wf.read(filters, "biases of layer " + std::to_string(index));
    std::vector<float> scales, mean, var;
    if (bn) {
        scales = wf.read(filters, "scales of layer " + std::to_string(index));
        mean = wf.read(filters, "rolling means of layer " + std::to_string(index));
        var = wf.read(filters, "rolling variances of layer " + std::to_string(index));
    }
    std::vector<float> wts = wf.read(per_filter * filters, "weights of layer " + std::to_string(index));
    if (bn)
        for (int f = 0; f < filters; ++f) {
            const double d = alexeyab_fold ? std::sqrt(double(var[f]) + .00001) : std::sqrt(double(var[f])) + double(.000001f);
            const double k = double(scales[f]) / d;
            for (size_t i = 0; i < per_filter; ++i) wts[f * per_filter + i] = static_cast<float>(wts[f * per_filter + i] * k);
            bias[f] = static_cast<float>(bias[f] - mean[f] * k);
        }

    const memory::dims wdims = groups == 1 ? memory::dims{filters, x.c, size, size}
                                           : memory::dims{groups, filters / groups, x.c / groups, size, size};
    const memory::desc src_any({1, x.c, x.h, x.w}, dt::f32, tag::any);
    const memory::desc wei_any(wdims, dt::f32, tag::any);
    const memory::desc bias_md({filters}, dt::f32, tag::x);
    const memory::desc dst_any({1, filters, oh, ow}, dt::f32, tag::any);
    const dnnl::convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct, src_any,
                                            wei_any, bias_md, dst_any, {stride, stride}, {pad, pad}, {pad, pad});
    dnnl::primitive_attr attr;
    dnnl::post_ops po;
    if (activation_post_op(act, s, &po)) attr.set_post_ops(po);
    const dnnl::convolution_forward::primitive_desc pd(d, attr, net.eng);

    // Weights: reordered once into the layout the convolution chose.
    memory user_w({wdims, dt::f32, groups == 1 ? tag::oihw : tag::goihw}, net.eng, wts.data());
    memory w = alloc(net, pd.weights_desc());
    dnnl::reorder(user_w, w).execute(net.strm, user_w, w);
    memory b = alloc(net, bias_md);
    std::memcpy(b.get_data_handle(), bias.data(), bias.size() * sizeof(float));
    net.strm.wait();

    const memory src = in_layout(net, x, pd.src_desc());
    Tensor y{alloc(net, pd.dst_desc()), filters, oh, ow};
    net.steps.push_back({dnnl::convolution_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w},
                                                         {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, y.mem}}});
    const std::string impl = pd.impl_info_str();
    ++net.conv_impls[impl];
    note(net, index, "conv " + std::to_string(size) + "x" + std::to_string(size) + "/" + std::to_string(stride) +
                         " " + std::to_string(x.c) + "->" + std::to_string(filters),
         impl.c_str());
    return y;
}

Tensor pool(Net& net, int index, const std::string& type, const Tensor& x, algorithm alg, int kh, int kw,
            int stride, int pad_l, int pad_r, int oh, int ow) {
    const memory::desc dst_any({1, x.c, oh, ow}, dt::f32, tag::any);
    const dnnl::pooling_forward::desc d(prop_kind::forward_inference, alg, x.mem.get_desc(), dst_any,
                                        {stride, stride}, {kh, kw}, {pad_l, pad_l}, {pad_r, pad_r});
    const dnnl::pooling_forward::primitive_desc pd(d, net.eng);
    Tensor y{alloc(net, pd.dst_desc()), x.c, oh, ow};
    net.steps.push_back({dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, x.mem}, {DNNL_ARG_DST, y.mem}}});
    note(net, index, type, pd.impl_info_str());
    return y;
}

// Darknet's maxpool: out = (in + padding - size)/stride + 1, window from -padding/2, pixels
// outside the input ignored. oneDNN's max pooling ignores its padding too, so left padding
// padding/2 and right padding whatever makes oneDNN's output size equal Darknet's.
Tensor maxpool(Net& net, const Section& s, int index, const Tensor& x) {
    const int stride = s.integer("stride", 1), size = s.integer("size", stride);
    const int padding = s.integer("padding", size - 1);
    if (stride < 1 || size < 1 || padding < 0) throw BadInput(s.where("") + ": bad size/stride/padding");
    if (s.integer("stride_x", stride) != stride || s.integer("stride_y", stride) != stride)
        throw Unsupported(s.where("stride_x") + ": different x and y strides");
    const int oh = (x.h + padding - size) / stride + 1, ow = (x.w + padding - size) / stride + 1;
    if (oh < 1 || ow < 1) throw BadInput(s.where("size") + ": window larger than the padded input");
    const int pad_l = padding / 2;
    const int pad_rh = (oh - 1) * stride + size - x.h - pad_l, pad_rw = (ow - 1) * stride + size - x.w - pad_l;
    if (pad_rh != pad_rw) throw Unsupported(s.where("") + ": non-square input with uneven right padding");
    if (pad_l >= size || pad_rh >= size) throw Unsupported(s.where("padding") + ": a window lies wholly in the padding");
    return pool(net, index, "maxpool " + std::to_string(size) + "/" + std::to_string(stride) + " p" +
                                std::to_string(padding),
                x, algorithm::pooling_max, size, size, stride, pad_l, std::max(0, pad_rh), oh, ow);
}

Tensor concat(Net& net, int index, const std::vector<Tensor>& xs) {
    std::vector<memory::desc> mds;
    for (const Tensor& t : xs) mds.push_back(t.mem.get_desc());
    const dnnl::concat::primitive_desc pd(1, mds, net.eng);
    Tensor y{alloc(net, pd.dst_desc()), 0, xs[0].h, xs[0].w};
    std::unordered_map<int, memory> args{{DNNL_ARG_DST, y.mem}};
    for (size_t i = 0; i < xs.size(); ++i) {
        args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = xs[i].mem;
        y.c += xs[i].c;
    }
    net.steps.push_back({dnnl::concat(pd), args});
    note(net, index, "route (concat)", pd.impl_info_str());
    return y;
}

// AlexeyAB's [route] groups/group_id: channels [group_id*c/groups, (group_id+1)*c/groups) of
// `x`, copied by a reorder into a buffer of x's own layout when oneDNN has a tag for it (so the
// next convolution needs no further reorder), else into plain NCHW.
Tensor channel_slice(Net& net, const Section& s, int index, const Tensor& x, int groups, int group_id) {
    if (groups < 1 || x.c % groups) throw BadInput(s.where("groups") + ": groups does not divide the channels");
    if (group_id < 0 || group_id >= groups) throw BadInput(s.where("group_id") + ": out of range");
    const int c = x.c / groups;
    const memory::dims dims{1, c, x.h, x.w}, offs{0, group_id * c, 0, 0};
    memory::desc out_md = plain(c, x.h, x.w);
    memory src = x.mem;
    bool same_layout = false;
    const std::pair<tag, int> layouts[] = {{tag::nchw, 1}, {tag::nhwc, 1}, {tag::nChw4c, 4}, {tag::nChw8c, 8},
                                           {tag::nChw16c, 16}};  // a tag and its channel block
    for (const auto& [t, block] : layouts)
        if (x.mem.get_desc() == memory::desc({1, x.c, x.h, x.w}, dt::f32, t)) {
            same_layout = c % block == 0;
            if (same_layout) out_md = memory::desc(dims, dt::f32, t);
            break;
        }
    if (!same_layout) src = in_layout(net, x, plain(x.c, x.h, x.w));
    const memory sub(src.get_desc().submemory_desc(dims, offs), net.eng, src.get_data_handle());
    Tensor y{alloc(net, out_md), c, x.h, x.w};
    net.steps.push_back({dnnl::reorder(sub, y.mem), {{DNNL_ARG_FROM, sub}, {DNNL_ARG_TO, y.mem}}});
    note(net, index, "route (channel slice)", dnnl::reorder::primitive_desc(sub, y.mem).impl_info_str());
    return y;
}

// The last layer's yolo logistic on the plain output: x, y, objectness and class scores of each
// anchor, as Darknet's forward_yolo_layer; w and h stay raw. AlexeyAB's: no logistic with
// new_coords=1 (the convolution before applies it), then x, y = x, y * scale_x_y - (scale_x_y - 1)/2.
void yolo_steps(Net& net, const Section& s, int index, const Tensor& x, float* plain_out) {
    const int classes = s.integer("classes", 20), total = s.integer("num", 1);
    const bool new_coords = s.integer("new_coords", 0) != 0;
    const float scale_xy = s.real("scale_x_y", 1.f);
    std::vector<int> mask = s.ints("mask");
    if (mask.empty())
        for (int i = 0; i < total; ++i) mask.push_back(i);
    const int n = static_cast<int>(mask.size());
    if (x.c != n * (classes + 5)) throw BadInput(s.where("") + ": input channels do not match mask and classes");
    const size_t wh = size_t(x.h) * x.w;
    for (int a = 0; a < n; ++a) {
        float* base = plain_out + size_t(a) * (classes + 5) * wh;
        const std::pair<size_t, size_t> ranges[] = {{0, 2 * wh}, {4 * wh, (1 + size_t(classes)) * wh}};
        for (const auto& r : ranges) {
            if (new_coords) break;
            const memory::desc md({static_cast<memory::dim>(r.second)}, dt::f32, tag::x);
            memory m(md, net.eng, base + r.first);
            const dnnl::eltwise_forward::primitive_desc pd(
                {prop_kind::forward_inference, algorithm::eltwise_logistic, md, 0.f, 0.f}, net.eng);
            net.steps.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, m}, {DNNL_ARG_DST, m}}});
            if (a == 0 && r.first == 0) note(net, index, "yolo logistic (in place)", pd.impl_info_str());
        }
        if (scale_xy != 1.f) {
            const memory::desc md({static_cast<memory::dim>(2 * wh)}, dt::f32, tag::x);
            memory m(md, net.eng, base);
            const dnnl::eltwise_forward::primitive_desc pd({prop_kind::forward_inference, algorithm::eltwise_linear,
                                                            md, scale_xy, -0.5f * (scale_xy - 1.f)},
                                                           net.eng);
            net.steps.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, m}, {DNNL_ARG_DST, m}}});
            if (a == 0) note(net, index, "yolo scale_x_y (in place)", pd.impl_info_str());
        }
    }
}

void build(Net& net, const std::vector<Section>& cfg, const std::string& weights_path, bool alexeyab) {
    const Section& ns = cfg[0];
    const int w = ns.integer("width", 0), h = ns.integer("height", 0), c = ns.integer("channels", 0);
    if (w < 1 || h < 1 || c < 1) throw Unsupported(ns.where("") + ": no image input (width/height/channels)");
    net.input.resize(size_t(c) * h * w);
    bench_input(net.input.data(), net.input.size());
    Tensor x{memory(plain(c, h, w), net.eng, net.input.data()), c, h, w};

    WeightsFile wf(weights_path);
    std::vector<Tensor> layers;
    const int n_layers = static_cast<int>(cfg.size()) - 1;
    auto layer_ref = [&](const Section& s, const std::string& key, int v, int index) -> const Tensor& {
        const int i = v < 0 ? index + v : v;
        if (i < 0 || i >= index) throw BadInput(s.where(key) + ": layer " + std::to_string(v) + " out of range");
        if (!layers[i].mem) throw Unsupported(s.where(key) + ": uses the output of a yolo layer");
        return layers[i];
    };
    for (int index = 0; index < n_layers; ++index) {
        const Section& s = cfg[index + 1];
        const std::string& t = s.type;
        const bool last = index == n_layers - 1;
        if (!x.mem && t != "route") throw Unsupported(s.where("") + ": follows a yolo layer");
        Tensor y;
        if (t == "convolutional" || t == "conv") {
            y = conv(net, s, index, x, wf, alexeyab);
        } else if (t == "maxpool" || t == "max") {
            refuse_keys(s, {"maxpool_depth", "antialiasing", "out_channels"});
            y = maxpool(net, s, index, x);
        } else if (t == "avgpool" || t == "avg") {
            y = pool(net, index, "avgpool (global)", x, algorithm::pooling_avg_exclude_padding, x.h, x.w, 1, 0, 0,
                     1, 1);
        } else if (t == "softmax" || t == "soft") {
            if (s.integer("groups", 1) != 1 || s.real("temperature", 1.f) != 1.f)
                throw Unsupported(s.where("groups") + ": softmax groups or temperature");
            // Darknet's softmax runs over all outputs of the image: a 1 x N tensor.
            const int n = x.c * x.h * x.w;
            const memory src = in_layout(net, x, plain(x.c, x.h, x.w));
            const memory::desc md({1, n}, dt::f32, tag::ab);
            const dnnl::softmax_forward::primitive_desc pd({prop_kind::forward_inference, md, 1}, net.eng);
            y = Tensor{alloc(net, plain(x.c, x.h, x.w)), x.c, x.h, x.w};
            // The same buffers seen as 1 x N.
            memory s2(md, net.eng, src.get_data_handle()), d2(md, net.eng, y.mem.get_data_handle());
            net.steps.push_back({dnnl::softmax_forward(pd), {{DNNL_ARG_SRC, s2}, {DNNL_ARG_DST, d2}}});
            note(net, index, "softmax", pd.impl_info_str());
        } else if (t == "route") {
            std::vector<Tensor> xs;
            const int groups = s.integer("groups", 1), group_id = s.integer("group_id", 0);
            for (int v : s.ints("layers")) {
                const Tensor& a = layer_ref(s, "layers", v, index);
                xs.push_back(groups == 1 && group_id == 0 ? a : channel_slice(net, s, index, a, groups, group_id));
            }
            if (xs.empty()) throw BadInput(s.where("layers") + ": no layers");
            for (const Tensor& a : xs)
                if (a.h != xs[0].h || a.w != xs[0].w) throw Unsupported(s.where("layers") + ": sizes differ");
            y = xs.size() == 1 ? xs[0] : concat(net, index, xs);  // one input: the same buffer
        } else if (t == "upsample") {
            const int stride = s.integer("stride", 2);
            if (stride < 1 || s.real("scale", 1.f) != 1.f)
                throw Unsupported(s.where("stride") + ": reverse upsample or scale != 1");
            const memory::desc dst_md({1, x.c, x.h * stride, x.w * stride}, dt::f32, tag::any);
            const dnnl::resampling_forward::primitive_desc pd(
                {prop_kind::forward_inference, algorithm::resampling_nearest, x.mem.get_desc(), dst_md}, net.eng);
            y = Tensor{alloc(net, pd.dst_desc()), x.c, x.h * stride, x.w * stride};
            net.steps.push_back({dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, x.mem}, {DNNL_ARG_DST, y.mem}}});
            note(net, index, "upsample (nearest)", pd.impl_info_str());
        } else if (t == "shortcut") {
            refuse_keys(s, {"weights_type", "weights_normalization"});
            const Tensor& a = layer_ref(s, "from", s.integer("from", 0), index);
            if (a.c != x.c || a.h != x.h || a.w != x.w || s.real("alpha", 1.f) != 1.f || s.real("beta", 1.f) != 1.f)
                throw Unsupported(s.where("from") + ": shortcut between different shapes or with alpha/beta");
            const memory b = in_layout(net, a, x.mem.get_desc());
            dnnl::primitive_attr attr;
            dnnl::post_ops po;
            if (activation_post_op(s.str("activation", "linear"), s, &po)) attr.set_post_ops(po);
            const dnnl::binary::primitive_desc pd(
                {algorithm::binary_add, x.mem.get_desc(), b.get_desc(), x.mem.get_desc()}, attr, net.eng);
            y = Tensor{alloc(net, pd.dst_desc()), x.c, x.h, x.w};
            net.steps.push_back(
                {dnnl::binary(pd), {{DNNL_ARG_SRC_0, x.mem}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, y.mem}}});
            note(net, index, "shortcut (add)", pd.impl_info_str());
        } else if (t == "yolo") {
            y = x;  // the last one is applied to the plain output below; others are never used
            if (!last) y.mem = memory();
        } else if (t == "dropout" || t == "cost") {
            y = x;  // inference no-ops
        } else {
            throw Unsupported(s.where("") + ": layer type [" + t + "]");
        }
        layers.push_back(y);
        x = y;
    }

    // The final output, plain NCHW; the last yolo layer's logistic then runs in place on it.
    const memory::desc out_md = plain(x.c, x.h, x.w);
    const bool reorder = !(x.mem.get_desc() == out_md);
    net.output.resize(size_t(x.c) * x.h * x.w);
    float* out = net.output.data();
    if (reorder) {
        memory o(out_md, net.eng, out);
        net.steps.push_back({dnnl::reorder(x.mem, o), {{DNNL_ARG_FROM, x.mem}, {DNNL_ARG_TO, o}}});
        net.impls.push_back("output reorder: " + std::string(dnnl::reorder::primitive_desc(x.mem, o).impl_info_str()));
    } else {
        out = static_cast<float*>(x.mem.get_data_handle());
    }
    if (cfg.back().type == "yolo") yolo_steps(net, cfg.back(), n_layers - 1, x, out);
    net.out_ptr = out;
}

const float* forward(Net& net) {
    for (Step& s : net.steps) s.prim.execute(net.strm, s.args);
    net.strm.wait();
    return net.out_ptr;
}

const char* isa_name(dnnl::cpu_isa isa) {
    switch (isa) {
        case dnnl::cpu_isa::sse41: return "sse41";
        case dnnl::cpu_isa::avx: return "avx";
        case dnnl::cpu_isa::avx2: return "avx2";
        case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
        case dnnl::cpu_isa::avx512_core: return "avx512_core";
        case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
        case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
        case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
        default: return "other";
    }
}

std::string json_str(const std::string& s) {
    std::string o = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') o += '\\';
        if (static_cast<unsigned char>(ch) >= 0x20) o += ch;
    }
    return o + "\"";
}

}  // namespace

int main(int argc, char** argv) {
    const PeerArgs args = parse_peer_args(argc, argv, "onednn_bench");
    const int iters = args.iters, warmup = args.warmup, threads = args.threads;
    const std::string& out_path = args.out_path;
    const std::vector<std::string> pos = {args.cfg, args.weights};
    // Before any primitive exists: oneDNN's kernels size their work split by the OpenMP pool.
    omp_set_num_threads(threads);

    Net net;
    std::vector<double> ms;
    try {
        build(net, read_cfg(pos[0]), pos[1], args.dialect == "alexeyab");
        for (int i = 0; i < warmup + iters; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            forward(net);
            const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (i >= warmup) ms.push_back(t);
        }
    } catch (const Unsupported& e) {
        std::fprintf(stderr, "unsupported: %s\n", e.what());
        return 2;
    } catch (const dnnl::error& e) {
        std::fprintf(stderr, "unsupported: oneDNN: %s (status %d)\n", e.what(), static_cast<int>(e.status));
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "onednn_bench: %s\n", e.what());
        return 1;
    }
    // PEER_LAYERS=1: after the timed passes, as many passes again timing each primitive alone
    // (stream waited on after each), median and min ms per primitive on stderr; for
    // per-layer comparisons with `darknet bench -layers`.
    if (const char* env = std::getenv("PEER_LAYERS"); env && *env && *env != '0') {
        std::vector<std::vector<double>> t(net.steps.size());
        for (int i = 0; i < iters; ++i)
            for (std::size_t k = 0; k < net.steps.size(); ++k) {
                const auto t0 = std::chrono::steady_clock::now();
                net.steps[k].prim.execute(net.strm, net.steps[k].args);
                net.strm.wait();
                t[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
            }
        std::fprintf(stderr, "step median_ms min_ms primitive\n");
        for (std::size_t k = 0; k < t.size(); ++k) {
            std::sort(t[k].begin(), t[k].end());
            std::fprintf(stderr, "%4zu %9.3f %9.3f  %s\n", k, t[k][t[k].size() / 2], t[k][0],
                         k < net.impls.size() ? net.impls[k].c_str() : "?");
        }
    }
    if (!out_path.empty()) {
        std::ofstream f(out_path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(net.out_ptr), static_cast<std::streamsize>(net.output.size() * sizeof(float)));
        if (!f) {
            std::fprintf(stderr, "onednn_bench: %s: write failed\n", out_path.c_str());
            return 1;
        }
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    const dnnl::version_t* v = dnnl::version();
    const char* runtime = v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP"
                          : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                          : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential"
                                                               : "other";
    std::printf("{\"peer\": \"onednn\", \"version\": \"%d.%d.%d\", \"dialect\": \"%s\", \"runtime\": \"%s\", \"isa\": \"%s\", "
                "\"threads\": %d, \"omp_threads\": %d, \"iters\": %d, \"warmup\": %d, \"outputs\": %zu, "
                "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"ms\": [",
                v->major, v->minor, v->patch, args.dialect.c_str(), runtime, isa_name(dnnl::get_effective_cpu_isa()), threads,
                omp_get_max_threads(), iters, warmup, net.output.size(), median, sorted.front(), sorted.back());
    for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.4f", i ? ", " : "", ms[i]);
    std::printf("], \"conv_impls\": {");
    size_t k = 0;
    for (const auto& e : net.conv_impls) std::printf("%s%s: %d", k++ ? ", " : "", json_str(e.first).c_str(), e.second);
    std::printf("}, \"primitives\": [");
    for (size_t i = 0; i < net.impls.size(); ++i) std::printf("%s%s", i ? ", " : "", json_str(net.impls[i]).c_str());
    std::printf("]}\n");
    return 0;
}
