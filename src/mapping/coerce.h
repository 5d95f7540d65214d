#pragma once
// Turning the API's JSON scalars into the record's strings. Every column is a string (the seed's
// Spark schema is all StringType), but the API is not consistent: `location.postcode` is an int
// for most nationalities and a string for GB, CA and NO (docs/compat.md "A user"), so numbers must
// print the way a person would write them: 48213, not 48213.0.

#include <nlohmann/json.hpp>

#include <string>

namespace rds::mapping {

enum class CoerceResult { kOk, kNull, kNotScalar };

// Appends the string form of a scalar: strings as they are, integers in decimal, floats with an
// integral value as integers (2.0 -> "2") and others in their shortest round-trip form, booleans
// as "true"/"false". Null and objects/arrays append nothing and say so.
CoerceResult append_scalar(std::string& out, const nlohmann::json& value);

}  // namespace rds::mapping
