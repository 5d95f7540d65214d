#include "cli/cassandra_flags.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

namespace rds::cli {

void add_cassandra_flags(CLI::App* cmd, CassandraFlags& f, const std::string& prefix) {
  cmd->add_option("--" + prefix + "host", f.host, "Cassandra host")->envname("RDSTREAM_CASSANDRA_HOST")->capture_default_str();
  cmd->add_option("--" + prefix + "port", f.port, "CQL native port")->envname("RDSTREAM_CASSANDRA_PORT")->capture_default_str();
  cmd->add_option(prefix.empty() ? "-u,--user" : "--" + prefix + "user", f.user, "user (PasswordAuthenticator)")
      ->envname("RDSTREAM_CASSANDRA_USER")
      ->capture_default_str();
  cmd->add_option("--" + prefix + "password-file", f.password_file,
                  "file holding the password (else $RDSTREAM_CASSANDRA_PASSWORD, else the seed's 'cassandra')");
  cmd->add_option("--consistency", f.consistency, "consistency level")->capture_default_str();
}

Result<cassandra::Credentials> resolve_credentials(const CassandraFlags& f) {
  if (const char* env = std::getenv("RDSTREAM_CASSANDRA_PASSWORD"); env != nullptr && *env != '\0') {
    return cassandra::Credentials{f.user, env};
  }
  if (!f.password_file.empty()) {
    std::ifstream in(f.password_file);
    std::string p;
    if (!in || !std::getline(in, p)) {
      return Error(ErrorCode::kNotFound, fmt::format("cannot read the password from {}", f.password_file));
    }
    return cassandra::Credentials{f.user, p};
  }
  return cassandra::Credentials{f.user, "cassandra"};
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
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("unknown consistency '{}': use ONE, QUORUM, LOCAL_QUORUM, LOCAL_ONE, ALL, ...", name));
}

}  // namespace rds::cli
