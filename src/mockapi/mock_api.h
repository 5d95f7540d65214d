#pragma once
// The mock randomuser API as a pure request -> response function: no sockets here (server.h is
// the thin socket layer), so every parameter rule and fault is testable with direct calls.
//
// Routes:
//   GET    /api/, /api/1.4/ (with or without the slash)  users, randomuser v1.4 semantics
//   GET    /_faults     current fault settings (JSON)
//   POST   /_faults     merge the given JSON keys into them (see faults.h)
//   DELETE /_faults     clear all faults
//   GET    /_stats      counters (JSON)
//   GET    /healthz     "ok"
// Thread-safety: handle() may be called from many threads (httplib's pool); state is behind a mutex,
// and users are generated outside it.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mockapi/faults.h"
#include "mockapi/query.h"
#include "mockapi/quota.h"

namespace rds::mockapi {

struct HttpRequest {
  std::string method = "GET";
  std::string path;
  QueryParams params;
  std::string client;  // who the quota charges: X-Client-Id header, else the remote address
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // the socket layer sleeps this long before answering

  // The value of `name` (case-sensitive, as we set them), or "" when absent.
  std::string header(const std::string& name) const;
};

struct MockApiConfig {
  FaultConfig faults;
  QuotaConfig quota;
  std::uint64_t seed_salt = 0;  // varies the seeds the server picks when a request has none
};

struct MockApiStats {
  std::uint64_t requests = 0;          // to /api only
  std::uint64_t users_served = 0;
  std::uint64_t quota_rejections = 0;
  std::map<std::string, std::uint64_t> faults;  // by to_string(Fault)
};

class MockApi {
 public:
  using Clock = std::chrono::steady_clock;
  explicit MockApi(MockApiConfig config = {});

  HttpResponse handle(const HttpRequest& request, Clock::time_point now = Clock::now());

  FaultConfig faults() const;
  void set_faults(FaultConfig faults);  // must be valid (FaultConfig::validate)
  MockApiStats stats() const;

 private:
  HttpResponse handle_users(const HttpRequest& request, Clock::time_point now);
  HttpResponse handle_faults(const HttpRequest& request);
  HttpResponse stats_response() const;

  mutable std::mutex mutex_;
  FaultConfig faults_;
  QuotaTracker quota_;
  std::uint64_t seed_salt_;
  std::uint64_t next_request_ = 0;
  MockApiStats stats_;
};

// The users part of a response body for a query: {"results":[...],"info":{...}}. Exposed for
// benchmarks that want the mock's bytes without HTTP.
std::string users_body(const ApiQuery& query, const std::string& seed);

}  // namespace rds::mockapi
