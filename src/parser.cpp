// cfg sections -> layers, in one visible chain as upstream's parser.c: each section type has
// a parse_* function that reads its keys (upstream's names and defaults) and builds the
// layer from the previous layer's output shape.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>

#include "layers/avgpool_layer.h"
#include "cfg.h"
#include "cfg_keys.h"
#include "layers/connected_layer.h"
#include "conv_auto.h"
#include "conv_select.h"
#include "layers/convolutional_layer.h"
#include "layers/dropout_layer.h"
#include "error.h"
#include "layers/crnn_layer.h"
#include "layers/crop_layer.h"
#include "layers/detection_layer.h"
#include "layers/local_layer.h"
#include "layers/gaussian_yolo_layer.h"
#include "layers/gru_layer.h"
#include "layers/lstm_layer.h"
#include "layers/local_pool_layer.h"
#include "layers/maxpool_depth_layer.h"
#include "layers/sam_layer.h"
#include "layers/scale_channels_layer.h"
#include "log.h"
#include "layers/maxpool_layer.h"
#include "network.h"
#include "layers/region_layer.h"
#include "layers/reorg_layer.h"
#include "layers/rnn_layer.h"
#include "layers/route_layer.h"
#include "layers/shortcut_layer.h"
#include "layers/softmax_layer.h"
#include "layers/upsample_layer.h"
#include "layers/yolo_layer.h"

namespace dn {

namespace {

// Refused before allocating: a single tensor this large is a broken or hostile cfg. Counts
// are 64-bit and products saturate, so that on 32-bit targets (armhf) a hostile cfg's sizes
// cannot wrap below the limits; there the total is also capped at 2 GiB of floats, half the
// address space.
constexpr std::uint64_t kMaxTensorElements = std::uint64_t(1) << 29;  // 2 GiB of floats
constexpr std::uint64_t kMaxTotalElements =
    std::min<std::uint64_t>(std::uint64_t(1) << 31, SIZE_MAX / sizeof(float) / 2);  // 8 GiB (64-bit)
constexpr int kMaxSide = 16384;

// The product of the factors, or UINT64_MAX when it does not fit.
std::uint64_t count_of(std::initializer_list<std::uint64_t> factors) {
    std::uint64_t n = 1;
    for (const std::uint64_t f : factors) {
        if (f != 0 && n > UINT64_MAX / f) return UINT64_MAX;
        n *= f;
    }
    return n;
}

struct BuildState {
    const std::string& path;
    const NetworkOptions& opt;
    Network& net;
    MethodRequest net_method;
    Shape shape;  // output of the previous layer (the network input at first)
    int index = 0;
    std::uint64_t total_elements = 0;
    // Upstream's notes on absent keys; it prints those read before the layer's constructor
    // inside the table row (after the index), the rest after the row.
    std::vector<std::string> notes;
    std::size_t notes_before_row = 0;
    std::unique_ptr<PlanCache> plans;  // opened on first use
    // `auto` choices made in this build, by shape: a repeated shape is timed once even
    // without a plan file (-plan -). The layer index is the first one of that shape.
    std::map<std::string, std::pair<MethodChoice, int>> auto_memo;
    // The previous output is a vector, not an image: [net] gave inputs= alone, or an [rnn],
    // [gru] or [lstm] made it (upstream leaves their out_w, out_h, out_c at 0).
    bool flat = false;
};

std::uint64_t tensor_limit(const BuildState& st) {
    return st.opt.max_floats ? std::min<std::uint64_t>(st.opt.max_floats, kMaxTensorElements) : kMaxTensorElements;
}
std::uint64_t total_limit(const BuildState& st) {
    return st.opt.max_floats ? std::min<std::uint64_t>(st.opt.max_floats, kMaxTotalElements) : kMaxTotalElements;
}

PlanCache* plans_of(BuildState& st) {
    if (st.opt.plan_path == "-") return nullptr;
    if (!st.plans) {
        const std::string path = st.opt.plan_path.empty() ? default_plan_path() : st.opt.plan_path;
        st.plans = std::make_unique<PlanCache>(path, plan_header(st.net.threads));
        if (!st.plans->notice().empty()) log_info("notice: %s", st.plans->notice().c_str());
    }
    return st.plans.get();
}

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.3f" : "%.1f", ms);
    return buf;
}

// `auto`: this build's earlier choice for the shape, the plan file's, or measure now.
MethodChoice plan_backend(const ConvParams& p, MethodSource source, BuildState& st) {
    AutoPlanStats& stats = st.net.auto_plan;
    ++stats.layers;
    const std::string key = p.to_string();
    if (const auto it = st.auto_memo.find(key); it != st.auto_memo.end()) {
        MethodChoice c = it->second.first;  // a shape from the plan file keeps saying so
        c.source = source;
        if (c.detail.rfind("auto, planned in ", 0) != 0) c.detail = "auto, as layer " + std::to_string(it->second.second);
        return c;
    }
    ++stats.shapes;
    MethodChoice c;
    c.source = source;
    PlanCache* plans = plans_of(st);
    const ConvBackend* planned = plans ? plans->find(key) : nullptr;
    const char* why = nullptr;
    if (planned && planned->supports(p, &why)) {
        c.backend = planned;
        c.detail = "auto, planned in " + plans->path();
    } else {
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<BackendTiming> t = time_backends(p, st.net.threads);
        stats.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++stats.timed;
        for (const BackendTiming& x : t) stats.calls += x.calls, stats.call_ms += x.spent_ms;
        c.backend = t[0].backend;
        c.detail = "auto " + format_ms(t[0].ms) + " ms";
        for (std::size_t i = 1; i < t.size(); ++i)
            c.detail += std::string(i == 1 ? "; " : ", ") + t[i].backend->name + " " + format_ms(t[i].ms) + (t[i].cut_short ? "+" : "");
        if (plans) plans->put(key, t);
    }
    st.auto_memo.emplace(key, std::make_pair(c, st.index));
    return c;
}

// Marks keys read (their policy is in cfg_keys.cpp, which lists the training-only ones).
[[maybe_unused]] void mark_used(const SectionReader& s, std::initializer_list<const char*> keys) {
    for (const char* k : keys) (void)s.get_string(k, "");
}

// Upstream's option_find_int/option_find_float (unlike the _quiet variants) say on stderr
// when a key is absent.
int int_noted(const SectionReader& s, BuildState& st, const char* key, int def, int lo, int hi) {
    if (!s.has(key)) st.notes.push_back(std::string(key) + ": Using default '" + std::to_string(def) + "'");
    return s.get_int_in(key, def, lo, hi);
}

float float_noted(const SectionReader& s, BuildState& st, const char* key, float def) {
    if (!s.has(key)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%lf", double(def));
        st.notes.push_back(std::string(key) + ": Using default '" + buf + "'");
    }
    return s.get_float(key, def);
}

// The section's activation as the dialect computes it: AlexeyAB's fork does leaky and
// logistic in float.
Activation read_activation(const SectionReader& s, const BuildState& st, const char* def) {
    const std::string name = s.get_string("activation", def);
    Activation a;
    if (!parse_activation(name, &a)) {
        const bool comment = name.find_first_of("#;") != std::string::npos;
        s.fail("activation", "unknown activation \"" + name + "\" (valid: " + activation_names() + ")" +
                                 (comment ? "; an inline comment after a name is part of the name to both Darknets" : ""));
    }
    if (st.net.dialect == Dialect::pjreddie && is_alexeyab_activation(name))
        s.fail("activation", "activation=" + name + " is AlexeyAB's: pjreddie's Darknet (-dialect pjreddie) does not know it and computes relu instead; use -dialect alexeyab");
    if (st.net.dialect == Dialect::alexeyab) {
        if (a == Activation::leaky) a = Activation::leaky_float;
        if (a == Activation::logistic) a = Activation::logistic_float;
    }
    return a;
}

std::string shape_str(const Shape& s) {
    return std::to_string(s.w) + "x" + std::to_string(s.h) + "x" + std::to_string(s.c);
}

void require_image_input(const SectionReader& s, const BuildState& st) {
    const Shape& in = st.shape;
    if (st.flat)
        s.fail(nullptr, st.index == 0 ? "needs an image input: [net] gives inputs= alone, no width, height and channels"
                                      : "the layer before outputs a vector ([" + std::string(st.net.layer(st.index - 1).kind()) + "]), not an image (c x h x w)");
    if (in.c < 1 || in.h < 1 || in.w < 1)
        s.fail(nullptr, "the layer before must output an image (c x h x w)");
}

// AlexeyAB's [convolutional] geometry: stride_x/stride_y, no dilation for 1x1 kernels, and
// padding pad*dilation (its im2col's) with the output size of the undilated kernel,
// (h + 2*padding - size) / stride + 1. The two sizes agree when padding is (size-1)/2, as
// pad=1 gives; other paddings would read past the padded input, which no backend does.
void read_alexeyab_conv_keys(const SectionReader& s, ConvParams& p) {
    const int sx = s.get_int_in("stride_x", p.stride, 1, 1024), sy = s.get_int_in("stride_y", p.stride, 1, 1024);
    if (sx != sy)
        s.fail(s.has("stride_x") ? "stride_x" : "stride_y", "stride_x=" + std::to_string(sx) + " != stride_y=" + std::to_string(sy) + " is not supported");
    p.stride = sx;
    if (s.get_int("antialiasing", 0) != 0) s.fail("antialiasing", "antialiasing is not supported");
    if (p.ksize == 1) p.dilation = 1;
    if (p.dilation == 1) return;
    const int undilated_h = (p.h + 2 * p.pad - p.ksize) / p.stride + 1, undilated_w = (p.w + 2 * p.pad - p.ksize) / p.stride + 1;
    const int padding = p.pad;
    p.pad *= p.dilation;
    ConvParams q = p;
    if (!q.finish() || q.out_h != undilated_h || q.out_w != undilated_w)
        s.fail("dilation", "dilation=" + std::to_string(p.dilation) + " with padding " + std::to_string(padding) + " and size=" + std::to_string(p.ksize) +
                               " gives AlexeyAB's darknet an output larger than the dilated kernel covers; only padding (size-1)/2 is supported");
}

// The layer share_index= names: an earlier [convolutional] of the same geometry.
const ConvolutionalLayer* share_source(const SectionReader& s, BuildState& st, const ConvolutionalLayer& self) {
    const int v = s.get_int("share_index", 0);
    const int i = v >= 0 ? v : st.index + v;
    if (i < 0 || i >= st.index)
        s.fail("share_index", "layer " + std::to_string(v) + " is out of range: layer " + std::to_string(st.index) + " can only share an earlier layer's weights (0.." + std::to_string(st.index - 1) + ")");
    const auto* src = dynamic_cast<const ConvolutionalLayer*>(&st.net.layer(i));
    if (!src) s.fail("share_index", "layer " + std::to_string(i) + " is not [convolutional]");
    if (src->shared_from()) src = src->shared_from();
    const ConvParams &a = src->conv_params(), &b = self.conv_params();
    if (a.ksize != b.ksize || a.c != b.c || a.filters != b.filters || a.groups != b.groups || src->batch_normalize() != self.batch_normalize())
        s.fail("share_index", "layer " + std::to_string(i) + " has another size, channels, filters, groups or batch_normalize");
    return src;
}

// The backend of convolution p of this section: -method, DARKNET_CONV_METHOD, the section's
// method=, [net]'s method=, an `auto` plan, else the built-in choice.
MethodChoice conv_method(const SectionReader& s, BuildState& st, const ConvParams& p) {
    MethodRequest layer_req;
    layer_req.name = s.get_string("method", "");
    layer_req.source = MethodSource::layer_cfg;
    layer_req.where = s.where("method");
    const MethodRequest reqs[] = {
        {st.opt.cli_method, MethodSource::cli, "-method: "},
        {st.opt.env_method, MethodSource::env, "DARKNET_CONV_METHOD: "},
        layer_req,
        st.net_method,
    };
    const MethodRequest* top = nullptr;
    for (const MethodRequest& r : reqs)
        if (!top && !r.name.empty()) top = &r;
    MethodChoice choice;
    const PlanCache* plans = top ? nullptr : plans_of(st);
    const ConvBackend* planned = plans ? plans->find(p.to_string()) : nullptr;
    const char* why = nullptr;
    if (top && is_auto_method(top->name)) {
        choice = plan_backend(p, top->source, st);
    } else if (planned && planned->supports(p, &why)) {
        // No method requested anywhere: an earlier `auto` run's plan beats the heuristic.
        choice.backend = planned;
        choice.source = MethodSource::builtin;
        choice.detail = "planned in " + plans->path();
    } else {
        choice = choose_backend(p, st.index, reqs, 4);
    }
    if (!choice.notice.empty()) log_info("notice: %s", choice.notice.c_str());
    return choice;
}

std::unique_ptr<Layer> parse_convolutional(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    ConvParams p;
    p.batch = st.net.batch;
    p.c = st.shape.c;
    p.h = st.shape.h;
    p.w = st.shape.w;
    p.filters = s.get_int_in("filters", 1, 1, 1 << 20);
    p.ksize = s.get_int_in("size", 1, 1, 1024);
    p.stride = s.get_int_in("stride", 1, 1, 1024);
    const int pad = s.get_int_in("pad", 0, 0, 1);
    p.pad = s.get_int_in("padding", 0, 0, 1024);
    p.groups = s.get_int_in("groups", 1, 1, 1 << 20);
    if (pad) p.pad = p.ksize / 2;
    const bool alexeyab = st.net.dialect == Dialect::alexeyab;
    if (alexeyab) {  // pjreddie's Darknet reads no dilation
        p.dilation = s.get_int_in("dilation", 1, 1, 1024);
        read_alexeyab_conv_keys(s, p);
    }
    const Activation act = read_activation(s, st, "logistic");
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    if (s.get_int("binary", 0) || s.get_int("xnor", 0))
        s.fail("binary", "binary/xnor convolutions are not supported");
    if (p.c % p.groups) s.fail("groups", "groups=" + std::to_string(p.groups) + " does not divide the " + std::to_string(p.c) + " input channels");
    if (p.filters % p.groups) s.fail("groups", "groups=" + std::to_string(p.groups) + " does not divide filters=" + std::to_string(p.filters));
    const std::uint64_t weights = count_of({std::uint64_t(p.filters), std::uint64_t(p.c / p.groups),
                                            std::uint64_t(p.ksize), std::uint64_t(p.ksize)});
    if (weights > tensor_limit(st))
        s.fail("filters", "weights of " + std::to_string(weights) + " floats exceed the limit of " + std::to_string(tensor_limit(st)));
    if (!p.finish())
        s.fail("size", "kernel " + std::to_string(p.ksize) + " (dilation " + std::to_string(p.dilation) + ") is larger than the padded " + std::to_string(p.w) + "x" + std::to_string(p.h) + " input");

    auto layer = std::make_unique<ConvolutionalLayer>(p, act, bn, conv_method(s, st, p));
    layer->set_alexeyab_fold(alexeyab);
    if (alexeyab && s.has("share_index")) layer->share_params_of(share_source(s, st, *layer));
    return layer;
}

// AlexeyAB's windows with stride_x/stride_y: [local_avgpool], and [maxpool] when they differ.
std::unique_ptr<Layer> parse_local_pool(const SectionReader& s, BuildState& st, bool average) {
    require_image_input(s, st);
    const int stride = s.get_int_in("stride", 1, 1, 1024);
    const int sx = s.get_int_in("stride_x", stride, 1, 1024), sy = s.get_int_in("stride_y", stride, 1, 1024);
    const int size = s.get_int_in("size", stride, 1, 1024);
    const int padding = s.get_int_in("padding", size - 1, 0, 2048);
    if (st.shape.h + padding < size || st.shape.w + padding < size)
        s.fail("size", "window " + std::to_string(size) + " is larger than the padded " + std::to_string(st.shape.w) + "x" + std::to_string(st.shape.h) + " input");
    // A window wholly in the padding would average no cell (AlexeyAB divides 0 by 0).
    if (average && padding - padding / 2 >= size) s.fail("padding", "padding " + std::to_string(padding) + " leaves windows with no input cell");
    return std::make_unique<LocalPoolLayer>(st.net.batch, st.shape, average, size, sx, sy, padding);
}

std::unique_ptr<Layer> parse_maxpool(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    const int stride = s.get_int_in("stride", 1, 1, 1024);
    int sx = stride;  // AlexeyAB's stride_x = stride_y, when given
    if (st.net.dialect == Dialect::alexeyab) {
        if (s.get_int("antialiasing", 0) != 0) s.fail("antialiasing", "antialiasing is not supported");
        if (s.get_int_in("maxpool_depth", 0, 0, 1))
            return std::make_unique<MaxpoolDepthLayer>(st.net.batch, st.shape, s.get_int_in("out_channels", 1, 1, 1 << 20));
        sx = s.get_int_in("stride_x", stride, 1, 1024);
        if (sx != s.get_int_in("stride_y", stride, 1, 1024)) return parse_local_pool(s, st, false);
    }
    const int size = s.get_int_in("size", stride, 1, 1024);
    const int padding = s.get_int_in("padding", size - 1, 0, 2048);
    if (st.shape.h + padding < size || st.shape.w + padding < size)
        s.fail("size", "window " + std::to_string(size) + " is larger than the padded " + std::to_string(st.shape.w) + "x" + std::to_string(st.shape.h) + " input");
    return std::make_unique<MaxpoolLayer>(st.net.batch, st.shape, size, sx, padding);
}

std::unique_ptr<Layer> parse_local_avgpool(const SectionReader& s, BuildState& st) {
    return parse_local_pool(s, st, true);
}

std::unique_ptr<Layer> parse_avgpool(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    return std::make_unique<AvgpoolLayer>(st.net.batch, st.shape);
}

// tree=FILE (pjreddie's WordTree), for `count` softmax entries; AlexeyAB's reading of it
// is not verified here, so that dialect refuses it.
std::shared_ptr<const Tree> read_tree_key(const SectionReader& s, const BuildState& st, long count, const char* what) {
    if (st.net.dialect == Dialect::alexeyab) s.fail("tree", "hierarchical softmax (tree=) is supported for pjreddie's cfgs only");
    const std::string path = s.get_string("tree", "");
    std::shared_ptr<const Tree> tree;
    try {
        tree = std::make_shared<const Tree>(read_tree(path));
    } catch (const Error& e) {
        s.fail("tree", e.what());
    }
    if (tree->n() != count)
        s.fail("tree", path + " has " + std::to_string(tree->n()) + " nodes, but the layer has " + std::to_string(count) + " " + what);
    return tree;
}

std::unique_ptr<Layer> parse_softmax(const SectionReader& s, BuildState& st) {
    const int groups = s.get_int_in("groups", 1, 1, 1 << 20);
    const float temperature = s.get_float("temperature", 1.f);
    std::shared_ptr<const Tree> tree;
    if (s.has("tree")) tree = read_tree_key(s, st, static_cast<long>(st.shape.size()), "inputs");
    else if (st.shape.size() % groups) s.fail("groups", "groups does not divide the " + std::to_string(st.shape.size()) + " inputs");
    if (!(temperature != 0.f)) s.fail("temperature", "must not be 0");
    st.net.hierarchy = tree;  // upstream: every [softmax] sets the network's, tree or none
    return std::make_unique<SoftmaxLayer>(st.net.batch, st.shape, groups, temperature, tree);
}

int resolve_index(const SectionReader& s, const char* key, int value, int current) {
    const int abs = value < 0 ? current + value : value;
    if (abs < 0 || abs >= current)
        s.fail(key, "layer " + std::to_string(value) + " is out of range: layer " + std::to_string(current) + " can only use layers 0.." + std::to_string(current - 1));
    return abs;
}

std::unique_ptr<Layer> parse_route(const SectionReader& s, BuildState& st) {
    std::vector<int> rel = s.get_int_list("layers");
    if (rel.empty()) s.fail("layers", "route needs layers=");
    std::vector<int> abs;
    std::vector<Shape> shapes;
    for (int r : rel) {
        const int i = resolve_index(s, "layers", r, st.index);
        const Shape sh = st.net.layer(i).out;
        if (!shapes.empty() && (sh.w != shapes[0].w || sh.h != shapes[0].h))
            s.fail("layers", "layer " + std::to_string(i) + " outputs " + std::to_string(sh.w) + "x" + std::to_string(sh.h) + ", but layer " + std::to_string(abs[0]) + " outputs " + std::to_string(shapes[0].w) + "x" + std::to_string(shapes[0].h));
        abs.push_back(i);
        shapes.push_back(sh);
    }
    int groups = 1, group_id = 0;
    if (st.net.dialect == Dialect::alexeyab) {  // pjreddie's Darknet does not read them
        groups = s.get_int_in("groups", 1, 1, 1 << 20);
        group_id = s.get_int("group_id", 0);
        if (group_id < 0 || group_id >= groups)
            s.fail("group_id", "group_id=" + std::to_string(group_id) + " is out of range: groups=" + std::to_string(groups) + " has groups 0.." + std::to_string(groups - 1));
        for (std::size_t k = 0; k < abs.size(); ++k)
            if (shapes[k].c % groups)
                s.fail("groups", "groups=" + std::to_string(groups) + " does not divide the " + std::to_string(shapes[k].c) + " channels of layer " + std::to_string(abs[k]));
    }
    return std::make_unique<RouteLayer>(st.net.batch, abs, shapes, groups, group_id);
}

// AlexeyAB's [shortcut]: several from= layers of the previous layer's width and height,
// optionally weighted.
std::unique_ptr<Layer> parse_shortcut_multilayer(const SectionReader& s, BuildState& st) {
    using W = ShortcutLayer::WeightsType;
    using N = ShortcutLayer::Normalization;
    const Activation act = read_activation(s, st, "linear");
    const std::string wt = s.get_string("weights_type", "none");
    const W type = wt == "none" ? W::none : wt == "per_feature" || wt == "per_layer" ? W::per_feature : wt == "per_channel" ? W::per_channel : W(-1);
    if (int(type) < 0) s.fail("weights_type", "unknown weights_type \"" + wt + "\" (valid: none, per_feature, per_layer, per_channel)");
    const std::string wn = s.get_string("weights_normalization", "none");
    const N norm = wn == "none" ? N::none : wn == "relu" || wn == "avg_relu" ? N::relu : wn == "softmax" ? N::softmax : N(-1);
    if (int(norm) < 0) s.fail("weights_normalization", "unknown weights_normalization \"" + wn + "\" (valid: none, relu, avg_relu, softmax)");
    std::vector<int> froms;
    std::vector<Shape> shapes;
    for (const int r : s.get_int_list("from")) {
        const int i = resolve_index(s, "from", r, st.index);
        const Shape sh = st.net.layer(i).out;
        if (sh.w != st.shape.w || sh.h != st.shape.h)
            s.fail("from", "layer " + std::to_string(i) + " outputs " + shape_str(sh) + ", but AlexeyAB's shortcut needs the input's width and height (" + shape_str(st.shape) + ")");
        froms.push_back(i);
        shapes.push_back(sh);
    }
    return std::make_unique<ShortcutLayer>(st.net.batch, st.shape, std::move(froms), std::move(shapes), act, type, norm);
}

std::unique_ptr<Layer> parse_shortcut(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    if (!s.has("from")) s.fail("from", "shortcut needs from=");
    if (st.net.dialect == Dialect::alexeyab) return parse_shortcut_multilayer(s, st);
    if (s.get_string("from", "").find(',') != std::string::npos)
        s.fail("from", "from=" + s.get_string("from", "") + " names several layers, which only AlexeyAB's Darknet adds; pjreddie's (-dialect pjreddie) reads the first alone and computes another network; use -dialect alexeyab");
    const int from = resolve_index(s, "from", s.get_int("from", 0), st.index);
    const Activation act = read_activation(s, st, "linear");
    const float alpha = s.get_float("alpha", 1.f);
    const float beta = s.get_float("beta", 1.f);
    const Shape fs = st.net.layer(from).out;
    const Shape o = st.shape;
    const bool ok = fs.w > 0 && fs.h > 0 &&
                    ((fs.w >= o.w) ? (fs.w % o.w == 0 && fs.w / o.w == fs.h / o.h && fs.h % o.h == 0)
                                   : (o.w % fs.w == 0 && o.w / fs.w == o.h / fs.h && o.h % fs.h == 0));
    if (!ok)
        s.fail("from", "layer " + std::to_string(from) + " outputs " + std::to_string(fs.w) + "x" + std::to_string(fs.h) + ", which is not an integer scale of " + std::to_string(o.w) + "x" + std::to_string(o.h));
    return std::make_unique<ShortcutLayer>(st.net.batch, st.shape, from, fs, act, alpha, beta);
}

std::unique_ptr<Layer> parse_upsample(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    const int stride = s.get_int("stride", 2);
    if (stride == 0 || stride > 1024 || stride < -1024) s.fail("stride", "expected a non-zero integer in [-1024, 1024]");
    const float scale = s.get_float("scale", 1.f);
    if (stride < 0 && (st.shape.w % -stride || st.shape.h % -stride))
        s.fail("stride", "downsampling by " + std::to_string(-stride) + " needs a size divisible by it");
    return std::make_unique<UpsampleLayer>(st.net.batch, st.shape, stride, scale);
}

std::unique_ptr<Layer> parse_dropout(const SectionReader& s, BuildState& st) {
    const float p = s.get_float("probability", .5f);
    if (p < 0 || p >= 1) s.fail("probability", "expected a number in [0, 1)");
    return std::make_unique<DropoutLayer>(st.net.batch, st.shape, p);
}

std::unique_ptr<Layer> parse_cost(const SectionReader& s, BuildState& st) {
    const std::string type = s.get_string("type", "sse");
    if (type != "sse" && type != "masked" && type != "smooth" && type != "L1" && type != "seg" && type != "wgan")
        s.fail("type", "unknown cost type \"" + type + "\"");
    return std::make_unique<CostLayer>(st.net.batch, st.shape);
}

std::unique_ptr<Layer> parse_connected(const SectionReader& s, BuildState& st) {
    const int outputs = s.get_int_in("output", 1, 1, 1 << 24);
    const Activation act = read_activation(s, st, "logistic");
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    const std::uint64_t inputs = count_of({std::uint64_t(st.shape.c), std::uint64_t(st.shape.h), std::uint64_t(st.shape.w)});
    if (count_of({inputs, std::uint64_t(outputs)}) > tensor_limit(st))
        s.fail("output", "weights of " + std::to_string(inputs) + " x " + std::to_string(outputs) + " exceed the limit of " + std::to_string(tensor_limit(st)) + " floats");
    auto l = std::make_unique<ConnectedLayer>(st.net.batch, st.shape, outputs, act, bn);
    if (st.net.dialect == Dialect::alexeyab) l->use_alexeyab_batchnorm();
    return l;
}

// Upstream's note for a key it reads with option_find_* but this engine does not read (a
// training-only key), when absent.
void note_absent(const SectionReader& s, BuildState& st, const char* key, const char* def) {
    if (!s.has(key)) st.notes.push_back(std::string(key) + ": Using default '" + def + "'");
}

// Recurrent layers are pjreddie's; AlexeyAB's fork computes its own (peepholes, other file
// layouts), which is not implemented.
void require_pjreddie_recurrent(const SectionReader& s, const BuildState& st) {
    if (st.net.dialect == Dialect::alexeyab)
        s.fail(nullptr, "[" + s.section().type + "] is supported as pjreddie's Darknet computes it only; AlexeyAB's recurrent layers differ (this cfg is read as AlexeyAB's; -dialect pjreddie overrides)");
}

// The output count of [rnn], [gru] and [lstm], and a check of their connected layers' size.
int recurrent_outputs(const SectionReader& s, BuildState& st) {
    require_pjreddie_recurrent(s, st);
    const int outputs = int_noted(s, st, "output", 1, 1, 1 << 24);
    const std::uint64_t in = std::max<std::uint64_t>(st.shape.size(), std::uint64_t(outputs));
    if (count_of({in, std::uint64_t(outputs)}) > tensor_limit(st))
        s.fail("output", "weights of " + std::to_string(in) + " x " + std::to_string(outputs) + " exceed the limit of " + std::to_string(tensor_limit(st)) + " floats");
    return outputs;
}

std::unique_ptr<Layer> parse_rnn(const SectionReader& s, BuildState& st) {
    const int outputs = recurrent_outputs(s, st);
    note_absent(s, st, "activation", "logistic");
    const Activation act = read_activation(s, st, "logistic");
    st.notes_before_row = st.notes.size();
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    const bool shortcut = s.get_int_in("shortcut", 0, 0, 1) != 0;
    return std::make_unique<RnnLayer>(st.net.batch, static_cast<int>(st.shape.size()), outputs, act, bn, shortcut);
}

std::unique_ptr<Layer> parse_gru(const SectionReader& s, BuildState& st) {
    const int outputs = recurrent_outputs(s, st);
    st.notes_before_row = st.notes.size();
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    const bool tanh = s.get_int_in("tanh", 0, 0, 1) != 0;
    return std::make_unique<GruLayer>(st.net.batch, static_cast<int>(st.shape.size()), outputs, bn, tanh);
}

std::unique_ptr<Layer> parse_lstm(const SectionReader& s, BuildState& st) {
    const int outputs = recurrent_outputs(s, st);
    st.notes_before_row = st.notes.size();
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    return std::make_unique<LstmLayer>(st.net.batch, static_cast<int>(st.shape.size()), outputs, bn);
}

std::unique_ptr<Layer> parse_crnn(const SectionReader& s, BuildState& st) {
    require_pjreddie_recurrent(s, st);
    const int output_filters = int_noted(s, st, "output_filters", 1, 1, 1 << 20);
    const int hidden_filters = int_noted(s, st, "hidden_filters", 1, 1, 1 << 20);
    note_absent(s, st, "activation", "logistic");
    const Activation act = read_activation(s, st, "logistic");
    st.notes_before_row = st.notes.size();
    const bool bn = s.get_int_in("batch_normalize", 0, 0, 1) != 0;
    const bool shortcut = s.get_int_in("shortcut", 0, 0, 1) != 0;
    require_image_input(s, st);
    const std::uint64_t state = count_of({std::uint64_t(hidden_filters), std::uint64_t(st.shape.h), std::uint64_t(st.shape.w), std::uint64_t(st.net.batch)});
    if (state > tensor_limit(st))
        s.fail("hidden_filters", "a state of " + std::to_string(state) + " floats exceeds the limit of " + std::to_string(tensor_limit(st)));
    // Upstream's three convolutions: 3x3, stride 1, padding 1, so every one keeps h x w.
    ConvParams p[3];
    const int channels[3][2] = {{st.shape.c, hidden_filters}, {hidden_filters, hidden_filters}, {hidden_filters, output_filters}};
    MethodChoice methods[3];
    for (int i = 0; i < 3; ++i) {
        p[i].batch = st.net.batch;
        p[i].c = channels[i][0];
        p[i].h = st.shape.h;
        p[i].w = st.shape.w;
        p[i].filters = channels[i][1];
        p[i].ksize = 3;
        p[i].pad = 1;
        const std::uint64_t weights = count_of({std::uint64_t(p[i].c), std::uint64_t(p[i].filters), 9});
        if (weights > tensor_limit(st))
            s.fail(i == 2 ? "output_filters" : "hidden_filters", "weights of " + std::to_string(weights) + " floats exceed the limit of " + std::to_string(tensor_limit(st)));
        DN_ASSERT(p[i].finish());
        methods[i] = conv_method(s, st, p[i]);
    }
    return std::make_unique<CrnnLayer>(p[0], p[1], p[2], methods, act, bn, shortcut);
}

std::unique_ptr<Layer> parse_crop(const SectionReader& s, BuildState& st) {
    const int crop_h = int_noted(s, st, "crop_height", 1, 1, kMaxSide);
    const int crop_w = int_noted(s, st, "crop_width", 1, 1, kMaxSide);
    // Training-only augmentation, in upstream's order of reading them.
    note_absent(s, st, "flip", "0");
    note_absent(s, st, "angle", "0.000000");
    note_absent(s, st, "saturation", "1.000000");
    note_absent(s, st, "exposure", "1.000000");
    require_image_input(s, st);
    const bool noadjust = s.get_int("noadjust", 0) != 0;
    st.notes_before_row = st.notes.size();
    note_absent(s, st, "shift", "0.000000");
    if (crop_h > st.shape.h || crop_w > st.shape.w)
        s.fail(crop_h > st.shape.h ? "crop_height" : "crop_width",
               "the " + std::to_string(crop_w) + "x" + std::to_string(crop_h) + " crop is larger than the " +
                   std::to_string(st.shape.w) + "x" + std::to_string(st.shape.h) + " input");
    return std::make_unique<CropLayer>(st.net.batch, st.shape, crop_h, crop_w, noadjust);
}

std::unique_ptr<Layer> parse_local(const SectionReader& s, BuildState& st) {
    LocalParams p;
    p.filters = int_noted(s, st, "filters", 1, 1, 1 << 20);
    p.size = int_noted(s, st, "size", 1, 1, 1024);
    p.stride = int_noted(s, st, "stride", 1, 1, 1024);
    p.pad = int_noted(s, st, "pad", 0, 0, 1024);
    note_absent(s, st, "activation", "logistic");
    const Activation act = read_activation(s, st, "logistic");
    st.notes_before_row = st.notes.size();  // upstream prints its row after reading them all
    require_image_input(s, st);
    const Shape in = st.shape;
    const int oh = local_output_size(in.h, p), ow = local_output_size(in.w, p);
    if (oh < 1 || ow < 1)
        s.fail("size", "window " + std::to_string(p.size) + " (pad " + std::to_string(p.pad) + ") is larger than the " + shape_str(in) + " input");
    // Upstream sizes the output by pad != 0 alone, but im2col pads by `pad` pixels: when the
    // two window counts differ it reads and writes past its buffers.
    if (local_window_count(in.h, p) != oh || local_window_count(in.w, p) != ow)
        s.fail("pad", "pad=" + std::to_string(p.pad) + " with size=" + std::to_string(p.size) + " and stride=" + std::to_string(p.stride) +
                          ": upstream sizes the output " + std::to_string(ow) + "x" + std::to_string(oh) + " ((w - 1) / stride + 1) but its im2col makes " +
                          std::to_string(local_window_count(in.w, p)) + "x" + std::to_string(local_window_count(in.h, p)) +
                          " windows (they agree for pad=0, or pad=1 with size=3)");
    const std::uint64_t weights = count_of({std::uint64_t(in.c), std::uint64_t(p.size), std::uint64_t(p.size),
                                            std::uint64_t(p.filters), std::uint64_t(oh), std::uint64_t(ow)});
    if (weights > tensor_limit(st))
        s.fail("filters", "weights of " + std::to_string(weights) + " floats exceed the limit of " + std::to_string(tensor_limit(st)));
    return std::make_unique<LocalLayer>(st.net.batch, in, p, act);
}

std::unique_ptr<Layer> parse_detection(const SectionReader& s, BuildState& st) {
    DetectionOptions o;
    o.coords = int_noted(s, st, "coords", 1, 1, 1 << 16);
    o.classes = int_noted(s, st, "classes", 1, 1, 1 << 16);
    note_absent(s, st, "rescore", "0");
    o.num = int_noted(s, st, "num", 1, 1, 1 << 16);
    o.side = int_noted(s, st, "side", 7, 1, 4096);
    st.notes_before_row = st.notes.size();
    o.softmax = int_noted(s, st, "softmax", 0, INT32_MIN, INT32_MAX) != 0;
    o.sqrt = int_noted(s, st, "sqrt", 0, INT32_MIN, INT32_MAX) != 0;
    note_absent(s, st, "coord_scale", "1.000000");
    note_absent(s, st, "forced", "0");
    note_absent(s, st, "object_scale", "1.000000");
    note_absent(s, st, "noobject_scale", "1.000000");
    note_absent(s, st, "class_scale", "1.000000");
    note_absent(s, st, "jitter", "0.200000");
    // Upstream reads x, y, w, h at 4 values per box whatever coords says; fewer would read
    // past its input.
    if (o.coords < 4) s.fail("coords", "coords=" + std::to_string(o.coords) + ": each box needs at least x, y, w, h (coords=4)");
    const std::uint64_t want = count_of({std::uint64_t(o.side), std::uint64_t(o.side),
                                         std::uint64_t((1 + o.coords)) * std::uint64_t(o.num) + std::uint64_t(o.classes)});
    if (st.shape.size() != want)
        s.fail(nullptr, "the input has " + std::to_string(st.shape.size()) + " values, but side=" + std::to_string(o.side) + " squared x ((1 + coords=" +
                            std::to_string(o.coords) + ") x num=" + std::to_string(o.num) + " + classes=" + std::to_string(o.classes) + ") need " + std::to_string(want));
    return std::make_unique<DetectionLayer>(st.net.batch, st.shape, o);
}

// Anchor sizes: upstream fills 2*num values with .5, then overwrites them in order.
std::vector<float> read_anchors(const SectionReader& s, int num) {
    std::vector<float> biases(std::size_t(2) * num, .5f);
    const std::vector<float> a = s.get_float_list("anchors");
    if (a.size() > biases.size())
        s.fail("anchors", std::to_string(a.size()) + " values given, but num=" + std::to_string(num) + " anchors take at most " + std::to_string(biases.size()));
    std::copy(a.begin(), a.end(), biases.begin());
    return biases;
}

// AlexeyAB's nms_kind and beta_nms, read by [yolo] and [Gaussian_yolo] in its dialect.
void read_nms_kind(const SectionReader& s, YoloOptions& o) {
    o.beta_nms = s.get_float("beta_nms", .6f);
    const std::string kind = s.get_string("nms_kind", "default");
    if (kind == "greedynms") o.nms_kind = NmsKind::greedy;
    else if (kind == "diounms") o.nms_kind = NmsKind::diou;
    else if (kind != "default") s.fail("nms_kind", "unknown nms_kind \"" + kind + "\" (valid: default, greedynms, diounms)");
}

// What [yolo] and [Gaussian_yolo] share: classes, num, mask (checked against num) and an
// input of mask-size x (classes + coords + 1) channels, coords being 4 or 8.
struct YoloHead {
    int classes = 0, total = 0;
    std::vector<int> mask;
};

YoloHead read_yolo_head(const SectionReader& s, BuildState& st, int coords, const char* what) {
    require_image_input(s, st);
    YoloHead y;
    y.classes = int_noted(s, st, "classes", 20, 1, 1 << 16);
    y.total = int_noted(s, st, "num", 1, 1, 1 << 16);
    y.mask = s.get_int_list("mask");
    if (!s.has("mask"))
        for (int i = 0; i < y.total; ++i) y.mask.push_back(i);
    for (int m : y.mask)
        if (m < 0 || m >= y.total)
            s.fail("mask", "anchor " + std::to_string(m) + " is out of range: num=" + std::to_string(y.total) + " anchors are 0.." + std::to_string(y.total - 1));
    const int want = static_cast<int>(y.mask.size()) * (y.classes + coords + 1);
    if (st.shape.c != want)
        s.fail(nullptr, "the input has " + std::to_string(st.shape.c) + " channels, but " + std::to_string(y.mask.size()) + " anchors x (classes=" + std::to_string(y.classes) + " + " + what + ") need " + std::to_string(want));
    st.notes_before_row = st.notes.size();
    (void)float_noted(s, st, "jitter", .2f);
    (void)float_noted(s, st, "ignore_thresh", .5f);
    (void)float_noted(s, st, "truth_thresh", 1.f);
    return y;
}

std::unique_ptr<Layer> parse_yolo(const SectionReader& s, BuildState& st) {
    YoloHead y = read_yolo_head(s, st, 4, "5");
    YoloOptions o;
    if (st.net.dialect == Dialect::alexeyab) {  // pjreddie's Darknet reads none of these
        o.alexeyab = true;
        o.scale_x_y = s.get_float("scale_x_y", 1.f);
        o.new_coords = s.get_int_in("new_coords", 0, 0, 1) != 0;
        read_nms_kind(s, o);
    }
    return std::make_unique<YoloLayer>(st.net.batch, st.shape, y.classes, y.mask, read_anchors(s, y.total), o);
}

// AlexeyAB's [Gaussian_yolo]: a [yolo] with an uncertainty per box coordinate.
std::unique_ptr<Layer> parse_gaussian_yolo(const SectionReader& s, BuildState& st) {
    YoloHead y = read_yolo_head(s, st, 8, "9: x, y, w, h, their 4 sigmas and objectness");
    YoloOptions o;
    o.scale_x_y = s.get_float("scale_x_y", 1.f);
    read_nms_kind(s, o);
    const std::string point = s.get_string("yolo_point", "center");
    const YoloPoint p = point == "center" ? YoloPoint::center : point == "left_top" ? YoloPoint::left_top
                        : point == "right_bottom" ? YoloPoint::right_bottom : YoloPoint(-1);
    if (int(p) < 0) s.fail("yolo_point", "unknown yolo_point \"" + point + "\" (valid: center, left_top, right_bottom)");
    return std::make_unique<GaussianYoloLayer>(st.net.batch, st.shape, y.classes, y.mask, read_anchors(s, y.total), o, p);
}

std::unique_ptr<Layer> parse_region(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    RegionOptions o;
    o.coords = int_noted(s, st, "coords", 4, 4, 1 << 16);
    o.classes = int_noted(s, st, "classes", 20, 1, 1 << 16);
    o.num = int_noted(s, st, "num", 1, 1, 1 << 16);
    const int want = o.num * (o.classes + o.coords + 1);
    if (st.shape.c != want)
        s.fail(nullptr, "the input has " + std::to_string(st.shape.c) + " channels, but num=" + std::to_string(o.num) + " x (classes=" + std::to_string(o.classes) + " + coords=" + std::to_string(o.coords) + " + 1) need " + std::to_string(want));
    st.notes_before_row = st.notes.size();
    o.softmax = int_noted(s, st, "softmax", 0, 0, 1) != 0;
    if (st.net.dialect == Dialect::alexeyab) {
        // Its get_region_boxes reads 4 coords per box, whatever coords= says, and it reads
        // no background key.
        o.alexeyab = true;
        if (o.coords != 4) s.fail("coords", "coords=" + std::to_string(o.coords) + ": AlexeyAB's [region] decodes 4 coords only");
        if (s.get_int("background", 0) != 0) s.fail("background", "background=1 is not read by AlexeyAB's Darknet, which computes objectness instead; use -dialect pjreddie");
        o.classfix = s.get_int("classfix", 0);
    } else {
        o.background = s.get_int_in("background", 0, 0, 1) != 0;
    }
    (void)float_noted(s, st, "jitter", .2f);
    (void)float_noted(s, st, "thresh", .5f);
    for (const char* k : {"coord_scale", "object_scale", "noobject_scale", "mask_scale", "class_scale"})
        (void)float_noted(s, st, k, 1.f);
    if (s.has("tree")) o.tree = read_tree_key(s, st, o.classes, "classes");
    o.biases = read_anchors(s, o.num);
    return std::make_unique<RegionLayer>(st.net.batch, st.shape, o);
}

std::unique_ptr<Layer> parse_reorg(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    ReorgOptions o;
    o.stride = int_noted(s, st, "stride", 1, 1, 1024);
    o.reverse = s.get_int_in("reverse", 0, 0, 1) != 0;
    o.flatten = s.get_int_in("flatten", 0, 0, 1) != 0;
    o.extra = s.get_int_in("extra", 0, 0, 1 << 24);
    st.notes_before_row = st.notes.size();
    auto l = std::make_unique<ReorgLayer>(st.net.batch, st.shape, o);
    const Shape in = st.shape;
    const int s2 = o.stride * o.stride;
    // Upstream indexes out of bounds (or divides by zero) when these do not hold.
    if (!o.extra && l->out.size() != in.size())
        s.fail("stride", "stride " + std::to_string(o.stride) + " does not " + (o.reverse ? "square-divide the " + std::to_string(in.c) + " channels" : "divide the " + std::to_string(in.w) + "x" + std::to_string(in.h) + " input"));
    if (!o.extra && !o.flatten && in.c % s2)
        s.fail("stride", "stride^2 = " + std::to_string(s2) + " does not divide the " + std::to_string(in.c) + " input channels");
    return l;
}

// AlexeyAB's [scale_channels]: the previous layer holds one scale per channel of `from`
// (c x 1 x 1) or, with scale_wh=1, one per pixel (1 x h x w).
std::unique_ptr<Layer> parse_scale_channels(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    if (!s.has("from")) s.fail("from", "scale_channels needs from=");
    const int from = resolve_index(s, "from", s.get_int("from", 0), st.index);
    const bool scale_wh = s.get_int_in("scale_wh", 0, 0, 1) != 0;
    const Activation act = read_activation(s, st, "linear");
    const Shape fs = st.net.layer(from).out, in = st.shape;
    const bool ok = scale_wh ? in.c == 1 && in.w == fs.w && in.h == fs.h : in.w == 1 && in.h == 1 && in.c == fs.c;
    if (!ok)
        s.fail("from", "layer " + std::to_string(from) + " outputs " + shape_str(fs) + ", but the input " + shape_str(in) + " must be " +
                           (scale_wh ? "1 x its width x height (scale_wh=1)" : "1x1 x its channels"));
    return std::make_unique<ScaleChannelsLayer>(st.net.batch, in, from, fs, scale_wh, act);
}

// AlexeyAB's [sam]: the input times layer `from`'s output, of the same shape.
std::unique_ptr<Layer> parse_sam(const SectionReader& s, BuildState& st) {
    require_image_input(s, st);
    if (!s.has("from")) s.fail("from", "sam needs from=");
    const int from = resolve_index(s, "from", s.get_int("from", 0), st.index);
    const Activation act = read_activation(s, st, "linear");
    const Shape fs = st.net.layer(from).out, in = st.shape;
    if (fs.w != in.w || fs.h != in.h || fs.c != in.c)
        s.fail("from", "layer " + std::to_string(from) + " outputs " + shape_str(fs) + ", but the input is " + shape_str(in) + " (sam multiplies equal shapes)");
    return std::make_unique<SamLayer>(st.net.batch, in, from, act);
}

using ParseFn = std::unique_ptr<Layer> (*)(const SectionReader&, BuildState&);
struct SectionType {
    const char* name;
    ParseFn parse;  // null: an upstream layer type this engine does not run
};
const SectionType kSectionTypes[] = {
    {"convolutional", parse_convolutional}, {"conv", parse_convolutional},
    {"maxpool", parse_maxpool},             {"max", parse_maxpool},
    {"avgpool", parse_avgpool},             {"avg", parse_avgpool},
    {"softmax", parse_softmax},             {"soft", parse_softmax},
    {"route", parse_route},                 {"shortcut", parse_shortcut},
    {"upsample", parse_upsample},           {"dropout", parse_dropout},
    {"cost", parse_cost},                   {"connected", parse_connected},
    {"conn", parse_connected},              {"yolo", parse_yolo},
    {"region", parse_region},               {"reorg", parse_reorg},
    {"scale_channels", parse_scale_channels}, {"sam", parse_sam},
    {"local_avgpool", parse_local_avgpool},  {"local_avg", parse_local_avgpool},
    {"crop", parse_crop},                   {"detection", parse_detection},
    {"local", parse_local},                 {"gaussian_yolo", parse_gaussian_yolo},
    {"iseg", nullptr}, {"deconv", nullptr}, {"deconvolutional", nullptr},
    {"activation", nullptr}, {"logistic", nullptr}, {"l2norm", nullptr},
    {"rnn", parse_rnn},                     {"gru", parse_gru},
    {"lstm", parse_lstm},                   {"crnn", parse_crnn},
    {"lrn", nullptr}, {"normalization", nullptr}, {"batchnorm", nullptr},
};

void parse_net_section(const SectionReader& s, BuildState& st) {
    Network& net = st.net;
    net.input.w = s.get_int_in("width", 0, 0, kMaxSide);
    net.input.h = s.get_int_in("height", 0, 0, kMaxSide);
    net.input.c = s.get_int_in("channels", 0, 0, 4096);
    if (net.input.w == 0 && net.input.h == 0 && net.input.c == 0 && s.has("inputs")) {
        // A vector input (character RNNs: inputs=256), as upstream's net->inputs.
        net.input = {s.get_int_in("inputs", 0, 1, 1 << 24), 1, 1};
        net.vector_input = true;
        st.flat = true;
    } else if (net.input.w < 1 || net.input.h < 1 || net.input.c < 1)
        s.fail(nullptr, "width, height and channels must all be given and positive, or inputs= alone (got " + std::to_string(net.input.w) + "x" + std::to_string(net.input.h) + "x" + std::to_string(net.input.c) + ")");
    if (s.has("inputs") && std::size_t(s.get_int("inputs", 0)) != net.input.size())
        s.fail("inputs", "must equal width*height*channels");
    if (net.dialect == Dialect::alexeyab) net.letter_box = s.get_int_in("letter_box", 0, 0, 1) != 0;
    st.net_method.name = s.get_string("method", "");
    st.net_method.source = MethodSource::net_cfg;
    st.net_method.where = s.where("method");
}

}  // namespace

std::unique_ptr<Network> parse_network(const std::string& cfg_path, const NetworkOptions& opt) {
    return parse_network(read_cfg_file(cfg_path), opt);
}

std::unique_ptr<Network> parse_network(const CfgFile& cfg, const NetworkOptions& opt) {
    const std::string& cfg_path = cfg.path;
    if (cfg.sections.empty()) throw Error(cfg_path + ": empty cfg: no [net] section");
    auto net = std::make_unique<Network>();
    net->cfg_path = cfg_path;
    net->batch = opt.batch < 1 ? 1 : opt.batch;
    net->threads = opt.threads > 0 ? opt.threads : omp_get_num_procs();
    net->dialect = opt.dialect;
    if (net->dialect == Dialect::detect) {
        std::string why;
        net->dialect = detect_dialect(cfg, &why);
        if (net->dialect == Dialect::alexeyab)
            log_info("notice: %s is AlexeyAB's: reading the cfg as AlexeyAB's Darknet does (-dialect pjreddie overrides)", why.c_str());
    }
    if (!opt.cli_method.empty() && !is_auto_method(opt.cli_method)) require_backend(opt.cli_method, "-method: ");
    if (!opt.env_method.empty() && !is_auto_method(opt.env_method)) require_backend(opt.env_method, "DARKNET_CONV_METHOD: ");

    BuildState st{cfg_path, opt, *net, {}, {}, 0, 0, {}, 0, nullptr, {}, false};
    const CfgSection& first = cfg.sections[0];
    if (first.type != "net" && first.type != "network")
        throw Error(cfg_path + ":" + std::to_string(first.line) + ": the first section must be [net], got [" + first.type + "]");
    SectionReader net_reader(cfg_path, first, 0);
    parse_net_section(net_reader, st);
    if (!st.net_method.name.empty() && !is_auto_method(st.net_method.name)) require_backend(st.net_method.name, st.net_method.where);
    if (cfg.sections.size() < 2) throw Error(cfg_path + ": no layers after [net]");
    st.shape = net->input;
    if (opt.print_table)
        std::fprintf(stderr, "layer     filters    size              input                output\n");

    for (std::size_t i = 1; i < cfg.sections.size(); ++i) {
        const CfgSection& sec = cfg.sections[i];
        st.index = static_cast<int>(i) - 1;
        SectionReader reader(cfg_path, sec, st.index);
        if (sec.type == "net" || sec.type == "network") reader.fail(nullptr, "[net] may only be the first section");
        const SectionType* type = nullptr;
        for (const SectionType& t : kSectionTypes)
            if (sec.type == t.name) type = &t;
        if (!type) reader.fail(nullptr, "unknown section type [" + sec.type + "]");
        if (!type->parse) reader.fail(nullptr, "layer type [" + sec.type + "] is not supported by this engine");
        if (net->dialect == Dialect::pjreddie && is_alexeyab_section(sec.type))
            reader.fail(nullptr, "a layer type of AlexeyAB's Darknet alone: pjreddie's (-dialect pjreddie) does not know it (\"Type not recognized\") and computes another network; use -dialect alexeyab");
        std::unique_ptr<Layer> layer = type->parse(reader, st);
        layer->index = st.index;
        const std::uint64_t elems = count_of({std::uint64_t(layer->out.c), std::uint64_t(layer->out.h),
                                              std::uint64_t(layer->out.w), std::uint64_t(net->batch)});
        if (elems <= tensor_limit(st)) {  // then the sum cannot overflow
            st.total_elements += elems;
            for (const ParamRef& p : layer->params()) st.total_elements += p.data->size();
        }
        if (elems > tensor_limit(st) || st.total_elements > total_limit(st))
            reader.fail(nullptr, "output of " + std::to_string(layer->out.w) + "x" + std::to_string(layer->out.h) + "x" + std::to_string(layer->out.c) + " exceeds the activation memory limit");
        if (opt.print_table) {
            std::fprintf(stderr, "%5d ", st.index);
            for (std::size_t n = 0; n < st.notes.size(); ++n) {
                if (n == st.notes_before_row) std::fprintf(stderr, "%s\n", layer->describe().c_str());
                std::fprintf(stderr, "%s\n", st.notes[n].c_str());
            }
            if (st.notes.size() <= st.notes_before_row)
                std::fprintf(stderr, "%s\n", layer->describe().c_str());
        }
        st.notes.clear();
        st.notes_before_row = 0;
        check_unused(reader, sec.type, net->dialect);
        st.shape = layer->out;
        const std::string kind = layer->kind();
        st.flat = kind == "rnn" || kind == "gru" || kind == "lstm" ||
                  (st.flat && (kind == "softmax" || kind == "dropout" || kind == "cost"));
        net->layers.push_back(std::move(layer));
    }
    check_unused(net_reader, "net", net->dialect);
    if (st.plans && st.plans->dirty()) {
        if (st.plans->save())
            log_info("notice: saved the auto plan (%zu layer shapes) to %s", st.plans->size(), st.plans->path().c_str());
        else
            log_warn("%s", st.plans->notice().c_str());
    }
    return net;
}

}  // namespace dn
