#include "config/load.h"

#include <fmt/format.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "config/yaml_read.h"

namespace rds::config {
namespace {

std::string join_key(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

void walk(const Registry& registry, const YAML::Node& map, const std::string& prefix, Source source,
          Problems& problems) {
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    const std::string path = join_key(prefix, key);
    if (PropertyBase* property = registry.find(path)) {
      if (!property->meta().in_file && source == Source::kFile) {
        // Secrets and the settings of commands that take no config file.
        problems.add(path, property->meta().env.empty()
                               ? fmt::format("is not read from a config file; use {}", property->meta().flag)
                               : fmt::format("is not read from a config file; set {}", property->meta().env));
      } else if (std::string why = property->set_yaml(entry.second, source); !why.empty()) {
        problems.add(path, why);
      }
      continue;
    }
    if (registry.is_prefix(path)) {
      if (entry.second.IsNull()) continue;  // `kafka:` with nothing under it
      if (!entry.second.IsMap()) {
        problems.add(path, fmt::format("expected a map, got {}", kind_of(entry.second)));
        continue;
      }
      walk(registry, entry.second, path, source, problems);
      continue;
    }
    problems.add(path, unknown_key(key, registry.children(prefix)));
  }
}

Error with_origin(const Problems& problems, std::string_view origin) {
  Error e = problems.error();
  return origin.empty() ? e : e.with_context(origin);
}

}  // namespace

Environment process_environment() {
  return [](const char* name) { return std::getenv(name); };
}

Status apply_document(Registry& registry, const YAML::Node& document, Source source, std::string_view origin) {
  if (!document || document.IsNull()) return ok_status();  // an empty file
  Problems problems;
  if (!document.IsMap()) {
    problems.add("(document)", fmt::format("expected a map, got {}", kind_of(document)));
  } else {
    walk(registry, document, "", source, problems);
  }
  if (problems.empty()) return ok_status();
  return with_origin(problems, origin);
}

Status apply_yaml_text(Registry& registry, std::string_view yaml_text, Source source, std::string_view origin) {
  auto document = load_yaml_text(yaml_text);
  if (!document.ok()) return origin.empty() ? document.take_error() : document.error().with_context(origin);
  return apply_document(registry, *document, source, origin);
}

Status apply_file(Registry& registry, const std::string& file_path) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(file_path);
  } catch (const YAML::BadFile&) {
    return Error(ErrorCode::kNotFound, fmt::format("{}: cannot open the file", file_path));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}:{}:{}: YAML syntax error: {}", file_path,
                                                          e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  return apply_document(registry, document, Source::kFile, file_path);
}

Status apply_environment(Registry& registry, const Environment& environment) {
  Problems problems;
  for (PropertyBase* property : registry.all()) {
    const std::string_view env = property->meta().env;
    if (env.empty()) continue;
    const char* value = environment(std::string(env).c_str());
    if (value == nullptr || *value == '\0') continue;
    if (std::string why = property->set_text(value, Source::kEnvironment); !why.empty()) {
      // A secret's value is not repeated in the message.
      problems.add(property->meta().secret ? std::string(env) : fmt::format("{}='{}'", env, value),
                   fmt::format("{}: {}", property->path(), why));
    }
  }
  if (problems.empty()) return ok_status();
  return problems.error();
}

Status apply_flags(Registry& registry, const FlagValues& flags) {
  Problems problems;
  for (const auto& [path, values] : flags) {
    PropertyBase* property = registry.find(path);
    if (property == nullptr || values.empty()) continue;  // the CLI only collects declared flags
    std::string text;
    if (property->is_list()) {
      for (const auto& v : values) text += (text.empty() ? "" : ",") + v;
    } else {
      text = values.back();  // a repeated scalar flag: the last one wins, as in most tools
    }
    const std::string flag(property->meta().flag.substr(0, property->meta().flag.find(',')));
    if (std::string why = property->set_text(text, Source::kFlag); !why.empty()) {
      problems.add(fmt::format("{} {}", flag, text), fmt::format("{}: {}", path, why));
    }
  }
  if (problems.empty()) return ok_status();
  return problems.error();
}

Status resolve(Registry& registry, const FlagValues& flags, const Environment& environment,
               const String* config_file) {
  // The environment and the flags first: they may name the config file, and they win over it
  // anyway (precedence is by Source, not by order).
  RDS_TRY(apply_environment(registry, environment));
  RDS_TRY(apply_flags(registry, flags));
  if (config_file == nullptr || (*config_file)().empty()) return ok_status();
  return apply_file(registry, (*config_file)());
}

namespace {

std::string source_note(const PropertyBase& p) {
  switch (p.source()) {
    case Source::kEnvironment: return fmt::format("environment {}", p.meta().env);
    case Source::kFlag: return fmt::format("flag {}", p.meta().flag.substr(0, p.meta().flag.find(',')));
    default: return std::string(to_string(p.source()));
  }
}

}  // namespace

std::string render_effective(const Registry& registry, uint32_t commands) {
  size_t width = 0;
  for (const PropertyBase* p : registry.all()) {
    if (commands == 0 || (p->meta().commands & commands) != 0) width = std::max(width, p->path().size());
  }
  std::string out;
  for (const PropertyBase* p : registry.all()) {
    if (commands != 0 && (p->meta().commands & commands) == 0) continue;
    out += fmt::format("{:<{}} = {}   ({})\n", p->path(), width, p->value_yaml(), source_note(*p));
  }
  return out;
}

std::string render_example(const Registry& registry) {
  std::string out =
      "# rdstream's configuration: every setting a config file can hold, with its default.\n"
      "# Generated by `rdstream config example` from src/config/settings/settings.cc; a unit test keeps\n"
      "# this file in step, so regenerate it rather than edit it.\n"
      "# Precedence: flag > environment > this file > default. `rdstream config show` prints what a\n"
      "# command would use and where each value came from; `rdstream config check FILE` validates one.\n"
      "# The seed's config.yaml (its api and databases sections) is read as it is.\n";
  std::vector<std::string> open;  // the sections of the previous setting, outermost first
  for (const PropertyBase* p : registry.all()) {
    if (!p->meta().in_file) continue;
    std::vector<std::string> parts;
    std::stringstream path{std::string(p->path())};
    for (std::string part; std::getline(path, part, '.');) parts.push_back(part);
    const std::string key = parts.back();
    parts.pop_back();
    size_t common = 0;
    while (common < parts.size() && common < open.size() && parts[common] == open[common]) ++common;
    if (common == 0 && !parts.empty()) out += "\n";
    for (size_t i = common; i < parts.size(); ++i) out += fmt::format("{}{}:\n", std::string(2 * i, ' '), parts[i]);
    open = parts;
    const std::string indent(2 * parts.size(), ' ');
    if (parts.empty()) out += "\n";
    out += fmt::format("{}# {} ({}", indent, p->meta().description, p->type_doc());
    if (!p->meta().flag.empty()) out += fmt::format("; flag {}", p->meta().flag.substr(0, p->meta().flag.find(',')));
    if (!p->meta().env.empty()) out += fmt::format("; env {}", p->meta().env);
    out += ")\n";
    if (p->is_section()) {
      out += fmt::format("{}# {}: {}\n", indent, key, p->meta().example);
    } else {
      out += fmt::format("{}{}: {}\n", indent, key, p->default_yaml());
    }
  }
  return out;
}

}  // namespace rds::config
