#include "cql/wire.h"

#include <arpa/inet.h>  // inet_ntop/inet_pton: text conversion only, no sockets

#include <array>
#include <cstdio>
#include <limits>

namespace rds::cql {

namespace {

constexpr size_t kMaxShort = std::numeric_limits<uint16_t>::max();
constexpr size_t kMaxInt = static_cast<size_t>(std::numeric_limits<int32_t>::max());

// Each byte's hexadecimal digit value, or -1. A table rather than range compares: on a UUID's
// random digits those mispredict about every other character, which made Uuid::parse a quarter
// of RecordValidator's time per record.
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<int8_t>(c - 'A' + 10);
  return table;
}();

}  // namespace

std::string to_string(Consistency c) {
  switch (c) {
    case Consistency::kAny: return "ANY";
    case Consistency::kOne: return "ONE";
    case Consistency::kTwo: return "TWO";
    case Consistency::kThree: return "THREE";
    case Consistency::kQuorum: return "QUORUM";
    case Consistency::kAll: return "ALL";
    case Consistency::kLocalQuorum: return "LOCAL_QUORUM";
    case Consistency::kEachQuorum: return "EACH_QUORUM";
    case Consistency::kSerial: return "SERIAL";
    case Consistency::kLocalSerial: return "LOCAL_SERIAL";
    case Consistency::kLocalOne: return "LOCAL_ONE";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "UNKNOWN(0x%04x)", static_cast<unsigned>(c));
  return buf;
}

std::string to_hex(ByteView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t v : b) {
    out.push_back(kDigits[v >> 4]);
    out.push_back(kDigits[v & 0x0f]);
  }
  return out;
}

std::optional<Bytes> from_hex(std::string_view digits) {
  if (digits.size() % 2 != 0) return std::nullopt;
  Bytes out(digits.size() / 2);
  int invalid = 0;  // the sign bit of any -1 digit
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = kHexValue[static_cast<uint8_t>(digits[2 * i])];
    const int lo = kHexValue[static_cast<uint8_t>(digits[2 * i + 1])];
    invalid |= hi | lo;
    out[i] = static_cast<uint8_t>(((hi & 0xf) << 4) | (lo & 0xf));
  }
  if (invalid < 0) return std::nullopt;
  return out;
}

// ---- Uuid / Inet / Endpoint -------------------------------------------------------------------

std::string Uuid::to_string() const {
  std::string hex = to_hex(ByteView(bytes.data(), bytes.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

Result<Uuid> Uuid::parse(std::string_view text) {
  // Where each byte's two digits are in the 8-4-4-4-12 form.
  static constexpr std::array<uint8_t, 16> kDigitsAt = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  if (text.size() == 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' && text[23] == '-') {
    Uuid u;
    int invalid = 0;  // the sign bit of any -1 digit
    for (std::size_t i = 0; i < u.bytes.size(); ++i) {
      const int hi = kHexValue[static_cast<uint8_t>(text[kDigitsAt[i]])];
      const int lo = kHexValue[static_cast<uint8_t>(text[kDigitsAt[i] + 1])];
      invalid |= hi | lo;
      u.bytes[i] = static_cast<uint8_t>(((hi & 0xf) << 4) | (lo & 0xf));
    }
    if (invalid >= 0) return u;
  }
  // Quotes a bounded excerpt: the text may be a whole untrusted record value.
  constexpr std::size_t kQuoted = 40;
  return Error(ErrorCode::kInvalidArgument, "invalid uuid '" + std::string(text.substr(0, kQuoted)) +
                                                (text.size() > kQuoted ? "...'" : "'"));
}

std::string Inet::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (size == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  } else if (size == 16) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  } else {
    return "<invalid inet of " + std::to_string(size) + " bytes>";
  }
  return buf;
}

Result<Inet> Inet::parse(std::string_view text) {
  std::string s(text);
  Inet out;
  if (inet_pton(AF_INET, s.c_str(), out.bytes.data()) == 1) {
    out.size = 4;
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) {
    out.size = 16;
    return out;
  }
  return Error(ErrorCode::kInvalidArgument, "invalid IP address '" + s + "'");
}

Inet Inet::v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Inet out;
  out.size = 4;
  out.bytes[0] = a;
  out.bytes[1] = b;
  out.bytes[2] = c;
  out.bytes[3] = d;
  return out;
}

std::string Endpoint::to_string() const {
  if (address.size == 16) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

// ---- Reader -----------------------------------------------------------------------------------

Error Reader::truncated(size_t needed, std::string_view what) const {
  return truncated(needed, "", what);
}

Error Reader::truncated(size_t needed, std::string_view kind, std::string_view what) const {
  return Error(ErrorCode::kTruncated, "truncated " + std::string(scope_) + ": expected " +
                                          std::to_string(needed) + " bytes for " +
                                          std::string(kind) + std::string(what) + ", " +
                                          std::to_string(remaining()) + " left");
}

Error Reader::invalid(std::string_view detail) const {
  return Error(ErrorCode::kProtocol, "invalid " + std::string(scope_) + ": " + std::string(detail));
}

Result<ByteView> Reader::read_raw(size_t n, std::string_view what) {
  if (n > remaining()) return truncated(n, what);
  ByteView out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<uint8_t> Reader::read_byte(std::string_view what) {
  if (remaining() < 1) return truncated(1, "[byte] ", what);
  return data_[pos_++];
}

Result<uint16_t> Reader::read_short(std::string_view what) {
  if (remaining() < 2) return truncated(2, "[short] ", what);
  uint16_t v = load_u16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

Result<int32_t> Reader::read_int(std::string_view what) {
  if (remaining() < 4) return truncated(4, "[int] ", what);
  auto v = static_cast<int32_t>(load_u32(data_.data() + pos_));
  pos_ += 4;
  return v;
}

Result<int64_t> Reader::read_long(std::string_view what) {
  if (remaining() < 8) return truncated(8, "[long] ", what);
  auto v = static_cast<int64_t>(load_u64(data_.data() + pos_));
  pos_ += 8;
  return v;
}

Result<std::string> Reader::read_string(std::string_view what) {
  if (remaining() < 2) return truncated(2, "length of [string] ", what);
  size_t n = load_u16(data_.data() + pos_);
  pos_ += 2;
  if (n > remaining()) return truncated(n, "[string] ", what);
  std::string out(reinterpret_cast<const char*>(data_.data() + pos_), n);
  pos_ += n;
  return out;
}

Result<std::string> Reader::read_long_string(std::string_view what) {
  if (remaining() < 4) return truncated(4, "length of [long string] ", what);
  auto n = static_cast<int32_t>(load_u32(data_.data() + pos_));
  if (n < 0) {
    return invalid("negative length " + std::to_string(n) + " for [long string] " +
                   std::string(what));
  }
  pos_ += 4;
  auto len = static_cast<size_t>(n);
  if (len > remaining()) return truncated(len, "[long string] ", what);
  std::string out(reinterpret_cast<const char*>(data_.data() + pos_), len);
  pos_ += len;
  return out;
}

Result<Uuid> Reader::read_uuid(std::string_view what) {
  if (remaining() < 16) return truncated(16, "[uuid] ", what);
  Uuid u;
  std::copy_n(data_.data() + pos_, 16, u.bytes.begin());
  pos_ += 16;
  return u;
}

Result<std::vector<std::string>> Reader::read_string_list(std::string_view what) {
  if (remaining() < 2) return truncated(2, "count of [string list] ", what);
  auto n = read_short(what);
  if (!n.ok()) return n.take_error();
  std::vector<std::string> out;
  // Each entry needs at least 2 bytes: do not trust the count for the reservation.
  out.reserve(std::min<size_t>(*n, remaining() / 2));
  for (size_t i = 0; i < *n; ++i) {
    auto s = read_string(what);
    if (!s.ok()) return s.take_error();
    out.push_back(std::move(*s));
  }
  return out;
}

Result<std::optional<ByteView>> Reader::read_bytes_view(std::string_view what) {
  if (remaining() < 4) return truncated(4, "length of [bytes] ", what);
  auto n = static_cast<int32_t>(load_u32(data_.data() + pos_));
  pos_ += 4;
  // native_protocol_v4.spec §3: [bytes] with a negative length is null, no bytes follow.
  if (n < 0) return std::optional<ByteView>();
  auto len = static_cast<size_t>(n);
  if (len > remaining()) return truncated(len, "[bytes] ", what);
  ByteView out = data_.subspan(pos_, len);
  pos_ += len;
  return std::optional<ByteView>(out);
}

Result<std::optional<Bytes>> Reader::read_bytes(std::string_view what) {
  auto v = read_bytes_view(what);
  if (!v.ok()) return v.take_error();
  if (!v->has_value()) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes((*v)->begin(), (*v)->end()));
}

Result<BoundValue> Reader::read_value(std::string_view what) {
  if (remaining() < 4) return truncated(4, "length of [value] ", what);
  auto n = static_cast<int32_t>(load_u32(data_.data() + pos_));
  // native_protocol_v4.spec §3: -1 null, -2 not set, "n < -2 is an invalid value".
  if (n == -1) {
    pos_ += 4;
    return BoundValue::null();
  }
  if (n == -2) {
    pos_ += 4;
    return BoundValue::unset();
  }
  if (n < -2) {
    return invalid("length " + std::to_string(n) + " for [value] " + std::string(what) +
                   " (only -1 and -2 may be negative)");
  }
  pos_ += 4;
  auto len = static_cast<size_t>(n);
  if (len > remaining()) return truncated(len, "[value] ", what);
  Bytes out(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
            data_.begin() + static_cast<std::ptrdiff_t>(pos_ + len));
  pos_ += len;
  return BoundValue::of(std::move(out));
}

Result<Bytes> Reader::read_short_bytes(std::string_view what) {
  if (remaining() < 2) return truncated(2, "length of [short bytes] ", what);
  size_t n = load_u16(data_.data() + pos_);
  pos_ += 2;
  if (n > remaining()) return truncated(n, "[short bytes] ", what);
  Bytes out(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
            data_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return out;
}

Result<Endpoint> Reader::read_inet(std::string_view what) {
  // §3 [inet]: one [byte] n (4 or 16), n address bytes, then an [int] port.
  if (remaining() < 1) return truncated(1, "address size of [inet] ", what);
  auto n = read_byte(what);
  if (!n.ok()) return n.take_error();
  if (*n != 4 && *n != 16) {
    return invalid("[inet] " + std::string(what) + " address size " + std::to_string(*n) +
                   ", expected 4 or 16");
  }
  if (remaining() < *n) return truncated(*n, "address of [inet] ", what);
  auto addr = read_raw(*n, what);
  if (!addr.ok()) return addr.take_error();
  if (remaining() < 4) return truncated(4, "port of [inet] ", what);
  auto port = read_int(what);
  if (!port.ok()) return port.take_error();
  Endpoint e;
  e.address.size = *n;
  std::copy(addr->begin(), addr->end(), e.address.bytes.begin());
  e.port = *port;
  return e;
}

Result<StringMap> Reader::read_string_map(std::string_view what) {
  if (remaining() < 2) return truncated(2, "count of [string map] ", what);
  auto n = read_short(what);
  if (!n.ok()) return n.take_error();
  StringMap out;
  for (size_t i = 0; i < *n; ++i) {
    auto k = read_string(what);
    if (!k.ok()) return k.take_error();
    auto v = read_string(what);
    if (!v.ok()) return v.take_error();
    out[std::move(*k)] = std::move(*v);
  }
  return out;
}

Result<StringMultimap> Reader::read_string_multimap(std::string_view what) {
  if (remaining() < 2) return truncated(2, "count of [string multimap] ", what);
  auto n = read_short(what);
  if (!n.ok()) return n.take_error();
  StringMultimap out;
  for (size_t i = 0; i < *n; ++i) {
    auto k = read_string(what);
    if (!k.ok()) return k.take_error();
    auto v = read_string_list(what);
    if (!v.ok()) return v.take_error();
    out[std::move(*k)] = std::move(*v);
  }
  return out;
}

Result<BytesMap> Reader::read_bytes_map(std::string_view what) {
  if (remaining() < 2) return truncated(2, "count of [bytes map] ", what);
  auto n = read_short(what);
  if (!n.ok()) return n.take_error();
  BytesMap out;
  for (size_t i = 0; i < *n; ++i) {
    auto k = read_string(what);
    if (!k.ok()) return k.take_error();
    auto v = read_bytes(what);
    if (!v.ok()) return v.take_error();
    out[std::move(*k)] = std::move(*v);
  }
  return out;
}

Result<Consistency> Reader::read_consistency(std::string_view what) {
  if (remaining() < 2) return truncated(2, "[consistency] ", what);
  auto v = read_short(what);
  if (!v.ok()) return v.take_error();
  return static_cast<Consistency>(*v);
}

// ---- Writer -----------------------------------------------------------------------------------

void append_u16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void append_u32(Bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void append_u64(Bytes& out, uint64_t v) {
  append_u32(out, static_cast<uint32_t>(v >> 32));
  append_u32(out, static_cast<uint32_t>(v));
}

void Writer::write_short(uint16_t v) { append_u16(out_, v); }
void Writer::write_int(int32_t v) { append_u32(out_, static_cast<uint32_t>(v)); }
void Writer::write_long(int64_t v) { append_u64(out_, static_cast<uint64_t>(v)); }

bool Writer::check_short_count(size_t n, std::string_view what) {
  if (n <= kMaxShort) return true;
  fail(Error(ErrorCode::kInvalidArgument, std::string(what) + " has " + std::to_string(n) +
                                              " entries/bytes, more than the 65535 a [short] can count"));
  return false;
}

void Writer::write_string(std::string_view s) {
  if (!check_short_count(s.size(), "[string]")) return;
  write_short(static_cast<uint16_t>(s.size()));
  write_raw(as_bytes(s));
}

void Writer::write_long_string(std::string_view s) {
  if (s.size() > kMaxInt) {
    fail(Error(ErrorCode::kInvalidArgument, "[long string] too long"));
    return;
  }
  write_int(static_cast<int32_t>(s.size()));
  write_raw(as_bytes(s));
}

void Writer::write_uuid(const Uuid& u) { write_raw(ByteView(u.bytes.data(), u.bytes.size())); }

void Writer::write_string_list(const std::vector<std::string>& list) {
  if (!check_short_count(list.size(), "[string list]")) return;
  write_short(static_cast<uint16_t>(list.size()));
  for (const auto& s : list) write_string(s);
}

void Writer::write_bytes(ByteView b) {
  if (b.size() > kMaxInt) {
    fail(Error(ErrorCode::kInvalidArgument, "[bytes] too long"));
    return;
  }
  write_int(static_cast<int32_t>(b.size()));
  write_raw(b);
}

void Writer::write_bytes(const std::optional<Bytes>& b) {
  if (b) {
    write_bytes(ByteView(*b));
  } else {
    write_null_bytes();
  }
}

void Writer::write_value(const BoundValue& v) {
  // §3 [value]: -1 is null, -2 is "not set".
  switch (v.kind) {
    case BoundValue::Kind::kBytes: write_bytes(ByteView(v.bytes)); break;
    case BoundValue::Kind::kNull: write_int(-1); break;
    case BoundValue::Kind::kUnset: write_int(-2); break;
  }
}

void Writer::write_short_bytes(ByteView b) {
  if (!check_short_count(b.size(), "[short bytes]")) return;
  write_short(static_cast<uint16_t>(b.size()));
  write_raw(b);
}

void Writer::write_inet(const Endpoint& e) {
  if (e.address.size != 4 && e.address.size != 16) {
    fail(Error(ErrorCode::kInvalidArgument, "[inet] address must have 4 or 16 bytes"));
    return;
  }
  write_byte(e.address.size);
  write_raw(e.address.view());
  write_int(e.port);
}

void Writer::write_string_map(const StringMap& m) {
  if (!check_short_count(m.size(), "[string map]")) return;
  write_short(static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    write_string(k);
    write_string(v);
  }
}

void Writer::write_string_multimap(const StringMultimap& m) {
  if (!check_short_count(m.size(), "[string multimap]")) return;
  write_short(static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    write_string(k);
    write_string_list(v);
  }
}

void Writer::write_bytes_map(const BytesMap& m) {
  if (!check_short_count(m.size(), "[bytes map]")) return;
  write_short(static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    write_string(k);
    write_bytes(v);
  }
}

void Writer::patch_int(size_t offset, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  out_.at(offset) = static_cast<uint8_t>(u >> 24);
  out_.at(offset + 1) = static_cast<uint8_t>(u >> 16);
  out_.at(offset + 2) = static_cast<uint8_t>(u >> 8);
  out_.at(offset + 3) = static_cast<uint8_t>(u);
}

}  // namespace rds::cql
