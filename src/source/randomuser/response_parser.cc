#include "source/randomuser/response_parser.h"

#include <fmt/format.h>

namespace rds::randomuser {
namespace {

std::string kind_of(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    default: return "a number";
  }
}

// Quoted server text is cut short: it goes to logs.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 200;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

ResponseInfo parse_info(const nlohmann::json& info, std::vector<std::string>& warnings) {
  ResponseInfo out;
  auto text = [&](const char* key, std::optional<std::string>& slot) {
    auto it = info.find(key);
    if (it == info.end()) return;
    if (it->is_string()) {
      slot = it->get<std::string>();
    } else if (it->is_number()) {
      slot = it->dump();  // a numeric seed is still a seed
    } else {
      warnings.push_back(fmt::format("info.{}: expected a string, got {}", key, kind_of(*it)));
    }
  };
  auto integer = [&](const char* key, std::optional<std::int64_t>& slot) {
    auto it = info.find(key);
    if (it == info.end()) return;
    if (it->is_number_integer()) {
      slot = it->get<std::int64_t>();
    } else {
      warnings.push_back(fmt::format("info.{}: expected an integer, got {}", key, kind_of(*it)));
    }
  };
  text("seed", out.seed);
  integer("results", out.results);
  integer("page", out.page);
  text("version", out.version);
  return out;
}

}  // namespace

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNotAnObject: return "not_an_object";
    case SkipReason::kMappingFailed: return "mapping_failed";
  }
  return "unknown";
}

Result<ParsedResponse> parse_response(std::string_view body) {
  if (body.empty()) return Error(ErrorCode::kTruncated, "empty response body", true);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // The library reports errors by exception; turn them into values here, at the boundary.
    const bool at_end = e.byte > body.size();  // the lexer read past the last byte
    return Error(at_end ? ErrorCode::kTruncated : ErrorCode::kProtocol,
                 fmt::format("{} response body ({} bytes): {}", at_end ? "truncated" : "malformed JSON in",
                             body.size(), e.what()),
                 true);
  }
  if (!document.is_object()) {
    return Error(ErrorCode::kProtocol,
                 fmt::format("response body: expected a JSON object, got {}", kind_of(document)), true);
  }
  if (auto error = document.find("error"); error != document.end()) {
    const std::string text = error->is_string() ? error->get<std::string>() : error->dump();
    return Error(ErrorCode::kServer, fmt::format("server error: {}", excerpt(text)), true);
  }
  auto results = document.find("results");
  if (results == document.end()) {
    return Error(ErrorCode::kProtocol, "response body: no \"results\" array", true);
  }
  if (!results->is_array()) {
    return Error(ErrorCode::kProtocol,
                 fmt::format("response body: \"results\" is {}, expected an array", kind_of(*results)),
                 true);
  }
  if (results->empty()) {
    return Error(ErrorCode::kUnavailable, "response body: empty \"results\" (no users returned)", true);
  }

  ParsedResponse parsed;
  if (auto info = document.find("info"); info != document.end()) {
    if (info->is_object()) {
      parsed.info = parse_info(*info, parsed.warnings);
    } else {
      parsed.warnings.push_back(fmt::format("info: expected an object, got {}", kind_of(*info)));
    }
  }
  parsed.users.reserve(results->size());
  for (std::size_t index = 0; index < results->size(); ++index) {
    auto& element = (*results)[index];
    if (element.is_object()) {
      parsed.users.push_back(std::move(element));
    } else {
      parsed.skipped.push_back({index, SkipReason::kNotAnObject,
                                fmt::format("results[{}]: expected an object, got {}", index,
                                            kind_of(element))});
    }
  }
  return parsed;
}

MappedBatch map_users(ParsedResponse parsed, const mapping::Mapper& mapper, bool keep_raw) {
  MappedBatch batch;
  if (keep_raw) batch.raw.reserve(parsed.users.size());
  batch.skipped = std::move(parsed.skipped);
  batch.records.reserve(parsed.users.size());
  // Recover each user's index in `results` for the messages: users are the non-skipped elements.
  std::size_t index = 0;
  std::size_t next_skip = 0;
  const std::size_t parser_skips = batch.skipped.size();
  for (const auto& user : parsed.users) {
    while (next_skip < parser_skips && batch.skipped[next_skip].index == index) {
      ++index;
      ++next_skip;
    }
    auto record = mapper.map(user);
    if (record.ok()) {
      batch.records.push_back(std::move(record).value());
      if (keep_raw) batch.raw.push_back(user.dump());
    } else {
      batch.skipped.push_back({index, SkipReason::kMappingFailed,
                               fmt::format("results[{}]: {}", index, record.error().message)});
    }
    ++index;
  }
  return batch;
}

}  // namespace rds::randomuser
