#include "classifier.h"

#include <algorithm>

#include "image_crop.h"
#include "network.h"
#include "tree.h"

namespace dn {

Image resize_min(const Image& im, int min) {
    int w = im.w, h = im.h;
    if (w < h) {
        h = static_cast<int>(static_cast<long long>(h) * min / w);
        w = min;
    } else {
        w = static_cast<int>(static_cast<long long>(w) * min / h);
        h = min;
    }
    return w == im.w && h == im.h ? im : resize_image(im, w, h);
}

Image classifier_input(const Network& net, const Image& im) {
    if (net.dialect != Dialect::alexeyab) return letterbox_image(im, net.width(), net.height());
    const Image r = resize_min(im, net.width());
    return crop_image(r, (r.w - net.width()) / 2, (r.h - net.height()) / 2, net.width(), net.height());
}

const float* classifier_predictions(const Network& net, const float* pred, std::vector<float>* scratch) {
    if (!net.hierarchy) return pred;
    scratch->assign(pred, pred + net.outputs());
    hierarchy_predictions(scratch->data(), static_cast<int>(scratch->size()), *net.hierarchy, true, 1);
    return scratch->data();
}

}  // namespace dn
