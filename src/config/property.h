#pragma once
// The machinery of the settings table (settings.h holds the table itself), in the spirit of
// Redpanda's `property<T>` and librdkafka's property table: a setting is declared once, as a
// `Property<T>` member, with everything about it in that one declaration — its YAML path, type,
// default, check, environment variable, flag, the commands that read it, a one-line description
// and whether it is secret. The config file, the environment and the flags are all read through
// that declaration, and `config show`, `config example` and the --help of every command are
// generated from it.
//
// Precedence is the order of `Source`, and nothing else: a value from a source lower than the
// one a property already holds is checked, then ignored. So the order in which the sources are
// applied does not matter (the stack reads its remembered ports after the flags).

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::config {

// Lowest to highest precedence.
enum class Source : uint8_t { kDefault, kStateFile, kFile, kEnvironment, kFlag };
std::string_view to_string(Source source);  // "default", "state file", "file", "environment", "flag"

// The commands that read a setting; each of them offers the setting's flag, if it has one.
enum Command : uint32_t {
  kIngest = 1u << 0,
  kProcess = 1u << 1,
  kRun = 1u << 2,
  kCql = 1u << 3,
  kStackUp = 1u << 4,
  kStackDown = 1u << 5,
  kStackStatus = 1u << 6,
  kStackLogs = 1u << 7,
  kMockApi = 1u << 8,
  kConsole = 1u << 9,
  kSchema = 1u << 10,
  kReplay = 1u << 11,
};
inline constexpr uint32_t kStack = kStackUp | kStackDown | kStackStatus | kStackLogs;
inline constexpr uint32_t kPipeline = kIngest | kProcess | kRun;
inline constexpr uint32_t kProcessing = kProcess | kRun;  // the commands that write Cassandra

struct CommandName {
  Command command;
  std::string_view name;  // as typed: "ingest", "stack up"
};
// Every command, in --help order.
const std::vector<CommandName>& command_names();

struct Meta {
  std::string_view path;         // YAML path, "kafka.bootstrap_servers"; also the setting's name
  std::string_view description;  // one line, for --help, `config show` and the example
  uint32_t commands = 0;         // Command bits: who reads it (and offers its flag)
  std::string_view flag = {};    // CLI11 names, e.g. "--bootstrap-servers" or "-u,--cassandra-user"
  std::string_view env = {};     // environment variable, e.g. "RDSTREAM_KAFKA"
  bool secret = false;           // redacted wherever it is shown
  bool in_file = true;           // read from config.yaml (false: flag and environment only)
  std::string_view example = {}; // sections: an example value, as YAML, for `config example`
};

// A value check: `problem` returns "" when the value is fine, else what is wrong ("must be
// between 1 and 65535"); `doc` says what is allowed, for the docs ("1..65535").
template <typename T>
struct Check {
  std::function<std::string(const T&)> problem;
  std::string doc;
};

// A YAML value whose shape its owner checks (the seed's mapping list, table columns, ...): kept
// as the parsed node. Null when not set.
struct Section {
  YAML::Node node;
};

class Registry;

// What the registry, the loaders and the printers need of a property of any type.
class PropertyBase {
 public:
  virtual ~PropertyBase() = default;
  PropertyBase(const PropertyBase&) = delete;
  PropertyBase& operator=(const PropertyBase&) = delete;

  const Meta& meta() const { return meta_; }
  std::string_view path() const { return meta_.path; }
  Source source() const { return source_; }
  bool is_set() const { return source_ != Source::kDefault; }

  // Each returns "" or what is wrong with the value (without the path: the caller adds where).
  virtual std::string set_yaml(const YAML::Node& node, Source source) = 0;
  // Environment and flags: a list is comma-separated, a map "key=value,key=value".
  virtual std::string set_text(std::string_view text, Source source) = 0;

  // The value and the default as YAML (flow style, one line), secrets redacted.
  virtual std::string value_yaml() const = 0;
  virtual std::string default_yaml() const = 0;
  virtual std::string type_doc() const = 0;  // "integer, 1..65535", "list of strings", ...
  virtual bool is_list() const = 0;          // a flag may then be given several times
  virtual bool is_section() const = 0;

 protected:
  PropertyBase(Registry& registry, Meta meta);
  // Whether a value from `source` may replace the current one (precedence, see the top).
  bool takes(Source source) const { return source >= source_; }

  Meta meta_;
  Source source_ = Source::kDefault;
};

// The value codecs: YAML and text in, YAML out. Each decode returns "" or the problem.
namespace codec {
std::string decode(const YAML::Node& node, std::string* out);
std::string decode(const YAML::Node& node, int64_t* out);
std::string decode(const YAML::Node& node, double* out);
std::string decode(const YAML::Node& node, bool* out);
std::string decode(const YAML::Node& node, std::vector<std::string>* out);
std::string decode(const YAML::Node& node, std::map<std::string, std::string>* out);
std::string decode(const YAML::Node& node, Section* out);
std::string decode_text(std::string_view text, std::string* out);
std::string decode_text(std::string_view text, int64_t* out);
std::string decode_text(std::string_view text, double* out);
std::string decode_text(std::string_view text, bool* out);
std::string decode_text(std::string_view text, std::vector<std::string>* out);
std::string decode_text(std::string_view text, std::map<std::string, std::string>* out);
std::string decode_text(std::string_view text, Section* out);
std::string encode(const std::string& value);
std::string encode(int64_t value);
std::string encode(double value);
std::string encode(bool value);
std::string encode(const std::vector<std::string>& value);
std::string encode(const std::map<std::string, std::string>& value);
std::string encode(const Section& value);
std::string type_name(const std::string*);
std::string type_name(const int64_t*);
std::string type_name(const double*);
std::string type_name(const bool*);
std::string type_name(const std::vector<std::string>*);
std::string type_name(const std::map<std::string, std::string>*);
std::string type_name(const Section*);
}  // namespace codec

inline constexpr std::string_view kRedacted = "<redacted>";

template <typename T>
class Property final : public PropertyBase {
 public:
  Property(Registry& registry, Meta meta, T default_value, Check<T> check = {})
      : PropertyBase(registry, meta), default_(default_value), value_(std::move(default_value)),
        check_(std::move(check)) {}

  const T& operator()() const { return value_; }
  const T& default_value() const { return default_; }

  // Sets the value as if it came from `source` (tests, and values a command computes).
  std::string set(T value, Source source) {
    if (check_.problem) {
      if (std::string why = check_.problem(value); !why.empty()) return why;
    }
    if (takes(source)) {
      value_ = std::move(value);
      source_ = source;
    }
    return {};
  }

  std::string set_yaml(const YAML::Node& node, Source source) override {
    T parsed{};
    if (std::string why = codec::decode(node, &parsed); !why.empty()) return why;
    return set(std::move(parsed), source);
  }
  std::string set_text(std::string_view text, Source source) override {
    T parsed{};
    if (std::string why = codec::decode_text(text, &parsed); !why.empty()) return why;
    return set(std::move(parsed), source);
  }
  std::string value_yaml() const override { return redacted(value_); }
  std::string default_yaml() const override { return redacted(default_); }
  std::string type_doc() const override {
    std::string doc = codec::type_name(static_cast<const T*>(nullptr));
    return check_.doc.empty() ? doc : doc + ", " + check_.doc;
  }
  bool is_list() const override {
    return std::is_same_v<T, std::vector<std::string>> || std::is_same_v<T, std::map<std::string, std::string>>;
  }
  bool is_section() const override { return std::is_same_v<T, Section>; }

 private:
  std::string redacted(const T& value) const {
    std::string text = codec::encode(value);
    if (meta_.secret && text != "''" && !text.empty()) return std::string(kRedacted);
    return text;
  }

  T default_;
  T value_;
  Check<T> check_;
};

using String = Property<std::string>;
using Int = Property<int64_t>;
using Double = Property<double>;
using Bool = Property<bool>;
using StringList = Property<std::vector<std::string>>;
using StringMap = Property<std::map<std::string, std::string>>;
using SectionProperty = Property<Section>;

// Checks.
Check<int64_t> range(int64_t min, int64_t max);
Check<double> real_range(double min, double max);
Check<std::string> one_of(std::vector<std::string> allowed);
Check<std::string> non_empty();
Check<std::vector<std::string>> non_empty_list();

// Every property, in declaration order; properties register themselves on construction.
class Registry {
 public:
  void add(PropertyBase* property) { all_.push_back(property); }
  const std::vector<PropertyBase*>& all() const { return all_; }
  PropertyBase* find(std::string_view path) const;
  // Is `path` a section holding properties ("kafka", "kafka.producer")?
  bool is_prefix(std::string_view path) const;
  // The keys directly under `prefix` ("" for the top level), for "did you mean".
  std::vector<std::string> children(std::string_view prefix) const;

 private:
  std::vector<PropertyBase*> all_;
};

// The closest of `known` to `key` by edit distance, if close enough to be a likely typo.
std::string closest(std::string_view key, const std::vector<std::string>& known);
// "unknown key; did you mean contact_points?" or "unknown key (expected a, b or c)".
std::string unknown_key(std::string_view key, const std::vector<std::string>& known);

}  // namespace rds::config
