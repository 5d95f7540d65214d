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
#include "app/component_configs.h"
#include "cli/commands.h"
#include "cli/setting_flags.h"
#include "cli/table_printer.h"
#include "cql/display.h"
#include "cassandra/statement_splitter.h"

namespace rds::cli {
namespace {

struct CqlFlags {
  std::vector<std::string> statements;
  config::FlagValues settings;
};

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
  add_setting_flags(cmd, config::kCql, f->settings);
  cmd->callback([f, &globals] {
    auto settings = resolve_settings(f->settings, config::kCql);
    if (!settings.ok()) return settings_failed(settings.error(), "cql", globals);
    const config::Settings& s = **settings;
    auto consistency = app::parse_consistency(s.cql.consistency());
    auto credentials = app::cassandra_credentials(s);
    if (!consistency.ok() || !credentials.ok()) {
      return settings_failed(!consistency.ok() ? consistency.error() : credentials.error(), "cql", globals);
    }
    std::string script;
    for (const auto& statement : f->statements) script += statement + ";\n";
    if (f->statements.empty()) script.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto statements = cassandra::split_statements(script);
    if (!statements.ok()) {
      std::cerr << "rdstream cql: " << statements.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    const auto timeout = std::chrono::seconds(s.cql.timeout_s());
    auto conn = cassandra::BlockingConnection::open(s.cassandra.contact_points().front(),
                                                    static_cast<uint16_t>(s.cassandra.port()), *credentials, timeout,
                                                    app::cassandra_tls(s));
    if (!conn.ok()) {
      std::cerr << "rdstream cql: " << conn.error().message
                << (cassandra::is_tls_error(conn.error()) ? ""
                    : conn.error().code == ErrorCode::kAuth ? " (check the user and RDSTREAM_CASSANDRA_PASSWORD)"
                                                            : " (is Cassandra up? rdstream stack up)")
                << "\n";
      globals.exit_code = conn.error().code == ErrorCode::kAuth ? kExitUsage : kExitUnavailable;
      return;
    }
    for (const auto& statement : *statements) {
      Status ran = run_statement(*conn, statement, *consistency, timeout);
      if (!ran.ok()) {
        std::cerr << "rdstream cql: " << ran.error().message << "\n";
        globals.exit_code = kExitFailure;
        return;
      }
    }
  });
}

}  // namespace rds::cli
