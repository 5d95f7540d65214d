#pragma once
// CQL scripts (a .cql/.sql file, stdin of `rdstream cql`): statements separated by `;`, where a
// `;` inside a quoted string ('it''s'), a quoted identifier ("a;b"), a line comment (-- or //) or a
// block comment (/* */) does not end a statement. Comments are dropped; blank statements skipped.

#include <string>
#include <string_view>
#include <vector>

namespace rds::cql {

std::vector<std::string> split_script(std::string_view text);

}  // namespace rds::cql
