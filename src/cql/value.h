#pragma once
// CQL cell values (native_protocol_v4.spec §6, §7): a Value variant, and encode/decode of a
// cell's bytes for a given DataType.
//
// Mapping of CQL types to Value alternatives:
//   ascii, text/varchar      -> std::string          boolean   -> bool
//   tinyint                  -> int8_t               smallint  -> int16_t
//   int                      -> int32_t              bigint, counter -> int64_t
//   float                    -> float                double    -> double
//   blob, custom types       -> Blob                 uuid, timeuuid -> Uuid
//   timestamp                -> Timestamp            date      -> Date
//   time                     -> Time                 inet      -> Inet
//   varint                   -> Varint               decimal   -> Decimal
//   list / set / map         -> List / Set / Map     tuple / udt -> Tuple / Udt
//   NULL cell ([bytes] of negative length) -> Null; UNSET (requests only) -> Unset.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "cql/data_type.h"
#include "cql/wire.h"

namespace rds::cql {

struct Value;

struct Null {
  bool operator==(const Null&) const = default;
};
struct Unset {
  bool operator==(const Unset&) const = default;
};
struct Blob {
  Bytes bytes;
  bool operator==(const Blob&) const = default;
};
// §6.17: milliseconds since the unix epoch, may be negative.
struct Timestamp {
  int64_t millis = 0;
  bool operator==(const Timestamp&) const = default;
};
// §6.5: unsigned days with the epoch centered at 2^31 (2^31 is 1970-01-01).
struct Date {
  uint32_t days = 1u << 31;
  static Date from_days_since_epoch(int64_t days);  // clamps nothing: caller keeps the range
  int64_t days_since_epoch() const { return static_cast<int64_t>(days) - (int64_t{1} << 31); }
  bool operator==(const Date&) const = default;
};
// §6.16: nanoseconds since midnight, 0 to 86399999999999.
struct Time {
  int64_t nanos = 0;
  bool operator==(const Time&) const = default;
};
inline constexpr int64_t kMaxTimeNanos = 86399999999999;

// §6.23: arbitrary precision two's complement, big-endian, minimal length.
struct Varint {
  Bytes bytes;  // never empty once built by the helpers below

  static Varint from_int64(int64_t v);
  // Decimal text, optional leading '-' or '+'.
  static Result<Varint> parse(std::string_view text);
  // kInvalidArgument if the value does not fit in 64 bits.
  Result<int64_t> to_int64() const;
  std::string to_string() const;  // decimal

  bool operator==(const Varint&) const = default;
};

// §6.6: unscaled * 10^(-scale).
struct Decimal {
  int32_t scale = 0;
  Varint unscaled;
  // As cqlsh shows it (Python's Decimal str): "1.23", "-0.001", "1.2E+3", "1E-7".
  std::string to_string() const;
  bool operator==(const Decimal&) const = default;
};

struct List {
  std::vector<Value> items;
  bool operator==(const List&) const;
};
struct Set {
  std::vector<Value> items;
  bool operator==(const Set&) const;
};
struct Map {
  std::vector<std::pair<Value, Value>> entries;
  bool operator==(const Map&) const;
};
struct Tuple {
  std::vector<Value> items;  // missing trailing items are absent; null items are Null
  bool operator==(const Tuple&) const;
};
struct Udt {
  std::vector<std::pair<std::string, Value>> fields;  // in type order; §7 allows fewer fields
  bool operator==(const Udt&) const;
};

using ValueVariant = std::variant<Null, Unset, bool, int8_t, int16_t, int32_t, int64_t, float,
                                  double, std::string, Blob, Uuid, Timestamp, Date, Time, Inet,
                                  Varint, Decimal, List, Set, Map, Tuple, Udt>;

struct Value {
  ValueVariant v;

  Value() : v(Null{}) {}
  template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, Value> &&
                                                    std::is_constructible_v<ValueVariant, T>>>
  Value(T&& x) : v(std::forward<T>(x)) {}  // NOLINT: implicit by design
  // A string literal is text, never bool.
  Value(const char* s) : v(std::string(s)) {}  // NOLINT

  bool is_null() const { return std::holds_alternative<Null>(v); }
  bool is_unset() const { return std::holds_alternative<Unset>(v); }
  template <typename T>
  const T* get_if() const { return std::get_if<T>(&v); }
  template <typename T>
  bool is() const { return std::holds_alternative<T>(v); }

  bool operator==(const Value& o) const;
};

// Name of the alternative held ("int", "text", "list", ...), for error messages.
std::string value_kind(const Value& v);

// The type a Value would naturally be encoded as when no column type is known (int32_t -> int,
// std::string -> text, Blob -> blob, ...). Collections take their element types from their first
// element (text for empty ones). kInvalidArgument for Null/Unset at the top level.
Result<DataType> infer_type(const Value& v);

// Serialises a non-null value as the body of a [bytes]/[value] (no length prefix) for `type`.
// The alternative must match the type (int32_t for int, std::string for text/ascii, ...), except
// that int8/int16/int32 widen to bigint/varint and int64_t is accepted for timestamp/counter.
// ascii text must be 7-bit. Null/Unset are errors here: use encode_bound().
Result<Bytes> encode_value(const Value& v, const DataType& type);

// As a [value] for QUERY/EXECUTE/BATCH: Null -> null (-1), Unset -> not set (-2).
Result<BoundValue> encode_bound(const Value& v, const DataType& type);
// Same with infer_type() for the type.
Result<BoundValue> encode_bound(const Value& v);

// Decodes a cell. nullopt (a [bytes] with negative length) is Null. A zero-length cell of a
// non-string, non-blob type is Null too (§6: "empty" values; drivers expose them as null).
// Wrong lengths for fixed-size types are kProtocol errors: "invalid int value: expected 4 bytes,
// got 3".
Result<Value> decode_value(const DataType& type, ByteView cell);
inline Result<Value> decode_value(const DataType& type, const Bytes& cell) {
  return decode_value(type, ByteView(cell));
}
Result<Value> decode_nullable_value(const DataType& type, std::optional<ByteView> cell);

}  // namespace rds::cql
