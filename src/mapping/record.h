#pragma once
// The flat output record: an ordered list of (column, string value). It is what goes on the topic
// (docs/compat.md "The record on the topic": a flat JSON object, all values strings, `id` a UUID) and
// what the Cassandra sink writes. Column order is the mapping's order, with `id` first.

#include <nlohmann/json.hpp>

#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace rds::mapping {

struct Field {
  std::string column;
  std::string value;
  bool operator==(const Field&) const = default;
};

struct Record {
  std::vector<Field> fields;

  // nullptr when the record has no such column.
  const std::string* find(std::string_view column) const;
  // The `id` column's value, or "" when absent (a mapped record always has one).
  std::string_view id() const;
  bool operator==(const Record&) const = default;
};

// The record as a JSON object in column order (ordered_json keeps insertion order).
nlohmann::ordered_json to_json_value(const Record& record);
// The record as compact JSON text, column order kept. Hand-written (no DOM) because it runs once
// per record on the hot path; equal to to_json_value(record).dump().
std::string to_json(const Record& record);
void append_json(std::string& out, const Record& record);
// The inverse of to_json, column order kept: kInvalidArgument for text that is not a flat JSON
// object of strings.
Result<Record> record_from_json(std::string_view text);

// True for the canonical 8-4-4-4-12 hexadecimal form (either case), e.g.
// "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f". Braces, URNs and missing dashes are rejected.
bool is_uuid(std::string_view text);

}  // namespace rds::mapping
