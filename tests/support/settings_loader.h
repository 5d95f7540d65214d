#pragma once
// Loading a config document the way the commands do (the settings table, then the app's
// builders), for tests of the mapping and table sections.

#include <memory>
#include <string>
#include <string_view>

#include "app/component_configs.h"
#include "config/load.h"
#include "config/settings/settings.h"

namespace rds::test {

inline Result<std::unique_ptr<config::Settings>> load_settings_text(std::string_view yaml) {
  auto settings = std::make_unique<config::Settings>();
  RDS_TRY(config::apply_yaml_text(settings->registry(), yaml, config::Source::kFile, ""));
  return settings;
}

inline Result<std::unique_ptr<config::Settings>> load_settings_file(const std::string& path) {
  auto settings = std::make_unique<config::Settings>();
  RDS_TRY(config::apply_file(settings->registry(), path));
  return settings;
}

inline Result<mapping::MappingConfig> load_mapping_text(std::string_view yaml) {
  auto settings = load_settings_text(yaml);
  if (!settings.ok()) return settings.take_error();
  return app::mapping_config(**settings);
}

inline Result<mapping::MappingConfig> load_mapping_file(const std::string& path) {
  auto settings = load_settings_file(path);
  if (!settings.ok()) return settings.take_error();
  return app::mapping_config(**settings);
}

inline Result<process::TableConfig> load_table_text(std::string_view yaml) {
  auto settings = load_settings_text(yaml);
  if (!settings.ok()) return settings.take_error();
  return app::table_config(**settings);
}

inline Result<process::TableConfig> load_table_file(const std::string& path) {
  auto settings = load_settings_file(path);
  if (!settings.ok()) return settings.take_error();
  return app::table_config(**settings);
}

}  // namespace rds::test
