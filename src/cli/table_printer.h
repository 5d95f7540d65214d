#pragma once
// Rows as an aligned text table, the way `cqlsh -e` prints them, for people and for tests:
//
//   id                                   | first_name
//  --------------------------------------+------------
//   6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f |        Ava
//
//  (1 rows)

#include <string>
#include <vector>

namespace rds::cli {

std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

}  // namespace rds::cli
