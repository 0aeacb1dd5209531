#include "log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "error.h"

namespace dn {

namespace {
// The only process-wide setting: how chatty stderr is. Atomic, so threads may read it.
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};

void vlog(LogLevel level, const char* prefix, const char* fmt, va_list ap) {
    if (static_cast<int>(level) > g_level.load()) return;
    std::fputs(prefix, stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
}
}  // namespace

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

void log_warn(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(LogLevel::warn, "warning: ", fmt, ap);
    va_end(ap);
}
void log_info(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(LogLevel::info, "", fmt, ap);
    va_end(ap);
}
void log_debug(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(LogLevel::debug, "debug: ", fmt, ap);
    va_end(ap);
}

[[noreturn]] void assert_fail(const char* expr, const char* file, int line) {
    throw Error(std::string("internal error: ") + expr + " failed at " + file + ":" +
                std::to_string(line));
}

}  // namespace dn
