#pragma once
// Reading settings from their sources into a Registry: the config file, the environment and
// the flags. Each reader collects every problem (a run shows them all), each named by where it
// came from and the setting's path:
//   config.yaml: cassandra.contact_point: unknown key; did you mean contact_points?
//   RDSTREAM_CASSANDRA_PORT='x': cassandra.port: 'x' is not an integer
//   --partitions 0: kafka.partitions: 0 is out of range: must be between 1 and 10000
// The precedence (flag > environment > file > default) is not the order of the calls but the
// order of config::Source (see property.h).

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/property.h"
#include "core/result.h"

namespace rds::config {

// The flags a command line gave, as text, by setting path (a repeated list flag: several).
using FlagValues = std::map<std::string, std::vector<std::string>>;

// The environment: getenv by default; tests pass a map.
using Environment = std::function<const char*(const char* name)>;
Environment process_environment();

// A parsed YAML document into the registry with `source`. `origin` prefixes every problem (the
// file's name). Unknown keys, values of settings that are not read from files, and bad values
// are all problems.
Status apply_document(Registry& registry, const YAML::Node& document, Source source, std::string_view origin);
// Reads and parses `file_path`, then apply_document(kFile). A missing file is kNotFound.
Status apply_file(Registry& registry, const std::string& file_path);
Status apply_yaml_text(Registry& registry, std::string_view yaml_text, Source source, std::string_view origin);
// Every setting with an environment variable that is set and not empty.
Status apply_environment(Registry& registry, const Environment& environment);
// Flag values by path (as FlagValues collects them).
Status apply_flags(Registry& registry, const FlagValues& flags);

// The whole resolution of a command's settings: the config file named by `config_file` (from
// the flags, else the environment), then the environment and the flags. `config_file` is the
// setting naming the file (null when the command takes none).
Status resolve(Registry& registry, const FlagValues& flags, const Environment& environment,
               const String* config_file);

// `rdstream config show`: one line per setting the command reads (`commands` bits; 0: all):
//   kafka.bootstrap_servers = 127.0.0.1:29092   (environment RDSTREAM_KAFKA)
std::string render_effective(const Registry& registry, uint32_t commands);
// `rdstream config example`: every setting that a file can hold, as a commented YAML document
// with its default (sections as commented examples). Loading it changes nothing.
std::string render_example(const Registry& registry);

}  // namespace rds::config
