#pragma once
// Building randomuser request URLs. Parameter semantics: docs/compat.md "The randomuser.me API (v1.4)".
// We validate strictly on our side (the server would silently turn a bad `results` into 1, which
// would hide a configuration mistake).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::randomuser {

struct RequestParams {
  int results = 1;                  // 1..5000
  std::string seed;                 // empty: the server picks one
  int page = 1;                     // 1..10000; sent only with a seed
  std::vector<std::string> nationalities;  // "GB", "US", ...
  std::string gender;               // "", "male" or "female" (the server ignores it with a seed)
  std::vector<std::string> inc;     // top-level fields to include
  std::vector<std::string> exc;     // top-level fields to exclude
  bool noinfo = false;

  // Errors name the field: "request.results: must be between 1 and 5000, got 0".
  Status validate(std::string_view path = "request") const;
};

// `base_url` like "https://randomuser.me/api/" (it may already carry a query). Validates first.
Result<std::string> build_url(std::string_view base_url, const RequestParams& params);

// Percent-encodes a query component (RFC 3986 unreserved characters are kept).
std::string url_encode(std::string_view text);

// The pieces cpp-httplib's client wants: "http://host:port" and "/path?query".
struct UrlParts {
  std::string scheme;          // "http" or "https"
  std::string host;
  int port = 0;                // the scheme's default when the URL has none
  std::string path_and_query;  // at least "/"
  std::string origin() const;  // "http://host:port"
};
Result<UrlParts> split_url(std::string_view url);

}  // namespace rds::randomuser
