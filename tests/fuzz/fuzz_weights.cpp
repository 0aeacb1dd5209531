// libFuzzer target: the input as a weights file for a small fixed cfg (conv with and without
// batch-norm, connected with batch-norm), loaded through a temporary file, then one forward.
#include <vector>

#include "cfg.h"
#include "error.h"
#include "fuzz_common.h"
#include "network.h"
#include "weights.h"

namespace dn_fuzz {
const char* const kWeightsCfg =
    "[net]\nwidth=6\nheight=5\nchannels=3\n"
    "[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\npad=1\nactivation=leaky\n"
    "[convolutional]\nfilters=2\nsize=1\nactivation=linear\n"
    "[connected]\noutput=3\nbatch_normalize=1\nactivation=linear\n[softmax]\n";

// One input; dn::Error is an expected outcome, anything else escapes.
inline int run_weights(const uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    dn_fuzz::quiet();
    const std::string path = dn_fuzz::write_temp(data, size, "weights");
    if (path.empty()) return 0;
    dn::NetworkOptions opt;
    opt.print_table = false;
    opt.plan_path = "-";
    opt.threads = 1;
    auto net = dn::parse_network(dn::parse_cfg_text(kWeightsCfg, "fuzz.cfg"), opt);
    try {
        dn::load_weights(*net, path);
        const std::vector<float> in(net->input.size(), 0.5f);
        net->forward(in.data());
    } catch (const dn::Error&) {
    }
    return 0;
}

}  // namespace dn_fuzz

// tests/test_fuzz_regressions.cpp includes this file to replay stored inputs.
#ifndef DN_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    return dn_fuzz::run_weights(data, size);
}
#endif
