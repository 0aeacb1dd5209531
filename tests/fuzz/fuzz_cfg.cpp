// libFuzzer target: cfg text through the ini reader and the network builder. Small networks
// are also finalized and run once on a zero input, which reaches every layer's shape logic.
// Sizes are capped by NetworkOptions::max_floats (our own limit), so absurd cfgs are refused
// with dn::Error rather than exhausting the fuzzer's memory; any other exception is a bug.
#include <vector>

#include "cfg.h"
#include "error.h"
#include "fuzz_common.h"
#include "network.h"

namespace dn_fuzz {

// One input; dn::Error is an expected outcome, anything else escapes.
inline int run_cfg(const uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    dn_fuzz::quiet();
    const std::string text(reinterpret_cast<const char*>(data), size);
    dn::NetworkOptions opt;
    opt.print_table = false;
    opt.plan_path = "-";
    opt.threads = 1;
    opt.max_floats = std::size_t(1) << 22;  // 16 MiB of floats, well inside -rss_limit_mb
    try {
        auto net = dn::parse_network(dn::parse_cfg_text(text, "fuzz.cfg"), opt);
        if (net->flops() > 2e7) return 0;  // keep each run fast
        net->finalize();
        const std::vector<float> in(std::size_t(net->batch) * net->input.size(), 0.f);
        net->forward(in.data());
    } catch (const dn::Error&) {
    }
    return 0;
}

}  // namespace dn_fuzz

// tests/test_fuzz_regressions.cpp includes this file to replay stored inputs.
#ifndef DN_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    return dn_fuzz::run_cfg(data, size);
}
#endif
