// The `auto` planner: timings, the plan file and its key.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "conv_auto.h"
#include "convolutional_layer.h"
#include "test_helpers.h"

namespace {

dn::ConvParams shape(int k, int c = 8, int f = 8, int hw = 12) {
    dn::ConvParams p;
    p.c = c, p.h = hw, p.w = hw, p.filters = f, p.ksize = k, p.pad = k / 2;
    REQUIRE(p.finish());
    return p;
}

std::string temp_plan(const char* name) {
    const std::string path = std::string("/tmp/dn_test_plan_") + name;
    std::remove(path.c_str());
    return path;
}

}  // namespace

TEST_CASE("auto: times every supporting backend, fastest first", "[auto]") {
    const dn::ConvParams p = shape(1);
    const auto t = dn::time_backends(p, 1, 3);
    std::vector<std::string> names;
    for (const auto& x : t) {
        names.push_back(x.backend->name);
        const char* why = nullptr;
        CHECK(x.backend->supports(p, &why));
        CHECK(x.ms >= 0);
    }
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].ms <= t[i].ms);
    // A 1x1 layer: everything but Winograd runs it.
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"1x1", "direct", "im2col", "im2row", "mcmk", "packed"});
}

TEST_CASE("auto: plan file round trip, and a plan made elsewhere is ignored", "[auto]") {
    const std::string path = temp_plan("roundtrip.txt");
    const dn::ConvParams p = shape(3);
    {
        dn::PlanCache c(path, dn::plan_header(2));
        CHECK(c.find(p.to_string()) == nullptr);
        c.put(p.to_string(), dn::time_backends(p, 1, 1));
        REQUIRE(c.save());
    }
    dn::PlanCache same(path, dn::plan_header(2));
    REQUIRE(same.find(p.to_string()) != nullptr);
    CHECK(same.notice().empty());
    dn::PlanCache other(path, dn::plan_header(3));  // another thread count
    CHECK(other.find(p.to_string()) == nullptr);
    CHECK_THAT(other.notice(), Catch::Contains("another CPU, thread count or build"));
    dn::PlanCache fake(path, "# cpu: some other CPU\n# threads: 2\n# build: x\n");
    CHECK(fake.find(p.to_string()) == nullptr);
    std::remove(path.c_str());
}

TEST_CASE("auto: a hand-written plan decides the default method", "[auto]") {
    const std::string path = temp_plan("hand.txt");
    const std::string cfg = "[net]\nwidth=12\nheight=12\nchannels=8\n[convolutional]\nfilters=8\nsize=3\npad=1\n";
    dn::NetworkOptions opt;
    opt.threads = 1;
    opt.plan_path = path;
    {
        std::ofstream f(path);
        f << dn::plan_header(1) << shape(3).to_string() << " im2row im2row=1\n";
    }
    auto net = dn_test::net_from_text(cfg, opt);
    const auto& conv = static_cast<const dn::ConvolutionalLayer&>(net->layer(0));
    CHECK(std::string(conv.backend()->name) == "im2row");
    CHECK_THAT(conv.method().detail, Catch::Contains("planned in"));
    // An explicit method still wins over the plan.
    opt.cli_method = "mcmk";
    auto net2 = dn_test::net_from_text(cfg, opt);
    CHECK(std::string(static_cast<const dn::ConvolutionalLayer&>(net2->layer(0)).backend()->name) == "mcmk");
    std::remove(path.c_str());
}

TEST_CASE("auto: -method auto measures, writes the plan, then reuses it", "[auto]") {
    const std::string path = temp_plan("measure.txt");
    const std::string cfg = "[net]\nwidth=12\nheight=12\nchannels=8\n[convolutional]\nfilters=8\nsize=3\npad=1\n"
                            "[convolutional]\nfilters=8\nsize=1\n";
    dn::NetworkOptions opt;
    opt.threads = 1;
    opt.plan_path = path;
    opt.cli_method = "AUTO";
    auto net = dn_test::net_from_text(cfg, opt);
    const auto& l0 = static_cast<const dn::ConvolutionalLayer&>(net->layer(0));
    CHECK(l0.method().source == dn::MethodSource::cli);
    CHECK_THAT(l0.method().detail, Catch::StartsWith("auto ") && Catch::Contains(" ms"));
    dn::PlanCache saved(path, dn::plan_header(1));
    CHECK(saved.size() == 2);
    REQUIRE(saved.find(l0.conv_params().to_string()) == l0.backend());
    auto again = dn_test::net_from_text(cfg, opt);
    CHECK_THAT(static_cast<const dn::ConvolutionalLayer&>(again->layer(0)).method().detail,
               Catch::Contains("planned in"));
    std::remove(path.c_str());
}
