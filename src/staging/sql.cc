#include "staging/sql.h"

#include <fmt/format.h>

namespace rds::staging {

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string bootstrap_sql(const std::string& schema) {
  return fmt::format(
      "CREATE SCHEMA IF NOT EXISTS {0};\n"
      "CREATE TABLE IF NOT EXISTS {0}.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now());",
      schema);
}

std::vector<Migration> migrations(const std::string& schema) {
  return {
      {1, "the outbox",
       fmt::format("CREATE TABLE {0}.staged_users (\n"
                   "  seq bigserial PRIMARY KEY,\n"
                   "  run_id text NOT NULL,\n"
                   "  fetched_at timestamptz NOT NULL,\n"
                   "  user_id uuid NOT NULL,\n"
                   "  record json NOT NULL,\n"
                   "  raw jsonb,\n"
                   "  state smallint NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),\n"
                   "  delivered_at timestamptz);\n"
                   // The relay's scan: pending rows in order. Partial, so it stays small.
                   "CREATE INDEX staged_users_pending ON {0}.staged_users (seq) WHERE state = 0;\n"
                   "CREATE INDEX staged_users_run ON {0}.staged_users (run_id, seq);\n"
                   "CREATE INDEX staged_users_fetched ON {0}.staged_users (fetched_at, seq);\n"
                   // Retention: delivered rows by age.
                   "CREATE INDEX staged_users_delivered ON {0}.staged_users (delivered_at) WHERE state = 1;",
                   schema)},
      {2, "the seed's created_users columns as a view",
       // The seed's PostgreSQL table (docs/compat.md "A user"): the mapped columns, one per column.
       fmt::format("CREATE VIEW {0}.created_users AS SELECT\n"
                   "  user_id AS id, record->>'first_name' AS first_name, record->>'last_name' AS last_name,\n"
                   "  record->>'gender' AS gender, record->>'address' AS address, record->>'post_code' AS post_code,\n"
                   "  record->>'email' AS email, record->>'username' AS username, record->>'dob' AS dob,\n"
                   "  record->>'registered_date' AS registered_date, record->>'phone' AS phone,\n"
                   "  record->>'picture' AS picture, run_id, fetched_at, state, delivered_at\n"
                   "FROM {0}.staged_users;",
                   schema)},
      {3, "rows that cannot be produced are set aside with the reason",
       // A staged row the encoder refuses (a record the table's Avro schema no longer fits) would
       // otherwise stop every later run at the same row.
       fmt::format("ALTER TABLE {0}.staged_users DROP CONSTRAINT staged_users_state_check,\n"
                   "  ADD CONSTRAINT staged_users_state_check CHECK (state IN (0, 1, 2)),\n"
                   "  ADD COLUMN set_aside_reason text;",
                   schema)},
  };
}

std::string applied_versions_sql(const std::string& schema) {
  return fmt::format("SELECT version FROM {}.schema_migrations ORDER BY version", schema);
}

std::string record_migration_sql(const std::string& schema) {
  return fmt::format("INSERT INTO {}.schema_migrations (version, description) VALUES ($1, $2)", schema);
}

std::string migration_lock_sql(const std::string& schema) {
  return fmt::format("SELECT pg_advisory_xact_lock(hashtext('{}.schema_migrations'))", schema);
}

std::string set_aside_sql(const std::string& schema) {
  return fmt::format("UPDATE {}.staged_users SET state = 2, set_aside_reason = $2 WHERE seq = $1 AND state = 0", schema);
}

std::string outbox_lock_sql(const std::string& schema) {
  return fmt::format("SELECT pg_try_advisory_lock(hashtext('{}.outbox'))", schema);
}

std::string next_seqs_sql(const std::string& schema) {
  return fmt::format("SELECT nextval(pg_get_serial_sequence('{}.staged_users', 'seq')) FROM generate_series(1, $1)",
                     schema);
}

std::string copy_rows_sql(const std::string& schema) {
  return fmt::format("COPY {}.staged_users (seq, run_id, fetched_at, user_id, record, raw) FROM STDIN", schema);
}

void append_copy_field(std::string& out, std::optional<std::string_view> value) {
  if (!value) {
    out += "\\N";
    return;
  }
  for (char c : *value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
}

std::string select_pending_sql(const std::string& schema) {
  return fmt::format(
      "SELECT seq, user_id, record FROM {}.staged_users WHERE state = 0 AND seq > $1 ORDER BY seq LIMIT $2", schema);
}

std::string mark_delivered_sql(const std::string& schema) {
  return fmt::format(
      "UPDATE {}.staged_users SET state = 1, delivered_at = now() WHERE seq = ANY($1::bigint[]) AND state = 0", schema);
}

std::string delete_delivered_sql(const std::string& schema) {
  return fmt::format(
      "DELETE FROM {0}.staged_users WHERE seq IN (SELECT seq FROM {0}.staged_users WHERE state = 1 AND "
      "delivered_at < now() - make_interval(secs => $1::double precision) ORDER BY delivered_at LIMIT $2)",
      schema);
}

std::string select_run_sql(const std::string& schema) {
  return fmt::format(
      "SELECT seq, user_id, record FROM {}.staged_users WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", schema);
}

std::string select_since_sql(const std::string& schema) {
  return fmt::format(
      "SELECT seq, user_id, record FROM {}.staged_users WHERE fetched_at >= $1::timestamptz AND seq > $2 ORDER BY seq "
      "LIMIT $3",
      schema);
}

std::string count_by_state_sql(const std::string& schema) {
  return fmt::format("SELECT state, count(*) FROM {}.staged_users GROUP BY state ORDER BY state", schema);
}

std::string int_array_literal(const std::vector<int64_t>& values) {
  return fmt::format("{{{}}}", fmt::join(values, ","));
}

}  // namespace rds::staging
