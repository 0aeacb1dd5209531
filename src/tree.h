// Upstream's softmax tree (WordTree, YOLO9000): a tree file lists one node a line, "NAME
// PARENT" with PARENT the line index (from 0) of an earlier node or -1 for a root. Siblings
// sit on consecutive lines and form a group; [softmax] tree= and [region] tree= take a
// softmax over each group, and a prediction's probability is the product along its path.
#pragma once
#include <string>
#include <vector>

namespace dn {

struct Tree {
    std::vector<std::string> name;
    std::vector<int> parent;        // per node, -1 for a root
    std::vector<int> child;         // per node, the group of its children, -1 for a leaf
    std::vector<int> group;         // per node, its group
    std::vector<char> leaf;         // per node
    std::vector<int> group_offset;  // per group, its first node
    std::vector<int> group_size;    // per group
    int n() const { return static_cast<int>(parent.size()); }
    int groups() const { return static_cast<int>(group_size.size()); }
};

// Reads a tree file as upstream's read_tree groups it (a group ends where PARENT changes).
// Throws dn::Error naming the file and line for a missing file, a malformed line, or a
// parent that is not an earlier line.
Tree read_tree(const std::string& path);

// Upstream's hierarchy_predictions: each of the n predictions (stride apart) times its
// parent's, in node order, so each becomes the product along its path; then, with
// only_leaves, inner nodes set to 0.
void hierarchy_predictions(float* predictions, int n, const Tree& tree, bool only_leaves, int stride);

// Upstream's hierarchy_top_prediction: from the root group down, the most probable node of
// each group while the product of the maxima stays above thresh; returns that node (a leaf,
// or the parent of the group where the product fell to thresh, or the root group's best).
int hierarchy_top_prediction(const float* predictions, const Tree& tree, float thresh, int stride);

}  // namespace dn
