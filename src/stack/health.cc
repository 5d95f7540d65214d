#include "stack/health.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

#include "kafka/metadata.h"

namespace rds::stack {

Status kafka_health(const std::string& bootstrap, std::chrono::milliseconds timeout,
                    const std::map<std::string, std::string>& properties) {
  auto metadata = kafka::fetch_metadata(bootstrap, kafka::MetadataTopics::kNone, timeout, properties);
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

namespace {

using PgConnection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// A libpq connection to `dbname`, with parameters by keyword array so that no password ever appears
// in a connection string or log.
Result<PgConnection> postgres_connect(const std::string& host, uint16_t port, const std::string& user,
                                      const std::string& password, std::chrono::milliseconds timeout) {
  const long timeout_s = std::max<long>(1, static_cast<long>(timeout.count() / 1000));
  const std::string port_s = std::to_string(port);
  const std::string timeout_str = std::to_string(timeout_s);
  const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {host.c_str(), port_s.c_str(), user.c_str(), password.c_str(), "postgres",
                          timeout_str.c_str(), "rdstream-stack", nullptr};
  PgConnection conn(PQconnectdbParams(keys, values, 0), &PQfinish);
  if (!conn) return Error(ErrorCode::kInternal, "libpq: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn.get());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    const bool auth = message.find("password authentication failed") != std::string::npos;
    return Error(auth ? ErrorCode::kAuth : ErrorCode::kUnavailable,
                 fmt::format("connecting to {}:{}: {}", host, port, message), /*retriable=*/!auth);
  }
  return conn;
}

}  // namespace

Status postgres_health(const std::string& host, uint16_t port, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout) {
  auto conn = postgres_connect(host, port, user, password, timeout);
  if (!conn.ok()) return conn.take_error();
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn->get(), "SELECT 1"), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1 ||
      std::string(PQgetvalue(result.get(), 0, 0)) != "1") {
    return Error(ErrorCode::kUnavailable, fmt::format("SELECT 1 on {}:{}: {}", host, port, PQerrorMessage(conn->get())),
                 true);
  }
  return ok_status();
}

Status postgres_ensure_database(const std::string& host, uint16_t port, const std::string& user,
                                const std::string& password, const std::string& database,
                                std::chrono::milliseconds timeout) {
  auto conn = postgres_connect(host, port, user, password, timeout);
  if (!conn.ok()) return conn.take_error();
  const char* params[] = {database.c_str()};
  std::unique_ptr<PGresult, decltype(&PQclear)> found(
      PQexecParams(conn->get(), "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, params, nullptr, nullptr, 0),
      &PQclear);
  if (PQresultStatus(found.get()) != PGRES_TUPLES_OK) {
    return Error(ErrorCode::kUnavailable, fmt::format("looking for database {}: {}", database, PQerrorMessage(conn->get())));
  }
  if (PQntuples(found.get()) == 1) return ok_status();
  // CREATE DATABASE takes no parameters: the name is quoted as an identifier by libpq.
  std::unique_ptr<char, decltype(&PQfreemem)> name(PQescapeIdentifier(conn->get(), database.c_str(), database.size()),
                                                  &PQfreemem);
  if (!name) return Error(ErrorCode::kInvalidArgument, fmt::format("database name {}: {}", database, PQerrorMessage(conn->get())));
  std::unique_ptr<PGresult, decltype(&PQclear)> created(PQexec(conn->get(), fmt::format("CREATE DATABASE {}", name.get()).c_str()),
                                                       &PQclear);
  if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
    return Error(ErrorCode::kUnavailable, fmt::format("creating database {}: {}", database, PQerrorMessage(conn->get())));
  }
  return ok_status();
}

}  // namespace rds::stack
