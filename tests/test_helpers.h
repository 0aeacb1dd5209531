// Small helpers shared by the Catch2 tests.
#pragma once
#include <memory>
#include <string>

#include "cfg.h"
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

}  // namespace dn_test
