#include "mapping/mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "mapping/coerce.h"
#include "mapping/template.h"

namespace rds::mapping {
namespace {

Error bad_user(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message), /*retry=*/false);
}

// Shortens a value quoted in an error: error messages end up in logs and metrics.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 48;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

const nlohmann::json* find_path(const nlohmann::json& root, const JsonPath& path) {
  const nlohmann::json* node = &root;
  for (const auto& key : path) {
    if (node->is_object()) {
      auto it = node->find(key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size() || index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

Result<Mapper> Mapper::create(const MappingConfig& config) {
  Mapper mapper;
  auto id_it = std::find_if(config.columns.begin(), config.columns.end(), [](const ColumnMapping& c) {
    return c.column == MappingConfig::kIdColumn;
  });
  if (id_it == config.columns.end()) {
    // The seed's mapping has no id (it made a uuid4); ours comes from the API
    // (docs/compat.md "The record on the topic").
    Column id;
    id.name = std::string(MappingConfig::kIdColumn);
    id.paths = {config.id_path};
    id.path_names = {to_string(config.id_path)};
    id.is_id = true;
    mapper.columns_.push_back(std::move(id));
  }
  for (const auto& spec : config.columns) {
    Column column;
    column.name = spec.column;
    column.optional = spec.optional;
    column.default_value = spec.default_value;
    column.is_id = spec.column == MappingConfig::kIdColumn;
    if (spec.format.empty()) {
      column.paths = {spec.path};
      column.path_names = {to_string(spec.path)};
    } else {
      auto pieces = parse_template(spec.format);
      if (!pieces.ok()) return pieces.error().with_context("column " + spec.column + " format");
      for (const auto& value : spec.values) {
        column.paths.push_back(value.path);
        column.path_names.push_back(to_string(value.path));
      }
      for (auto& piece : *pieces) {
        if (piece.placeholder.empty()) {
          column.pieces.push_back({std::move(piece.literal), -1});
          continue;
        }
        auto value = std::find_if(spec.values.begin(), spec.values.end(),
                                  [&](const TemplateValue& v) { return v.name == piece.placeholder; });
        if (value == spec.values.end()) {
          return Error(ErrorCode::kInvalidArgument,
                       fmt::format("column {} format: no value for '{{{}}}'", spec.column,
                                   piece.placeholder));
        }
        column.pieces.push_back({{}, static_cast<int>(value - spec.values.begin())});
      }
    }
    mapper.columns_.push_back(std::move(column));
  }
  // `id` first, the rest in configured order (the example in docs/compat.md "The record on the
  // topic").
  std::stable_partition(mapper.columns_.begin(), mapper.columns_.end(),
                        [](const Column& c) { return c.is_id; });
  for (const auto& column : mapper.columns_) mapper.column_names_.push_back(column.name);
  return mapper;
}

Mapper Mapper::default_mapper() {
  auto mapper = create(default_mapping());
  assert(mapper.ok());  // the built-in mapping is a constant; a failure is a bug
  return std::move(mapper).value();
}

Result<std::string> Mapper::render(const Column& column, const nlohmann::json& user) const {
  std::string out;
  auto append = [&](std::size_t index) -> Result<bool> {
    const nlohmann::json* value = find_path(user, column.paths[index]);
    const CoerceResult result = value ? append_scalar(out, *value) : CoerceResult::kNull;
    if (result == CoerceResult::kOk) return true;
    if (result == CoerceResult::kNotScalar) {
      return bad_user(fmt::format("column {}: field {} is {}, expected a string, number or boolean",
                                  column.name, column.path_names[index],
                                  value->is_object() ? "an object" : "an array"));
    }
    if (column.optional && !column.is_id) return false;
    return bad_user(fmt::format("column {}: missing field {}{}", column.name,
                                column.path_names[index], value ? " (null)" : ""));
  };
  if (column.pieces.empty()) {
    auto found = append(0);
    if (!found.ok()) return found.take_error();
    if (!*found) return column.default_value;
  } else {
    for (const auto& piece : column.pieces) {
      if (piece.value < 0) {
        out += piece.literal;
        continue;
      }
      auto found = append(static_cast<std::size_t>(piece.value));
      if (!found.ok()) return found.take_error();
      // An optional template with a missing part falls back to its default as a whole: a
      // half-filled address would look valid and be wrong.
      if (!*found) return column.default_value;
    }
  }
  if (column.is_id && !is_uuid(out)) {
    return bad_user(fmt::format("column {}: field {} is not a UUID: '{}'", column.name,
                                column.path_names[0], excerpt(out)));
  }
  return out;
}

Result<Record> Mapper::map(const nlohmann::json& user) const {
  if (!user.is_object()) return bad_user("user: expected a JSON object");
  Record record;
  record.fields.reserve(columns_.size());
  for (const auto& column : columns_) {
    auto value = render(column, user);
    if (!value.ok()) return value.take_error();
    record.fields.push_back({column.name, std::move(value).value()});
  }
  return record;
}

}  // namespace rds::mapping
