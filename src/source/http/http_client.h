#pragma once
// A small blocking HTTP GET client on libcurl: one keep-alive connection reused across requests,
// connect and whole-request timeouts, a body size cap, and transport failures mapped to retriable
// rds::Errors. Status codes are returned, not judged: what a 429 or a 503 means is the caller's
// policy (see ingest/api_source.h).
//
// Thread: one HttpClient per thread.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace rds::http {

struct HttpClientConfig {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};
  size_t max_body_bytes = 64u * 1024u * 1024u;  // 5000 users are about 6 MiB
  std::string user_agent = "rdstream/0.1";
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::optional<std::string> retry_after;  // the Retry-After header, verbatim
  std::string content_type;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientConfig config = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Errors: kTimeout / kUnavailable (retriable) for transport problems, kTruncated (retriable)
  // when the connection closed before the announced body length, kInvalidArgument for a bad URL
  // or a body over max_body_bytes.
  Result<HttpResponse> get(const std::string& url);

 private:
  struct State;
  std::unique_ptr<State> state_;
  HttpClientConfig config_;
};

}  // namespace rds::http
