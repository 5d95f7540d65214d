// Cassandra: each contact point (reachable, TLS, login), every node of the ring (down ones named),
// each live node's clock, the keyspace's replication against the live nodes, the table's columns.
// Everything through blocking one-off connections: a check must not hide behind the session's
// retries and failover.
#include <fmt/format.h>

#include <map>
#include <optional>

#include "cql/display.h"
#include "doctor/doctor.h"
#include "stack/ports.h"

namespace rds::doctor {
namespace {

using cassandra::BlockingConnection;

struct Node {
  std::string host;
  uint16_t port = 0;
  std::string dc;
  bool up = false;
  std::string address() const { return fmt::format("{}:{}", host, port); }
};

// The rows of a query's answer, each cell decoded (nullopt: failed, with the error in `why`).
std::optional<std::vector<std::vector<cql::Value>>> rows_of(BlockingConnection& conn, const std::string& query,
                                                            std::chrono::milliseconds timeout, std::string& why) {
  auto result = conn.query(query, cql::Consistency::kOne, timeout);
  if (!result.ok()) {
    why = result.error().message;
    return std::nullopt;
  }
  const auto* rows = std::get_if<cql::RowsResult>(&result->message);
  std::vector<std::vector<cql::Value>> out;
  for (size_t r = 0; rows != nullptr && r < rows->rows.size(); ++r) {
    std::vector<cql::Value> row;
    for (size_t c = 0; c < rows->metadata.columns.size(); ++c) {
      auto v = rows->value(r, c);
      row.push_back(v.ok() ? std::move(*v) : cql::Value());
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::string text(const cql::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v.v)) return *s;
  if (std::holds_alternative<cql::Null>(v.v)) return {};
  return cql::to_display(v);
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Opens a connection, turning a failure into a finding for `node` (start hint for the stack's).
// up: set when the node is up although no connection could be made (a slow login).
std::optional<BlockingConnection> open(const DoctorConfig& config, const std::string& host, uint16_t port,
                                       Report& report, const std::string& role, bool* up = nullptr) {
  auto conn = BlockingConnection::open(host, port, config.credentials, config.timeout, config.tls);
  if (conn.ok()) return std::move(*conn);
  const Error& e = conn.error();
  const std::string subject = fmt::format("cassandra {}:{}", host, port);
  if (cassandra::is_tls_error(e)) {  // the message names the cause and the setting that fixes it
    report.problem(subject, fmt::format("TLS: {}", e.message), "change the cassandra.tls.* settings as said");
  } else if (e.code == ErrorCode::kAuth) {
    report.problem(subject, fmt::format("login refused: {}", e.message),
                   fmt::format("check cassandra.username ('{}') and its password (RDSTREAM_CASSANDRA_PASSWORD or "
                               "cassandra.password_file)",
                               config.credentials.user));
  } else if (e.code == ErrorCode::kTimeout && stack::port_accepting(host, port, 1000)) {
    // Up, but slow to log in: the superuser's login reads system_auth at QUORUM, which waits for
    // a replica that died moments ago until the node notices it is gone.
    report.warning(subject, fmt::format("{} accepts connections but did not finish the login in time: {}", role, e.message),
                   "if another node just went down, ask again in a few seconds; else see this node's log");
    if (up != nullptr) *up = true;
  } else {
    const std::string hint = stack_start_hint(host, "cassandra");
    report.problem(subject, fmt::format("{} does not answer: {}", role, e.message),
                   hint.empty() ? "start it, or fix cassandra.contact_points / cassandra.port"
                                : fmt::format("start it ({})", hint));
  }
  return std::nullopt;
}

void check_clock(const DoctorConfig& config, BlockingConnection& conn, const Node& node, Report& report) {
  const auto before = std::chrono::system_clock::now();
  std::string why;
  auto rows = rows_of(conn, "SELECT toUnixTimestamp(now()) FROM system.local", config.timeout, why);
  const auto after = std::chrono::system_clock::now();
  if (!rows || rows->empty()) return;
  const auto* ts = std::get_if<cql::Timestamp>(&(*rows)[0][0].v);
  if (ts == nullptr) return;
  const auto middle = before + (after - before) / 2;
  const auto local_ms = std::chrono::duration_cast<std::chrono::milliseconds>(middle.time_since_epoch()).count();
  if (auto v = clock_skew_verdict(node.address(), std::chrono::milliseconds(ts->millis - local_ms))) {
    report.problem(v->subject, v->text, v->fix);
  }
}

// The replication factor that applies to `dc` (SimpleStrategy: its factor; NetworkTopologyStrategy:
// that DC's), or nullopt when the map says neither.
std::optional<int> replication_factor(const cql::Value& replication, const std::string& dc) {
  const auto* map = std::get_if<cql::Map>(&replication.v);
  if (map == nullptr) return std::nullopt;
  std::map<std::string, std::string> options;
  for (const auto& [k, v] : map->entries) options[text(k)] = text(v);
  const std::string& cls = options["class"];
  if (cls.ends_with("SimpleStrategy")) return std::atoi(options["replication_factor"].c_str());
  if (cls.ends_with("NetworkTopologyStrategy") && options.count(dc) != 0) return std::atoi(options[dc].c_str());
  return std::nullopt;
}

}  // namespace

void check_cassandra(const DoctorConfig& config, Report& report) {
  if (config.contact_points.empty()) {
    report.problem("cassandra", "cassandra.contact_points is empty", "set it to at least one node's address");
    return;
  }
  std::optional<BlockingConnection> control;
  std::string control_host;
  for (const auto& host : config.contact_points) {
    auto conn = open(config, host, config.cassandra_port, report, "this contact point");
    if (conn && !control) {
      control = std::move(conn);
      control_host = host;
    }
  }
  if (!control) return;

  std::string why;
  auto local = rows_of(*control, "SELECT data_center, release_version FROM system.local", config.timeout, why);
  auto peers = rows_of(*control, "SELECT native_address, native_port, data_center FROM system.peers_v2",
                       config.timeout, why);
  if (!local || local->empty() || !peers) {
    report.problem("cassandra " + control_host, fmt::format("cannot read system.local / system.peers_v2: {}", why),
                   "use Cassandra 4.0 or newer; check the user's permissions on the system keyspaces");
    return;
  }
  std::vector<Node> nodes;
  nodes.push_back({control_host, config.cassandra_port, text((*local)[0][0]), true});
  const std::string version = text((*local)[0][1]);
  for (const auto& p : *peers) {
    Node n;
    n.host = text(p[0]);
    n.port = std::holds_alternative<int32_t>(p[1].v) ? static_cast<uint16_t>(std::get<int32_t>(p[1].v)) : config.cassandra_port;
    n.dc = text(p[2]);
    nodes.push_back(n);
  }
  check_clock(config, *control, nodes[0], report);
  for (size_t i = 1; i < nodes.size(); ++i) {
    bool slow_but_up = false;
    auto conn = open(config, nodes[i].host, nodes[i].port, report, fmt::format("this node of the ring ({})", nodes[i].dc),
                     &slow_but_up);
    nodes[i].up = conn.has_value() || slow_but_up;
    if (conn) check_clock(config, *conn, nodes[i], report);
  }
  const std::string local_dc = nodes[0].dc;
  int live = 0;
  int total = 0;
  std::string listing;
  for (const auto& n : nodes) {
    if (n.dc != local_dc) continue;
    ++total;
    live += n.up ? 1 : 0;
    listing += fmt::format("{}{} {}", listing.empty() ? "" : ", ", n.address(), n.up ? "up" : "DOWN");
  }
  report.ok("cassandra", fmt::format("Cassandra {}, {} of {} node{} up in {}: {}", version, live, total,
                                     total == 1 ? "" : "s", local_dc, listing));

  // The keyspace: its replication against the nodes (or what rdstream would create it with).
  auto keyspace = rows_of(*control,
                          "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = " + quoted(config.keyspace),
                          config.timeout, why);
  std::optional<int> rf;
  if (keyspace && !keyspace->empty()) {
    rf = replication_factor((*keyspace)[0][0], local_dc);
    if (!rf) {
      report.warning("cassandra keyspace " + config.keyspace,
                     fmt::format("its replication ({}) names no factor for {}", cql::to_display((*keyspace)[0][0]), local_dc),
                     fmt::format("give {} a factor (ALTER KEYSPACE ... NetworkTopologyStrategy), or set "
                                 "cassandra.local_dc to a DC it names", local_dc));
    }
  } else if (keyspace) {
    if (config.replication_factor_to_create > 0) rf = config.replication_factor_to_create;
    report.ok("cassandra keyspace " + config.keyspace,
              fmt::format("does not exist yet; rdstream creates it{}", rf ? fmt::format(" with replication factor {}", *rf) : ""));
  }
  if (rf) {
    if (auto v = replication_verdict(config.keyspace, *rf, live, total, config.consistency)) {
      if (v->level == Finding::Level::kProblem) report.problem(v->subject, v->text, v->fix);
      else report.warning(v->subject, v->text, v->fix);
    } else if (keyspace && !keyspace->empty()) {
      report.ok("cassandra keyspace " + config.keyspace,
                fmt::format("replication factor {}, writes at {}", *rf, cql::to_string(config.consistency)));
    }
  }

  // The table's columns against what rdstream writes.
  auto columns = rows_of(*control,
                         fmt::format("SELECT column_name FROM system_schema.columns WHERE keyspace_name = {} AND "
                                     "table_name = {}",
                                     quoted(config.keyspace), quoted(config.table)),
                         config.timeout, why);
  const std::string qualified = config.keyspace + "." + config.table;
  if (!columns) return;
  if (columns->empty()) {
    report.ok("cassandra table " + qualified, "does not exist yet; rdstream creates it");
    return;
  }
  std::vector<std::string> existing;
  for (const auto& row : *columns) existing.push_back(text(row[0]));
  if (auto v = missing_columns_verdict(qualified, config.columns, existing)) {
    report.problem(v->subject, v->text, v->fix);
  } else {
    report.ok("cassandra table " + qualified, fmt::format("has the {} columns rdstream writes", config.columns.size()));
  }
}

}  // namespace rds::doctor
