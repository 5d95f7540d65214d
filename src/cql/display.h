#pragma once
// Printing cells the way cqlsh does, for `rdstream cql` and logs.

#include <string>

#include "cql/value.h"

namespace rds::cql {

// cqlsh-style text for a value:
//   null -> "null"; text at top level as-is, quoted ('it''s') inside collections;
//   boolean -> True/False; blob -> 0x0a0b; uuid -> canonical lowercase;
//   timestamp -> "2024-01-02 03:04:05.678000+0000" (UTC; cqlsh's %Y-%m-%d %H:%M:%S.%f%z);
//   date -> "2024-01-02"; time -> "03:04:05.678901234";
//   float/double -> %g with 5 / 12 significant digits, NaN, Infinity, -Infinity;
//   varint -> decimal; decimal -> Python Decimal str ("1.23", "1.2E+3");
//   list [a, b]; set {a, b}; map {k: v}; tuple (a, b); udt {field: v}.
// Dates/timestamps outside years -32767..32767 print as their raw number (days / ms), as cqlsh
// falls back to for out-of-range values.
std::string to_display(const Value& v);

}  // namespace rds::cql
