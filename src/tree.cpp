#include "tree.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "cfg.h"
#include "error.h"

namespace dn {

Tree read_tree(const std::string& path) {
    Tree t;
    const std::vector<std::string> lines = read_lines(path);
    int last_parent = -1, size = 0;
    auto close_group = [&](int end) {
        t.group_offset.push_back(end - size);
        t.group_size.push_back(size);
        size = 0;
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string where = path + ":" + std::to_string(i + 1) + ": ";
        const std::string& line = lines[i];
        const std::size_t a = line.find_first_not_of(" \t"), b = line.find_first_of(" \t", a);
        if (a == std::string::npos) throw Error(where + "expected \"NAME PARENT\", got an empty line");
        const std::size_t c = b == std::string::npos ? std::string::npos : line.find_first_not_of(" \t", b);
        int parent = -1;
        if (c != std::string::npos) {
            const std::string p = line.substr(c, line.find_first_of(" \t", c) - c);
            char* end = nullptr;
            errno = 0;
            const long v = std::strtol(p.c_str(), &end, 10);
            if (*end || end == p.c_str() || errno || v < INT_MIN || v > INT_MAX)
                throw Error(where + "parent \"" + p + "\" is not an integer");
            parent = static_cast<int>(v);
        }
        const int n = t.n();
        if (parent < -1 || parent >= n)
            throw Error(where + "parent " + std::to_string(parent) + " is not -1 or an earlier line (0.." + std::to_string(n - 1) + ")");
        if (parent != last_parent) {
            close_group(n);
            last_parent = parent;
        }
        t.name.push_back(line.substr(a, b - a));
        t.parent.push_back(parent);
        t.child.push_back(-1);
        t.group.push_back(t.groups());
        if (parent >= 0) t.child[parent] = t.groups();
        ++size;
    }
    if (t.n() == 0) throw Error(path + ": the tree has no nodes");
    close_group(t.n());
    t.leaf.assign(t.n(), 1);
    for (int p : t.parent)
        if (p >= 0) t.leaf[p] = 0;
    return t;
}

void hierarchy_predictions(float* predictions, int n, const Tree& tree, bool only_leaves, int stride) {
    for (int j = 0; j < n; ++j) {
        const int parent = tree.parent[j];
        if (parent >= 0) predictions[std::size_t(j) * stride] *= predictions[std::size_t(parent) * stride];
    }
    if (only_leaves)
        for (int j = 0; j < n; ++j)
            if (!tree.leaf[j]) predictions[std::size_t(j) * stride] = 0;
}

int hierarchy_top_prediction(const float* predictions, const Tree& tree, float thresh, int stride) {
    float p = 1;
    int group = 0;
    while (true) {
        float max = 0;
        int max_i = 0;
        for (int i = 0; i < tree.group_size[group]; ++i) {
            const int index = i + tree.group_offset[group];
            const float val = predictions[std::size_t(index) * stride];
            if (val > max) {
                max_i = index;
                max = val;
            }
        }
        if (p * max > thresh) {
            p = p * max;
            group = tree.child[max_i];
            if (group < 0) return max_i;
        } else if (group == 0) {
            return max_i;
        } else {
            return tree.parent[tree.group_offset[group]];
        }
    }
}

}  // namespace dn
