#include "cassandra/statement_splitter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rds::cassandra {
namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

Result<std::vector<std::string>> split_statements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  int line = 1;
  auto flush = [&] {
    std::string s = trim(std::move(current));
    current.clear();
    if (!s.empty()) out.push_back(std::move(s));
  };
  auto unterminated = [&](std::string_view what, int from_line) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("line {}: unterminated {} (opened on line {})", line, what, from_line));
  };
  size_t i = 0;
  const size_t n = script.size();
  while (i < n) {
    const char c = script[i];
    const char next = i + 1 < n ? script[i + 1] : '\0';
    if (c == '\n') ++line;
    if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
      while (i < n && script[i] != '\n') ++i;  // the newline itself is kept below
      continue;
    }
    if (c == '/' && next == '*') {
      const int from = line;
      i += 2;
      while (i < n && !(script[i] == '*' && i + 1 < n && script[i + 1] == '/')) {
        if (script[i] == '\n') ++line;
        ++i;
      }
      if (i >= n) return unterminated("block comment", from);
      i += 2;
      current.push_back(' ');
      continue;
    }
    if (c == '\'' || c == '"') {
      // A doubled quote inside is an escaped quote (CQL: 'it''s', "My""Col").
      const int from = line;
      current.push_back(c);
      ++i;
      bool closed = false;
      while (i < n) {
        const char d = script[i];
        if (d == '\n') ++line;
        current.push_back(d);
        ++i;
        if (d == c) {
          if (i < n && script[i] == c) {
            current.push_back(c);
            ++i;
            continue;
          }
          closed = true;
          break;
        }
      }
      if (!closed) return unterminated(c == '\'' ? "string literal" : "quoted identifier", from);
      continue;
    }
    if (c == '$' && next == '$') {
      const int from = line;
      auto end = script.find("$$", i + 2);
      if (end == std::string_view::npos) return unterminated("$$ string", from);
      const std::string_view body = script.substr(i, end + 2 - i);
      line += static_cast<int>(std::count(body.begin(), body.end(), '\n'));
      current.append(body);
      i = end + 2;
      continue;
    }
    if (c == ';') {
      flush();
      ++i;
      continue;
    }
    current.push_back(c);
    ++i;
  }
  flush();
  return out;
}

}  // namespace rds::cassandra
