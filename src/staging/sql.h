#pragma once
// The staging outbox's SQL as text: the versioned migrations and the statements staging::Store
// runs. Pure (no connection), so the SQL is unit-tested as text and run against the real
// PostgreSQL by the integration tests.
//
// The outbox: one row per fetched user, written a page per transaction, produced to Kafka by the
// relay and marked delivered once its delivery report arrived.
//
//   <schema>.staged_users  seq bigserial   the order of fetching; the relay's cursor
//                          run_id text     the ingest run that fetched it (replay --run)
//                          fetched_at      when its page arrived (replay --since, retention)
//                          user_id uuid    the record's id: its Kafka key
//                          record json     the mapped record as JSON text, column order kept
//                          raw jsonb       the API's user as it came (null for generated users)
//                          state smallint  0 pending, 1 delivered
//                          delivered_at    when it was marked delivered
//   <schema>.created_users  a view with the seed's created_users columns, read from `record`
//   <schema>.schema_migrations  version, description, applied_at
//
// Identifiers (the schema) are validated by the caller (is_identifier) and never come from data.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rds::staging {

inline constexpr std::string_view kDefaultSchema = "rdstream_staging";

// kSetAside: a row that cannot be produced (its record no longer encodes), kept with the reason in
// set_aside_reason for a person to look at; the relay goes on with the next.
enum class DeliveryState : int16_t { kPending = 0, kDelivered = 1, kSetAside = 2 };

struct Migration {
  int version = 0;
  std::string description;
  std::string sql;  // one or more statements, run in one transaction
};

// [a-z_][a-z0-9_]{0,62}: a schema name that needs no quoting.
bool is_identifier(std::string_view name);

// Creates the schema and the migrations table (idempotent; run before the migrations).
std::string bootstrap_sql(const std::string& schema);
// Every migration, in version order. A database at version N gets N+1.. applied, each once.
std::vector<Migration> migrations(const std::string& schema);
std::string applied_versions_sql(const std::string& schema);  // SELECT version ... ORDER BY version
std::string record_migration_sql(const std::string& schema);  // $1 version, $2 description
// pg_try_advisory_lock on the outbox: one ingest at a time (Store::try_lock_outbox).
std::string outbox_lock_sql(const std::string& schema);
// Serialises migrators of the same schema for the transaction (two ingests starting at once).
std::string migration_lock_sql(const std::string& schema);

// INSERT of `rows` rows ($1.. in groups of 5: run_id, fetched_at, user_id, record, raw) returning
// their seq in order.
// A page goes in by COPY (less parsing than multi-row INSERTs with 5 parameters a row): its seqs
// drawn first ($1 of them, in order), then one text line per row with its seq.
std::string next_seqs_sql(const std::string& schema);
std::string copy_rows_sql(const std::string& schema);  // seq, run_id, fetched_at, user_id, record, raw
// One field of COPY's text format: backslash, newline, carriage return and tab escaped; nullopt is
// NULL (\N). The caller adds the tabs between fields and the newline after a row.
void append_copy_field(std::string& out, std::optional<std::string_view> value);
// Pending rows after seq $1, oldest first, at most $2: seq, user_id, record.
std::string select_pending_sql(const std::string& schema);
// Marks the seqs in $1 (an int8[] literal, int_array_literal) delivered; pending ones only.
std::string mark_delivered_sql(const std::string& schema);
// Sets the pending row $1 aside with the reason $2.
std::string set_aside_sql(const std::string& schema);
// Deletes at most $2 delivered rows delivered more than $1 seconds ago, oldest first.
std::string delete_delivered_sql(const std::string& schema);
// A run's rows ($1 run_id) after seq $2, at most $3: seq, user_id, record.
std::string select_run_sql(const std::string& schema);
// Rows fetched at or after $1 (an ISO-8601 timestamp) after seq $2, at most $3: seq, user_id, record.
std::string select_since_sql(const std::string& schema);
// Counts by state: state, count.
std::string count_by_state_sql(const std::string& schema);

// "{1,2,3}": an int8[] parameter's text form.
std::string int_array_literal(const std::vector<int64_t>& values);

}  // namespace rds::staging
