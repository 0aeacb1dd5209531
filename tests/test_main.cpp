// The Catch2 main, compiled once: the header is large.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
