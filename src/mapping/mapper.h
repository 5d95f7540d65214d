#pragma once
// The mapping engine: one API user object (JSON) -> one flat Record. Built once from a validated
// MappingConfig; map() is const and allocation-light, so one Mapper can be shared by threads.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/result.h"
#include "mapping/mapping_config.h"
#include "mapping/record.h"

namespace rds::mapping {

class Mapper {
 public:
  // Compiles templates. Fails only for configs that did not come from the loaders (the loaders
  // already reject bad templates, with paths).
  static Result<Mapper> create(const MappingConfig& config);
  // The built-in default (the seed's full mapping).
  static Mapper default_mapper();

  // Errors (kInvalidArgument, not retriable: the same user always fails the same way) name the
  // column and the field: "column post_code: missing field location.postcode".
  Result<Record> map(const nlohmann::json& user) const;

  // Output columns in record order; `id` first.
  const std::vector<std::string>& columns() const { return column_names_; }

 private:
  struct Piece {
    std::string literal;
    int value = -1;  // index into Column::paths, or -1 for a literal
  };
  struct Column {
    std::string name;
    std::vector<JsonPath> paths;  // one for a plain column; the template's values otherwise
    std::vector<std::string> path_names;  // for error messages
    std::vector<Piece> pieces;    // empty for a plain column
    bool optional = false;
    std::string default_value;
    bool is_id = false;
  };

  Mapper() = default;
  Result<std::string> render(const Column& column, const nlohmann::json& user) const;

  std::vector<Column> columns_;
  std::vector<std::string> column_names_;
};

// Looks up a path; nullptr when any step is missing or not an object (or array, for digit keys).
const nlohmann::json* find_path(const nlohmann::json& root, const JsonPath& path);

}  // namespace rds::mapping
