// What the peer programs that run a converted or imported network need from its Darknet cfg
// (their engines do not expose it): the [net] width, height and channels; the type, batch
// norm and activation of the last two sections; for a last [yolo] layer its anchors (mask),
// classes, new_coords and scale_x_y, so that darknet_yolo can apply Darknet's yolo layer to
// the head convolution's output and the result compares with `darknet bench -output`.
#pragma once
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

struct CfgInfo {
    int w = 0, h = 0, c = 3;
    int sections = 0;                  // layers, [net] excluded
    std::string last_type, before_last_type;
    int yolo_classes = 20, yolo_anchors = 0, yolo_num = 1, yolo_new_coords = 0;
    float yolo_scale_xy = 1.f;
    bool before_last_bn = false, last_bn = false;  // the section before the last, the last: batch_normalize=1
    std::string before_last_act = "logistic", last_act = "logistic";  // their activation=
};

inline bool read_cfg_info(const std::string& cfg, CfgInfo* info) {
    std::ifstream in(cfg);
    std::string line, section;
    while (std::getline(in, line)) {
        line.erase(std::remove_if(line.begin(), line.end(), ::isspace), line.end());
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            section = line.substr(1, line.size() - 2);
            if (section != "net" && section != "network") {
                ++info->sections;
                info->before_last_type = info->last_type;
                info->before_last_act = info->last_act;
                info->before_last_bn = info->last_bn;
                info->last_type = section;
                info->last_act = "logistic";
                info->last_bn = false;
                info->yolo_classes = 20;
                info->yolo_anchors = 0;
                info->yolo_num = 1;
                info->yolo_new_coords = 0;
                info->yolo_scale_xy = 1.f;
            }
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
        if (section == "net" || section == "network") {
            if (k == "width") info->w = std::atoi(v.c_str());
            if (k == "height") info->h = std::atoi(v.c_str());
            if (k == "channels") info->c = std::atoi(v.c_str());
        } else {
            if (k == "activation") info->last_act = v;
            if (k == "batch_normalize") info->last_bn = std::atoi(v.c_str()) != 0;
        }
        if (section == "yolo") {
            if (k == "new_coords") info->yolo_new_coords = std::atoi(v.c_str());
            if (k == "scale_x_y") info->yolo_scale_xy = std::strtof(v.c_str(), nullptr);
            if (k == "classes") info->yolo_classes = std::atoi(v.c_str());
            if (k == "num") info->yolo_num = std::atoi(v.c_str());
            if (k == "mask") info->yolo_anchors = static_cast<int>(std::count(v.begin(), v.end(), ',')) + 1;
        }
    }
    if (info->last_type == "yolo" && info->yolo_anchors == 0) info->yolo_anchors = info->yolo_num;
    return info->w > 0 && info->h > 0 && info->c > 0;
}

// Darknet's forward_yolo_layer on a plain NCHW blob: logistic on x, y, objectness and the
// class scores of each anchor (none with AlexeyAB's new_coords=1); w and h stay raw; then
// AlexeyAB's x, y = x, y * scale_x_y - (scale_x_y - 1)/2.
inline void darknet_yolo(float* x, const CfgInfo& info, size_t wh) {
    const int classes = info.yolo_classes;
    const float alpha = info.yolo_scale_xy, beta = -0.5f * (info.yolo_scale_xy - 1.f);
    for (int a = 0; a < info.yolo_anchors; ++a) {
        float* p = x + static_cast<size_t>(a) * (classes + 5) * wh;
        for (size_t i = 0; i < (classes + 5) * wh; ++i)
            if (!info.yolo_new_coords && (i < 2 * wh || i >= 4 * wh))
                p[i] = static_cast<float>(1. / (1. + std::exp(-p[i])));
        if (alpha != 1.f)
            for (size_t i = 0; i < 2 * wh; ++i) p[i] = p[i] * alpha + beta;
    }
}
