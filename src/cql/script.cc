#include "cql/script.h"

namespace rds::cql {
namespace {

void push_trimmed(std::vector<std::string>& out, const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return;
  const auto last = s.find_last_not_of(" \t\r\n");
  out.push_back(s.substr(first, last - first + 1));
}

}  // namespace

std::vector<std::string> split_script(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '\'' || c == '"') {
      // A quoted string or identifier; a doubled quote inside it is an escaped quote.
      current += c;
      for (++i; i < text.size(); ++i) {
        current += text[i];
        if (text[i] != c) continue;
        if (i + 1 < text.size() && text[i + 1] == c) {
          current += text[++i];
          continue;
        }
        break;
      }
    } else if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
      current += '\n';
    } else if (c == '/' && next == '*') {
      i += 2;
      while (i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/')) ++i;
      ++i;
      current += ' ';
    } else if (c == ';') {
      push_trimmed(out, current);
      current.clear();
    } else {
      current += c;
    }
  }
  push_trimmed(out, current);
  return out;
}

}  // namespace rds::cql
