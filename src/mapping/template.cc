#include "mapping/template.h"

#include <fmt/format.h>

namespace rds::mapping {

Result<std::vector<TemplatePiece>> parse_template(std::string_view text) {
  std::vector<TemplatePiece> pieces;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) pieces.push_back({std::move(literal), {}});
    literal.clear();
  };
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '}') {
      if (pos + 1 < text.size() && text[pos + 1] == '}') {
        literal.push_back('}');
        ++pos;
        continue;
      }
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("lone '}}' at offset {} (write '}}}}' for a literal brace)", pos));
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    if (pos + 1 < text.size() && text[pos + 1] == '{') {
      literal.push_back('{');
      ++pos;
      continue;
    }
    const std::size_t close = text.find_first_of("{}", pos + 1);
    if (close == std::string_view::npos || text[close] == '{') {
      return Error(ErrorCode::kInvalidArgument, fmt::format("unclosed '{{' at offset {}", pos));
    }
    if (close == pos + 1) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("empty '{{}}' at offset {}", pos));
    }
    flush_literal();
    pieces.push_back({{}, std::string(text.substr(pos + 1, close - pos - 1))});
    pos = close;
  }
  flush_literal();
  return pieces;
}

}  // namespace rds::mapping
