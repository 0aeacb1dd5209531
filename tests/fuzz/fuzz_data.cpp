// libFuzzer target: .data and names files (read_options_file, read_lines), the same text
// as a cfg, and the strict number parsers on every value read.
#include "cfg.h"
#include "error.h"
#include "fuzz_common.h"

namespace dn_fuzz {
template <class F>
void quietly(F f) {
    try {
        f();
    } catch (const dn::Error&) {
    }
}

// One input; dn::Error is an expected outcome, anything else escapes.
inline int run_data(const uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    dn_fuzz::quiet();
    const std::string path = dn_fuzz::write_temp(data, size, "data");
    if (path.empty()) return 0;
    quietly([&] { dn::read_lines(path); });
    quietly([&] {
        const dn::CfgSection sec = dn::read_options_file(path);
        const dn::SectionReader r(path, sec, 0);
        for (const dn::CfgOption& o : sec.options) {
            const char* k = o.key.c_str();
            quietly([&] { r.get_int(k, 0); });
            quietly([&] { r.get_int_in(k, 0, -5, 5); });
            quietly([&] { r.get_float(k, 0.f); });
            quietly([&] { r.get_int_list(k); });
            quietly([&] { r.get_float_list(k); });
            quietly([&] { r.get_string(k, ""); });
        }
        r.warn_unused();
    });
    quietly([&] { dn::parse_cfg_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.cfg"); });
    return 0;
}

}  // namespace dn_fuzz

// tests/test_fuzz_regressions.cpp includes this file to replay stored inputs.
#ifndef DN_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    return dn_fuzz::run_data(data, size);
}
#endif
