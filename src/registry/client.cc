#include "registry/client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace rds::registry {
namespace {

using nlohmann::json;
constexpr const char* kContentType = "application/vnd.schemaregistry.v1+json";

// A path segment: subjects may hold any character.
std::string escape(const std::string& segment) { return httplib::detail::encode_query_param(segment); }

// The registry's error body: {"error_code": 40401, "message": "..."}.
std::string reason(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

}  // namespace

std::string value_subject(const std::string& topic) { return topic + "-value"; }

RegistryClient::~RegistryClient() = default;

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(const RegistryConfig& config) {
  const std::string& url = config.url;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("registry.url: '{}' is not an http(s) URL (e.g. http://127.0.0.1:8081/apis/ccompat/v7)", url));
  }
  const auto path_start = url.find('/', scheme_end + 3);
  std::unique_ptr<RegistryClient> c(new RegistryClient());
  c->config_ = config;
  c->base_path_ = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!c->base_path_.empty() && c->base_path_.back() == '/') c->base_path_.pop_back();
  c->http_ = std::make_unique<httplib::Client>(url.substr(0, path_start));
  if (!c->http_->is_valid()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("registry.url: '{}' is not usable (https needs OpenSSL support)", url));
  }
  const auto seconds = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(config.timeout).count());
  c->http_->set_connection_timeout(seconds, 0);
  c->http_->set_read_timeout(seconds, 0);
  c->http_->set_write_timeout(seconds, 0);
  return c;
}

Result<RegistryClient::Answer> RegistryClient::get(const std::string& path) {
  auto r = http_->Get(base_path_ + path);
  if (!r) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("schema registry {}: GET {}: {}", config_.url, path, httplib::to_string(r.error())), true);
  }
  return Answer{r->status, r->body};
}

Result<RegistryClient::Answer> RegistryClient::post(const std::string& path, const std::string& body) {
  auto r = http_->Post(base_path_ + path, body, kContentType);
  if (!r) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("schema registry {}: POST {}: {}", config_.url, path, httplib::to_string(r.error())), true);
  }
  return Answer{r->status, r->body};
}

namespace {

// What a status means for a request that wanted 200.
Error refusal(const std::string& what, int status, const std::string& body) {
  if (status == 404) return Error(ErrorCode::kNotFound, fmt::format("{}: {}", what, reason(body)));
  if (status == 409 || status == 422 || status == 400) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", what, reason(body)));
  }
  return Error(ErrorCode::kUnavailable, fmt::format("{}: HTTP {}: {}", what, status, reason(body)), status >= 500);
}

Result<json> parse(const std::string& what, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error(ErrorCode::kProtocol, fmt::format("{}: the registry's answer is not JSON", what));
  return j;
}

}  // namespace

Result<int32_t> RegistryClient::register_schema(const std::string& subject, const std::string& schema) {
  const std::string what = fmt::format("registering a schema under {}", subject);
  auto answer = post("/subjects/" + escape(subject) + "/versions", json{{"schema", schema}}.dump());
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal(what, answer->status, answer->body);
  auto j = parse(what, answer->body);
  if (!j) return j.take_error();
  if (!j->contains("id") || !(*j)["id"].is_number_integer()) {
    return Error(ErrorCode::kProtocol, fmt::format("{}: no id in the answer", what));
  }
  return (*j)["id"].get<int32_t>();
}

Result<std::string> RegistryClient::schema_by_id(int32_t id) {
  const std::string what = fmt::format("schema id {}", id);
  auto answer = get(fmt::format("/schemas/ids/{}", id));
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal(what, answer->status, answer->body);
  auto j = parse(what, answer->body);
  if (!j) return j.take_error();
  if (!j->contains("schema") || !(*j)["schema"].is_string()) {
    return Error(ErrorCode::kProtocol, fmt::format("{}: no schema in the answer", what));
  }
  return (*j)["schema"].get<std::string>();
}

Result<std::vector<std::string>> RegistryClient::subjects() {
  auto answer = get("/subjects");
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal("listing subjects", answer->status, answer->body);
  auto j = parse("listing subjects", answer->body);
  if (!j) return j.take_error();
  if (!j->is_array()) return Error(ErrorCode::kProtocol, "listing subjects: not a JSON array");
  return j->get<std::vector<std::string>>();
}

Result<std::vector<int>> RegistryClient::versions(const std::string& subject) {
  const std::string what = fmt::format("versions of {}", subject);
  auto answer = get("/subjects/" + escape(subject) + "/versions");
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal(what, answer->status, answer->body);
  auto j = parse(what, answer->body);
  if (!j) return j.take_error();
  if (!j->is_array()) return Error(ErrorCode::kProtocol, what + ": not a JSON array");
  return j->get<std::vector<int>>();
}

Result<SchemaVersion> RegistryClient::version(const std::string& subject, const std::string& version) {
  const std::string what = fmt::format("{} version {}", subject, version);
  auto answer = get("/subjects/" + escape(subject) + "/versions/" + escape(version));
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal(what, answer->status, answer->body);
  auto j = parse(what, answer->body);
  if (!j) return j.take_error();
  SchemaVersion v;
  v.subject = j->value("subject", subject);
  v.version = j->value("version", 0);
  v.id = j->value("id", 0);
  v.schema = j->value("schema", "");
  return v;
}

Result<Compatibility> RegistryClient::check(const std::string& subject, const std::string& schema) {
  const std::string what = fmt::format("checking a schema against {}", subject);
  auto answer = post("/compatibility/subjects/" + escape(subject) + "/versions/latest?verbose=true",
                     json{{"schema", schema}}.dump());
  if (!answer) return answer.take_error();
  if (answer->status != 200) return refusal(what, answer->status, answer->body);
  auto j = parse(what, answer->body);
  if (!j) return j.take_error();
  Compatibility c;
  c.compatible = j->value("is_compatible", false);
  if (j->contains("messages") && (*j)["messages"].is_array()) {
    for (const auto& m : (*j)["messages"]) c.messages.push_back(m.is_string() ? m.get<std::string>() : m.dump());
  }
  return c;
}

}  // namespace rds::registry
