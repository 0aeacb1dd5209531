// The `auto` planner: timings, the plan file and its key.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>

#include "conv_auto.h"
#include "conv_select.h"
#include "layers/convolutional_layer.h"
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

TEST_CASE("auto: times the supporting backends, fastest first", "[auto]") {
    const dn::ConvParams p = shape(1);
    const auto t = dn::time_backends(p, 1);
    std::vector<std::string> names;
    for (const auto& x : t) {
        names.push_back(x.backend->name);
        const char* why = nullptr;
        CHECK(x.backend->supports(p, &why));
        CHECK(x.ms >= 0);
        CHECK(x.calls == (x.cut_short || t.size() == 1 || t[1].cut_short ? 1 : 2));
    }
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].ms <= t[i].ms);
    // A 1x1 layer: everything but Winograd runs it; mcmk, the slow reference, is pruned.
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"1x1", "direct", "im2col", "im2row", "packed"});
}

namespace {

// A scripted clock: each backend's calls "take" fixed durations (its first call may be
// slower: a cold start), and every call is counted. Nothing is run, nothing is timed.
struct ScriptedClock {
    std::map<std::string, double> first, later;
    std::map<std::string, int> calls;
    std::vector<std::string> order;
    double spent = 0;
    dn::CallTimer timer() {
        return [this](const dn::ConvBackend& b) {
            const std::string n = b.name;
            const double ms = calls[n]++ == 0 && first.count(n) ? first[n] : later.at(n);
            order.push_back(n);
            spent += ms;
            return ms;
        };
    }
};

// The candidates race_backends may time for p: the supporting backends but mcmk.
std::vector<std::string> candidates(const dn::ConvParams& p) {
    std::vector<std::string> v;
    for (const dn::ConvBackend* const* b = dn::conv_backends(); *b; ++b) {
        const char* why = nullptr;
        if ((*b)->supports(p, &why) && std::string((*b)->name) != "mcmk") v.push_back((*b)->name);
    }
    return v;
}

}  // namespace

TEST_CASE("auto: planning a shape costs at most two calls of each candidate", "[auto]") {
    const dn::ConvParams p = shape(3, 64, 64, 16);  // 3x3 over 64 channels: all but 1x1 support it
    ScriptedClock clock;
    clock.later = {{"direct", 4}, {"winograd4", 6}, {"winograd", 2}, {"packed", 2.5}, {"1x1", 1},
                   {"im2col", 3.5}, {"im2row", 10}, {"mcmk", 100}};
    clock.first = {{"winograd", 2.9}};  // a cold first call, still within 1.5x of the best
    const auto t = dn::race_backends(p, clock.timer());
    // The heuristic's choice is called first; mcmk never; each candidate once, and again
    // only when its first call was within 1.5x of the best first call (2.5 here).
    REQUIRE(!clock.order.empty());
    CHECK(clock.order.front() == dn::default_backend(p)->name);
    CHECK(clock.calls.count("mcmk") == 0);
    CHECK(clock.calls["winograd"] == 2);
    CHECK(clock.calls["packed"] == 2);
    CHECK(clock.calls["im2col"] == 2);  // 3.5 <= 1.5 * 2.5
    CHECK(clock.calls["direct"] == 1);
    CHECK(clock.calls["winograd4"] == 1);
    CHECK(clock.calls["im2row"] == 1);
    CHECK(clock.calls.count("1x1") == 0);  // 1x1 does not support 3x3
    CHECK(std::string(t[0].backend->name) == "winograd");
    CHECK(t[0].ms == 2);  // its fastest call, not the cold one
    double spent = 0, bound = 0;
    for (const auto& x : t) {
        spent += x.spent_ms;
        bound += 2 * clock.later.at(x.backend->name);
        CHECK(x.cut_short == (clock.calls[x.backend->name] == 1));
    }
    // With one contender left after the first calls, nobody is called twice.
    ScriptedClock lone;
    lone.later = {{"direct", 4}, {"winograd4", 5}, {"winograd", 1}, {"packed", 2}, {"im2col", 3.5}, {"im2row", 10}};
    dn::race_backends(p, lone.timer());
    CHECK(lone.order.size() == 6);
    CHECK(spent == clock.spent);
    CHECK(spent <= bound + (2.9 - 2));  // the cold start is the only excess
}

TEST_CASE("auto: the two-calls-per-candidate bound on random shapes and clocks", "[auto]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    std::mt19937 rng(seed);
    for (int i = 0; i < 200; ++i) {
        dn::ConvParams p;
        const int ks[] = {1, 3, 5, 7};
        p.ksize = ks[rng() % 4];
        p.c = 1 + int(rng() % 96), p.filters = 1 + int(rng() % 96);
        p.h = p.w = p.ksize + int(rng() % 40);
        p.stride = 1 + int(rng() % 2), p.pad = int(rng() % 2) * (p.ksize / 2);
        REQUIRE(p.finish());
        CAPTURE(p.to_string());
        ScriptedClock clock;
        std::uniform_real_distribution<double> ms(0.01, 50);
        for (const dn::ConvBackend* const* b = dn::conv_backends(); *b; ++b) clock.later[(*b)->name] = ms(rng);
        const auto t = dn::race_backends(p, clock.timer());
        const std::vector<std::string> cands = candidates(p);
        REQUIRE(t.size() == cands.size());
        double best = 1e9, bound = 0;
        for (const std::string& n : cands) best = std::min(best, clock.later[n]), bound += 2 * clock.later[n];
        // Both are sums of the same kind of doubles in other orders: allow their rounding.
        CHECK(clock.spent <= bound * (1 + 1e-12));
        CHECK(t[0].ms == best);
        int close = 0;
        for (const std::string& n : cands) close += clock.later[n] <= 1.5 * best;
        for (const std::string& n : cands) {
            CAPTURE(n);
            CHECK(clock.calls[n] == (clock.later[n] <= 1.5 * best && close > 1 ? 2 : 1));
        }
        CHECK(clock.calls.count("mcmk") == 0);
    }
}

TEST_CASE("auto: a call the scheduler preempted is timed again, at most three calls", "[auto]") {
    // A scripted clock and preemption counter: each call returns the next duration, and the
    // counter moves during the calls listed in `preempted`.
    struct Script {
        std::vector<double> ms;
        std::vector<bool> preempted;
        int calls = 0;
        long switches = 0;
        double call() {
            const int i = calls++;
            if (preempted[std::size_t(i)]) ++switches;
            return ms[std::size_t(i)];
        }
    };
    auto run = [](Script& s) {
        return dn::time_unpreempted([&] { return s.call(); }, [&] { return s.switches; });
    };
    Script quiet{{2.0, 1.0, 1.0}, {false, false, false}};
    CHECK(run(quiet) == 2.0);  // not preempted: one call, its time even if slow
    CHECK(quiet.calls == 1);
    Script once{{9.0, 2.0, 1.0}, {true, false, false}};
    CHECK(run(once) == 2.0);  // the preempted call timed again, the fastest kept
    CHECK(once.calls == 2);
    Script loaded{{9.0, 7.0, 8.0, 1.0}, {true, true, true, false}};
    CHECK(run(loaded) == 7.0);  // always preempted: three calls, then the fastest of them
    CHECK(loaded.calls == 3);
    Script unknown{{5.0, 1.0}, {true, false}};
    CHECK(dn::time_unpreempted([&] { return unknown.call(); }, [] { return -1L; }) == 5.0);
    CHECK(unknown.calls == 1);  // no counter (getrusage failed): one call, as before
    CHECK(dn::process_preemptions() >= 0);
}

TEST_CASE("auto: mcmk is timed only when nothing else supports the shape, or unpruned", "[auto]") {
    const dn::ConvParams p = shape(3);
    static const dn::ConvBackend* const only_mcmk[] = {dn::find_conv_backend("mcmk"), nullptr};
    ScriptedClock clock;
    clock.later = {{"mcmk", 7}};
    const auto t = dn::race_backends(p, clock.timer(), {}, only_mcmk);
    REQUIRE(t.size() == 1);
    CHECK(std::string(t[0].backend->name) == "mcmk");
    CHECK(clock.calls["mcmk"] == 1);  // alone: nothing to compare, one call

    ScriptedClock all;
    for (const dn::ConvBackend* const* b = dn::conv_backends(); *b; ++b) all.later[(*b)->name] = 1;
    dn::PlanPolicy unpruned;
    unpruned.prune = false;
    unpruned.repeats = 3;
    dn::race_backends(p, all.timer(), unpruned);
    CHECK(all.calls["mcmk"] == 4);
}

TEST_CASE("auto: plan file round trip, and a plan made elsewhere is ignored", "[auto]") {
    const std::string path = temp_plan("roundtrip.txt");
    const dn::ConvParams p = shape(3);
    {
        dn::PlanCache c(path, dn::plan_header(2));
        CHECK(c.find(p.to_string()) == nullptr);
        c.put(p.to_string(), dn::time_backends(p, 1));
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

TEST_CASE("auto: a repeated shape is timed once, with or without a plan file", "[auto]") {
    // Layers 0 and 2 share a shape, as do 1 and 3; layer 4 differs.
    const std::string cfg = "[net]\nwidth=10\nheight=10\nchannels=8\n"
                            "[convolutional]\nfilters=8\nsize=3\npad=1\n[convolutional]\nfilters=8\nsize=1\n"
                            "[convolutional]\nfilters=8\nsize=3\npad=1\n[convolutional]\nfilters=8\nsize=1\n"
                            "[convolutional]\nfilters=4\nsize=1\n";
    dn::NetworkOptions opt;
    opt.threads = 1;
    opt.cli_method = "auto";
    opt.plan_path = "-";
    auto net = dn_test::net_from_text(cfg, opt);
    const dn::AutoPlanStats& s = net->auto_plan;
    CHECK(s.layers == 5);
    CHECK(s.shapes == 3);
    CHECK(s.timed == 3);
    CHECK(s.calls <= 2 * (5 + 5 + 5));  // five candidates per shape here, two calls at most each
    CHECK(s.call_ms <= s.ms);
    const auto& l0 = static_cast<const dn::ConvolutionalLayer&>(net->layer(0));
    const auto& l2 = static_cast<const dn::ConvolutionalLayer&>(net->layer(2));
    CHECK(l2.backend() == l0.backend());
    CHECK(l2.method().detail == "auto, as layer 0");

    const std::string path = temp_plan("repeat.txt");
    opt.plan_path = path;
    auto planned = dn_test::net_from_text(cfg, opt);
    CHECK(planned->auto_plan.timed == 3);
    CHECK(dn::PlanCache(path, dn::plan_header(1)).size() == 3);
    auto again = dn_test::net_from_text(cfg, opt);
    CHECK(again->auto_plan.shapes == 3);
    CHECK(again->auto_plan.timed == 0);
    CHECK(again->auto_plan.calls == 0);
    for (int i = 0; i < 5; ++i)
        CHECK(static_cast<const dn::ConvolutionalLayer&>(again->layer(i)).backend() ==
              static_cast<const dn::ConvolutionalLayer&>(planned->layer(i)).backend());
    std::remove(path.c_str());
}
