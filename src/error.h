// Errors: library code throws dn::Error with a complete one-line message; only the CLI
// (examples/) turns it into an exit status. DN_ASSERT reports broken internal invariants.
#pragma once
#include <stdexcept>
#include <string>

namespace dn {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

[[noreturn]] void assert_fail(const char* expr, const char* file, int line);

}  // namespace dn

#define DN_ASSERT(cond) \
    do { \
        if (!(cond)) ::dn::assert_fail(#cond, __FILE__, __LINE__); \
    } while (0)
