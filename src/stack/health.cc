#include "stack/health.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

#include "kafka/metadata.h"

namespace rds::stack {

Status kafka_health(const std::string& bootstrap, std::chrono::milliseconds timeout) {
  auto metadata = kafka::fetch_metadata(bootstrap, kafka::MetadataTopics::kNone, timeout);
  if (!metadata.ok()) {
    const Error& error = metadata.error();
    // A client that cannot be made (a bad address list) stays so: stop the wait. Any answer
    // short of metadata (refused, timed out, all brokers down) may be a broker still starting.
    if (error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kInternal) return error;
    return Error(ErrorCode::kUnavailable, error.message, /*retriable=*/true);
  }
  if (metadata->brokers.empty()) {
    return Error(ErrorCode::kUnavailable, fmt::format("{} answered metadata with no live broker", bootstrap), true);
  }
  return ok_status();
}

Status postgres_health(const std::string& host, uint16_t port, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout) {
  const long timeout_s = std::max<long>(1, static_cast<long>(timeout.count() / 1000));
  const std::string port_s = std::to_string(port);
  const std::string timeout_str = std::to_string(timeout_s);
  // Parameters by keyword array, so that no password ever appears in a connection string or log.
  const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {host.c_str(), port_s.c_str(), user.c_str(), password.c_str(), "postgres",
                          timeout_str.c_str(), "rdstream-health", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  std::unique_ptr<PGconn, decltype(&PQfinish)> guard(conn, &PQfinish);
  if (conn == nullptr) return Error(ErrorCode::kInternal, "libpq: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    const bool auth = message.find("password authentication failed") != std::string::npos;
    return Error(auth ? ErrorCode::kAuth : ErrorCode::kUnavailable,
                 fmt::format("connecting to {}:{}: {}", host, port, message), /*retriable=*/!auth);
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, "SELECT 1"), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1 ||
      std::string(PQgetvalue(result.get(), 0, 0)) != "1") {
    return Error(ErrorCode::kUnavailable, fmt::format("SELECT 1 on {}:{}: {}", host, port, PQerrorMessage(conn)), true);
  }
  return ok_status();
}

}  // namespace rds::stack
