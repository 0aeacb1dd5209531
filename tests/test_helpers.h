// Small helpers shared by the Catch2 tests.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cfg.h"
#include "error.h"
#include "network.h"

namespace dn_test {

// Builds a network from cfg text (no layer table printed); weights stay as constructed
// until the test sets them and calls finalize().
inline std::unique_ptr<dn::Network> net_from_text(const std::string& text,
                                                  dn::NetworkOptions opt = {}) {
    opt.print_table = false;
    if (opt.plan_path.empty()) opt.plan_path = "-";  // never the user's plan file
    return dn::parse_network(dn::parse_cfg_text(text, "test.cfg"), opt);
}

// The output of `layer` (default: the output layer), for every image of the batch, after
// finalize() and one forward pass on `in`.
inline std::vector<float> run(dn::Network& net, const std::vector<float>& in, int layer = -1) {
    net.finalize();
    net.forward(in.data());
    const dn::Layer& l = layer < 0 ? net.output_layer() : net.layer(layer);
    return std::vector<float>(l.output(), l.output() + l.outputs() * net.batch);
}

// The message of the dn::Error that building the network of cfg text throws ("" when none).
inline std::string error_of(const std::string& cfg) {
    try {
        net_from_text(cfg);
    } catch (const dn::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace dn_test
