#pragma once
// Per-nationality shape of generated users: country name, postcode form, phone and id formats.
// Patterns: '#' is a digit, 'A' an upper-case letter; other characters are copied.

#include <cstdint>
#include <string_view>

namespace rds::randomuser {

struct NatProfile {
  std::string_view code;
  std::string_view country;
  // docs/compat.md "A user": the API's postcode is a string for GB, CA and NO and an int elsewhere.
  bool postcode_is_string;
  std::string_view postcode_pattern;      // when postcode_is_string
  std::int64_t postcode_min, postcode_max;  // when an int
  std::string_view phone_pattern;
  std::string_view id_name;               // "" with a null id.value (some nats have none)
  std::string_view id_pattern;
  std::string_view tz_offset;
  std::string_view tz_description;
};

// Indexed like kNationalities.
const NatProfile& nat_profile(std::size_t nationality_index);

}  // namespace rds::randomuser
