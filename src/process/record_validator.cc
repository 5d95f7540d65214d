#include "process/record_validator.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "mapping/record.h"

namespace rds::process {
namespace {

using nlohmann::json;

constexpr std::size_t kExcerptBytes = 40;

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

std::string json_kind(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

Rejection reject(RejectCode code, std::string message) { return Rejection{code, std::move(message)}; }

template <typename Int>
std::optional<Int> integer_of(const json& j) {
  long long value = 0;
  if (j.is_number_integer()) {
    if (j.is_number_unsigned()) {
      const auto u = j.get<unsigned long long>();
      if (u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) return std::nullopt;
      value = static_cast<long long>(u);
    } else {
      value = j.get<long long>();
    }
  } else if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (value < static_cast<long long>(std::numeric_limits<Int>::min()) ||
      value > static_cast<long long>(std::numeric_limits<Int>::max())) {
    return std::nullopt;
  }
  return static_cast<Int>(value);
}

std::optional<double> double_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<bool> bool_of(const json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

Validation RecordValidator::validate(std::string_view value) const {
  if (value.size() > table_.max_record_bytes) {
    return reject(RejectCode::kValueTooLarge, fmt::format("the record is {} bytes, more than max_record_bytes {}",
                                                          value.size(), table_.max_record_bytes));
  }
  // allow_exceptions=false: malformed input is an expected outcome here, not an exception.
  json document = json::parse(value.begin(), value.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return reject(RejectCode::kNotJson, value.empty() ? std::string("the record value is empty")
                                                      : fmt::format("the record value is not valid JSON ({} bytes: '{}')",
                                                                    value.size(), excerpt(value)));
  }
  if (!document.is_object()) {
    return reject(RejectCode::kNotObject, fmt::format("the record is {}, not a JSON object", json_kind(document)));
  }

  Row row;
  // The key first: a record without a usable id cannot be written anywhere.
  const std::string& key_name = table_.primary_key;
  auto key = document.find(key_name);
  if (key == document.end() || key->is_null()) {
    return reject(RejectCode::kMissingId, fmt::format("the record has no '{}'", key_name));
  }
  if (!key->is_string()) {
    return reject(RejectCode::kBadUuid, fmt::format("'{}' is {}, not a UUID string", key_name, json_kind(*key)));
  }
  const auto& key_text = key->get_ref<const std::string&>();
  auto uuid = mapping::is_uuid(key_text) ? cql::Uuid::parse(key_text) : Result<cql::Uuid>(Error());
  if (!uuid.ok()) {
    return reject(RejectCode::kBadUuid, fmt::format("'{}' is '{}', not a UUID (8-4-4-4-12 hexadecimal)", key_name,
                                                    excerpt(key_text)));
  }
  row.id = *uuid;

  row.values.reserve(table_.columns.size());
  for (std::size_t index = 0; index < table_.columns.size(); ++index) {
    const ColumnSpec& column = table_.columns[index];
    if (index == key_index_) {
      if (column.type.id == cql::TypeId::kTimeuuid && (row.id.bytes[6] >> 4) != 1) {
        return reject(RejectCode::kBadUuid, fmt::format("'{}' is not a time-based (version 1) UUID", key_name));
      }
      row.values.emplace_back(row.id);
      continue;
    }
    auto field = document.find(column.name);
    if (field == document.end() || field->is_null()) {
      if (!column.nullable) {
        return reject(RejectCode::kMissingColumn,
                      fmt::format("column '{}' is {} and not nullable", column.name,
                                  field == document.end() ? "missing" : "null"));
      }
      row.values.push_back(field == document.end() ? cql::Value(cql::Unset{}) : cql::Value(cql::Null{}));
      continue;
    }
    const json& j = *field;
    if (j.is_string() && j.get_ref<const std::string&>().size() > table_.max_value_bytes) {
      return reject(RejectCode::kValueTooLarge,
                    fmt::format("column '{}' is {} bytes, more than max_value_bytes {}", column.name,
                                j.get_ref<const std::string&>().size(), table_.max_value_bytes));
    }
    const auto wrong = [&](std::string_view expected) {
      return reject(RejectCode::kWrongType,
                    fmt::format("column '{}' ({}) expects {}, got {}{}", column.name, column.type.to_cql(), expected,
                                json_kind(j), j.is_string() ? fmt::format(" '{}'", excerpt(j.get_ref<const std::string&>())) : ""));
    };
    switch (column.type.id) {
      case cql::TypeId::kVarchar:
      case cql::TypeId::kAscii: {
        std::string text;
        if (j.is_string()) {
          text = j.get<std::string>();
        } else if (table_.text_from_scalars && (j.is_number() || j.is_boolean())) {
          text = j.dump();
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
        if (!j.is_string() || !mapping::is_uuid(j.get_ref<const std::string&>())) return wrong("a UUID string");
        auto v = cql::Uuid::parse(j.get_ref<const std::string&>());
        if (!v.ok()) return wrong("a UUID string");
        if (column.type.id == cql::TypeId::kTimeuuid && (v->bytes[6] >> 4) != 1) return wrong("a version 1 UUID");
        row.values.emplace_back(*v);
        break;
      }
      case cql::TypeId::kTimestamp: {
        if (j.is_number_integer()) {
          auto v = integer_of<int64_t>(j);
          if (!v) return wrong("milliseconds since the epoch or an ISO-8601 string");
          row.values.emplace_back(cql::Timestamp{*v});
        } else if (j.is_string()) {
          auto v = parse_timestamp_millis(j.get_ref<const std::string&>());
          if (!v.ok()) return wrong("an ISO-8601 timestamp");
          row.values.emplace_back(cql::Timestamp{*v});
        } else {
          return wrong("milliseconds since the epoch or an ISO-8601 string");
        }
        break;
      }
      case cql::TypeId::kDate: {
        if (!j.is_string()) return wrong("a date string (YYYY-MM-DD)");
        auto v = parse_date_days(j.get_ref<const std::string&>());
        if (!v.ok()) return wrong("a date (YYYY-MM-DD)");
        row.values.emplace_back(cql::Date::from_days_since_epoch(*v));
        break;
      }
      case cql::TypeId::kBlob: {
        // Hexadecimal with a 0x prefix, as CQL writes blob literals.
        if (!j.is_string()) return wrong("a 0x-prefixed hexadecimal string");
        const auto& s = j.get_ref<const std::string&>();
        if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s.size() % 2 != 0) {
          return wrong("a 0x-prefixed hexadecimal string");
        }
        cql::Blob blob;
        for (std::size_t i = 2; i < s.size(); i += 2) {
          const int hi = hex_digit(s[i]);
          const int lo = hex_digit(s[i + 1]);
          if (hi < 0 || lo < 0) return wrong("a 0x-prefixed hexadecimal string");
          blob.bytes.push_back(static_cast<uint8_t>(hi * 16 + lo));
        }
        row.values.emplace_back(std::move(blob));
        break;
      }
      default:
        return wrong("a supported type");  // TableConfig::validate() keeps these out
    }
  }

  for (const auto& item : document.items()) {
    const std::string& name = item.key();
    if (table_.find(name) != nullptr) continue;
    if (table_.strict_columns) {
      return reject(RejectCode::kUnknownColumn,
                    fmt::format("column '{}' is not in {} (strict_columns)", excerpt(name), table_.qualified_name()));
    }
    ++row.ignored_columns;
  }
  return row;
}

}  // namespace rds::process
