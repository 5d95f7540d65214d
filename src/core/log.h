#pragma once
// Process-wide logging: one line per event on stderr, "<time> <level> <component>: <message>".
// Thread-safe. Secrets must never be passed here (see DEVELOPERS.md "Security").

#include <fmt/format.h>

#include <chrono>
#include <string_view>

namespace rds::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void set_level(Level level);
Level level();
// Parses "debug" | "info" | "warn" | "error" | "off".
bool parse_level(std::string_view text, Level* out);
void write(Level level, std::string_view component, std::string_view message);

// True at most once per `interval` for each `key` (bounded keys: a reason code, not a message).
// For problems that can repeat per record: the first is logged, the rest only counted.
bool should_log(std::string_view key, std::chrono::milliseconds interval = std::chrono::seconds(10));

template <typename... Args>
void debug(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kDebug) write(Level::kDebug, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kInfo) write(Level::kInfo, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kWarn) write(Level::kWarn, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kError) write(Level::kError, component, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace rds::log
