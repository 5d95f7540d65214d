#include "mockapi/mock_api.h"

#include <fmt/format.h>

#include "mapping/json_writer.h"
#include "source/randomuser/generator.h"

namespace rds::mockapi {
namespace {

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

HttpResponse error_response(int status, std::string_view message) {
  return json_response(status, {{"error", message}});
}

// What a proxy in front of the real API answers during an outage: HTML, not JSON.
HttpResponse proxy_error(int status) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html";
  response.body = fmt::format("<html><body><h1>{} {}</h1>mock upstream unavailable</body></html>", status,
                              status == 502 ? "Bad Gateway" : "Service Unavailable");
  return response;
}

bool is_users_path(const std::string& path) {
  return path == "/api" || path == "/api/" || path == "/api/1.4" || path == "/api/1.4/";
}

// Seeds the server picks look like randomuser's: 16 hex digits.
std::string pick_seed(std::uint64_t salt, std::uint64_t request_number) {
  std::uint64_t z = salt ^ (request_number * 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return fmt::format("{:016x}", z ^ (z >> 31));
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

std::string users_body(const ApiQuery& query, const std::string& seed) {
  randomuser::GeneratorOptions options;
  options.nationalities = query.nationalities;
  options.gender = query.gender;
  const randomuser::UserGenerator generator(seed, options);
  randomuser::GeneratedUser user;
  std::string body;
  body.reserve(static_cast<std::size_t>(query.results) * 1100 + 128);
  body += "{\"results\":[";
  for (int index = 0; index < query.results; ++index) {
    if (index > 0) body.push_back(',');
    generator.generate(query.page, index, user);
    randomuser::append_json(body, user, query.fields);
  }
  body += "]";
  if (!query.noinfo) {
    body += ",\"info\":{\"seed\":";
    mapping::append_json_string(body, seed);
    body += fmt::format(",\"results\":{},\"page\":{},\"version\":\"{}\"}}", query.results, query.page,
                        randomuser::kApiVersion);
  }
  body += "}";
  return body;
}

MockApi::MockApi(MockApiConfig config)
    : faults_(config.faults), quota_(config.quota), seed_salt_(config.seed_salt) {}

FaultConfig MockApi::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

void MockApi::set_faults(FaultConfig faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
}

MockApiStats MockApi::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

HttpResponse MockApi::handle(const HttpRequest& request, Clock::time_point now) {
  if (is_users_path(request.path)) {
    if (request.method != "GET") return error_response(405, "only GET is supported here");
    return handle_users(request, now);
  }
  if (request.path == "/_faults") return handle_faults(request);
  if (request.path == "/_stats" && request.method == "GET") return stats_response();
  if (request.path == "/healthz") {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = "ok";
    return response;
  }
  if (request.path.rfind("/api/", 0) == 0) {
    return error_response(404, fmt::format("unsupported API path '{}' (the mock serves /api/ and /api/{}/)",
                                           request.path, randomuser::kApiVersion));
  }
  return error_response(404, "not found");
}

HttpResponse MockApi::handle_users(const HttpRequest& request, Clock::time_point now) {
  ApiQuery query = parse_query(request.params);
  if (query.format != "json") {
    return error_response(400, fmt::format("format '{}' is not supported by the mock (json only)", query.format));
  }
  FaultDecision fault;
  std::chrono::seconds retry_after{0};
  std::string seed = query.seed;
  {
    std::lock_guard lock(mutex_);
    const std::uint64_t number = next_request_++;
    ++stats_.requests;
    fault = decide_fault(faults_, number);
    retry_after = faults_.retry_after;
    if (seed.empty()) seed = pick_seed(seed_salt_, number);
    if (fault.fault != Fault::kNone) ++stats_.faults[std::string(to_string(fault.fault))];
    if (fault.fault == Fault::kNone || fault.fault == Fault::kEmpty ||
        fault.fault == Fault::kTruncated || fault.fault == Fault::kMalformed) {
      const QuotaDecision quota = quota_.charge(request.client, query.results, now);
      if (!quota.allowed) {
        ++stats_.quota_rejections;
        auto response = error_response(
            429, fmt::format("quota exceeded: at most {} users per {} s per client",
                             quota_.config().users, quota_.config().window.count()));
        response.headers.emplace_back("Retry-After", std::to_string(quota.retry_after.count()));
        response.delay = fault.delay;
        return response;
      }
      if (fault.fault != Fault::kEmpty) stats_.users_served += static_cast<std::uint64_t>(query.results);
    }
  }

  HttpResponse response;
  response.delay = fault.delay;
  switch (fault.fault) {
    case Fault::kStatus429:
      response = error_response(429, "too many requests (injected fault)");
      response.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
      response.delay = fault.delay;
      return response;
    case Fault::kStatus5xx:
      response = fault.status == 500 ? error_response(500, "internal error (injected fault)")
                                     : proxy_error(fault.status);
      response.delay = fault.delay;
      return response;
    case Fault::kEmpty: {
      ApiQuery empty = query;
      empty.results = 0;
      response.body = users_body(empty, seed);
      return response;
    }
    default:
      break;
  }
  // Generation happens outside the lock: it is the expensive part.
  response.body = users_body(query, seed);
  const auto size = response.body.size();
  const auto at = std::min(size - 2, 1 + static_cast<std::size_t>(fault.position * static_cast<double>(size - 2)));
  if (fault.fault == Fault::kTruncated) {
    response.body.resize(at);  // keeps at least one byte, never the whole body
  } else if (fault.fault == Fault::kMalformed) {
    // A control byte is invalid anywhere in JSON, inside strings too (RFC 8259 §7).
    response.body[at] = '\x01';
  }
  return response;
}

HttpResponse MockApi::handle_faults(const HttpRequest& request) {
  if (request.method == "GET") return json_response(200, to_json(faults()));
  if (request.method == "DELETE") {
    FaultConfig cleared;
    cleared.seed = faults().seed;
    set_faults(cleared);
    return json_response(200, to_json(cleared));
  }
  if (request.method != "POST") return error_response(405, "use GET, POST or DELETE");
  nlohmann::json patch = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (patch.is_discarded()) return error_response(400, "faults: the body is not valid JSON");
  std::lock_guard lock(mutex_);
  auto updated = apply_fault_patch(faults_, patch);
  if (!updated.ok()) return error_response(400, updated.error().message);
  faults_ = *updated;
  return json_response(200, to_json(faults_));
}

HttpResponse MockApi::stats_response() const {
  const MockApiStats stats = this->stats();
  return json_response(200, {{"requests", stats.requests},
                             {"users_served", stats.users_served},
                             {"quota_rejections", stats.quota_rejections},
                             {"faults", stats.faults}});
}

}  // namespace rds::mockapi
