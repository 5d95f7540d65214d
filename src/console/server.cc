#include "console/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "console/assets.h"
#include "core/log.h"

namespace rds::console {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxBody = 1u << 20;
constexpr std::size_t kMaxReplay = 1'000;
constexpr std::size_t kMaxDeadLetters = 1'000;

// Every route and the methods it answers: anything else is 404 or 405, naming what exists.
const std::map<std::string, std::string>& known_routes() {
  static const std::map<std::string, std::string> routes = {
      {"/api/state", "GET"},   {"/api/history", "GET"}, {"/api/dlq", "GET"},      {"/api/dlq/replay", "POST"},
      {"/api/session", "GET"}, {"/api/cassandra/count", "POST"}, {"/metrics", "GET"}, {"/healthz", "GET"},
  };
  return routes;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, json{{"error", message}});
}

int status_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kTimeout:
    case ErrorCode::kUnavailable: return 503;
    default: return 500;
  }
}

bool equal_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");  // no entropy: nothing safe to do
  }
  std::string out;
  for (unsigned char c : raw) out += fmt::format("{:02x}", c);
  return out;
}

// The password of a basic-auth header value ("Basic <base64 user:password>"), or nullopt.
std::optional<std::string> basic_password(const std::string& header) {
  if (header.rfind("Basic ", 0) != 0) return std::nullopt;
  const std::string encoded = header.substr(6);
  if (encoded.empty() || encoded.size() > 4096 || encoded.size() % 4 != 0) return std::nullopt;
  std::string decoded(encoded.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding's zero bytes.
  for (std::size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) --size;
  decoded.resize(size);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return decoded.substr(colon + 1);
}

// "http://127.0.0.1:9021" -> "127.0.0.1:9021"
std::string origin_authority(const std::string& origin) {
  const auto scheme = origin.find("://");
  return scheme == std::string::npos ? origin : origin.substr(scheme + 3);
}

}  // namespace

bool is_loopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

Result<std::unique_ptr<ConsoleServer>> ConsoleServer::start(const ServerConfig& config, Collector& collector,
                                                            DeadLetters& dead_letters, const metrics::Metrics& metrics) {
  auto address = http_server::parse_address(config.address, "console.address");
  if (!address.ok()) return address.take_error();
  if (!is_loopback(address->first) && config.token.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("console.address {} is reachable from other machines: set a token first "
                             "(RDSTREAM_CONSOLE_TOKEN, or console.token_file / --token-file), or bind 127.0.0.1",
                             config.address));
  }
  std::unique_ptr<ConsoleServer> server(new ConsoleServer());
  server->token_ = config.token;
  server->csrf_token_ = random_hex(32);
  server->routes(collector, dead_letters, metrics);
  RDS_TRY(server->server_.start(address->first, address->second, "console"));
  return server;
}

void ConsoleServer::routes(Collector& collector, DeadLetters& dead_letters, const metrics::Metrics& metrics) {
  auto& s = server_.routes();
  s.set_payload_max_length(kMaxBody);

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    res.set_header("Referrer-Policy", "no-referrer");
    if (!token_.empty() && req.path != "/healthz") {
      const std::string header = req.get_header_value("Authorization");
      const auto basic = basic_password(header);
      const bool bearer = header.rfind("Bearer ", 0) == 0 && equal_secret(header.substr(7), token_);
      if (!bearer && !(basic && equal_secret(*basic, token_))) {
        res.set_header("WWW-Authenticate", "Basic realm=\"rdstream console\", charset=\"UTF-8\"");
        send_error(res, 401, "authentication required: the console's token as a Bearer token, or as the password "
                             "of basic auth (any user name)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method == "POST") {
      if (!equal_secret(req.get_header_value("X-CSRF-Token"), csrf_token_)) {
        send_error(res, 403, "missing or wrong X-CSRF-Token header: take it from GET /api/session");
        return httplib::Server::HandlerResponse::Handled;
      }
      const std::string origin = req.get_header_value("Origin");
      if (!origin.empty() && origin_authority(origin) != req.get_header_value("Host")) {
        send_error(res, 403, fmt::format("cross-origin request from {} refused", origin));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  s.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.render(), "text/plain; version=0.0.4");
  });
  s.Get("/api/session", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, json{{"csrf_token", csrf_token_}, {"version", "rdstream console"}});
  });
  s.Get("/api/state", [&collector](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, collector.state());
  });
  s.Get("/api/history", [&collector](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, collector.history());
  });
  s.Get("/api/dlq", [&dead_letters](const httplib::Request& req, httplib::Response& res) {
    std::size_t limit = 200;
    if (req.has_param("limit")) {
      const std::string text = req.get_param_value("limit");
      std::size_t parsed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (ec != std::errc() || end != text.data() + text.size() || parsed < 1 || parsed > kMaxDeadLetters) {
        return send_error(res, 400, fmt::format("limit must be 1..{}, got '{}'", kMaxDeadLetters, text));
      }
      limit = parsed;
    }
    std::optional<std::string> reason;
    if (req.has_param("reason") && !req.get_param_value("reason").empty()) reason = req.get_param_value("reason");
    auto page = dead_letters.newest(reason, limit);
    if (!page.ok()) return send_error(res, status_for(page.error()), page.error().message);
    json records = json::array();
    for (const auto& d : page->records) {
      json headers = json::object();
      for (const auto& [k, v] : d.headers) headers[k] = v;
      records.push_back({{"partition", d.partition},
                         {"offset", d.offset},
                         {"timestamp_ms", d.timestamp_ms},
                         {"key", d.key ? json(*d.key) : json(nullptr)},
                         {"value", d.value},
                         {"value_truncated", d.value_truncated},
                         {"reason", d.reason},
                         {"headers", std::move(headers)}});
    }
    send_json(res, 200,
              json{{"topic", dead_letters.topic()}, {"reasons", page->reasons}, {"scanned", page->scanned},
                   {"records", std::move(records)}});
  });
  s.Post("/api/dlq/replay", [&dead_letters](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("records") || !body["records"].is_array()) {
      return send_error(res, 400, R"(expected a JSON body {"records": [{"partition": 0, "offset": 5}, ...]})");
    }
    if (body["records"].empty() || body["records"].size() > kMaxReplay) {
      return send_error(res, 400, fmt::format("replay 1..{} records at a time, got {}", kMaxReplay, body["records"].size()));
    }
    std::vector<Position> positions;
    for (const auto& r : body["records"]) {
      if (!r.is_object() || !r.contains("partition") || !r.contains("offset") || !r["partition"].is_number_integer() ||
          !r["offset"].is_number_integer() || r["partition"].get<int64_t>() < 0 || r["offset"].get<int64_t>() < 0) {
        return send_error(res, 400, fmt::format("each record needs integer partition and offset >= 0, got {}", r.dump()));
      }
      positions.push_back({r["partition"].get<int32_t>(), r["offset"].get<int64_t>()});
    }
    auto result = dead_letters.replay(positions, std::chrono::seconds(30));
    if (!result.ok()) return send_error(res, status_for(result.error()), result.error().message);
    json replayed = json::array(), errors = json::array();
    for (const auto& r : result->replayed) {
      replayed.push_back({{"partition", r.partition}, {"offset", r.offset}, {"topic", r.topic}});
    }
    for (const auto& e : result->errors) {
      errors.push_back({{"partition", e.partition}, {"offset", e.offset}, {"error", e.error}});
    }
    log::info("console", "replayed {} dead letter(s) from {}, {} failed", result->replayed.size(), dead_letters.topic(),
              result->errors.size());
    send_json(res, 200, json{{"replayed", std::move(replayed)}, {"errors", std::move(errors)}});
  });
  s.Post("/api/cassandra/count", [&collector](const httplib::Request&, httplib::Response& res) {
    const Status started = collector.start_exact_count();
    if (!started.ok()) {
      return send_error(res, started.error().code == ErrorCode::kInvalidArgument ? 409 : status_for(started.error()),
                        started.error().message);
    }
    send_json(res, 202, json{{"state", "running"}});
  });
  s.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
    if (const auto route = known_routes().find(req.path); route != known_routes().end()) {
      res.set_header("Allow", route->second);
      return send_error(res, 405, fmt::format("{} answers {} only", req.path, route->second));
    }
    const Asset* asset = find_asset(req.path);
    if (asset == nullptr) {
      return send_error(res, 404, fmt::format("no page {}: the console is at /, its API under /api/", req.path));
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->body), std::string(asset->content_type));
  });

  // A known path with another method: 405 naming the right one.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status != 404 || !res.body.empty()) return;
    const auto route = known_routes().find(req.path);
    if (route != known_routes().end()) {
      res.set_header("Allow", route->second);
      send_error(res, 405, fmt::format("{} answers {} only", req.path, route->second));
    } else {
      send_error(res, 404, fmt::format("no {} {}", req.method, req.path));
    }
  });
}

}  // namespace rds::console
