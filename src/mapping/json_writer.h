#pragma once
// Minimal JSON text writing for hot paths (records on the topic, the mock API's responses), where
// building an nlohmann DOM per value would dominate the cost. Input strings must be valid UTF-8;
// they are copied through, with only the characters JSON requires escaped.

#include <cstdint>
#include <string>
#include <string_view>

namespace rds::mapping {

// Appends `text` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);
// Appends an integer in decimal.
void append_json_int(std::string& out, std::int64_t value);

}  // namespace rds::mapping
