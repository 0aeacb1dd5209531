#include <catch2/catch.hpp>

#include "cfg.h"
#include "error.h"
#include "test_helpers.h"

using dn::Error;

TEST_CASE("cfg reader: sections, options, comments and whitespace as upstream", "[cfg]") {
    const dn::CfgFile f = dn::parse_cfg_text(
        "# comment\n; also a comment\n\n[net]\n width = 224 \n\theight=2 24\n[Conv]\nlayers = -1, 8\n",
        "a.cfg");
    REQUIRE(f.sections.size() == 2);
    CHECK(f.sections[0].type == "net");
    CHECK(f.sections[0].line == 4);
    REQUIRE(f.sections[0].options.size() == 2);
    CHECK(f.sections[0].options[0].key == "width");
    CHECK(f.sections[0].options[0].value == "224");
    CHECK(f.sections[0].options[0].line == 5);
    CHECK(f.sections[0].options[1].value == "224");  // upstream strips every space
    CHECK(f.sections[1].type == "conv");
    dn::SectionReader r("a.cfg", f.sections[1], 0);
    CHECK(r.get_int_list("layers") == std::vector<int>{-1, 8});
}

TEST_CASE("cfg reader: malformed text is an error at file:line", "[cfg]") {
    CHECK_THROWS_WITH(dn::parse_cfg_text("[net]\nwidth\n", "b.cfg"),
                      Catch::Contains("b.cfg:2: expected [section] or key=value"));
    CHECK_THROWS_WITH(dn::parse_cfg_text("width=1\n[net]\n", "c.cfg"),
                      Catch::Contains("c.cfg:1: option \"width\" before any [section]"));
    CHECK_THROWS_WITH(dn::parse_cfg_text("[net\n", "d.cfg"), Catch::Contains("d.cfg:1: malformed section header"));
    CHECK_THROWS_WITH(dn::parse_cfg_text(std::string("[net]\0", 6), "e.cfg"), Catch::Contains("e.cfg: binary data"));
}

TEST_CASE("cfg reader: strict numbers with file, line, section and key", "[cfg]") {
    const dn::CfgFile f = dn::parse_cfg_text(
        "[net]\n[convolutional]\nfilters=12x\nsize=3\nstride=1.0\nscale=.5\nbad=1e999\nlist=1,,2\n", "f.cfg");
    dn::SectionReader r("f.cfg", f.sections[1], 7);
    CHECK_THROWS_WITH(r.get_int("filters", 1), "f.cfg:3: [convolutional] #7: filters: expected an integer, got \"12x\"");
    CHECK(r.get_int("size", 1) == 3);
    CHECK(r.get_int("missing", 42) == 42);
    CHECK_THROWS_WITH(r.get_int("stride", 1), Catch::Contains("f.cfg:5: [convolutional] #7: stride"));
    CHECK(r.get_float("scale", 0) == Approx(0.5));
    CHECK_THROWS_WITH(r.get_float("bad", 0), Catch::Contains("f.cfg:7:"));
    CHECK_THROWS_WITH(r.get_int_list("list"), Catch::Contains("f.cfg:8:"));
    CHECK_THROWS_WITH(r.get_int_in("size", 1, 5, 9), Catch::Contains("expected an integer in [5, 9], got \"3\""));
}

TEST_CASE("cfg reader: a number ends at an inline comment, as both Darknets' atoi/atof", "[cfg]") {
    // /usr/bin/darknet and AlexeyAB's read "filters=16\t#8" as 16 (whitespace is stripped
    // first, then atoi stops at '#'); ';' starts a comment as '#' does.
    const dn::CfgFile f = dn::parse_cfg_text(
        "[net]\n[convolutional]\nfilters=16\t#8\nsize = 3 # was 1\nscale=.5;x\nmask=0,1,2 #3,4,5\n"
        "anchors=10,14, 23,27 # tiny\nlayers=-1,8#was-1,4\nactivation=leaky#relu\nstride=#2\n", "h.cfg");
    dn::SectionReader r("h.cfg", f.sections[1], 0);
    CHECK(r.get_int("filters", 1) == 16);
    CHECK(r.get_int("size", 1) == 3);
    CHECK(r.get_float("scale", 0) == Approx(0.5));
    CHECK_THROWS_WITH(r.get_int_list("mask"), "h.cfg:6: [convolutional] #0: mask: the inline comment in \"0,1,2#3,4,5\" holds a ',': the Darknets would read numbers from it; remove it or move it to its own line");
    CHECK(r.get_float_list("anchors") == std::vector<float>{10, 14, 23, 27});
    CHECK_THROWS_WITH(r.get_int_list("layers"), Catch::Contains("h.cfg:8:"));
    CHECK(r.get_string("activation", "") == "leaky#relu");  // strings stay whole, as upstream
    CHECK_THROWS_WITH(r.get_int("stride", 1), "h.cfg:10: [convolutional] #0: stride: expected an integer, got \"#2\"");
}

TEST_CASE("cfg reader: every key read is marked used, the rest are reported", "[cfg]") {
    const dn::CfgFile f = dn::parse_cfg_text("[net]\nwidth=8\nheigth=8\nwidth=9\n", "g.cfg");
    dn::SectionReader r("g.cfg", f.sections[0], 0);
    CHECK(r.get_int("width", 0) == 8);  // the first of a repeated key, as upstream
    CHECK(f.sections[0].options[0].used);
    CHECK_FALSE(f.sections[0].options[1].used);  // the typo
    CHECK_FALSE(f.sections[0].options[2].used);  // the repeat
}

TEST_CASE("network: upstream's section aliases and training keys load", "[cfg]") {
    auto net = dn_test::net_from_text(
        "[network]\nbatch=128\nsubdivisions=1\nmomentum=0.9\nlearning_rate=0.1\nwidth=8\nheight=6\nchannels=3\n"
        "[conv]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n[max]\nsize=2\nstride=2\n[avg]\n[conn]\noutput=5\n"
        "[soft]\n");
    REQUIRE(net->size() == 5);
    CHECK(std::string(net->layer(0).kind()) == "conv");
    CHECK(std::string(net->layer(1).kind()) == "max");
    CHECK(std::string(net->layer(2).kind()) == "avg");
    CHECK(std::string(net->layer(3).kind()) == "connected");
    CHECK(std::string(net->layer(4).kind()) == "softmax");
    CHECK(net->batch == 1);  // batch=128 is a training setting; inference runs batch 1
    CHECK(net->outputs() == 5);
}

TEST_CASE("network: structural errors name file, line and section", "[cfg]") {
    const std::string net = "[net]\nwidth=8\nheight=8\nchannels=3\n";
    CHECK_THROWS_WITH(dn_test::net_from_text("[convolutional]\n"), Catch::Contains("test.cfg:1: the first section must be [net]"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net), Catch::Contains("no layers after [net]"));
    CHECK_THROWS_WITH(dn_test::net_from_text("[net]\nwidth=8\n[convolutional]\n"), Catch::Contains("width, height and channels"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[deconvolutional]\n"), Catch::Contains("test.cfg:5: [deconvolutional] #0: layer type [deconvolutional] is not supported"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[convolutional]\nsize=9\n"), Catch::Contains("kernel 9"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[convolutional]\nfilters=5\ngroups=3\n"), Catch::Contains("groups=3 does not divide filters=5"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[convolutional]\n[route]\nlayers=1\n"), Catch::Contains("test.cfg:7: [route] #1: layers: layer 1 is out of range"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[convolutional]\n[shortcut]\n"), Catch::Contains("shortcut needs from="));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[convolutional]\n[convolutional]\nstride=2\n[route]\nlayers=-1,-2\n"), Catch::Contains("layer 0 outputs 8x8, but layer 1 outputs 4x4"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[softmax]\ntree=x\n"), Catch::Contains("tree: x: cannot open"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[net]\n"), Catch::Contains("[net] may only be the first section"));
}
