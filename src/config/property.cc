#include "config/property.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "config/yaml_read.h"

namespace rds::config {

std::string_view to_string(Source source) {
  switch (source) {
    case Source::kDefault: return "default";
    case Source::kStateFile: return "state file";
    case Source::kFile: return "file";
    case Source::kEnvironment: return "environment";
    case Source::kFlag: return "flag";
  }
  return "?";
}

const std::vector<CommandName>& command_names() {
  static const std::vector<CommandName> kNames = {
      {kIngest, "ingest"},       {kProcess, "process"},         {kRun, "run"},
      {kCql, "cql"},             {kStackUp, "stack up"},        {kStackDown, "stack down"},
      {kStackStatus, "stack status"}, {kStackLogs, "stack logs"}, {kMockApi, "mock-api"}, {kConsole, "console"},
      {kSchema, "schema"}, {kReplay, "replay"},
  };
  return kNames;
}

PropertyBase::PropertyBase(Registry& registry, Meta meta) : meta_(meta) { registry.add(this); }

namespace codec {
namespace {

std::string emit(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string item(text.substr(start, end - start));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string decode(const YAML::Node& node, std::string* out) {
  if (!node.IsScalar()) return fmt::format("expected a string, got {}", kind_of(node));
  *out = node.Scalar();
  return {};
}

std::string decode(const YAML::Node& node, int64_t* out) {
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value)) return "expected an integer";
  *out = value;
  return {};
}

std::string decode(const YAML::Node& node, double* out) {
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, *out) || !std::isfinite(*out)) {
    return "expected a number";
  }
  return {};
}

std::string decode(const YAML::Node& node, bool* out) {
  // yaml-cpp reads the seed's `False` as false (true/True/TRUE, yes, on... likewise).
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, *out)) return "expected true or false";
  return {};
}

std::string decode(const YAML::Node& node, std::vector<std::string>* out) {
  out->clear();
  if (node.IsScalar()) {  // `contact_points: 10.0.0.1` is a list of one
    *out = split(node.Scalar(), ',');
    return {};
  }
  if (!node.IsSequence()) return fmt::format("expected a list of strings, got {}", kind_of(node));
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) return fmt::format("[{}]: expected a string, got {}", i, kind_of(node[i]));
    out->push_back(node[i].Scalar());
  }
  return {};
}

std::string decode(const YAML::Node& node, std::map<std::string, std::string>* out) {
  out->clear();
  if (node.IsNull()) return {};
  if (!node.IsMap()) return fmt::format("expected a map of strings, got {}", kind_of(node));
  for (const auto& entry : node) {
    if (!entry.second.IsScalar()) {
      return fmt::format("{}: expected a string, got {}", entry.first.Scalar(), kind_of(entry.second));
    }
    (*out)[entry.first.Scalar()] = entry.second.Scalar();
  }
  return {};
}

std::string decode(const YAML::Node& node, Section* out) {
  out->node = YAML::Clone(node);
  return {};
}

std::string decode_text(std::string_view text, std::string* out) {
  *out = std::string(text);
  return {};
}

std::string decode_text(std::string_view text, int64_t* out) {
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(copy.c_str(), &end, 10);
  if (copy.empty() || *end != '\0' || errno == ERANGE) return fmt::format("'{}' is not an integer", text);
  *out = value;
  return {};
}

std::string decode_text(std::string_view text, double* out) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || *end != '\0' || !std::isfinite(value)) return fmt::format("'{}' is not a number", text);
  *out = value;
  return {};
}

std::string decode_text(std::string_view text, bool* out) {
  if (!YAML::convert<bool>::decode(YAML::Node(std::string(text)), *out)) {
    return fmt::format("'{}' is not true or false", text);
  }
  return {};
}

std::string decode_text(std::string_view text, std::vector<std::string>* out) {
  *out = split(text, ',');
  return {};
}

std::string decode_text(std::string_view text, std::map<std::string, std::string>* out) {
  out->clear();
  for (const auto& item : split(text, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return fmt::format("'{}' is not key=value", item);
    (*out)[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return {};
}

std::string decode_text(std::string_view, Section*) {
  return "is a YAML section: set it in the config file";
}

std::string encode(const std::string& value) { return emit(YAML::Node(value)); }
std::string encode(int64_t value) { return std::to_string(value); }
std::string encode(double value) { return emit(YAML::Node(value)); }
std::string encode(bool value) { return value ? "true" : "false"; }
std::string encode(const std::vector<std::string>& value) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (const auto& item : value) node.push_back(item);
  return emit(node);
}
std::string encode(const std::map<std::string, std::string>& value) {
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& [key, item] : value) node[key] = item;
  return emit(node);
}
std::string encode(const Section& value) {
  if (!value.node || value.node.IsNull()) return "~";
  return emit(value.node);
}

std::string type_name(const std::string*) { return "string"; }
std::string type_name(const int64_t*) { return "integer"; }
std::string type_name(const double*) { return "number"; }
std::string type_name(const bool*) { return "true or false"; }
std::string type_name(const std::vector<std::string>*) { return "list of strings"; }
std::string type_name(const std::map<std::string, std::string>*) { return "map of strings"; }
std::string type_name(const Section*) { return "section"; }

}  // namespace codec

Check<int64_t> range(int64_t min, int64_t max) {
  return {[min, max](const int64_t& v) {
            return v < min || v > max ? fmt::format("{} is out of range: must be between {} and {}", v, min, max)
                                      : std::string();
          },
          fmt::format("{}..{}", min, max)};
}

Check<double> real_range(double min, double max) {
  return {[min, max](const double& v) {
            return v < min || v > max ? fmt::format("{} is out of range: must be between {} and {}", v, min, max)
                                      : std::string();
          },
          fmt::format("{}..{}", min, max)};
}

Check<std::string> one_of(std::vector<std::string> allowed) {
  std::string doc = fmt::format("one of {}", fmt::join(allowed, ", "));
  return {[allowed, doc](const std::string& v) {
            return std::find(allowed.begin(), allowed.end(), v) == allowed.end()
                       ? fmt::format("'{}' is not allowed: {}", v, doc)
                       : std::string();
          },
          doc};
}

Check<std::string> non_empty() {
  return {[](const std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); },
          "not empty"};
}

Check<std::vector<std::string>> non_empty_list() {
  return {[](const std::vector<std::string>& v) {
            return v.empty() ? std::string("must list at least one") : std::string();
          },
          "at least one"};
}

PropertyBase* Registry::find(std::string_view path) const {
  for (auto* p : all_) {
    if (p->path() == path) return p;
  }
  return nullptr;
}

bool Registry::is_prefix(std::string_view path) const {
  for (auto* p : all_) {
    const std::string_view candidate = p->path();
    if (candidate.size() > path.size() && candidate.substr(0, path.size()) == path && candidate[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Registry::children(std::string_view prefix) const {
  std::vector<std::string> out;
  for (auto* p : all_) {
    std::string_view rest = p->path();
    if (!prefix.empty()) {
      if (rest.size() <= prefix.size() || rest.substr(0, prefix.size()) != prefix || rest[prefix.size()] != '.') {
        continue;
      }
      rest.remove_prefix(prefix.size() + 1);
    }
    std::string key(rest.substr(0, rest.find('.')));
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
  }
  return out;
}

namespace {

// Optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours
// ("tabel" is one edit from "table") each cost one.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 0;
  for (const auto& candidate : known) {
    const size_t d = edit_distance(key, candidate);
    if (best.empty() || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  // A typo: at most a third of the name's letters off ("contact_point" finds "contact_points";
  // "foo" finds nothing in "log").
  if (!best.empty() && best_distance <= std::max<size_t>(1, std::max(key.size(), best.size()) / 3)) return best;
  // A name cut short or run on: "bootstrap" for "bootstrap_servers".
  for (const auto& candidate : known) {
    const std::string_view shorter = key.size() < candidate.size() ? key : std::string_view(candidate);
    const std::string_view longer = key.size() < candidate.size() ? std::string_view(candidate) : key;
    if (shorter.size() >= 4 && longer.substr(0, shorter.size()) == shorter) return candidate;
  }
  return {};
}

std::string unknown_key(std::string_view key, const std::vector<std::string>& known) {
  if (const std::string hint = closest(key, known); !hint.empty()) {
    return fmt::format("unknown key; did you mean {}?", hint);
  }
  if (known.empty()) return "unknown key";
  if (known.size() == 1) return fmt::format("unknown key (expected {})", known.front());
  return fmt::format("unknown key (expected {} or {})",
                     fmt::join(known.begin(), known.end() - 1, ", "), known.back());
}

}  // namespace rds::config
