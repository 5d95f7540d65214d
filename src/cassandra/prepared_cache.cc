#include "cassandra/prepared_cache.h"

namespace rds::cassandra {

std::shared_ptr<const PreparedStatement> PreparedCache::find(const std::string& query) const {
  std::lock_guard lock(mutex_);
  auto it = statements_.find(query);
  return it == statements_.end() ? nullptr : it->second;
}

std::shared_ptr<const PreparedStatement> PreparedCache::add(const std::string& query,
                                                            const cql::PreparedResult& prepared,
                                                            std::string keyspace) {
  auto statement = std::make_shared<PreparedStatement>();
  statement->query = query;
  statement->id = prepared.id;
  statement->metadata = prepared.metadata;
  statement->result_metadata = prepared.result_metadata;
  statement->keyspace = std::move(keyspace);
  if (statement->keyspace.empty() && !prepared.metadata.columns.empty()) {
    statement->keyspace = prepared.metadata.columns.front().keyspace;
  }
  std::lock_guard lock(mutex_);
  statements_[query] = statement;
  return statement;
}

std::shared_ptr<const PreparedStatement> PreparedCache::reprepared(const std::shared_ptr<const PreparedStatement>& stale,
                                                                   const cql::PreparedResult& prepared,
                                                                   Statement& statement) {
  if (prepared.id == stale->id) return stale;
  auto updated = add(stale->query, prepared, stale->keyspace);
  if (statement.prepared && statement.prepared->query == stale->query) statement.prepared = updated;
  for (auto& member : statement.batch) {
    if (member.prepared && member.prepared->query == stale->query) member.prepared = updated;
  }
  return updated;
}

std::shared_ptr<const PreparedStatement> PreparedCache::unprepared_statement(const Statement& s,
                                                                             const cql::ErrorMessage& error) {
  if (s.batch.empty()) return s.prepared;
  const auto* details = std::get_if<cql::UnpreparedError>(&error.details);
  std::shared_ptr<const PreparedStatement> first;
  for (const auto& member : s.batch) {
    if (!member.prepared) continue;
    if (details && member.prepared->id == details->id) return member.prepared;
    if (!first) first = member.prepared;
  }
  return first;
}

}  // namespace rds::cassandra
