#pragma once
// Splits a CQL script (a .cql / .sql file of statements, like the seed's
// helpers/create_table_created_users.sql) into statements: on ';' outside string literals
// ('it''s'), quoted identifiers ("My""Col"), dollar-quoted strings ($$...$$) and comments
// (-- and // to end of line, /* ... */). Comments are dropped, each statement is trimmed and has
// no trailing ';', empty statements are skipped. Pure; no I/O.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::cassandra {

// kInvalidArgument for an unterminated string, identifier or block comment, naming the line.
Result<std::vector<std::string>> split_statements(std::string_view script);

}  // namespace rds::cassandra
