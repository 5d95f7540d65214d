#pragma once
// Schema helpers on a Session: run a CQL script, create a keyspace idempotently, wait for schema
// agreement. Blocking; call them at start-up, never from the session's loop thread.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "cassandra/session.h"
#include "core/result.h"

namespace rds::cassandra {

struct KeyspaceSpec {
  std::string name;                       // unquoted: [A-Za-z0-9_]{1,48}, as Cassandra allows
  std::string strategy = "SimpleStrategy";  // or NetworkTopologyStrategy
  int replication_factor = 1;             // SimpleStrategy
  std::map<std::string, int> dc_factors;  // NetworkTopologyStrategy: data centre -> factor
  bool durable_writes = true;

  // Checks the name and the factors; errors name the field ("keyspace.name: ...").
  Status validate(std::string_view path = "keyspace") const;
  // CREATE KEYSPACE IF NOT EXISTS <name> WITH replication = {...} AND durable_writes = ...
  std::string create_statement() const;
};

// Creates the keyspace if it does not exist (an existing one is left as it is), then waits for
// schema agreement and refreshes the session's replication metadata.
Status create_keyspace(Session& session, const KeyspaceSpec& spec,
                       std::chrono::milliseconds agreement_timeout = std::chrono::seconds(30));

// Runs every statement of a script (split_statements) in order, stopping at the first error,
// which names the statement number and its first line. Waits for schema agreement after each
// schema-changing statement, so a CREATE TABLE can follow its CREATE KEYSPACE.
Status execute_script(Session& session, std::string_view script,
                      std::chrono::milliseconds agreement_timeout = std::chrono::seconds(30));
// The same for a .cql / .sql file.
Status execute_file(Session& session, const std::filesystem::path& path,
                    std::chrono::milliseconds agreement_timeout = std::chrono::seconds(30));

}  // namespace rds::cassandra
