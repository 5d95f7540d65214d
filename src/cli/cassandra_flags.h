#pragma once
// Cassandra connection flags shared by `cql`, `process` and `run`. The password never comes
// from a flag (it would show in `ps` and shell history): RDSTREAM_CASSANDRA_PASSWORD, else
// --password-file, else the seed's default `cassandra`.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "cassandra/blocking_connection.h"
#include "core/result.h"
#include "cql/wire.h"

namespace rds::cli {

struct CassandraFlags {
  std::string host = "127.0.0.1";
  uint16_t port = 9042;
  std::string user = "cassandra";
  std::string password_file;
  std::string consistency = "LOCAL_QUORUM";
};

// `prefix` is "" for `rdstream cql` (--host, --port) and "cassandra-" for the pipeline commands.
void add_cassandra_flags(CLI::App* cmd, CassandraFlags& flags, const std::string& prefix);
Result<cassandra::Credentials> resolve_credentials(const CassandraFlags& flags);
Result<cql::Consistency> parse_consistency(const std::string& name);

}  // namespace rds::cli
