#include "cli/table_printer.h"

#include <fmt/format.h>

#include <algorithm>

namespace rds::cli {
namespace {

// Display width in code points: close enough for aligned columns of names and addresses.
size_t display_width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string pad_left(const std::string& text, size_t width) {
  const size_t w = display_width(text);
  return w >= width ? text : std::string(width - w, ' ') + text;
}

}  // namespace

std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& h : headers) widths.push_back(display_width(h));
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < widths.size(); ++c) {
      out += c == 0 ? " " : " | ";
      out += pad_left(c < cells.size() ? cells[c] : "", widths[c]);
    }
    out += "\n";
  };
  line(headers);
  for (size_t c = 0; c < widths.size(); ++c) {
    out += (c == 0 ? "-" : "-+-") + std::string(widths[c], '-');
  }
  out += "-\n";
  for (const auto& row : rows) line(row);
  out += fmt::format("\n({} rows)\n", rows.size());
  return out;
}

}  // namespace rds::cli
