#include "source/http/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <mutex>

namespace rds::http {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  HttpResponse* response;
  size_t limit;
  bool overflow = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->response->body.size() + n > sink->limit) {
    sink->overflow = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const size_t n = size * count;
  std::string line(data, n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    if (name == "retry-after") response->retry_after = value;
    if (name == "content-type") response->content_type = value;
  }
  return n;
}

}  // namespace

struct HttpClient::State {
  CURL* curl = nullptr;
};

HttpClient::HttpClient(HttpClientConfig config) : state_(std::make_unique<State>()), config_(std::move(config)) {
  global_init_once();
  state_->curl = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (state_->curl != nullptr) curl_easy_cleanup(state_->curl);
}

Result<HttpResponse> HttpClient::get(const std::string& url) {
  CURL* curl = state_->curl;
  if (curl == nullptr) return Error(ErrorCode::kInternal, "libcurl could not be initialised");
  HttpResponse response;
  Sink sink{&response, config_.max_body_bytes};
  // The same easy handle keeps its connection alive between requests to the same host.
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, config_.user_agent.c_str());
  // gzip only: brotli at the server's default quality costs ~1.5 s per MiB of JSON (measured
  // against cpp-httplib), far more than it saves on any link this runs over.
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (rc == CURLE_OK) return response;
  if (sink.overflow) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("GET {}: response body larger than {} bytes; lower `results` per request", url,
                             config_.max_body_bytes));
  }
  const std::string what = fmt::format("GET {}: {}", url, curl_easy_strerror(rc));
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ErrorCode::kTimeout, what, true);
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return Error(ErrorCode::kTruncated, what, true);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error(ErrorCode::kInvalidArgument, what);
    default:
      return Error(ErrorCode::kUnavailable, what, true);
  }
}

}  // namespace rds::http
