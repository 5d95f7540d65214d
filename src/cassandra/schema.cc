#include "cassandra/schema.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "cassandra/statement_splitter.h"

namespace rds::cassandra {
namespace {

bool is_plain_identifier(std::string_view name) {
  if (name.empty() || name.size() > 48) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

std::string first_line(const std::string& statement) {
  auto end = statement.find('\n');
  return end == std::string::npos ? statement : statement.substr(0, end) + " ...";
}

}  // namespace

Status KeyspaceSpec::validate(std::string_view path) const {
  auto bad = [&](std::string_view field, const std::string& what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", path, field, what));
  };
  if (!is_plain_identifier(name)) return bad("name", fmt::format("'{}' must be 1-48 letters, digits or _", name));
  if (strategy == "SimpleStrategy") {
    if (replication_factor < 1) return bad("replication_factor", "must be >= 1");
  } else if (strategy == "NetworkTopologyStrategy") {
    if (dc_factors.empty()) return bad("dc_factors", "must name at least one data centre");
    for (const auto& [dc, f] : dc_factors) {
      if (dc.empty() || dc.find('\'') != std::string::npos) return bad("dc_factors", fmt::format("bad data centre name '{}'", dc));
      if (f < 0) return bad("dc_factors", fmt::format("{}: must be >= 0", dc));
    }
  } else {
    return bad("strategy", fmt::format("'{}' must be SimpleStrategy or NetworkTopologyStrategy", strategy));
  }
  return ok_status();
}

std::string KeyspaceSpec::create_statement() const {
  std::string replication;
  if (strategy == "SimpleStrategy") {
    replication = fmt::format("{{'class': 'SimpleStrategy', 'replication_factor': {}}}", replication_factor);
  } else {
    replication = "{'class': 'NetworkTopologyStrategy'";
    for (const auto& [dc, f] : dc_factors) replication += fmt::format(", '{}': {}", dc, f);
    replication += "}";
  }
  return fmt::format("CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {} AND durable_writes = {}", name,
                     replication, durable_writes ? "true" : "false");
}

Status create_keyspace(Session& session, const KeyspaceSpec& spec, std::chrono::milliseconds agreement_timeout) {
  RDS_TRY(spec.validate());
  auto result = session.schema_change(spec.create_statement(), agreement_timeout);
  if (!result.ok()) return result.take_error().with_context(fmt::format("creating keyspace {}", spec.name));
  return session.refresh_metadata();
}

Status execute_script(Session& session, std::string_view script, std::chrono::milliseconds agreement_timeout) {
  auto statements = split_statements(script);
  if (!statements.ok()) return statements.take_error();
  bool schema_changed = false;
  for (size_t i = 0; i < statements->size(); ++i) {
    const std::string& statement = (*statements)[i];
    auto result = session.schema_change(statement, agreement_timeout);
    if (!result.ok()) {
      return result.take_error().with_context(fmt::format("statement {} ({})", i + 1, first_line(statement)));
    }
    schema_changed = schema_changed || std::holds_alternative<cql::SchemaChangeResult>(result->message);
  }
  if (schema_changed) return session.refresh_metadata();
  return ok_status();
}

Status execute_file(Session& session, const std::filesystem::path& path, std::chrono::milliseconds agreement_timeout) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("{}: cannot open the CQL script", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  auto status = execute_script(session, text.str(), agreement_timeout);
  if (!status.ok()) return status.take_error().with_context(path.string());
  return ok_status();
}

}  // namespace rds::cassandra
