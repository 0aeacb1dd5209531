// The cfg dialect: what only AlexeyAB's Darknet knows (its activations, layer types, several
// [shortcut] from= layers, dilation) makes a cfg AlexeyAB's when the dialect is detected,
// and is an error at file:line under -dialect pjreddie, since pjreddie's Darknet would
// silently compute another network (relu for an unknown activation, nothing for an unknown
// layer type, the first from= layer alone, no dilation).
#include <catch2/catch.hpp>

#include <string>

#include "cfg_keys.h"
#include "error.h"
#include "test_helpers.h"

namespace {

std::string error_under(const std::string& text, dn::Dialect d) {
    dn::NetworkOptions o;
    o.dialect = d;
    try {
        dn_test::net_from_text(text, o);
    } catch (const dn::Error& e) {
        return e.what();
    }
    return "";
}

const std::string kHead = "[net]\nwidth=8\nheight=8\nchannels=3\n";  // lines 1-4
const std::string kConv = "[convolutional]\nfilters=4\nsize=3\npad=1\n";

}  // namespace

TEST_CASE("dialect: AlexeyAB's activations are refused under -dialect pjreddie, detected otherwise", "[alexeyab][cfg][errors]") {
    for (const char* a : {"mish", "swish", "hard_mish", "relu6", "gelu"}) {
        CAPTURE(a);
        const std::string cfg = kHead + kConv + "activation=" + a + "\n";  // line 9
        CHECK(error_under(cfg, dn::Dialect::pjreddie) ==
              std::string("test.cfg:9: [convolutional] #0: activation: activation=") + a +
                  " is AlexeyAB's: pjreddie's Darknet (-dialect pjreddie) does not know it and computes relu instead; use -dialect alexeyab");
        CHECK(error_under(cfg, dn::Dialect::alexeyab).empty());
        CHECK(dn_test::net_from_text(cfg)->dialect == dn::Dialect::alexeyab);
    }
    // In other sections too; pjreddie's own activations stay accepted.
    const std::string sc = kHead + kConv + "activation=leaky\n[shortcut]\nfrom=-1\nactivation=swish\n";
    CHECK(error_under(sc, dn::Dialect::pjreddie) ==
          "test.cfg:12: [shortcut] #1: activation: activation=swish is AlexeyAB's: pjreddie's Darknet (-dialect pjreddie) does not know it and computes relu instead; use -dialect alexeyab");
    for (const char* a : {"relu", "elu", "selu", "ramp", "tanh", "plse", "stair", "hardtan", "lhtan", "loggy", "relie"}) {
        CAPTURE(a);
        const std::string cfg = kHead + kConv + "activation=" + a + "\n";
        CHECK(error_under(cfg, dn::Dialect::pjreddie).empty());
        CHECK(dn_test::net_from_text(cfg)->dialect == dn::Dialect::pjreddie);
    }
}

TEST_CASE("dialect: AlexeyAB's layer types are refused under -dialect pjreddie", "[alexeyab][cfg][errors]") {
    const std::string conv = kHead + kConv + "activation=leaky\n";  // layer 0, lines 5-9
    const char* const sections[] = {
        "[sam]\nfrom=-1\n",
        "[scale_channels]\nfrom=-2\nscale_wh=1\n",
        "[local_avgpool]\nsize=2\nstride=2\n",
        "[local_avg]\nsize=2\nstride=2\n",
        "[Gaussian_yolo]\nmask=0\nanchors=1,1\nclasses=1\nnum=1\n",
    };
    for (const char* sec : sections) {
        CAPTURE(sec);
        std::string cfg = conv + sec;
        if (std::string(sec).find("scale_channels") != std::string::npos)
            cfg = kHead + kConv + "activation=leaky\n[convolutional]\nfilters=1\nsize=1\nactivation=leaky\n" + sec;
        if (std::string(sec).find("Gaussian") != std::string::npos)
            cfg = kHead + "[convolutional]\nfilters=10\nsize=1\nactivation=linear\n" + sec;
        const std::string e = error_under(cfg, dn::Dialect::pjreddie);
        CHECK_THAT(e, Catch::Contains("a layer type of AlexeyAB's Darknet alone: pjreddie's (-dialect pjreddie) does not know it (\"Type not recognized\") and computes another network; use -dialect alexeyab"));
        CHECK_THAT(e, Catch::StartsWith("test.cfg:"));
        CHECK(error_under(cfg, dn::Dialect::alexeyab).empty());
        CHECK(dn_test::net_from_text(cfg)->dialect == dn::Dialect::alexeyab);
    }
    CHECK(error_under(conv + "[sam]\nfrom=-1\n", dn::Dialect::pjreddie) ==
          "test.cfg:10: [sam] #1: a layer type of AlexeyAB's Darknet alone: pjreddie's (-dialect pjreddie) does not know it (\"Type not recognized\") and computes another network; use -dialect alexeyab");
    CHECK(dn::is_alexeyab_section("gaussian_yolo"));  // the cfg reader lowercases types
    CHECK_FALSE(dn::is_alexeyab_section("yolo"));
}

TEST_CASE("dialect: several [shortcut] from= layers and dilation are refused under -dialect pjreddie", "[alexeyab][cfg][errors]") {
    const std::string two = kHead + kConv + "activation=leaky\n" + kConv + "activation=leaky\n";  // lines 5-14
    const std::string sc = two + "[shortcut]\nfrom=-1,-2\n";  // line 16
    CHECK(error_under(sc, dn::Dialect::pjreddie) ==
          "test.cfg:16: [shortcut] #2: from: from=-1,-2 names several layers, which only AlexeyAB's Darknet adds; pjreddie's (-dialect pjreddie) reads the first alone and computes another network; use -dialect alexeyab");
    CHECK(dn_test::net_from_text(sc)->dialect == dn::Dialect::alexeyab);
    // weights_type is AlexeyAB's key: refused unless it says none.
    CHECK_THAT(error_under(two + "[shortcut]\nfrom=-2\nweights_type=per_feature\n", dn::Dialect::pjreddie),
               Catch::Contains("test.cfg:17: [shortcut] #2: weights_type: weights_type=per_feature is read only by AlexeyAB's Darknet"));
    CHECK(error_under(two + "[shortcut]\nfrom=-2\nweights_type=none\n", dn::Dialect::pjreddie).empty());

    const std::string dil = kHead + kConv + "dilation=2\nactivation=leaky\n";  // line 9
    CHECK_THAT(error_under(dil, dn::Dialect::pjreddie),
               Catch::StartsWith("test.cfg:9: [convolutional] #0: dilation: dilation=2 is read only by AlexeyAB's Darknet"));
    CHECK(error_under(kHead + kConv + "dilation=1\nactivation=leaky\n", dn::Dialect::pjreddie).empty());
    auto net = dn_test::net_from_text(dil);
    CHECK(net->dialect == dn::Dialect::alexeyab);
}
