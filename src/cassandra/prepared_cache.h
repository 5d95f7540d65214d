#pragma once
// The session's prepared statements, by query text (the DataStax drivers' prepared metadata
// cache). A statement is prepared once per session; an UNPREPARED answer (the host restarted,
// the table was re-created) re-prepares it on that host and, when the id changed, replaces the
// cached statement so that later binds use the new id.
//
// Thread: any (a mutex); the statements themselves are immutable.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cassandra/session.h"

namespace rds::cassandra {

class PreparedCache {
 public:
  std::shared_ptr<const PreparedStatement> find(const std::string& query) const;
  // Caches the server's answer to PREPARE `query` (keyspace: of the bound columns unless given).
  std::shared_ptr<const PreparedStatement> add(const std::string& query, const cql::PreparedResult& prepared,
                                               std::string keyspace = {});

  // A re-PREPARE answered `prepared` for `stale`: the statement to use from now on (`stale`
  // itself when the id did not change). Points `statement` (and its batch members) at it.
  std::shared_ptr<const PreparedStatement> reprepared(const std::shared_ptr<const PreparedStatement>& stale,
                                                      const cql::PreparedResult& prepared, Statement& statement);

  // The prepared statement an UNPREPARED answer is about: the statement's own, or the batch
  // member's whose id the server named (the first prepared member if it named none we know).
  static std::shared_ptr<const PreparedStatement> unprepared_statement(const Statement& s,
                                                                       const cql::ErrorMessage& error);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const PreparedStatement>> statements_;
};

}  // namespace rds::cassandra
