// The Cassandra health check: a real CQL login and query through our own protocol codec.
#include <fmt/format.h>

#include "cassandra/blocking_connection.h"
#include "stack/health.h"

namespace rds::stack {

Status cassandra_health(const std::string& host, uint16_t port, const std::string& user,
                        const std::string& password, std::chrono::milliseconds timeout) {
  auto conn = cassandra::BlockingConnection::open(host, port, {user, password}, timeout);
  if (!conn.ok()) {
    Error e = conn.take_error();
    // Right after start-up the superuser may not exist yet: keep asking until the deadline.
    if (e.code == ErrorCode::kAuth) e.retriable = true;
    return e;
  }
  auto result = conn->query("SELECT release_version FROM system.local", cql::Consistency::kOne, timeout);
  if (!result.ok()) return result.take_error();
  auto* rows = std::get_if<cql::RowsResult>(&result->message);
  if (rows == nullptr || rows->rows.size() != 1) {
    return Error(ErrorCode::kUnavailable, fmt::format("{}:{}: system.local returned no row", host, port), true);
  }
  return ok_status();
}

}  // namespace rds::stack
