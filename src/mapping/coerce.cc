#include "mapping/coerce.h"

#include <cmath>

#include "mapping/json_writer.h"

namespace rds::mapping {

CoerceResult append_scalar(std::string& out, const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::string:
      out += value.get_ref<const std::string&>();
      return CoerceResult::kOk;
    case Type::number_integer:
      append_json_int(out, value.get<std::int64_t>());
      return CoerceResult::kOk;
    case Type::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return CoerceResult::kOk;
    case Type::number_float: {
      const double number = value.get<double>();
      // Exactly representable integers (|x| <= 2^53) print without a fraction.
      if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) <= 0x1p53) {
        append_json_int(out, static_cast<std::int64_t>(number));
      } else {
        out += value.dump();  // shortest round-trip form
      }
      return CoerceResult::kOk;
    }
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return CoerceResult::kOk;
    case Type::null:
    case Type::discarded:
      return CoerceResult::kNull;
    default:
      return CoerceResult::kNotScalar;
  }
}

}  // namespace rds::mapping
