// The Cassandra health check: a real CQL login and query through our own protocol codec.
#include <fmt/format.h>

#include "cassandra/blocking_connection.h"
#include "stack/health.h"

namespace rds::stack {

Status cassandra_health(const std::string& host, uint16_t port, const std::string& user,
                        const std::string& password, std::chrono::milliseconds timeout,
                        const cassandra::TlsConfig& tls) {
  auto conn = cassandra::BlockingConnection::open(host, port, {user, password}, timeout, tls);
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

Status cassandra_seen_normal(const std::string& seed, uint16_t port, const std::string& user, const std::string& password,
                             const std::string& node_host, uint16_t storage_port, std::chrono::milliseconds timeout,
                             const cassandra::TlsConfig& tls) {
  auto conn = cassandra::BlockingConnection::open(seed, port, {user, password}, timeout, tls);
  // With the seed down (`stack stop-node cassandra 1`) there is no view to ask; the node answering
  // is all `status` can tell, and no node joins without the seed anyway.
  if (!conn.ok()) return ok_status();
  // The seed writes a peer's tokens into system.peers_v2 once it has the peer as a normal member
  // (StorageService.handleStateNormal); while the peer is still joining in its view, the row has none.
  auto result = conn->query(fmt::format("SELECT tokens FROM system.peers_v2 WHERE peer = '{}' AND peer_port = {}",
                                        node_host, storage_port),
                            cql::Consistency::kOne, timeout);
  if (!result.ok()) return result.take_error();
  auto* rows = std::get_if<cql::RowsResult>(&result->message);
  if (rows != nullptr && rows->rows.size() == 1) {
    auto tokens = rows->value(0, 0);
    const auto* set = tokens.ok() ? std::get_if<cql::Set>(&tokens->v) : nullptr;
    if (set != nullptr && !set->items.empty()) return ok_status();
  }
  return Error(ErrorCode::kUnavailable,
               fmt::format("{} answers, but the seed {} does not list it as a normal member of the ring yet", node_host,
                           seed),
               true);
}

Status cassandra_replicate_auth(const std::string& host, uint16_t port, const std::string& user,
                                const std::string& password, int replication_factor, std::chrono::milliseconds timeout,
                                const cassandra::TlsConfig& tls) {
  auto conn = cassandra::BlockingConnection::open(host, port, {user, password}, timeout, tls);
  if (!conn.ok()) return conn.take_error();
  // Already replicated (a later `up`): nothing to change, no schema change to spread.
  auto current = conn->query("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'",
                             cql::Consistency::kOne, timeout);
  if (!current.ok()) return current.take_error();
  if (auto* rows = std::get_if<cql::RowsResult>(&current->message); rows != nullptr && rows->rows.size() == 1) {
    auto value = rows->value(0, 0);
    const auto* options = value.ok() ? std::get_if<cql::Map>(&value->v) : nullptr;
    for (const auto& [key, factor] : options != nullptr ? options->entries : decltype(options->entries){}) {
      if (key.v == cql::ValueVariant(std::string("replication_factor")) &&
          factor.v == cql::ValueVariant(std::to_string(replication_factor))) {
        return ok_status();
      }
    }
  }
  auto altered = conn->query(
      fmt::format("ALTER KEYSPACE system_auth WITH replication = {{'class': 'SimpleStrategy', "
                  "'replication_factor': {}}}", replication_factor),
      cql::Consistency::kOne, timeout);
  if (!altered.ok()) {
    Error e = altered.take_error().with_context("replicating system_auth");
    // "Cannot alter RF while some endpoints are not in normal state": a node still settling.
    if (e.message.find("not in normal state") != std::string::npos) e.retriable = true;
    return e;
  }
  auto tables = conn->query("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'system_auth'",
                            cql::Consistency::kOne, timeout);
  if (!tables.ok()) return tables.take_error();
  auto* rows = std::get_if<cql::RowsResult>(&tables->message);
  for (size_t i = 0; rows != nullptr && i < rows->rows.size(); ++i) {
    auto name = rows->value(i, 0);
    if (!name.ok() || !std::holds_alternative<std::string>(name->v)) continue;
    auto read = conn->query(fmt::format("SELECT * FROM system_auth.\"{}\"", std::get<std::string>(name->v)),
                            cql::Consistency::kAll, timeout);
    if (!read.ok()) {
      Error e = read.take_error().with_context("copying the roles to every replica (a read at ALL)");
      e.retriable = true;  // a node still settling: `up` asks again
      return e;
    }
  }
  return ok_status();
}

}  // namespace rds::stack
