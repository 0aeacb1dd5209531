// [region] (YOLOv2): logistic on x, y and objectness, softmax (or logistic) over the class
// scores of each anchor; box decoding happens after the forward pass (get_detections).
// The input must have num * (classes + coords + 1) channels, laid out
// [anchor][x, y, w, h, extra coords..., obj, classes...][h][w]. Upstream's table calls it
// "detection".
#pragma once
#include <memory>
#include <vector>

#include "layer.h"
#include "tree.h"

namespace dn {

struct Detection;

struct RegionOptions {
    int classes = 20, coords = 4, num = 1;
    bool softmax = false;
    bool background = false;  // upstream's background=1: no objectness, softmax over
                              // classes + 1 from the objectness slot
    std::vector<float> biases;  // 2 * num anchor sizes in grid cells (.5 when not given)
    // tree= (YOLO9000): a softmax over each group of the tree instead of one over all
    // classes, and each box labelled with the tree's top prediction.
    std::shared_ptr<const Tree> tree;
    // AlexeyAB's fork (coords 4, no background): logistic in float, x and y at decoding,
    // classes raw unless softmax; every box has objectness 1, listed cell by cell; its
    // stretch-or-letterbox correction. classfix=-1 zeroes objectness below .5.
    bool alexeyab = false;
    int classfix = 0;
};

class RegionLayer : public Layer {
public:
    RegionLayer(int batch, Shape input, const RegionOptions& opt);
    const char* kind() const override { return "region"; }
    std::string describe() const override { return "detection"; }
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

    int classes() const { return opt_.classes; }
    bool has_tree() const { return opt_.tree != nullptr; }
    // Always one box per anchor and cell (upstream's num_detections for [region]).
    int num_detections() const { return out.w * out.h * opt_.num; }
    // Writes num_detections() boxes of image 0 to dets, letterbox-corrected to a w x h image
    // (upstream's get_region_detections without a map); objectness and class probabilities
    // at or below thresh are 0. With a tree, each box's one class is the tree's top
    // prediction at threshold `hier`, with the objectness as its probability. Each
    // dets[i].prob must hold classes() floats.
    // letter: the image was letterboxed (AlexeyAB's dialect only; upstream always is).
    // map (upstream's map= of `detector valid`, YOLO9000's 200 ImageNet classes): with a
    // tree, box class j < map->size() gets objectness times the tree's probability of class
    // (*map)[j] instead of the top prediction; ignored without a tree, as upstream does.
    // Each entry must be a class below classes(), and dets[i].prob must hold map->size().
    void get_detections(int w, int h, int netw, int neth, float thresh, float hier, bool relative,
                        Detection* dets, bool letter = true, const std::vector<int>* map = nullptr) const;

private:
    std::size_t entry_index(int batch_index, int location, int entry) const;
    void get_detections_alexeyab(int w, int h, int netw, int neth, float thresh, bool relative,
                                 Detection* dets, bool letter) const;

    RegionOptions opt_;
};

}  // namespace dn
