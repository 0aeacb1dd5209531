#include "cfg_keys.h"

#include <cstdlib>
#include <cstring>

#include "activations.h"
#include "error.h"
#include "log.h"

namespace dn {

namespace {

enum Fork : unsigned char { PJ = 1, AB = 2, BOTH = 3 };
enum Kind : unsigned char {
    TRAIN,      // read for training (or display, GPU streams, tracking) only: ignored here
    INFERENCE,  // changes what the layer computes: read by the parser, or an error
};

struct KeyInfo {
    const char* section;  // canonical type; "*" for the keys both parsers read in every layer
    const char* key;
    Kind kind;
    Fork fork;
    // INFERENCE keys this engine does not read: the value that changes nothing (accepted),
    // or null when every value must be read by the parser.
    const char* no_effect;
};

// Read from upstream's parser.c (pjreddie) and AlexeyAB's parser.c: every key either reads
// that is training-only, plus every inference key of AlexeyAB's fork alone and every
// inference key the parser here does not read. Keys the parser reads for inference in both
// forks (filters, size, anchors, ...) need no entry. A key in no table and not read is one no
// Darknet reads: warned about, as both Darknets print "Unused field".
const KeyInfo kKeys[] = {
    // [net]: training hyper-parameters and augmentation.
    {"net", "batch", TRAIN, BOTH, nullptr}, {"net", "subdivisions", TRAIN, BOTH, nullptr},
    {"net", "momentum", TRAIN, BOTH, nullptr}, {"net", "decay", TRAIN, BOTH, nullptr},
    {"net", "learning_rate", TRAIN, BOTH, nullptr}, {"net", "policy", TRAIN, BOTH, nullptr},
    {"net", "power", TRAIN, BOTH, nullptr}, {"net", "max_batches", TRAIN, BOTH, nullptr},
    {"net", "steps", TRAIN, BOTH, nullptr}, {"net", "scales", TRAIN, BOTH, nullptr},
    {"net", "step", TRAIN, BOTH, nullptr}, {"net", "scale", TRAIN, BOTH, nullptr},
    {"net", "gamma", TRAIN, BOTH, nullptr}, {"net", "burn_in", TRAIN, BOTH, nullptr},
    {"net", "angle", TRAIN, BOTH, nullptr}, {"net", "hue", TRAIN, BOTH, nullptr},
    {"net", "saturation", TRAIN, BOTH, nullptr}, {"net", "exposure", TRAIN, BOTH, nullptr},
    {"net", "aspect", TRAIN, BOTH, nullptr}, {"net", "max_crop", TRAIN, BOTH, nullptr},
    {"net", "min_crop", TRAIN, BOTH, nullptr}, {"net", "time_steps", TRAIN, BOTH, nullptr},
    {"net", "adam", TRAIN, BOTH, nullptr}, {"net", "B1", TRAIN, BOTH, nullptr},
    {"net", "B2", TRAIN, BOTH, nullptr}, {"net", "eps", TRAIN, BOTH, nullptr},
    {"net", "inputs", TRAIN, BOTH, nullptr},
    {"net", "jitter", TRAIN, PJ, nullptr}, {"net", "random", TRAIN, PJ, nullptr},
    {"net", "notruth", TRAIN, PJ, nullptr}, {"net", "center", TRAIN, PJ, nullptr},
    {"net", "clip", TRAIN, PJ, nullptr}, {"net", "sequential", TRAIN, PJ, nullptr},
    {"net", "rate", TRAIN, PJ, nullptr}, {"net", "seed", TRAIN, PJ, nullptr},
    {"net", "max_ratio", TRAIN, PJ, nullptr}, {"net", "min_ratio", TRAIN, PJ, nullptr},
    {"net", "learning_rate_min", TRAIN, AB, nullptr}, {"net", "sgdr_cycle", TRAIN, AB, nullptr},
    {"net", "sgdr_mult", TRAIN, AB, nullptr}, {"net", "track", TRAIN, AB, nullptr},
    {"net", "augment_speed", TRAIN, AB, nullptr}, {"net", "sequential_subdivisions", TRAIN, AB, nullptr},
    {"net", "try_fix_nan", TRAIN, AB, nullptr}, {"net", "weights_reject_freq", TRAIN, AB, nullptr},
    {"net", "equidistant_point", TRAIN, AB, nullptr},
    {"net", "badlabels_rejection_percentage", TRAIN, AB, nullptr},
    {"net", "num_sigmas_reject_badlabels", TRAIN, AB, nullptr}, {"net", "ema_alpha", TRAIN, AB, nullptr},
    {"net", "use_cuda_graph", TRAIN, AB, nullptr}, {"net", "loss_scale", TRAIN, AB, nullptr},
    {"net", "dynamic_minibatch", TRAIN, AB, nullptr}, {"net", "optimized_memory", TRAIN, AB, nullptr},
    {"net", "workspace_size_limit_MB", TRAIN, AB, nullptr}, {"net", "flip", TRAIN, AB, nullptr},
    {"net", "blur", TRAIN, AB, nullptr}, {"net", "gaussian_noise", TRAIN, AB, nullptr},
    {"net", "mixup", TRAIN, AB, nullptr}, {"net", "cutmix", TRAIN, AB, nullptr},
    {"net", "mosaic", TRAIN, AB, nullptr}, {"net", "mosaic_bound", TRAIN, AB, nullptr},
    {"net", "contrastive", TRAIN, AB, nullptr}, {"net", "contrastive_jit_flip", TRAIN, AB, nullptr},
    {"net", "contrastive_color", TRAIN, AB, nullptr}, {"net", "unsupervised", TRAIN, AB, nullptr},
    {"net", "label_smooth_eps", TRAIN, AB, nullptr}, {"net", "resize_step", TRAIN, AB, nullptr},
    {"net", "attention", TRAIN, AB, nullptr}, {"net", "adversarial_lr", TRAIN, AB, nullptr},
    {"net", "max_chart_loss", TRAIN, AB, nullptr}, {"net", "seq_scales", TRAIN, AB, nullptr},
    {"net", "show_receptive_field", TRAIN, AB, nullptr},
    {"net", "letter_box", INFERENCE, AB, nullptr},

    // Every layer section: training controls, GPU streams, and two keys that change which
    // floats the weights file gives the layer.
    {"*", "stopbackward", TRAIN, BOTH, nullptr}, {"*", "onlyforward", TRAIN, BOTH, nullptr},
    {"*", "learning_rate", TRAIN, BOTH, nullptr}, {"*", "smooth", TRAIN, PJ, nullptr},
    {"*", "dontsave", TRAIN, PJ, nullptr}, {"*", "truth", TRAIN, PJ, nullptr},
    {"*", "clip", TRAIN, AB, nullptr}, {"*", "dont_update", TRAIN, AB, nullptr},
    {"*", "burnin_update", TRAIN, AB, nullptr}, {"*", "train_only_bn", TRAIN, AB, nullptr},
    {"*", "stream", TRAIN, AB, nullptr}, {"*", "wait_stream", TRAIN, AB, nullptr},
    {"*", "dontload", INFERENCE, BOTH, "0"}, {"*", "dontloadscales", INFERENCE, BOTH, "0"},
    {"*", "numload", INFERENCE, PJ, "0"},

    // [convolutional]
    {"convolutional", "dot", TRAIN, BOTH, nullptr},
    {"convolutional", "angle", TRAIN, AB, nullptr},  // rotate=1's training augmentation
    {"convolutional", "grad_centr", TRAIN, AB, nullptr},
    {"convolutional", "assisted_excitation", TRAIN, AB, nullptr},
    {"convolutional", "flipped", INFERENCE, BOTH, "0"},  // transposes the weights on load
    {"convolutional", "dilation", INFERENCE, AB, "1"},
    {"convolutional", "share_index", INFERENCE, AB, nullptr},
    {"convolutional", "stride_x", INFERENCE, AB, "-1"}, {"convolutional", "stride_y", INFERENCE, AB, "-1"},
    {"convolutional", "antialiasing", INFERENCE, AB, "0"}, {"convolutional", "cbn", INFERENCE, AB, "0"},
    {"convolutional", "bin_output", INFERENCE, AB, "0"}, {"convolutional", "sway", INFERENCE, AB, "0"},
    {"convolutional", "rotate", INFERENCE, AB, "0"}, {"convolutional", "stretch", INFERENCE, AB, "0"},
    {"convolutional", "stretch_sway", INFERENCE, AB, "0"}, {"convolutional", "reverse", INFERENCE, AB, "0"},
    {"convolutional", "coordconv", INFERENCE, AB, "0"},

    // [maxpool]
    {"maxpool", "stride_x", INFERENCE, AB, nullptr}, {"maxpool", "stride_y", INFERENCE, AB, nullptr},
    {"maxpool", "maxpool_depth", INFERENCE, AB, "0"}, {"maxpool", "out_channels", INFERENCE, AB, "1"},
    {"maxpool", "antialiasing", INFERENCE, AB, "0"}, {"maxpool", "maxpool_zero_nonmax", INFERENCE, AB, "0"},

    // [softmax], [dropout], [cost]
    {"softmax", "spatial", TRAIN, BOTH, nullptr}, {"softmax", "noloss", TRAIN, BOTH, nullptr},
    {"dropout", "dropblock", TRAIN, AB, nullptr}, {"dropout", "dropblock_size_rel", TRAIN, AB, nullptr},
    {"dropout", "dropblock_size_abs", TRAIN, AB, nullptr},
    {"cost", "scale", TRAIN, BOTH, nullptr}, {"cost", "ratio", TRAIN, BOTH, nullptr},
    {"cost", "noobject_scale", TRAIN, PJ, nullptr}, {"cost", "thresh", TRAIN, PJ, nullptr},

    // [route], [shortcut]
    {"route", "groups", INFERENCE, AB, "1"}, {"route", "group_id", INFERENCE, AB, "0"},
    {"shortcut", "weights_type", INFERENCE, AB, "none"},
    {"shortcut", "weights_normalization", INFERENCE, AB, "none"},

    // [yolo]: the loss and its targets, training-time resizing, video tracking.
    {"yolo", "jitter", TRAIN, BOTH, nullptr}, {"yolo", "ignore_thresh", TRAIN, BOTH, nullptr},
    {"yolo", "truth_thresh", TRAIN, BOTH, nullptr}, {"yolo", "random", TRAIN, BOTH, nullptr},
    {"yolo", "max", TRAIN, BOTH, nullptr}, {"yolo", "map", TRAIN, BOTH, nullptr},
    {"yolo", "show_details", TRAIN, AB, nullptr}, {"yolo", "max_delta", TRAIN, AB, nullptr},
    {"yolo", "counters_per_class", TRAIN, AB, nullptr}, {"yolo", "label_smooth_eps", TRAIN, AB, nullptr},
    {"yolo", "objectness_smooth", TRAIN, AB, nullptr}, {"yolo", "iou_normalizer", TRAIN, AB, nullptr},
    {"yolo", "obj_normalizer", TRAIN, AB, nullptr}, {"yolo", "cls_normalizer", TRAIN, AB, nullptr},
    {"yolo", "delta_normalizer", TRAIN, AB, nullptr}, {"yolo", "iou_loss", TRAIN, AB, nullptr},
    {"yolo", "iou_thresh_kind", TRAIN, AB, nullptr}, {"yolo", "resize", TRAIN, AB, nullptr},
    {"yolo", "focal_loss", TRAIN, AB, nullptr}, {"yolo", "iou_thresh", TRAIN, AB, nullptr},
    {"yolo", "track_history_size", TRAIN, AB, nullptr}, {"yolo", "sim_thresh", TRAIN, AB, nullptr},
    {"yolo", "dets_for_track", TRAIN, AB, nullptr}, {"yolo", "dets_for_show", TRAIN, AB, nullptr},
    {"yolo", "track_ciou_norm", TRAIN, AB, nullptr}, {"yolo", "embedding_layer", TRAIN, AB, nullptr},
    {"yolo", "scale_x_y", INFERENCE, AB, "1"}, {"yolo", "new_coords", INFERENCE, AB, "0"},
    {"yolo", "nms_kind", INFERENCE, AB, "default"}, {"yolo", "beta_nms", INFERENCE, AB, nullptr},

    // [crop]: the random window, flip and colour changes of training.
    {"crop", "flip", TRAIN, BOTH, nullptr}, {"crop", "angle", TRAIN, BOTH, nullptr},
    {"crop", "saturation", TRAIN, BOTH, nullptr}, {"crop", "exposure", TRAIN, BOTH, nullptr},
    {"crop", "shift", TRAIN, BOTH, nullptr},

    // [detection]: the loss and its targets (reorg is read, and used nowhere).
    {"detection", "rescore", TRAIN, BOTH, nullptr}, {"detection", "max", TRAIN, BOTH, nullptr},
    {"detection", "coord_scale", TRAIN, BOTH, nullptr}, {"detection", "forced", TRAIN, BOTH, nullptr},
    {"detection", "object_scale", TRAIN, BOTH, nullptr}, {"detection", "noobject_scale", TRAIN, BOTH, nullptr},
    {"detection", "class_scale", TRAIN, BOTH, nullptr}, {"detection", "jitter", TRAIN, BOTH, nullptr},
    {"detection", "random", TRAIN, BOTH, nullptr}, {"detection", "reorg", TRAIN, BOTH, nullptr},
    {"detection", "resize", TRAIN, AB, nullptr},
    // [Gaussian_yolo] (AlexeyAB's alone): its loss and training keys; scale_x_y, nms_kind,
    // beta_nms and yolo_point are read by the parser.
    {"gaussian_yolo", "jitter", TRAIN, AB, nullptr}, {"gaussian_yolo", "ignore_thresh", TRAIN, AB, nullptr},
    {"gaussian_yolo", "truth_thresh", TRAIN, AB, nullptr}, {"gaussian_yolo", "random", TRAIN, AB, nullptr},
    {"gaussian_yolo", "max", TRAIN, AB, nullptr}, {"gaussian_yolo", "map", TRAIN, AB, nullptr},
    {"gaussian_yolo", "max_delta", TRAIN, AB, nullptr}, {"gaussian_yolo", "counters_per_class", TRAIN, AB, nullptr},
    {"gaussian_yolo", "label_smooth_eps", TRAIN, AB, nullptr}, {"gaussian_yolo", "objectness_smooth", TRAIN, AB, nullptr},
    {"gaussian_yolo", "uc_normalizer", TRAIN, AB, nullptr}, {"gaussian_yolo", "iou_normalizer", TRAIN, AB, nullptr},
    {"gaussian_yolo", "obj_normalizer", TRAIN, AB, nullptr}, {"gaussian_yolo", "cls_normalizer", TRAIN, AB, nullptr},
    {"gaussian_yolo", "delta_normalizer", TRAIN, AB, nullptr}, {"gaussian_yolo", "iou_loss", TRAIN, AB, nullptr},
    {"gaussian_yolo", "iou_thresh_kind", TRAIN, AB, nullptr}, {"gaussian_yolo", "iou_thresh", TRAIN, AB, nullptr},
    {"gaussian_yolo", "resize", TRAIN, AB, nullptr},

    // [region]
    {"region", "log", TRAIN, BOTH, nullptr}, {"region", "sqrt", TRAIN, BOTH, nullptr},
    {"region", "max", TRAIN, BOTH, nullptr}, {"region", "rescore", TRAIN, BOTH, nullptr},
    {"region", "classfix", TRAIN, BOTH, nullptr}, {"region", "absolute", TRAIN, BOTH, nullptr},
    {"region", "random", TRAIN, BOTH, nullptr}, {"region", "bias_match", TRAIN, BOTH, nullptr},
    {"region", "map", TRAIN, BOTH, nullptr}, {"region", "focal_loss", TRAIN, AB, nullptr},
    {"region", "resize", TRAIN, AB, nullptr},
};

// Section types and activations of AlexeyAB's fork alone (pjreddie's Darknet rejects or
// ignores them).
const char* const kAlexeyabSections[] = {"scale_channels", "sam", "local_avgpool", "local_avg",
                                         "gaussian_yolo", "reorg3d", "contrastive", "implicit",
                                         "empty", "silence", "conv_lstm", "history"};
const char* const kAlexeyabActivations[] = {"mish", "swish", "hard_mish", "relu6", "gelu", "revleaky",
                                            "normalize_channels", "normalize_channels_softmax",
                                            "normalize_channels_softmax_maxval"};

std::string canonical_type(const std::string& t) {
    if (t == "conv") return "convolutional";
    if (t == "max") return "maxpool";
    if (t == "avg") return "avgpool";
    if (t == "soft") return "softmax";
    if (t == "conn") return "connected";
    if (t == "network") return "net";
    if (t == "local_avg") return "local_avgpool";
    return t;
}

const KeyInfo* find_key(const std::string& type, const std::string& key) {
    for (const KeyInfo& k : kKeys)
        if (type == k.section && key == k.key) return &k;
    if (type == "net") return nullptr;
    for (const KeyInfo& k : kKeys)
        if (std::strcmp(k.section, "*") == 0 && key == k.key) return &k;
    return nullptr;
}

bool in_list(const std::string& s, const char* const* list, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (s == list[i]) return true;
    return false;
}

// The value the Darknets' atoi/atof/strcmp would see as `def`: numbers compare by value
// (up to an inline comment), anything else as text.
bool same_value(const std::string& value, const char* def) {
    const std::string nums = value.substr(0, value.find_first_of("#;"));
    char* end = nullptr;
    const double v = std::strtod(nums.c_str(), &end);
    if (!nums.empty() && *end == '\0') return v == std::strtod(def, nullptr);
    return value == def;
}

}  // namespace

bool parse_dialect(const std::string& name, Dialect* out) {
    if (name == "pjreddie") *out = Dialect::pjreddie;
    else if (name == "alexeyab") *out = Dialect::alexeyab;
    else return false;
    return true;
}

const char* dialect_name(Dialect d) {
    return d == Dialect::alexeyab ? "alexeyab" : d == Dialect::pjreddie ? "pjreddie" : "detect";
}

bool is_alexeyab_section(const std::string& type) {
    return in_list(canonical_type(type), kAlexeyabSections, std::size(kAlexeyabSections));
}

bool is_alexeyab_activation(const std::string& name) {
    return in_list(name, kAlexeyabActivations, std::size(kAlexeyabActivations));
}

bool is_training_key(const std::string& type, const std::string& key) {
    const KeyInfo* k = find_key(canonical_type(type), key);
    return k && k->kind == TRAIN;
}

Dialect detect_dialect(const CfgFile& cfg, std::string* why) {
    auto found = [&](int line, const std::string& what) {
        if (why) *why = cfg.path + ":" + std::to_string(line) + ": " + what;
        return Dialect::alexeyab;
    };
    for (const CfgSection& s : cfg.sections) {
        const std::string type = canonical_type(s.type);
        if (in_list(type, kAlexeyabSections, std::size(kAlexeyabSections)))
            return found(s.line, "[" + s.type + "]");
        for (const CfgOption& o : s.options) {
            const KeyInfo* k = find_key(type, o.key);
            if (k && k->fork == AB) return found(o.line, "[" + s.type + "] " + o.key);
            if (o.key == "activation" && in_list(o.value, kAlexeyabActivations, std::size(kAlexeyabActivations)))
                return found(o.line, "activation=" + o.value);
            if (type == "shortcut" && o.key == "from" && o.value.find(',') != std::string::npos)
                return found(o.line, "[shortcut] from= with several layers");
        }
    }
    if (why) why->clear();
    return Dialect::pjreddie;
}

void check_unused(const SectionReader& s, const std::string& type_as_written, Dialect dialect) {
    const std::string type = canonical_type(type_as_written);
    const Fork mine = dialect == Dialect::alexeyab ? AB : PJ;
    for (const CfgOption& o : s.section().options) {
        if (o.used) continue;
        const KeyInfo* k = find_key(type, o.key);
        const std::string at = s.where_line(o.line) + o.key + ": ";
        if (!k) {
            log_warn("%sunused option %s=%s", s.where_line(o.line).c_str(), o.key.c_str(), o.value.c_str());
            continue;
        }
        if (k->kind == TRAIN) continue;
        if (k->no_effect && same_value(o.value, k->no_effect)) continue;
        if (k->fork & mine)
            throw Error(at + o.key + "=" + o.value + " changes what this layer computes and is not supported by this engine");
        const bool ab = k->fork == AB;
        throw Error(at + o.key + "=" + o.value + " is read only by " + (ab ? "AlexeyAB's" : "pjreddie's") +
                        " Darknet, and this cfg runs as " + (ab ? "pjreddie's" : "AlexeyAB's") +
                        " (-dialect " + dialect_name(dialect) + "), which ignores it and computes another network; use -dialect " +
                        (ab ? "alexeyab" : "pjreddie"));
    }
}

}  // namespace dn
