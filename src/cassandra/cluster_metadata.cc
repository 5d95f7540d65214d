#include "cassandra/cluster_metadata.h"

#include <charconv>

namespace rds::cassandra {
namespace {

// Column lookup in a rows result by name (system tables differ between versions).
std::optional<size_t> column(const cql::RowsResult& rows, std::string_view name) {
  for (size_t c = 0; c < rows.metadata.columns.size(); ++c) {
    if (rows.metadata.columns[c].name == name) return c;
  }
  return std::nullopt;
}

std::optional<cql::Value> cell(const cql::RowsResult& rows, size_t row, std::string_view name) {
  auto c = column(rows, name);
  if (!c) return std::nullopt;
  auto v = rows.value(row, *c);
  if (!v.ok() || v->is_null()) return std::nullopt;
  return std::move(*v);
}

std::string text_of(const std::optional<cql::Value>& v) {
  if (!v) return {};
  if (const auto* s = v->get_if<std::string>()) return *s;
  if (const auto* i = v->get_if<cql::Inet>()) return i->to_string();
  if (const auto* u = v->get_if<cql::Uuid>()) return u->to_string();
  return {};
}

std::vector<Token> tokens_of(const std::optional<cql::Value>& v) {
  std::vector<Token> out;
  if (!v) return out;
  const std::vector<cql::Value>* items = nullptr;
  if (const auto* set = v->get_if<cql::Set>()) items = &set->items;
  if (const auto* list = v->get_if<cql::List>()) items = &list->items;
  if (!items) return out;
  for (const auto& item : *items) {
    const auto* s = item.get_if<std::string>();
    if (!s) continue;
    Token t = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), t);
    (void)ptr;
    if (ec == std::errc()) out.push_back(t);
  }
  return out;
}

std::map<std::string, std::string> text_map_of(const std::optional<cql::Value>& v) {
  std::map<std::string, std::string> out;
  if (!v) return out;
  if (const auto* m = v->get_if<cql::Map>()) {
    for (const auto& [key, value] : m->entries) {
      const auto* k = key.get_if<std::string>();
      const auto* val = value.get_if<std::string>();
      if (k && val) out[*k] = *val;
    }
  }
  return out;
}

}  // namespace

std::string keyspace_query(const std::string& keyspace) {
  std::string quoted;
  for (char c : keyspace) {
    if (c == '\'') quoted += '\'';  // CQL doubles a quote inside a string literal
    quoted += c;
  }
  return std::string(kKeyspacesQuery) + " WHERE keyspace_name = '" + quoted + "'";
}

NodeMetadata local_node(const cql::RowsResult& rows) {
  NodeMetadata self;
  if (rows.rows.empty()) return self;
  self.data_center = text_of(cell(rows, 0, "data_center"));
  self.tokens = tokens_of(cell(rows, 0, "tokens"));
  return self;
}

std::vector<NodeMetadata> peer_nodes(const cql::RowsResult& rows, bool peers_v2, uint16_t default_port) {
  std::vector<NodeMetadata> nodes;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    NodeMetadata n;
    n.address = text_of(cell(rows, i, peers_v2 ? "native_address" : "rpc_address"));
    if (n.address.empty() || n.address == "0.0.0.0" || n.address == "::") n.address = text_of(cell(rows, i, "peer"));
    n.port = default_port;
    if (peers_v2) {
      if (auto p = cell(rows, i, "native_port"); p && p->get_if<int32_t>()) {
        n.port = static_cast<uint16_t>(*p->get_if<int32_t>());
      }
    }
    n.data_center = text_of(cell(rows, i, "data_center"));
    n.tokens = tokens_of(cell(rows, i, "tokens"));
    if (!n.address.empty()) nodes.push_back(std::move(n));
  }
  return nodes;
}

std::map<std::string, ReplicationStrategy> keyspace_replication(const cql::RowsResult& rows) {
  std::map<std::string, ReplicationStrategy> replication;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    replication[text_of(cell(rows, i, "keyspace_name"))] =
        ReplicationStrategy::from_options(text_map_of(cell(rows, i, "replication")));
  }
  return replication;
}

std::set<std::string> schema_versions(const cql::RowsResult& rows, const std::set<std::string>& skip) {
  std::set<std::string> versions;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    // The session knows nodes by their client address (rpc_address), usually also their `peer`.
    if (!skip.empty() && (skip.count(text_of(cell(rows, i, "rpc_address"))) > 0 ||
                          skip.count(text_of(cell(rows, i, "peer"))) > 0)) {
      continue;
    }
    auto v = text_of(cell(rows, i, "schema_version"));
    if (!v.empty()) versions.insert(v);
  }
  return versions;
}

}  // namespace rds::cassandra
