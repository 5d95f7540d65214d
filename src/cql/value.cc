#include "cql/value.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace rds::cql {

// ---- equality ---------------------------------------------------------------------------------

bool Value::operator==(const Value& o) const { return v == o.v; }
bool List::operator==(const List& o) const { return items == o.items; }
bool Set::operator==(const Set& o) const { return items == o.items; }
bool Map::operator==(const Map& o) const { return entries == o.entries; }
bool Tuple::operator==(const Tuple& o) const { return items == o.items; }
bool Udt::operator==(const Udt& o) const { return fields == o.fields; }

Date Date::from_days_since_epoch(int64_t days) {
  return Date{static_cast<uint32_t>(days + (int64_t{1} << 31))};
}

// ---- Varint -----------------------------------------------------------------------------------

namespace {

// Drops redundant sign bytes so the encoding is minimal (§6.23 examples: 128 is 0x0080).
void minimize_twos_complement(Bytes& b) {
  size_t skip = 0;
  while (skip + 1 < b.size()) {
    const uint8_t first = b[skip];
    const bool next_negative = (b[skip + 1] & 0x80) != 0;
    if ((first == 0x00 && !next_negative) || (first == 0xff && next_negative)) {
      ++skip;
    } else {
      break;
    }
  }
  b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(skip));
  if (b.empty()) b.push_back(0);
}

void negate_in_place(Bytes& b) {
  for (auto& x : b) x = static_cast<uint8_t>(~x);
  for (size_t i = b.size(); i-- > 0;) {
    if (++b[i] != 0) break;
  }
}

// Two's complement -> (negative, unsigned big-endian magnitude).
std::pair<bool, Bytes> to_magnitude(const Bytes& twos) {
  if (twos.empty()) return {false, Bytes{0}};
  Bytes mag = twos;
  const bool negative = (twos[0] & 0x80) != 0;
  if (negative) negate_in_place(mag);  // -128 (0x80) -> 0x80 read as unsigned 128
  return {negative, mag};
}

// (negative, magnitude) -> minimal two's complement.
Bytes from_magnitude(bool negative, Bytes mag) {
  mag.insert(mag.begin(), 0);  // room for the sign bit
  if (negative) negate_in_place(mag);
  minimize_twos_complement(mag);
  return mag;
}

bool is_zero(const Bytes& mag) {
  return std::all_of(mag.begin(), mag.end(), [](uint8_t x) { return x == 0; });
}

// Divides the big-endian magnitude in place, returns the remainder.
uint32_t div_small(Bytes& mag, uint32_t divisor) {
  uint64_t rem = 0;
  for (auto& x : mag) {
    const uint64_t cur = (rem << 8) | x;
    x = static_cast<uint8_t>(cur / divisor);
    rem = cur % divisor;
  }
  return static_cast<uint32_t>(rem);
}

std::string magnitude_to_decimal(Bytes mag) {
  if (is_zero(mag)) return "0";
  std::string digits;  // reversed
  while (!is_zero(mag)) {
    uint32_t chunk = div_small(mag, 1000000000u);
    const bool last = is_zero(mag);
    for (int i = 0; i < 9; ++i) {
      if (last && chunk == 0) break;
      digits.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

Varint Varint::from_int64(int64_t v) {
  Bytes b;
  append_u64(b, static_cast<uint64_t>(v));
  minimize_twos_complement(b);
  return Varint{std::move(b)};
}

Result<Varint> Varint::parse(std::string_view text) {
  bool negative = false;
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(ErrorCode::kInvalidArgument, "invalid varint '" + std::string(text) + "'");
  }
  Bytes mag{0};
  for (char c : digits) {
    // mag = mag * 10 + digit
    uint32_t carry = static_cast<uint32_t>(c - '0');
    for (size_t i = mag.size(); i-- > 0;) {
      const uint32_t cur = mag[i] * 10u + carry;
      mag[i] = static_cast<uint8_t>(cur);
      carry = cur >> 8;
    }
    while (carry != 0) {
      mag.insert(mag.begin(), static_cast<uint8_t>(carry));
      carry >>= 8;
    }
  }
  const bool is_negative = negative && !is_zero(mag);
  return Varint{from_magnitude(is_negative, std::move(mag))};
}

Result<int64_t> Varint::to_int64() const {
  if (bytes.empty()) return int64_t{0};
  Bytes b = bytes;
  minimize_twos_complement(b);
  if (b.size() > 8) {
    return Error(ErrorCode::kInvalidArgument,
                 "varint " + to_string() + " does not fit in 64 bits");
  }
  uint64_t u = (b[0] & 0x80) ? ~uint64_t{0} : 0;  // sign extension
  for (uint8_t x : b) u = (u << 8) | x;
  return static_cast<int64_t>(u);
}

std::string Varint::to_string() const {
  auto [negative, mag] = to_magnitude(bytes);
  std::string s = magnitude_to_decimal(std::move(mag));
  return negative ? "-" + s : s;
}

std::string Decimal::to_string() const {
  // Python's Decimal.__str__ (what cqlsh prints): plain notation when the exponent is <= 0 and
  // the number is not too small, scientific ("1.2E+3") otherwise.
  auto [negative, mag] = to_magnitude(unscaled.bytes);
  const std::string d = magnitude_to_decimal(std::move(mag));
  const int64_t exp = -static_cast<int64_t>(scale);
  const int64_t left_digits = exp + static_cast<int64_t>(d.size());
  const int64_t dot = (exp <= 0 && left_digits > -6) ? left_digits : 1;
  std::string out = negative ? "-" : "";
  const auto len = static_cast<int64_t>(d.size());
  if (dot <= 0) {
    out += "0." + std::string(static_cast<size_t>(-dot), '0') + d;
  } else if (dot >= len) {
    out += d + std::string(static_cast<size_t>(dot - len), '0');
  } else {
    out += d.substr(0, static_cast<size_t>(dot)) + "." + d.substr(static_cast<size_t>(dot));
  }
  if (left_digits != dot) {
    const int64_t e = left_digits - dot;
    out += (e >= 0 ? "E+" : "E-") + std::to_string(e >= 0 ? e : -e);
  }
  return out;
}

// ---- kinds and inference ----------------------------------------------------------------------

std::string value_kind(const Value& v) {
  static constexpr const char* kNames[] = {
      "null",  "unset",   "boolean", "tinyint", "smallint", "int",     "bigint", "float",
      "double", "text",   "blob",    "uuid",    "timestamp", "date",   "time",   "inet",
      "varint", "decimal", "list",   "set",     "map",       "tuple",  "udt"};
  static_assert(std::size(kNames) == std::variant_size_v<ValueVariant>);
  return kNames[v.v.index()];
}

Result<DataType> infer_type(const Value& v) {
  struct Visitor {
    Result<DataType> operator()(const Null&) const {
      return Error(ErrorCode::kInvalidArgument, "cannot infer a CQL type for null");
    }
    Result<DataType> operator()(const Unset&) const {
      return Error(ErrorCode::kInvalidArgument, "cannot infer a CQL type for unset");
    }
    Result<DataType> operator()(bool) const { return DataType(TypeId::kBoolean); }
    Result<DataType> operator()(int8_t) const { return DataType(TypeId::kTinyint); }
    Result<DataType> operator()(int16_t) const { return DataType(TypeId::kSmallint); }
    Result<DataType> operator()(int32_t) const { return DataType(TypeId::kInt); }
    Result<DataType> operator()(int64_t) const { return DataType(TypeId::kBigint); }
    Result<DataType> operator()(float) const { return DataType(TypeId::kFloat); }
    Result<DataType> operator()(double) const { return DataType(TypeId::kDouble); }
    Result<DataType> operator()(const std::string&) const { return DataType(TypeId::kVarchar); }
    Result<DataType> operator()(const Blob&) const { return DataType(TypeId::kBlob); }
    Result<DataType> operator()(const Uuid&) const { return DataType(TypeId::kUuid); }
    Result<DataType> operator()(const Timestamp&) const { return DataType(TypeId::kTimestamp); }
    Result<DataType> operator()(const Date&) const { return DataType(TypeId::kDate); }
    Result<DataType> operator()(const Time&) const { return DataType(TypeId::kTime); }
    Result<DataType> operator()(const Inet&) const { return DataType(TypeId::kInet); }
    Result<DataType> operator()(const Varint&) const { return DataType(TypeId::kVarint); }
    Result<DataType> operator()(const Decimal&) const { return DataType(TypeId::kDecimal); }
    Result<DataType> element(const std::vector<Value>& items) const {
      for (const auto& i : items) {
        if (!i.is_null() && !i.is_unset()) return infer_type(i);
      }
      return DataType(TypeId::kVarchar);
    }
    Result<DataType> operator()(const List& l) const {
      auto e = element(l.items);
      if (!e.ok()) return e.take_error();
      return DataType::list(std::move(*e));
    }
    Result<DataType> operator()(const Set& s) const {
      auto e = element(s.items);
      if (!e.ok()) return e.take_error();
      return DataType::set(std::move(*e));
    }
    Result<DataType> operator()(const Map& m) const {
      if (m.entries.empty()) {
        return DataType::map(DataType(TypeId::kVarchar), DataType(TypeId::kVarchar));
      }
      auto k = infer_type(m.entries.front().first);
      if (!k.ok()) return k.take_error();
      auto val = infer_type(m.entries.front().second);
      if (!val.ok()) return val.take_error();
      return DataType::map(std::move(*k), std::move(*val));
    }
    Result<DataType> operator()(const Tuple& t) const {
      std::vector<DataType> parts;
      for (const auto& i : t.items) {
        auto p = infer_type(i);
        if (!p.ok()) return p.take_error();
        parts.push_back(std::move(*p));
      }
      return DataType::tuple(std::move(parts));
    }
    Result<DataType> operator()(const Udt&) const {
      return Error(ErrorCode::kInvalidArgument, "cannot infer a UDT type: pass the DataType");
    }
  };
  return std::visit(Visitor{}, v.v);
}

// ---- encoding ---------------------------------------------------------------------------------

namespace {

constexpr int kMaxValueDepth = kMaxTypeDepth + 1;

Error mismatch(const Value& v, const DataType& t) {
  return Error(ErrorCode::kInvalidArgument,
               "cannot encode a " + value_kind(v) + " value as CQL type " + t.to_cql());
}

Status encode_into(Writer& w, const Value& v, const DataType& t, int depth);

// An element of a collection/tuple/udt: a [bytes] (§6.11-6.13, §6.20, §7), null as -1.
Status encode_element(Writer& w, const Value& v, const DataType& t, int depth) {
  if (v.is_null()) {
    w.write_null_bytes();
    return ok_status();
  }
  if (v.is_unset()) {
    return Error(ErrorCode::kInvalidArgument, "unset is not allowed inside a " + t.to_cql());
  }
  const size_t at = w.size();
  w.write_int(0);
  RDS_TRY(encode_into(w, v, t, depth + 1));
  const size_t len = w.size() - at - 4;
  if (len > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Error(ErrorCode::kInvalidArgument, "collection element too large");
  }
  w.patch_int(at, static_cast<int32_t>(len));
  return ok_status();
}

Status check_params(const DataType& t, size_t n) {
  if (t.params.size() != n) {
    return Error(ErrorCode::kInvalidArgument,
                 "malformed DataType " + t.to_cql() + ": expected " + std::to_string(n) +
                     " type parameters, got " + std::to_string(t.params.size()));
  }
  return ok_status();
}

Status encode_count(Writer& w, size_t n) {
  // native_protocol_v4.spec §6.11-6.13: element counts are an [int] in v4 (a [short] in v2).
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Error(ErrorCode::kInvalidArgument, "collection has too many elements");
  }
  w.write_int(static_cast<int32_t>(n));
  return ok_status();
}

Status encode_into(Writer& w, const Value& v, const DataType& t, int depth) {
  if (depth > kMaxValueDepth) {
    return Error(ErrorCode::kInvalidArgument, "value nested too deeply");
  }
  if (v.is_null() || v.is_unset()) {
    return Error(ErrorCode::kInvalidArgument,
                 value_kind(v) + " cannot be encoded as a cell body; use encode_bound()");
  }
  // Integer alternatives, widened where that is lossless.
  auto as_int64 = [&v]() -> std::optional<int64_t> {
    if (auto p = v.get_if<int8_t>()) return *p;
    if (auto p = v.get_if<int16_t>()) return *p;
    if (auto p = v.get_if<int32_t>()) return *p;
    if (auto p = v.get_if<int64_t>()) return *p;
    return std::nullopt;
  };
  switch (t.id) {
    case TypeId::kAscii:
    case TypeId::kVarchar: {
      const auto* s = v.get_if<std::string>();
      if (!s) return mismatch(v, t);
      if (t.id == TypeId::kAscii) {
        // §6.1: bytes in [0, 127]; anything else is a server-side validation error.
        for (size_t i = 0; i < s->size(); ++i) {
          if (static_cast<unsigned char>((*s)[i]) > 127) {
            return Error(ErrorCode::kInvalidArgument,
                         "ascii value has a non-ASCII byte at offset " + std::to_string(i));
          }
        }
      }
      w.write_raw(as_bytes(*s));
      return ok_status();
    }
    case TypeId::kBlob:
    case TypeId::kCustom: {
      const auto* b = v.get_if<Blob>();
      if (!b) return mismatch(v, t);
      w.write_raw(ByteView(b->bytes));
      return ok_status();
    }
    case TypeId::kBoolean: {
      const auto* b = v.get_if<bool>();
      if (!b) return mismatch(v, t);
      w.write_byte(*b ? 1 : 0);  // §6.4: 1 is the recommended "true"
      return ok_status();
    }
    case TypeId::kTinyint: {
      const auto* x = v.get_if<int8_t>();
      if (!x) return mismatch(v, t);
      w.write_byte(static_cast<uint8_t>(*x));
      return ok_status();
    }
    case TypeId::kSmallint: {
      std::optional<int16_t> x;
      if (auto p = v.get_if<int8_t>()) x = *p;
      if (auto p = v.get_if<int16_t>()) x = *p;
      if (!x) return mismatch(v, t);
      w.write_short(static_cast<uint16_t>(*x));
      return ok_status();
    }
    case TypeId::kInt: {
      std::optional<int32_t> x;
      if (auto p = v.get_if<int8_t>()) x = *p;
      if (auto p = v.get_if<int16_t>()) x = *p;
      if (auto p = v.get_if<int32_t>()) x = *p;
      if (!x) return mismatch(v, t);
      w.write_int(*x);
      return ok_status();
    }
    case TypeId::kBigint:
    case TypeId::kCounter: {
      auto x = as_int64();
      if (!x) return mismatch(v, t);
      w.write_long(*x);
      return ok_status();
    }
    case TypeId::kTimestamp: {
      if (auto p = v.get_if<Timestamp>()) {
        w.write_long(p->millis);
      } else if (auto q = v.get_if<int64_t>()) {
        w.write_long(*q);
      } else {
        return mismatch(v, t);
      }
      return ok_status();
    }
    case TypeId::kFloat: {
      const auto* x = v.get_if<float>();
      if (!x) return mismatch(v, t);
      w.write_int(static_cast<int32_t>(std::bit_cast<uint32_t>(*x)));
      return ok_status();
    }
    case TypeId::kDouble: {
      const auto* x = v.get_if<double>();
      if (!x) return mismatch(v, t);
      w.write_long(static_cast<int64_t>(std::bit_cast<uint64_t>(*x)));
      return ok_status();
    }
    case TypeId::kUuid:
    case TypeId::kTimeuuid: {
      const auto* u = v.get_if<Uuid>();
      if (!u) return mismatch(v, t);
      if (t.id == TypeId::kTimeuuid && (u->bytes[6] >> 4) != 1) {
        return Error(ErrorCode::kInvalidArgument,
                     "timeuuid value " + u->to_string() + " is not a version 1 UUID");
      }
      w.write_uuid(*u);
      return ok_status();
    }
    case TypeId::kInet: {
      const auto* a = v.get_if<Inet>();
      if (!a) return mismatch(v, t);
      if (a->size != 4 && a->size != 16) {
        return Error(ErrorCode::kInvalidArgument, "inet value must have 4 or 16 bytes");
      }
      w.write_raw(a->view());
      return ok_status();
    }
    case TypeId::kDate: {
      const auto* d = v.get_if<Date>();
      if (!d) return mismatch(v, t);
      w.write_int(static_cast<int32_t>(d->days));
      return ok_status();
    }
    case TypeId::kTime: {
      const auto* x = v.get_if<Time>();
      if (!x) return mismatch(v, t);
      if (x->nanos < 0 || x->nanos > kMaxTimeNanos) {
        return Error(ErrorCode::kInvalidArgument,
                     "time value " + std::to_string(x->nanos) + " ns outside one day");
      }
      w.write_long(x->nanos);
      return ok_status();
    }
    case TypeId::kVarint: {
      if (const auto* x = v.get_if<Varint>()) {
        if (x->bytes.empty()) return Error(ErrorCode::kInvalidArgument, "empty varint");
        w.write_raw(ByteView(x->bytes));
      } else if (auto i = as_int64()) {
        w.write_raw(ByteView(Varint::from_int64(*i).bytes));
      } else {
        return mismatch(v, t);
      }
      return ok_status();
    }
    case TypeId::kDecimal: {
      const auto* x = v.get_if<Decimal>();
      if (!x) return mismatch(v, t);
      if (x->unscaled.bytes.empty()) return Error(ErrorCode::kInvalidArgument, "empty decimal");
      w.write_int(x->scale);
      w.write_raw(ByteView(x->unscaled.bytes));
      return ok_status();
    }
    case TypeId::kList:
    case TypeId::kSet: {
      RDS_TRY(check_params(t, 1));
      const std::vector<Value>* items = nullptr;
      if (auto l = v.get_if<List>()) items = &l->items;
      if (auto s = v.get_if<Set>()) items = &s->items;
      if (!items) return mismatch(v, t);
      RDS_TRY(encode_count(w, items->size()));
      for (const auto& item : *items) RDS_TRY(encode_element(w, item, t.params[0], depth));
      return ok_status();
    }
    case TypeId::kMap: {
      RDS_TRY(check_params(t, 2));
      const auto* m = v.get_if<Map>();
      if (!m) return mismatch(v, t);
      RDS_TRY(encode_count(w, m->entries.size()));
      for (const auto& [k, val] : m->entries) {
        RDS_TRY(encode_element(w, k, t.params[0], depth));
        RDS_TRY(encode_element(w, val, t.params[1], depth));
      }
      return ok_status();
    }
    case TypeId::kTuple: {
      const auto* tu = v.get_if<Tuple>();
      if (!tu) return mismatch(v, t);
      if (tu->items.size() > t.params.size()) {
        return Error(ErrorCode::kInvalidArgument,
                     "tuple value has " + std::to_string(tu->items.size()) +
                         " items, type " + t.to_cql() + " has " +
                         std::to_string(t.params.size()));
      }
      // §6.20: each item is a [bytes]; no count prefix. Missing items are written as null.
      for (size_t i = 0; i < t.params.size(); ++i) {
        const Value& item = i < tu->items.size() ? tu->items[i] : Value();
        RDS_TRY(encode_element(w, item, t.params[i], depth));
      }
      return ok_status();
    }
    case TypeId::kUdt: {
      const auto* u = v.get_if<Udt>();
      if (!u) return mismatch(v, t);
      if (t.field_names.size() != t.params.size()) return check_params(t, t.field_names.size());
      for (const auto& [name, _] : u->fields) {
        if (std::find(t.field_names.begin(), t.field_names.end(), name) == t.field_names.end()) {
          return Error(ErrorCode::kInvalidArgument,
                       "udt " + t.to_cql() + " has no field '" + name + "'");
        }
      }
      // §7: one [bytes] per field in type order; absent fields are written as null.
      for (size_t i = 0; i < t.params.size(); ++i) {
        auto it = std::find_if(u->fields.begin(), u->fields.end(),
                               [&](const auto& f) { return f.first == t.field_names[i]; });
        const Value& item = it != u->fields.end() ? it->second : Value();
        RDS_TRY(encode_element(w, item, t.params[i], depth));
      }
      return ok_status();
    }
  }
  return Error(ErrorCode::kInvalidArgument, "cannot encode values of type " + t.to_cql());
}

}  // namespace

Result<Bytes> encode_value(const Value& v, const DataType& type) {
  Writer w;
  RDS_TRY(encode_into(w, v, type, 0));
  if (!w.ok()) return w.status().error();
  return w.take();
}

Result<BoundValue> encode_bound(const Value& v, const DataType& type) {
  if (v.is_null()) return BoundValue::null();
  if (v.is_unset()) return BoundValue::unset();
  auto b = encode_value(v, type);
  if (!b.ok()) return b.take_error();
  return BoundValue::of(std::move(*b));
}

Result<BoundValue> encode_bound(const Value& v) {
  if (v.is_null()) return BoundValue::null();
  if (v.is_unset()) return BoundValue::unset();
  auto t = infer_type(v);
  if (!t.ok()) return t.take_error();
  return encode_bound(v, *t);
}

// ---- decoding ---------------------------------------------------------------------------------

namespace {

Result<Value> decode_cell(const DataType& t, ByteView cell, int depth);

Error wrong_size(const DataType& t, size_t expected, size_t got) {
  return Error(ErrorCode::kProtocol, "invalid " + t.to_cql() + " value: expected " +
                                         std::to_string(expected) + " bytes, got " +
                                         std::to_string(got));
}

Result<Value> decode_element(Reader& r, const DataType& t, int depth, std::string_view what) {
  auto e = r.read_bytes_view(what);
  if (!e.ok()) return e.take_error();
  if (!e->has_value()) return Value();
  return decode_cell(t, **e, depth + 1);
}

Result<int32_t> read_count(Reader& r, size_t min_bytes_each, std::string_view what) {
  // native_protocol_v4.spec §6.11-6.13: the element count is an [int] in v4.
  auto n = r.read_int(what);
  if (!n.ok()) return n.take_error();
  if (*n < 0) return r.invalid("negative " + std::string(what) + " " + std::to_string(*n));
  // Each element is at least a 4-byte [bytes] length: reject impossible counts up front rather
  // than looping (and allocating) on a corrupt length.
  const auto need = static_cast<uint64_t>(*n) * min_bytes_each;
  if (need > r.remaining()) {
    return r.truncated(static_cast<size_t>(need), std::string(what) + " " + std::to_string(*n) +
                                                      " (at least 4 bytes per element)");
  }
  return *n;
}

Status no_trailing(const Reader& r, const DataType& t) {
  if (!r.empty()) {
    return Error(ErrorCode::kProtocol, "invalid " + t.to_cql() + " value: " +
                                           std::to_string(r.remaining()) + " trailing bytes");
  }
  return ok_status();
}

Result<Value> decode_cell(const DataType& t, ByteView cell, int depth) {
  if (depth > kMaxValueDepth) return Error(ErrorCode::kProtocol, "invalid value: nested too deeply");
  const size_t n = cell.size();
  const uint8_t* p = cell.data();
  // §6: "most non-string types support 'empty' values (i.e. a value with zero length)";
  // drivers surface them as null.
  const bool stringish = t.id == TypeId::kAscii || t.id == TypeId::kVarchar ||
                         t.id == TypeId::kBlob || t.id == TypeId::kCustom;
  if (n == 0 && !stringish) return Value();
  auto fixed = [&](size_t want) -> Status {
    if (n != want) return wrong_size(t, want, n);
    return ok_status();
  };
  switch (t.id) {
    case TypeId::kAscii:
    case TypeId::kVarchar:
      return Value(std::string(reinterpret_cast<const char*>(p), n));
    case TypeId::kBlob:
    case TypeId::kCustom:
      return Value(Blob{Bytes(cell.begin(), cell.end())});
    case TypeId::kBoolean:
      RDS_TRY(fixed(1));
      return Value(p[0] != 0);  // §6.4: any non-zero byte is true
    case TypeId::kTinyint:
      RDS_TRY(fixed(1));
      return Value(static_cast<int8_t>(p[0]));
    case TypeId::kSmallint:
      RDS_TRY(fixed(2));
      return Value(static_cast<int16_t>(load_u16(p)));
    case TypeId::kInt:
      RDS_TRY(fixed(4));
      return Value(static_cast<int32_t>(load_u32(p)));
    case TypeId::kBigint:
    case TypeId::kCounter:
      RDS_TRY(fixed(8));
      return Value(static_cast<int64_t>(load_u64(p)));
    case TypeId::kTimestamp:
      RDS_TRY(fixed(8));
      return Value(Timestamp{static_cast<int64_t>(load_u64(p))});
    case TypeId::kFloat:
      RDS_TRY(fixed(4));
      return Value(std::bit_cast<float>(load_u32(p)));
    case TypeId::kDouble:
      RDS_TRY(fixed(8));
      return Value(std::bit_cast<double>(load_u64(p)));
    case TypeId::kUuid:
    case TypeId::kTimeuuid: {
      RDS_TRY(fixed(16));
      Uuid u;
      std::copy_n(p, 16, u.bytes.begin());
      return Value(u);
    }
    case TypeId::kInet: {
      // §6.9: 4 or 16 bytes.
      if (n != 4 && n != 16) {
        return Error(ErrorCode::kProtocol,
                     "invalid inet value: expected 4 or 16 bytes, got " + std::to_string(n));
      }
      Inet a;
      a.size = static_cast<uint8_t>(n);
      std::copy_n(p, n, a.bytes.begin());
      return Value(a);
    }
    case TypeId::kDate:
      RDS_TRY(fixed(4));
      return Value(Date{load_u32(p)});
    case TypeId::kTime: {
      RDS_TRY(fixed(8));
      const auto nanos = static_cast<int64_t>(load_u64(p));
      if (nanos < 0 || nanos > kMaxTimeNanos) {
        return Error(ErrorCode::kProtocol,
                     "invalid time value: " + std::to_string(nanos) + " ns outside one day");
      }
      return Value(Time{nanos});
    }
    case TypeId::kVarint:
      return Value(Varint{Bytes(cell.begin(), cell.end())});
    case TypeId::kDecimal: {
      // §6.6: an [int] scale then the unscaled varint (at least one byte).
      if (n < 5) {
        return Error(ErrorCode::kProtocol,
                     "invalid decimal value: expected at least 5 bytes, got " + std::to_string(n));
      }
      return Value(Decimal{static_cast<int32_t>(load_u32(p)), Varint{Bytes(p + 4, p + n)}});
    }
    case TypeId::kList:
    case TypeId::kSet: {
      if (t.params.size() != 1) return Error(ErrorCode::kInvalidArgument, "malformed list/set type");
      Reader r(cell, "value");
      auto count = read_count(r, 4, "element count");
      if (!count.ok()) return count.take_error();
      std::vector<Value> items;
      items.reserve(static_cast<size_t>(*count));
      for (int32_t i = 0; i < *count; ++i) {
        auto e = decode_element(r, t.params[0], depth, "collection element");
        if (!e.ok()) return e.take_error();
        items.push_back(std::move(*e));
      }
      RDS_TRY(no_trailing(r, t));
      if (t.id == TypeId::kList) return Value(List{std::move(items)});
      return Value(Set{std::move(items)});
    }
    case TypeId::kMap: {
      if (t.params.size() != 2) return Error(ErrorCode::kInvalidArgument, "malformed map type");
      Reader r(cell, "value");
      auto count = read_count(r, 8, "map entry count");
      if (!count.ok()) return count.take_error();
      Map m;
      m.entries.reserve(static_cast<size_t>(*count));
      for (int32_t i = 0; i < *count; ++i) {
        auto k = decode_element(r, t.params[0], depth, "map key");
        if (!k.ok()) return k.take_error();
        auto val = decode_element(r, t.params[1], depth, "map value");
        if (!val.ok()) return val.take_error();
        m.entries.emplace_back(std::move(*k), std::move(*val));
      }
      RDS_TRY(no_trailing(r, t));
      return Value(std::move(m));
    }
    case TypeId::kTuple: {
      Reader r(cell, "value");
      Tuple tu;
      for (size_t i = 0; i < t.params.size(); ++i) {
        auto e = decode_element(r, t.params[i], depth, "tuple item");
        if (!e.ok()) return e.take_error();
        tu.items.push_back(std::move(*e));
      }
      RDS_TRY(no_trailing(r, t));
      return Value(std::move(tu));
    }
    case TypeId::kUdt: {
      if (t.field_names.size() != t.params.size()) {
        return Error(ErrorCode::kInvalidArgument, "malformed udt type");
      }
      Reader r(cell, "value");
      Udt u;
      // §7: "it is allowed to have less values than the type has fields".
      for (size_t i = 0; i < t.params.size() && !r.empty(); ++i) {
        auto e = decode_element(r, t.params[i], depth, "udt field");
        if (!e.ok()) return e.take_error();
        u.fields.emplace_back(t.field_names[i], std::move(*e));
      }
      RDS_TRY(no_trailing(r, t));
      return Value(std::move(u));
    }
  }
  return Error(ErrorCode::kProtocol, "cannot decode values of type " + t.to_cql());
}

}  // namespace

Result<Value> decode_value(const DataType& type, ByteView cell) {
  return decode_cell(type, cell, 0);
}

Result<Value> decode_nullable_value(const DataType& type, std::optional<ByteView> cell) {
  if (!cell) return Value();
  return decode_cell(type, *cell, 0);
}

}  // namespace rds::cql
