#include "mapping/record.h"

#include <fmt/format.h>

#include "mapping/json_writer.h"

namespace rds::mapping {

const std::string* Record::find(std::string_view column) const {
  for (const auto& field : fields) {
    if (field.column == column) return &field.value;
  }
  return nullptr;
}

std::string_view Record::id() const {
  const std::string* value = find("id");
  return value ? std::string_view(*value) : std::string_view();
}

nlohmann::ordered_json to_json_value(const Record& record) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& field : record.fields) out[field.column] = field.value;
  return out;
}

void append_json(std::string& out, const Record& record) {
  out.push_back('{');
  bool first = true;
  for (const auto& field : record.fields) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, field.column);
    out.push_back(':');
    append_json_string(out, field.value);
  }
  out.push_back('}');
}

std::string to_json(const Record& record) {
  std::string out;
  std::size_t size = 2;
  for (const auto& field : record.fields) size += field.column.size() + field.value.size() + 6;
  out.reserve(size);
  append_json(out, record);
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Result<Record> record_from_json(std::string_view text) {
  const auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return Error(ErrorCode::kInvalidArgument, "a record is not a JSON object");
  Record r;
  for (const auto& [column, value] : j.items()) {
    if (!value.is_string()) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("the record's column {} is not a string", column));
    }
    r.fields.push_back({column, value.get<std::string>()});
  }
  return r;
}

}  // namespace rds::mapping
