// How `classifier predict` runs a classifier in its cfg's dialect, for the command line and
// the library alike. pjreddie's letterboxes the image and, for a [softmax] with tree=, turns
// the outputs into hierarchy predictions. AlexeyAB's resizes the short side to the network
// width and takes the centre crop (its resize_min, and crop_image as in image_crop.h).
#pragma once
#include <vector>

#include "image.h"

namespace dn {

class Network;

// AlexeyAB's resize_min: the short side to `min`, the other in proportion (truncated).
Image resize_min(const Image& im, int min);
// The network input `classifier predict` makes from image `im`.
Image classifier_input(const Network& net, const Image& im);
// The predictions `classifier predict` ranks, from the outputs `pred` of a forward pass:
// `pred` itself, or for a tree network (net.hierarchy) its predictions multiplied along the
// tree (hierarchy_predictions(p, outputs, tree, 1, 1)), written to *scratch.
const float* classifier_predictions(const Network& net, const float* pred, std::vector<float>* scratch);

}  // namespace dn
