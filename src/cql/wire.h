#pragma once
// Primitive notations of the CQL native protocol v4 (native_protocol_v4.spec §3): a bounds-checked
// Reader over a byte span and a Writer appending to a byte vector. Big-endian throughout (§1).
//
// The Reader never reads outside its span and never throws: every read returns a Result whose
// error says what was being read and how short the input was, e.g.
//   "truncated frame: expected 4 bytes for [int] row count, 2 left"        (ErrorCode::kTruncated)
//   "invalid frame: negative length -5 for [string] keyspace"              (ErrorCode::kProtocol)
// The Writer never fails on the spot; a value that does not fit its notation (a [string] longer
// than 65535 bytes, more than 65535 list entries, ...) records a sticky error that status() returns.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace rds::cql {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string to_string(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// [string map], [string multimap], [bytes map] (§3). std::map: keys are unique and ordered, which
// also makes encoded bytes deterministic.
using StringMap = std::map<std::string, std::string>;
using StringMultimap = std::map<std::string, std::vector<std::string>>;
using BytesMap = std::map<std::string, std::optional<Bytes>>;

// [consistency] (§3). Unknown values are kept as-is (decoding is lenient; to_string names them).
enum class Consistency : uint16_t {
  kAny = 0x0000,
  kOne = 0x0001,
  kTwo = 0x0002,
  kThree = 0x0003,
  kQuorum = 0x0004,
  kAll = 0x0005,
  kLocalQuorum = 0x0006,
  kEachQuorum = 0x0007,
  kSerial = 0x0008,
  kLocalSerial = 0x0009,
  kLocalOne = 0x000A,
};
std::string to_string(Consistency c);

// [uuid] (§3) and the uuid/timeuuid cell types (§6.18, §6.21).
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  // Canonical lowercase 8-4-4-4-12 form.
  std::string to_string() const;
  // Only the canonical 8-4-4-4-12 form, hexadecimal of either case: no braces, URN or missing dashes.
  static Result<Uuid> parse(std::string_view text);
  bool operator==(const Uuid&) const = default;
};

// An IPv4 or IPv6 address (§6.9; the address part of [inet]).
struct Inet {
  uint8_t size = 4;  // 4 or 16
  std::array<uint8_t, 16> bytes{};
  ByteView view() const { return ByteView(bytes.data(), size); }
  std::string to_string() const;                      // "127.0.0.1", "::1"
  static Result<Inet> parse(std::string_view text);   // dotted quad or IPv6 text
  static Inet v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  bool operator==(const Inet& o) const {
    return size == o.size && std::equal(bytes.begin(), bytes.begin() + size, o.bytes.begin());
  }
};

// [inet] (§3): an address and a port.
struct Endpoint {
  Inet address;
  int32_t port = 0;
  std::string to_string() const;  // "10.0.0.1:9042", "[::1]:9042"
  bool operator==(const Endpoint&) const = default;
};

// What [value] (§3, §4.1.4) carries: bytes, null (-1) or not set (-2).
struct BoundValue {
  enum class Kind : uint8_t { kBytes, kNull, kUnset };
  Kind kind = Kind::kNull;
  Bytes bytes;

  static BoundValue of(Bytes b) { return BoundValue{Kind::kBytes, std::move(b)}; }
  static BoundValue null() { return BoundValue{Kind::kNull, {}}; }
  static BoundValue unset() { return BoundValue{Kind::kUnset, {}}; }
  bool operator==(const BoundValue&) const = default;
};

class Reader {
 public:
  // scope names the input in error messages: "truncated <scope>: ...".
  explicit Reader(ByteView data, std::string_view scope = "frame") : data_(data), scope_(scope) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  ByteView rest() const { return data_.subspan(pos_); }

  // Each `what` describes the field for error messages ("row count", "keyspace").
  Result<uint8_t> read_byte(std::string_view what);
  Result<uint16_t> read_short(std::string_view what);  // [short]: unsigned 2 bytes
  Result<int32_t> read_int(std::string_view what);
  Result<int64_t> read_long(std::string_view what);
  Result<std::string> read_string(std::string_view what);
  Result<std::string> read_long_string(std::string_view what);
  Result<Uuid> read_uuid(std::string_view what);
  Result<std::vector<std::string>> read_string_list(std::string_view what);
  // [bytes]: nullopt is null (§3: a negative length means null).
  Result<std::optional<Bytes>> read_bytes(std::string_view what);
  // [bytes] without copying: the view points into the reader's input. nullopt is null.
  Result<std::optional<ByteView>> read_bytes_view(std::string_view what);
  Result<Bytes> read_short_bytes(std::string_view what);
  // [value] (§3): -1 is null, -2 is "not set", below -2 is a kProtocol error.
  Result<BoundValue> read_value(std::string_view what);
  Result<Endpoint> read_inet(std::string_view what);
  Result<StringMap> read_string_map(std::string_view what);
  Result<StringMultimap> read_string_multimap(std::string_view what);
  Result<BytesMap> read_bytes_map(std::string_view what);
  Result<Consistency> read_consistency(std::string_view what);
  // n raw bytes (no length prefix), as a view into the input.
  Result<ByteView> read_raw(size_t n, std::string_view what);

  // Error helpers shared with the message decoders, so all messages look the same.
  Error truncated(size_t needed, std::string_view what) const;
  // "expected <needed> bytes for <kind><what>, <n> left"; kind is e.g. "[int] ".
  Error truncated(size_t needed, std::string_view kind, std::string_view what) const;
  Error invalid(std::string_view detail) const;

 private:
  ByteView data_;
  std::string_view scope_;
  size_t pos_ = 0;
};

class Writer {
 public:
  Writer() = default;
  explicit Writer(Bytes initial) : out_(std::move(initial)) {}

  void write_byte(uint8_t v) { out_.push_back(v); }
  void write_short(uint16_t v);
  void write_int(int32_t v);
  void write_long(int64_t v);
  void write_string(std::string_view s);
  void write_long_string(std::string_view s);
  void write_uuid(const Uuid& u);
  void write_string_list(const std::vector<std::string>& list);
  void write_bytes(ByteView b);
  void write_null_bytes() { write_int(-1); }
  void write_bytes(const std::optional<Bytes>& b);
  void write_value(const BoundValue& v);
  void write_short_bytes(ByteView b);
  void write_inet(const Endpoint& e);
  void write_string_map(const StringMap& m);
  void write_string_multimap(const StringMultimap& m);
  void write_bytes_map(const BytesMap& m);
  void write_consistency(Consistency c) { write_short(static_cast<uint16_t>(c)); }
  void write_raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }

  // Overwrites 4 bytes at `offset` (for length fields filled in afterwards).
  void patch_int(size_t offset, int32_t v);

  size_t size() const { return out_.size(); }
  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }

  // Records the first encoding error (later ones are dropped).
  void fail(Error e) {
    if (status_.ok()) status_ = std::move(e);
  }
  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

 private:
  bool check_short_count(size_t n, std::string_view what);

  Bytes out_;
  Status status_;
};

// Big-endian helpers for fixed-size fields.
inline uint16_t load_u16(const uint8_t* p) {
  return static_cast<uint16_t>((static_cast<uint16_t>(p[0]) << 8) | p[1]);
}
inline uint32_t load_u32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline uint64_t load_u64(const uint8_t* p) {
  return (static_cast<uint64_t>(load_u32(p)) << 32) | load_u32(p + 4);
}
void append_u16(Bytes& out, uint16_t v);
void append_u32(Bytes& out, uint32_t v);
void append_u64(Bytes& out, uint64_t v);

// Lowercase hex of the bytes, no prefix ("00ff").
std::string to_hex(ByteView b);
// The inverse, digits of either case ("00fF" -> {0x00, 0xff}); nullopt for an odd count or a
// character that is not a hexadecimal digit.
std::optional<Bytes> from_hex(std::string_view digits);

}  // namespace rds::cql
