#pragma once
// Parsing a randomuser response body: {"results":[user...],"info":{"seed":..,"results":..,
// "page":..,"version":"1.4"}}. Whole-body problems are errors; element problems are per element,
// so one bad user is skipped and counted with a reason while the good ones are kept.
// Pure: bytes in, values out; no sockets (the HTTP client is the caller).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "mapping/mapper.h"
#include "mapping/record.h"

namespace rds::randomuser {

struct ResponseInfo {
  std::optional<std::string> seed;
  std::optional<std::int64_t> results;
  std::optional<std::int64_t> page;
  std::optional<std::string> version;
};

// Bounded, so it can be a metric label.
enum class SkipReason { kNotAnObject, kMappingFailed };
std::string_view to_string(SkipReason reason);

struct SkippedElement {
  std::size_t index = 0;  // position in `results`
  SkipReason reason = SkipReason::kNotAnObject;
  std::string detail;     // for the log: "results[3]: expected an object, got a string"
};

struct ParsedResponse {
  std::vector<nlohmann::json> users;      // the elements that are objects, in order
  std::vector<SkippedElement> skipped;
  std::optional<ResponseInfo> info;       // absent with `noinfo`, or when not an object
  std::vector<std::string> warnings;      // e.g. "info.page: expected an integer, got a string"
};

// Errors, all retriable (a retry may well get a good body):
//   kTruncated  the body ends inside the JSON (cut connection, truncated proxy response)
//   kProtocol   not JSON, not an object, or no `results` array
//   kServer     an `error` body: {"error": "..."}
//   kUnavailable an empty `results` (a failure to back off from: docs/compat.md "Limits and
//               failures seen in the wild")
Result<ParsedResponse> parse_response(std::string_view body);

struct MappedBatch {
  std::vector<mapping::Record> records;
  std::vector<std::string> raw;  // with keep_raw: each record's user as the API sent it (compact JSON)
  std::vector<SkippedElement> skipped;  // the parser's skips, then the mapper's
};

// Maps every parsed user; a user the mapper rejects is skipped with kMappingFailed and the
// mapper's message ("results[2]: column id: missing field login.uuid").
MappedBatch map_users(ParsedResponse parsed, const mapping::Mapper& mapper, bool keep_raw = false);

}  // namespace rds::randomuser
