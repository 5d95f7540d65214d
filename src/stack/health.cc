#include "stack/health.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include <memory>

#include "kafka/kafka_config.h"

namespace rds::stack {

Status kafka_health(const std::string& bootstrap, std::chrono::milliseconds timeout) {
  auto client = kafka::make_rdkafka_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", bootstrap}, {"socket.timeout.ms", std::to_string(timeout.count())}, {"log_level", "0"}},
      "kafka client");
  if (!client) return client.take_error();
  rd_kafka_t* rk = client->get();
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, /*all_topics=*/0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error(ErrorCode::kUnavailable, fmt::format("metadata request to {}: {}", bootstrap, rd_kafka_err2str(err)),
                 /*retriable=*/true);
  }
  const int brokers = metadata->broker_cnt;
  rd_kafka_metadata_destroy(metadata);
  if (brokers < 1) {
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
