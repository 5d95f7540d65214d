#pragma once
// Format templates like the seed's '{street_number} {street_name}, {city}': literal text with
// `{name}` placeholders. `{{` and `}}` stand for literal braces (Python str.format, which the seed
// used, has the same escapes).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::mapping {

struct TemplatePiece {
  std::string literal;      // text to copy, when placeholder is empty
  std::string placeholder;  // a `{name}`'s name
};

// Splits a template into pieces. Errors (no path; the caller adds it): an unclosed `{`, a lone
// `}`, an empty `{}`, a nested `{`.
Result<std::vector<TemplatePiece>> parse_template(std::string_view text);

}  // namespace rds::mapping
