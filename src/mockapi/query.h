#pragma once
// Reading a request's query the way randomuser v1.4 does: bad values fall back to defaults instead
// of failing, exactly as the real server does, so clients see the same behaviour
// (docs/compat.md "The randomuser.me API (v1.4)").

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "source/randomuser/api.h"
#include "source/randomuser/generator.h"

namespace rds::mockapi {

// The same shape as httplib::Params, so the socket layer passes its params straight through.
using QueryParams = std::multimap<std::string, std::string>;

struct ApiQuery {
  int results = 1;                 // out of 1..5000 or not a number -> 1 (not clamped)
  std::string seed;                // empty: the server picks one
  int page = 1;                    // out of 1..10000 or not a number -> 1
  std::vector<std::size_t> nationalities;  // one invalid code -> the whole list is ignored
  std::optional<randomuser::Gender> gender;  // ignored when a seed is given
  randomuser::FieldSet fields = randomuser::FieldSet::all();  // inc, then exc
  bool noinfo = false;             // present (any value) -> no "info"
  std::string format = "json";
};

ApiQuery parse_query(const QueryParams& params);

}  // namespace rds::mockapi
