#include "process/record_validator.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace rds::process {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t kExcerptBytes = 40;

// Records up to this size are parsed by the thread's kept parser, whose buffers grow to the largest
// record it has seen; a larger one (rare: the default max_record_bytes is 1 MiB) gets a parser of its
// own, so that one big record does not pin megabytes per thread for the process's lifetime.
constexpr std::size_t kKeptParserBytes = 64 * 1024;

// What validate() reuses from one record to the next on a thread, so that the steady state
// allocates nothing but the Row it returns. Per thread because RecordValidator is const and shared.
struct Scratch {
  simdjson::dom::parser parser;
  std::vector<std::optional<element>> fields;  // per table column: the record's value, if present
  std::vector<std::string_view> unknown;       // names of record fields the table lacks
};

Scratch& scratch() {
  thread_local Scratch kept;
  return kept;
}

// A short, printable excerpt of untrusted input for messages.
std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kExcerptBytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : fmt::format("\\x{:02x}", u);
  }
  if (text.size() > kExcerptBytes) out += "...";
  return out;
}

std::string_view json_kind(element e) {
  switch (e.type()) {
    case element_type::NULL_VALUE: return "null";
    case element_type::OBJECT: return "an object";
    case element_type::ARRAY: return "an array";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::INT64:
    case element_type::UINT64: return "an integer";
    case element_type::DOUBLE: return "a number";
  }
  return "an unsupported value";
}

bool is_string(element e) { return e.type() == element_type::STRING; }
bool is_integer(element e) { return e.type() == element_type::INT64 || e.type() == element_type::UINT64; }
bool is_number(element e) { return is_integer(e) || e.type() == element_type::DOUBLE; }

// The text of a string element ("" for any other: callers check is_string first).
std::string_view text_of(element e) {
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

Rejection reject(RejectCode code, std::string message) { return Rejection{code, std::move(message)}; }

template <typename Int>
std::optional<Int> in_range(int64_t value) {
  if (value < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
      value > static_cast<int64_t>(std::numeric_limits<Int>::max())) {
    return std::nullopt;
  }
  return static_cast<Int>(value);
}

// The conversions from text, which JSON strings and decoded Avro values share.
template <typename Int>
std::optional<Int> integer_from_text(std::string_view s) {
  int64_t value = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return in_range<Int>(value);
}

std::optional<double> double_from_text(std::string_view s) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<bool> bool_from_text(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

template <typename Int>
std::optional<Int> integer_of(element e) {
  if (is_string(e)) return integer_from_text<Int>(text_of(e));
  int64_t value = 0;
  // A UINT64 element is beyond INT64_MAX: get_int64() refuses it.
  if (!is_integer(e) || e.get_int64().get(value) != simdjson::SUCCESS) return std::nullopt;
  return in_range<Int>(value);
}

std::optional<double> double_of(element e) {
  if (is_string(e)) return double_from_text(text_of(e));
  double value = 0;
  // get_double() converts integers as a static_cast would.
  if (!is_number(e) || e.get_double().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

std::optional<bool> bool_of(element e) {
  if (is_string(e)) return bool_from_text(text_of(e));
  bool value = false;
  if (e.type() != element_type::BOOL || e.get_bool().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

bool is_null(element e) { return e.is_null(); }
bool is_bool(element e) { return e.type() == element_type::BOOL; }
// A number or boolean as text (text_from_scalars): simdjson writes numbers as nlohmann::json's
// dump() did (the same Grisu2 port): 42 -> "42", 4.5 -> "4.5", 1e300 -> "1e+300", 1E2 -> "100.0".
std::string scalar_text(element e) { return simdjson::to_string(e); }

// The same questions of a decoded record's value, which is text or null.
std::string_view json_kind(TextValue v) { return v.text ? "a string" : "null"; }
bool is_string(TextValue v) { return v.text.has_value(); }
bool is_integer(TextValue) { return false; }
bool is_number(TextValue) { return false; }
bool is_bool(TextValue) { return false; }
bool is_null(TextValue v) { return !v.text; }
std::string_view text_of(TextValue v) { return v.text.value_or(std::string_view()); }
std::string scalar_text(TextValue v) { return std::string(text_of(v)); }
template <typename Int>
std::optional<Int> integer_of(TextValue v) {
  return v.text ? integer_from_text<Int>(*v.text) : std::nullopt;
}
std::optional<double> double_of(TextValue v) { return v.text ? double_from_text(*v.text) : std::nullopt; }
std::optional<bool> bool_of(TextValue v) { return v.text ? bool_from_text(*v.text) : std::nullopt; }

// The table column named `name`, or columns.size(). Records list their fields in the table's order
// (the mapping writes them so), so the column after the previous match (`hint`) is tried first and
// the usual field costs one comparison; otherwise a scan, cheap for a table's few columns.
std::size_t column_index(const std::vector<ColumnSpec>& columns, std::string_view name, std::size_t hint) {
  if (hint < columns.size() && columns[hint].name == name) return hint;
  for (std::size_t index = 0; index < columns.size(); ++index) {
    if (columns[index].name == name) return index;
  }
  return columns.size();
}

// days_from_civil (H. Hinnant): days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, int64_t* out) {
  if (pos + n > text.size()) return false;
  int64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  *out = value;
  return true;
}

bool read_date(std::string_view text, std::size_t& pos, int64_t* days) {
  int64_t year = 0, month = 0, day = 0;
  if (!digits(text, pos, 4, &year) || pos >= text.size() || text[pos++] != '-' || !digits(text, pos, 2, &month) ||
      pos >= text.size() || text[pos++] != '-' || !digits(text, pos, 2, &day)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int64_t max_day = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day > max_day) return false;
  *days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return true;
}

// The columns' values -> the Row, or the first problem. `fields` has one slot per table column:
// nullopt when the record lacks the column. V is a JSON element or a decoded record's TextValue:
// the same rules for both formats.
template <typename V>
std::variant<Row, Rejection> build_row(const TableConfig& table, std::size_t key_index,
                                       const std::vector<std::optional<V>>& fields) {
  Row row;
  // The key first: a record without a usable id cannot be written anywhere.
  const std::string& key_name = table.primary_key;
  const std::optional<V>& key = fields[key_index];
  if (!key || is_null(*key)) {
    return reject(RejectCode::kMissingId, fmt::format("the record has no '{}'", key_name));
  }
  if (!is_string(*key)) {
    return reject(RejectCode::kBadUuid, fmt::format("'{}' is {}, not a UUID string", key_name, json_kind(*key)));
  }
  const std::string_view key_text = text_of(*key);
  auto uuid = cql::Uuid::parse(key_text);
  if (!uuid.ok()) {
    return reject(RejectCode::kBadUuid, fmt::format("'{}' is '{}', not a UUID (8-4-4-4-12 hexadecimal)", key_name,
                                                    excerpt(key_text)));
  }
  row.id = *uuid;

  row.values.reserve(table.columns.size());
  for (std::size_t index = 0; index < table.columns.size(); ++index) {
    const ColumnSpec& column = table.columns[index];
    if (index == key_index) {
      if (column.type.id == cql::TypeId::kTimeuuid && (row.id.bytes[6] >> 4) != 1) {
        return reject(RejectCode::kBadUuid, fmt::format("'{}' is not a time-based (version 1) UUID", key_name));
      }
      row.values.emplace_back(row.id);
      continue;
    }
    const std::optional<V>& field = fields[index];
    if (!field || is_null(*field)) {
      if (!column.nullable) {
        return reject(RejectCode::kMissingColumn, fmt::format("column '{}' is {} and not nullable", column.name,
                                                              field ? "null" : "missing"));
      }
      row.values.push_back(field ? cql::Value(cql::Null{}) : cql::Value(cql::Unset{}));
      continue;
    }
    const V j = *field;
    if (is_string(j) && text_of(j).size() > table.max_value_bytes) {
      return reject(RejectCode::kValueTooLarge, fmt::format("column '{}' is {} bytes, more than max_value_bytes {}",
                                                            column.name, text_of(j).size(), table.max_value_bytes));
    }
    const auto wrong = [&](std::string_view expected) {
      return reject(RejectCode::kWrongType,
                    fmt::format("column '{}' ({}) expects {}, got {}{}", column.name, column.type.to_cql(), expected,
                                json_kind(j), is_string(j) ? fmt::format(" '{}'", excerpt(text_of(j))) : ""));
    };
    switch (column.type.id) {
      case cql::TypeId::kVarchar:
      case cql::TypeId::kAscii: {
        std::string text;
        if (is_string(j)) {
          text = text_of(j);
        } else if (table.text_from_scalars && (is_number(j) || is_bool(j))) {
          text = scalar_text(j);
        } else {
          return wrong("a string");
        }
        if (column.type.id == cql::TypeId::kAscii) {
          for (char c : text) {
            if (static_cast<unsigned char>(c) > 0x7f) return wrong("7-bit ASCII text");
          }
        }
        row.values.emplace_back(std::move(text));
        break;
      }
      case cql::TypeId::kInt: {
        auto v = integer_of<int32_t>(j);
        if (!v) return wrong("a 32-bit integer");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kBigint: {
        auto v = integer_of<int64_t>(j);
        if (!v) return wrong("a 64-bit integer");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kSmallint: {
        auto v = integer_of<int16_t>(j);
        if (!v) return wrong("a 16-bit integer");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kTinyint: {
        auto v = integer_of<int8_t>(j);
        if (!v) return wrong("an 8-bit integer");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kDouble: {
        auto v = double_of(j);
        if (!v) return wrong("a number");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kFloat: {
        auto v = double_of(j);
        if (!v || (std::isfinite(*v) && std::fabs(*v) > std::numeric_limits<float>::max())) {
          return wrong("a 32-bit float");
        }
        row.values.emplace_back(static_cast<float>(*v));
        break;
      }
      case cql::TypeId::kBoolean: {
        auto v = bool_of(j);
        if (!v) return wrong("true or false");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kUuid:
      case cql::TypeId::kTimeuuid: {
        if (!is_string(j)) return wrong("a UUID string");
        auto v = cql::Uuid::parse(text_of(j));
        if (!v.ok()) return wrong("a UUID string");
        if (column.type.id == cql::TypeId::kTimeuuid && (v->bytes[6] >> 4) != 1) return wrong("a version 1 UUID");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kTimestamp: {
        if (is_integer(j)) {
          auto v = integer_of<int64_t>(j);
          if (!v) return wrong("milliseconds since the epoch or an ISO-8601 string");
          row.values.emplace_back(cql::Timestamp{*v});
        } else if (is_string(j)) {
          auto v = parse_timestamp_millis(text_of(j));
          if (!v.ok()) return wrong("an ISO-8601 timestamp");
          row.values.emplace_back(cql::Timestamp{*v});
        } else {
          return wrong("milliseconds since the epoch or an ISO-8601 string");
        }
        break;
      }
      case cql::TypeId::kDate: {
        if (!is_string(j)) return wrong("a date string (YYYY-MM-DD)");
        auto v = parse_date_days(text_of(j));
        if (!v.ok()) return wrong("a date (YYYY-MM-DD)");
        row.values.emplace_back(cql::Date::from_days_since_epoch(*v));
        break;
      }
      case cql::TypeId::kBlob: {
        // Hexadecimal with a 0x prefix, as CQL writes blob literals.
        if (!is_string(j)) return wrong("a 0x-prefixed hexadecimal string");
        const std::string_view s = text_of(j);
        if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
          return wrong("a 0x-prefixed hexadecimal string");
        }
        auto bytes = cql::from_hex(s.substr(2));
        if (!bytes) return wrong("a 0x-prefixed hexadecimal string");
        row.values.emplace_back(cql::Blob{std::move(*bytes)});
        break;
      }
      default:
        return wrong("a supported type");  // TableConfig::validate() keeps these out
    }
  }

  return row;
}

}  // namespace

std::string_view to_string(RejectCode code) {
  switch (code) {
    case RejectCode::kNotJson: return "not_json";
    case RejectCode::kNotObject: return "not_object";
    case RejectCode::kMissingId: return "missing_id";
    case RejectCode::kBadUuid: return "bad_uuid";
    case RejectCode::kMissingColumn: return "missing_column";
    case RejectCode::kWrongType: return "wrong_type";
    case RejectCode::kValueTooLarge: return "value_too_large";
    case RejectCode::kUnknownColumn: return "unknown_column";
    case RejectCode::kBadMagic: return "bad_magic";
    case RejectCode::kTruncatedAvro: return "truncated_avro";
    case RejectCode::kBadAvro: return "bad_avro";
    case RejectCode::kUnknownSchemaId: return "unknown_schema_id";
    case RejectCode::kUnresolvableSchema: return "unresolvable_schema";
  }
  return "unknown";
}

std::optional<RejectCode> parse_reject_code(std::string_view text) {
  for (RejectCode code : kAllRejectCodes) {
    if (to_string(code) == text) return code;
  }
  return std::nullopt;
}

Result<int64_t> parse_date_days(std::string_view text) {
  std::size_t pos = 0;
  int64_t days = 0;
  if (!read_date(text, pos, &days) || pos != text.size()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a date (YYYY-MM-DD)", excerpt(text)));
  }
  return days;
}

Result<int64_t> parse_timestamp_millis(std::string_view text) {
  const auto fail = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("'{}' is not an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM])", excerpt(text)));
  };
  std::size_t pos = 0;
  int64_t days = 0;
  if (!read_date(text, pos, &days)) return fail();
  int64_t hour = 0, minute = 0, second = 0, millis = 0, offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return fail();
    ++pos;
    if (!digits(text, pos, 2, &hour) || pos >= text.size() || text[pos++] != ':' || !digits(text, pos, 2, &minute)) {
      return fail();
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!digits(text, pos, 2, &second)) return fail();
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        std::size_t count = 0;
        int64_t scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (count < 3) millis += (text[pos] - '0') * scale;  // beyond ms: truncated
          scale /= 10;
          ++count;
          ++pos;
        }
        if (count == 0 || count > 9) return fail();
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return fail();  // 60: a leap second
    if (pos < text.size()) {
      const char sign = text[pos];
      if (sign == 'Z' || sign == 'z') {
        ++pos;
      } else if (sign == '+' || sign == '-') {
        ++pos;
        int64_t oh = 0, om = 0;
        if (!digits(text, pos, 2, &oh)) return fail();
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!digits(text, pos, 2, &om) || oh > 23 || om > 59) return fail();
        offset_minutes = (oh * 60 + om) * (sign == '-' ? -1 : 1);
      } else {
        return fail();
      }
    }
  }
  if (pos != text.size()) return fail();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

RecordValidator::RecordValidator(TableConfig table) : table_(std::move(table)) {
  for (std::size_t index = 0; index < table_.columns.size(); ++index) {
    if (table_.columns[index].name == table_.primary_key) key_index_ = index;
  }
}

Validation RecordValidator::validate_nullable(const std::optional<std::string>& value) const {
  if (!value) return reject(RejectCode::kNotJson, "the record has no value (a tombstone)");
  return validate(std::string_view(*value));
}

std::optional<Rejection> RecordValidator::check_record_size(std::size_t bytes) const {
  if (bytes <= table_.max_record_bytes) return std::nullopt;
  return reject(RejectCode::kValueTooLarge,
                fmt::format("the record is {} bytes, more than max_record_bytes {}", bytes, table_.max_record_bytes));
}

Validation RecordValidator::validate_columns(const ColumnValues& values) const {
  if (values.size() != table_.columns.size()) {
    // A decoder resolved against another table: a bug, not the record's fault, but no row either.
    return reject(RejectCode::kUnresolvableSchema, fmt::format("{} values for the {} columns of {}", values.size(),
                                                               table_.columns.size(), table_.qualified_name()));
  }
  auto built = build_row(table_, key_index_, values);
  if (auto* rejection = std::get_if<Rejection>(&built)) return std::move(*rejection);
  return std::move(std::get<Row>(built));
}

Validation RecordValidator::validate(std::string_view value) const {
  if (auto too_large = check_record_size(value.size())) return std::move(*too_large);
  const auto not_json = [&](std::string_view cause) {
    return reject(RejectCode::kNotJson, value.empty() ? std::string("the record value is empty")
                                                      : fmt::format("the record value is not valid JSON{} ({} bytes: '{}')",
                                                                    cause, value.size(), excerpt(value)));
  };
  // A UTF-8 byte order mark is skipped, as JSON parsers may do (RFC 8259 §8.1); simdjson leaves
  // that to its caller.
  std::string_view input = value;
  if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);

  Scratch& kept = scratch();
  std::optional<simdjson::dom::parser> own;  // for a record too big or too deep for the kept parser
  simdjson::dom::parser* parser = &kept.parser;
  if (input.size() > kKeptParserBytes) parser = &own.emplace();
  // realloc_if_needed: simdjson reads up to SIMDJSON_PADDING bytes past the end, which a consumed
  // Kafka value does not have (its capacity is its size); the parser copies the text into its own
  // padded buffer, which it keeps, so this is a memcpy rather than an allocation. Parsing in place
  // when a value happens to have the spare capacity measured 1-2 % faster: not worth a second path.
  element document;
  auto error = parser->parse(input.data(), input.size(), /*realloc_if_needed=*/true).get(document);
  if (error == simdjson::DEPTH_ERROR) {
    // Nesting deeper than simdjson's default 1024 is no record of ours, but still valid JSON: it
    // must be told apart from malformed input (not_object, wrong_type vs not_json). A document of
    // n bytes nests at most n/2 deep, so a parser of that depth decides; only such input pays.
    parser = &own.emplace();
    error = parser->allocate(input.size(), input.size() / 2 + 2);
    if (!error) error = parser->parse(input.data(), input.size(), /*realloc_if_needed=*/true).get(document);
  }
  if (error == simdjson::NUMBER_ERROR) {
    // Also an integer beyond 64 bits, which is valid JSON: it is refused rather than rounded to a
    // double (records carry strings; a column must not silently get a different number).
    return not_json(": a malformed number, or an integer beyond 64 bits");
  }
  if (error) return not_json("");
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) {
    return reject(RejectCode::kNotObject, fmt::format("the record is {}, not a JSON object", json_kind(document)));
  }

  // One pass over the record's fields: each to its column's slot (a repeated key: the last one
  // wins, as in most JSON parsers), or to the unknown names.
  auto& fields = kept.fields;
  auto& unknown = kept.unknown;
  fields.assign(table_.columns.size(), std::nullopt);
  unknown.clear();
  std::size_t hint = 0;
  for (const auto field : object) {
    const std::size_t index = column_index(table_.columns, field.key, hint);
    if (index == table_.columns.size()) {
      unknown.push_back(field.key);
    } else {
      fields[index] = field.value;
      hint = index + 1;
    }
  }

  auto built = build_row(table_, key_index_, fields);
  if (auto* rejection = std::get_if<Rejection>(&built)) return std::move(*rejection);
  Row& row = std::get<Row>(built);
  if (!unknown.empty()) {
    // Named and counted by distinct name in byte order, as when records were parsed into a
    // std::map: a repeated unknown key counts once, and the same record gets the same message.
    if (unknown.size() > 1) {
      std::sort(unknown.begin(), unknown.end());
      unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
    }
    if (table_.strict_columns) {
      return reject(RejectCode::kUnknownColumn, fmt::format("column '{}' is not in {} (strict_columns)",
                                                            excerpt(unknown.front()), table_.qualified_name()));
    }
    row.ignored_columns = unknown.size();
  }
  return std::move(row);
}

}  // namespace rds::process
