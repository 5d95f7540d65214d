#pragma once
// What a Kafka record's value is, before RecordValidator sees it. A topic may mix two formats:
//   - JSON (the seed's): passed through untouched, for RecordValidator::validate;
//   - Confluent-framed Avro (avro/framing.h: magic byte 0, 4-byte schema id, Avro body): the
//     writer's schema is fetched by id (once: a bounded cache), resolved against the table's
//     reader schema by Avro's rules, and the body decoded into the table's column values, for
//     RecordValidator::validate_columns: the same column rules as JSON (types, nullability,
//     sizes). A reader field the writer lacks and whose default is null is left absent, so it is
//     bound as UNSET like a column missing from a JSON record (no tombstone).
//
// Outcomes: the JSON text or the column values to validate; a Rejection for the DLQ (bad_magic, truncated_avro,
// bad_avro, unknown_schema_id, unresolvable_schema); or Deferred when the writer's schema cannot be
// fetched now (the registry is unreachable): the record must be retried, never dead-lettered.
// After a failed fetch, misses are deferred without asking for `unavailable_pause`, so that a
// batch of records does not wait for one timeout each.
//
// Not thread-safe (one cache and buffer): the processor's thread only.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "avro/codec.h"
#include "core/result.h"
#include "process/record_validator.h"
#include "process/table_config.h"

namespace rds::process {

struct Deferred {
  Error error;  // why the record cannot be decoded now
};
// JSON: a view of the record itself. Avro: the table's column values, views into the decoder's
// buffers (valid until the next decode()).
using Decoded = std::variant<std::string_view, const ColumnValues*, Rejection, Deferred>;

// The table's reader schema: one field per column, in the table's order, named as the column, ["null","string"] with
// default null, except the primary key's, which has no default (a writer without it cannot be
// read). Every column is nullable here: nullability is the validator's to enforce, with the same
// codes as for JSON.
Result<avro::Schema> reader_schema(const TableConfig& table);

class RecordDecoder {
 public:
  // The writer's schema text by registry id: kNotFound for an unknown id; any other error is taken
  // as the registry being unavailable (the record is deferred).
  using FetchSchema = std::function<Result<std::string>(int32_t id)>;
  static constexpr std::size_t kDefaultCacheSize = 256;
  static constexpr std::chrono::milliseconds kDefaultUnavailablePause{1000};

  RecordDecoder(avro::Schema reader, FetchSchema fetch, std::size_t cache_size = kDefaultCacheSize,
                std::chrono::milliseconds unavailable_pause = kDefaultUnavailablePause);

  Decoded decode(std::string_view value);

  std::size_t cached_schemas() const { return cache_.size(); }
  uint64_t schema_fetches() const { return fetches_; }

 private:
  // A writer schema as resolved against the reader: a decoder, or why it cannot be read.
  struct Entry {
    std::optional<avro::Decoder> decoder;
    std::string problem;  // set when there is no decoder
  };
  std::variant<Entry*, Rejection, Deferred> entry_for(int32_t id);

  avro::Schema reader_;
  FetchSchema fetch_;
  std::size_t cache_size_;
  std::chrono::milliseconds unavailable_pause_;
  std::unordered_map<int32_t, Entry> cache_;
  std::deque<int32_t> cache_order_;  // oldest first: evicted beyond cache_size_
  std::chrono::steady_clock::time_point unavailable_until_{};
  std::string unavailable_reason_;
  uint64_t fetches_ = 0;
  ColumnValues columns_;  // the decoded record's values, reused
};

}  // namespace rds::process
