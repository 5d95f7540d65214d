// `rdstream cql "<statement>" ...`: runs CQL statements through our own protocol client and prints
// rows as an aligned table, like `cqlsh -e`. With no statement arguments it reads statements from
// standard input, one per `;`.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "cassandra/blocking_connection.h"
#include "cli/commands.h"
#include "cli/table_printer.h"
#include "cql/display.h"
#include "cql/script.h"

namespace rds::cli {
namespace {

struct CqlFlags {
  std::vector<std::string> statements;
  std::string host = "127.0.0.1";
  uint16_t port = 9042;
  std::string user = "cassandra";
  std::string password_file;
  std::string consistency = "LOCAL_ONE";
  int timeout_s = 30;
};

// The password: RDSTREAM_CASSANDRA_PASSWORD, else --password-file, else the seed's default.
// Never a command-line value (it would show in `ps` and shell history).
Result<std::string> resolve_password(const CqlFlags& f) {
  if (const char* env = std::getenv("RDSTREAM_CASSANDRA_PASSWORD"); env != nullptr && *env != '\0') return std::string(env);
  if (!f.password_file.empty()) {
    std::ifstream in(f.password_file);
    std::string p;
    if (!in || !std::getline(in, p)) {
      return Error(ErrorCode::kNotFound, fmt::format("cannot read the password from {}", f.password_file));
    }
    return p;
  }
  return std::string("cassandra");
}

Result<cql::Consistency> parse_consistency(const std::string& name) {
  static const std::pair<const char*, cql::Consistency> kNames[] = {
      {"ANY", cql::Consistency::kAny},         {"ONE", cql::Consistency::kOne},
      {"TWO", cql::Consistency::kTwo},         {"THREE", cql::Consistency::kThree},
      {"QUORUM", cql::Consistency::kQuorum},   {"ALL", cql::Consistency::kAll},
      {"LOCAL_QUORUM", cql::Consistency::kLocalQuorum}, {"EACH_QUORUM", cql::Consistency::kEachQuorum},
      {"LOCAL_ONE", cql::Consistency::kLocalOne}};
  for (const auto& [n, c] : kNames) {
    if (name == n) return c;
  }
  return Error(ErrorCode::kInvalidArgument, fmt::format("unknown consistency '{}'", name));
}

// Runs one statement, following pages, and prints its rows (or what happened).
Status run_statement(cassandra::BlockingConnection& conn, const std::string& statement, cql::Consistency consistency,
                     std::chrono::milliseconds timeout) {
  cql::QueryRequest request{statement, {}};
  request.params.consistency = consistency;
  request.params.page_size = 5000;
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  bool is_rows = false;
  while (true) {
    auto response = conn.query(request, timeout);
    if (!response.ok()) return response.take_error();
    auto* result = std::get_if<cql::RowsResult>(&response->message);
    if (result == nullptr) {
      if (auto* schema = std::get_if<cql::SchemaChangeResult>(&response->message)) {
        std::cout << fmt::format("{} {} {}{}\n", schema->change.change_type, schema->change.target,
                                 schema->change.keyspace, schema->change.name.empty() ? "" : "." + schema->change.name);
      }
      break;
    }
    is_rows = true;
    if (headers.empty()) {
      for (const auto& col : result->metadata.columns) headers.push_back(col.name);
    }
    auto decoded = cql::decode_rows(*result, result->metadata.columns);
    if (!decoded.ok()) return decoded.take_error();
    for (const auto& row : *decoded) {
      std::vector<std::string> cells;
      for (const auto& v : row) cells.push_back(cql::to_display(v));
      rows.push_back(std::move(cells));
    }
    if (!result->metadata.has_more_pages() || !result->metadata.paging_state) break;
    request.params.paging_state = result->metadata.paging_state;
  }
  if (is_rows) std::cout << "\n" << format_table(headers, rows);
  return ok_status();
}

}  // namespace

void register_cql(CLI::App& app, Globals& globals) {
  auto f = std::make_shared<CqlFlags>();
  CLI::App* cmd = app.add_subcommand("cql", "Run CQL statements (arguments, or stdin) and print rows like cqlsh -e");
  cmd->add_option("statements", f->statements, "CQL statements; none: read from stdin, separated by ';'");
  cmd->add_option("--host", f->host, "Cassandra host")->envname("RDSTREAM_CASSANDRA_HOST")->capture_default_str();
  cmd->add_option("--port", f->port, "CQL native port")->envname("RDSTREAM_CASSANDRA_PORT")->capture_default_str();
  cmd->add_option("-u,--user", f->user, "user (PasswordAuthenticator)")->envname("RDSTREAM_CASSANDRA_USER")->capture_default_str();
  cmd->add_option("--password-file", f->password_file,
                  "file holding the password (else $RDSTREAM_CASSANDRA_PASSWORD, else the seed's 'cassandra')");
  cmd->add_option("--consistency", f->consistency, "consistency level")->capture_default_str();
  cmd->add_option("--timeout", f->timeout_s, "seconds per request")->check(CLI::Range(1, 3600))->capture_default_str();
  cmd->callback([f, &globals] {
    auto consistency = parse_consistency(f->consistency);
    auto password = resolve_password(*f);
    if (!consistency.ok() || !password.ok()) {
      std::cerr << "rdstream cql: " << (!consistency.ok() ? consistency.error() : password.error()).message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    std::vector<std::string> statements;
    for (const auto& s : f->statements) {
      for (auto& part : cql::split_script(s)) statements.push_back(std::move(part));
    }
    if (f->statements.empty()) {
      std::string script((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      statements = cql::split_script(script);
    }
    const auto timeout = std::chrono::seconds(f->timeout_s);
    auto conn = cassandra::BlockingConnection::open(f->host, f->port, {f->user, *password}, timeout);
    if (!conn.ok()) {
      std::cerr << "rdstream cql: " << conn.error().message
                << (conn.error().code == ErrorCode::kAuth ? " (check the user and RDSTREAM_CASSANDRA_PASSWORD)"
                                                          : " (is Cassandra up? rdstream stack up)")
                << "\n";
      globals.exit_code = conn.error().code == ErrorCode::kAuth ? kExitUsage : kExitUnavailable;
      return;
    }
    for (const auto& statement : statements) {
      Status s = run_statement(*conn, statement, *consistency, timeout);
      if (!s.ok()) {
        std::cerr << "rdstream cql: " << s.error().message << "\n";
        globals.exit_code = kExitFailure;
        return;
      }
    }
  });
}

}  // namespace rds::cli
