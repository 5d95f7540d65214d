#include "console/prom_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

namespace rds::console {
namespace {

Error line_error(std::size_t line, std::string_view what) {
  return Error(ErrorCode::kProtocol, fmt::format("metrics text, line {}: {}", line, what));
}

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

std::optional<double> parse_value(std::string_view text) {
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// One `name{labels} value [timestamp]` line.
Result<Sample> parse_line(std::string_view line, std::size_t number) {
  Sample s;
  std::size_t i = 0;
  while (i < line.size() && name_char(line[i], i == 0)) ++i;
  if (i == 0) return line_error(number, "expected a metric name");
  s.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (true) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      const std::size_t start = i;
      while (i < line.size() && name_char(line[i], i == start)) ++i;
      if (i == start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
        return line_error(number, "expected label=\"value\"");
      }
      std::string key(line.substr(start, i - start));
      i += 2;
      std::string value;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value += line[i] == 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
        ++i;
      }
      if (i >= line.size()) return line_error(number, "unterminated label value");
      ++i;  // the closing quote
      s.labels.emplace_back(std::move(key), std::move(value));
    }
  }
  while (i < line.size() && line[i] == ' ') ++i;
  std::size_t end = line.find(' ', i);
  const auto value = parse_value(line.substr(i, end == std::string_view::npos ? line.size() - i : end - i));
  if (!value) return line_error(number, fmt::format("bad value in '{}'", line));
  s.value = *value;
  return s;
}

bool matches(const Sample& s, const LabelMatch& match) {
  return std::all_of(match.begin(), match.end(), [&](const auto& m) {
    const std::string* v = s.label(m.first);
    return v != nullptr && *v == m.second;
  });
}

}  // namespace

const std::string* Sample::label(std::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<std::vector<Sample>> parse_prometheus_text(std::string_view text) {
  std::vector<Sample> out;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto sample = parse_line(line, number);
    if (!sample) return sample.take_error();
    out.push_back(std::move(*sample));
  }
  return out;
}

std::optional<double> sum_of(const std::vector<Sample>& samples, std::string_view name, const LabelMatch& match) {
  std::optional<double> total;
  for (const auto& s : samples) {
    if (s.name == name && matches(s, match)) total = total.value_or(0) + s.value;
  }
  return total;
}

Buckets buckets_of(const std::vector<Sample>& samples, std::string_view name, const LabelMatch& match) {
  const std::string bucket_name = std::string(name) + "_bucket";
  std::map<double, double> by_bound;
  for (const auto& s : samples) {
    if (s.name != bucket_name || !matches(s, match)) continue;
    const std::string* le = s.label("le");
    if (le == nullptr) continue;
    const auto bound = parse_value(*le);
    if (bound) by_bound[*bound] += s.value;
  }
  return Buckets(by_bound.begin(), by_bound.end());
}

Buckets bucket_delta(const Buckets& later, const Buckets& earlier) {
  Buckets out = later;
  for (auto& [bound, count] : out) {
    for (const auto& [b, c] : earlier) {
      if (b == bound) count = std::max(0.0, count - c);  // a restart resets counters: never negative
    }
  }
  return out;
}

std::optional<double> quantile(const Buckets& buckets, double q) {
  if (buckets.empty()) return std::nullopt;
  const double total = buckets.back().second;
  if (total <= 0) return std::nullopt;
  const double rank = q * total;
  double lower_bound = 0, lower_count = 0;
  for (const auto& [bound, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(bound)) return lower_bound;  // beyond the last finite bound
      if (count == lower_count) return bound;
      return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count);
    }
    lower_bound = bound;
    lower_count = count;
  }
  return lower_bound;
}

}  // namespace rds::console
