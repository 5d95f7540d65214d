#pragma once
// Kafka record value (bytes) -> a row of CQL values ready to bind to TableConfig::insert_statement(),
// or a typed rejection that sends the record to the dead-letter topic. A record decoded from Avro
// (validate_columns) goes through the same column rules, its values being text or null.
//
//   bytes --(size <= max_record_bytes)--> JSON --(an object)--> id present, a UUID
//         --> each table column: present unless nullable, convertible to its CQL type,
//             string values <= max_value_bytes --> Row
//
// Records are flat JSON objects whose values are strings (docs/compat.md "The record on the topic");
// typed columns also accept the JSON type itself (an int column takes 42 or "42"). Record columns
// the table lacks (the seed's `dob`) are ignored unless strict_columns. A column the table has but
// the record lacks is bound as UNSET when nullable (nothing is written, no tombstone); an explicit
// JSON null is bound as NULL. A key given twice: the last one counts. Integers must fit 64 bits (a
// bigger one is not_json, not rounded to a double).
//
// Pure: no I/O, no clock; thread-safe (const after construction; the JSON parser and scratch space
// are per thread and reused, so validating allocates little beyond the Row). Messages never quote
// more than a short excerpt of the input.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cql/value.h"
#include "process/table_config.h"

namespace rds::process {

// A bounded set: safe as a metric label and as the rdstream.error.code DLQ header.
enum class RejectCode {
  kNotJson,         // not parseable as JSON (including invalid UTF-8), or no value at all
  kNotObject,       // JSON, but not an object
  kMissingId,       // no id, or a null one
  kBadUuid,         // id is not a UUID string
  kMissingColumn,   // a non-nullable column is absent or null
  kWrongType,       // a value cannot be converted to its column's type
  kValueTooLarge,   // a value (or the whole record) exceeds the configured bound
  kUnknownColumn,   // strict_columns: the record has a column the table lacks
  // Confluent-framed Avro, found by process::RecordDecoder before validation:
  kBadMagic,            // neither JSON nor framed: a control byte where the magic byte 0 would be
  kTruncatedAvro,       // shorter than the 5-byte header, or an Avro body that ends early
  kBadAvro,             // an Avro body its writer's schema cannot decode, or with bytes left over
  kUnknownSchemaId,     // the registry has no schema with the record's id
  kUnresolvableSchema,  // the writer's schema cannot be read as the table's (no id field, not strings)
};
inline constexpr std::size_t kRejectCodeCount = 13;
inline constexpr std::array<RejectCode, kRejectCodeCount> kAllRejectCodes = {
    RejectCode::kNotJson,        RejectCode::kNotObject,       RejectCode::kMissingId,
    RejectCode::kBadUuid,        RejectCode::kMissingColumn,   RejectCode::kWrongType,
    RejectCode::kValueTooLarge,  RejectCode::kUnknownColumn,   RejectCode::kBadMagic,
    RejectCode::kTruncatedAvro,  RejectCode::kBadAvro,         RejectCode::kUnknownSchemaId,
    RejectCode::kUnresolvableSchema};

// "not_json", "not_object", "missing_id", "bad_uuid", "missing_column", "wrong_type",
// "value_too_large", "unknown_column", "bad_magic", "truncated_avro", "bad_avro",
// "unknown_schema_id", "unresolvable_schema".
std::string_view to_string(RejectCode code);
std::optional<RejectCode> parse_reject_code(std::string_view text);

struct Rejection {
  RejectCode code = RejectCode::kNotJson;
  std::string message;
};

struct Row {
  cql::Uuid id;
  std::vector<cql::Value> values;  // one per TableConfig::columns, in that order
  std::size_t ignored_columns = 0;  // record columns the table lacks
};

using Validation = std::variant<Row, Rejection>;

// A column's value in a record whose values are text or null, decoded from another format than
// JSON (a Confluent-framed Avro record: process/record_decoder.h). Null when `text` is empty.
struct TextValue {
  std::optional<std::string_view> text;
};
// Such a record's values, one per TableConfig::columns in that order; nullopt where the record
// lacks the column (bound as UNSET, as for a JSON record without it).
using ColumnValues = std::vector<std::optional<TextValue>>;

class RecordValidator {
 public:
  // `table` must have passed TableConfig::validate().
  explicit RecordValidator(TableConfig table);

  // nullopt is a Kafka tombstone (no value): rejected as not_json.
  Validation validate_nullable(const std::optional<std::string>& value) const;
  Validation validate(std::string_view value) const;
  // A decoded record's values, by the same rules as a JSON record whose values are all strings.
  Validation validate_columns(const ColumnValues& values) const;
  // value_too_large when a raw record exceeds max_record_bytes (validate() checks it itself).
  std::optional<Rejection> check_record_size(std::size_t bytes) const;

  const TableConfig& table() const { return table_; }

 private:
  TableConfig table_;
  std::size_t key_index_ = 0;
};

// Conversions used by the validator, exposed for tests. Errors are kInvalidArgument with a
// message saying what was expected.
// ISO-8601 "2011-07-02T18:03:10.101Z" (also "+02:00"/"+0200" offsets, a space for the T, no
// fraction, or a bare date) -> milliseconds since the epoch.
Result<int64_t> parse_timestamp_millis(std::string_view text);
// "1987-03-14" -> days since the epoch.
Result<int64_t> parse_date_days(std::string_view text);

}  // namespace rds::process
