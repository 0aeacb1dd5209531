// The Catch2 main, compiled once: the header is large.
// GCC 12 with -O1 and the sanitizers warns maybe-uninitialized inside libstdc++'s <regex>,
// which Catch2 includes: a false positive (catchorg/Catch2#2423) that -Werror turns fatal.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
