#include "staging/store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <set>

namespace rds::staging {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Rows per INSERT: PostgreSQL takes at most 65,535 parameters a statement (5 a row).

std::string trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Status StoreConfig::validate(std::string_view path) const {
  if (!is_identifier(schema)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}.schema: '{}' is not a plain identifier ([a-z_][a-z0-9_]*, at most 63)", path, schema));
  }
  if (host.empty()) return Error(ErrorCode::kInvalidArgument, fmt::format("{}.postgres_host: empty", path));
  if (database.empty() || user.empty()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: the database and the user must be set", path));
  }
  return ok_status();
}

struct Store::Impl {
  StoreConfig config;
  PGconn* conn = nullptr;
  ~Impl() {
    if (conn != nullptr) PQfinish(conn);
  }

  std::string where() const {
    return fmt::format("PostgreSQL at {}:{} (database {}, user {})", config.host, config.port, config.database,
                       config.user);
  }

  Status connect() {
    if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) return ok_status();
    if (conn != nullptr) {
      PQreset(conn);  // the connection broke: try once to make it again
      if (PQstatus(conn) == CONNECTION_OK) return ok_status();
      const std::string why = trimmed(PQerrorMessage(conn));
      return Error(ErrorCode::kUnavailable, fmt::format("{}: connection lost and not made again: {}", where(), why),
                   true);
    }
    const std::string port = std::to_string(config.port);
    const std::string timeout = std::to_string(std::max<int64_t>(1, config.connect_timeout.count() / 1000));
    // Keepalives and a TCP user timeout: a PostgreSQL that vanishes behind a dropped network is
    // noticed in seconds, not after the kernel's retransmissions (~15 min).
    const char* keys[] = {"host",      "port",           "dbname",         "user",
                          "password",  "connect_timeout", "application_name", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                          "options", nullptr};
    const char* values[] = {config.host.c_str(), port.c_str(), config.database.c_str(), config.user.c_str(),
                            config.password.c_str(), timeout.c_str(), "rdstream-staging", "1",
                            "10", "5", "3", "30000",
                            // Not "schema already exists, skipping" on stderr at every start.
                            "-c client_min_messages=warning", nullptr};
    conn = PQconnectdbParams(keys, values, 0);
    if (PQstatus(conn) != CONNECTION_OK) {
      const std::string why = trimmed(PQerrorMessage(conn));
      PQfinish(conn);
      conn = nullptr;
      return Error(ErrorCode::kUnavailable,
                   fmt::format("{}: {} (is it up? `rdstream stack up` starts one; the password comes from "
                               "RDSTREAM_POSTGRES_PASSWORD or staging.postgres_password_file)",
                               where(), why),
                   true);
    }
    return ok_status();
  }

  // Runs `sql` with text parameters; nullptr is SQL NULL. `want`: the status that means success.
  Result<PgResult> exec(const std::string& sql, const std::vector<const char*>& params, ExecStatusType want) {
    RDS_TRY(connect());
    PgResult r(params.empty() ? PQexec(conn, sql.c_str())
                              : PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                             params.data(), nullptr, nullptr, 0));
    if (r && PQresultStatus(r.get()) == want) return r;
    const std::string why = trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn));
    if (PQstatus(conn) != CONNECTION_OK) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: connection lost: {}", where(), why), true);
    }
    return Error(ErrorCode::kInternal, fmt::format("{}: {}", where(), why));
  }
  Status command(const std::string& sql, const std::vector<const char*>& params = {}) {
    auto r = exec(sql, params, PGRES_COMMAND_OK);
    if (!r.ok()) return r.take_error();
    return ok_status();
  }
  void rollback() { PgResult(PQexec(conn, "ROLLBACK")); }

  // COPY ... FROM STDIN with `data` (COPY's text format, whole lines).
  Status copy_in(const std::string& sql, const std::string& data) {
    auto started = exec(sql, {}, PGRES_COPY_IN);
    if (!started.ok()) return started.take_error();
    const bool sent = PQputCopyData(conn, data.data(), static_cast<int>(data.size())) == 1 &&
                      PQputCopyEnd(conn, nullptr) == 1;
    PgResult r(PQgetResult(conn));
    while (PgResult more{PQgetResult(conn)}) {
    }
    if (sent && r && PQresultStatus(r.get()) == PGRES_COMMAND_OK) return ok_status();
    const std::string why = trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn));
    if (PQstatus(conn) != CONNECTION_OK) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: connection lost: {}", where(), why), true);
    }
    return Error(ErrorCode::kInternal, fmt::format("{}: {}", where(), why));
  }

  Result<std::vector<StoredRow>> rows(const std::string& sql, const std::vector<const char*>& params) {
    auto r = exec(sql, params, PGRES_TUPLES_OK);
    if (!r.ok()) return r.take_error();
    std::vector<StoredRow> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      out.push_back(StoredRow{std::stoll(PQgetvalue(r->get(), i, 0)), PQgetvalue(r->get(), i, 1),
                              PQgetvalue(r->get(), i, 2)});
    }
    return out;
  }

  Result<int> migrate() {
    const std::string& s = config.schema;
    RDS_TRY(command("BEGIN"));
    auto done = [&]() -> Result<int> {
      // The lock first: two ingests starting together would both try to create the schema.
      auto locked = exec(migration_lock_sql(s), {}, PGRES_TUPLES_OK);
      if (!locked.ok()) return locked.take_error();
      RDS_TRY(command(bootstrap_sql(s)));
      auto applied = exec(applied_versions_sql(s), {}, PGRES_TUPLES_OK);
      if (!applied.ok()) return applied.take_error();
      std::set<int> have;
      for (int i = 0; i < PQntuples(applied->get()); ++i) have.insert(std::stoi(PQgetvalue(applied->get(), i, 0)));
      int version = have.empty() ? 0 : *have.rbegin();
      for (const Migration& m : migrations(s)) {
        if (have.count(m.version) != 0) continue;
        Status applied_one = command(m.sql);
        if (!applied_one.ok()) {
          return applied_one.take_error().with_context(
              fmt::format("staging migration {} ({})", m.version, m.description));
        }
        const std::string v = std::to_string(m.version);
        RDS_TRY(command(record_migration_sql(s), {v.c_str(), m.description.c_str()}));
        version = std::max(version, m.version);
      }
      return version;
    }();
    if (!done.ok()) {
      rollback();
      return done;
    }
    RDS_TRY(command("COMMIT"));
    return done;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const StoreConfig& config) {
  RDS_TRY(config.validate());
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  RDS_TRY(impl->connect());
  auto version = impl->migrate();
  if (!version.ok()) return version.take_error();
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  store->schema_version_ = *version;
  return store;
}

Result<bool> Store::try_lock_outbox() {
  auto r = impl_->exec(outbox_lock_sql(impl_->config.schema), {}, PGRES_TUPLES_OK);
  if (!r.ok()) return r.take_error();
  return PQntuples(r->get()) == 1 && std::string_view(PQgetvalue(r->get(), 0, 0)) == "t";
}

Result<std::vector<int64_t>> Store::stage(const std::vector<StagedRow>& rows) {
  std::vector<int64_t> seqs;
  if (rows.empty()) return seqs;
  seqs.reserve(rows.size());
  RDS_TRY(impl_->command("BEGIN"));
  auto done = [&]() -> Status {
    const std::string n = std::to_string(rows.size());
    auto drawn = impl_->exec(next_seqs_sql(impl_->config.schema), {n.c_str()}, PGRES_TUPLES_OK);
    if (!drawn.ok()) return drawn.take_error();
    for (int i = 0; i < PQntuples(drawn->get()); ++i) seqs.push_back(std::stoll(PQgetvalue(drawn->get(), i, 0)));
    std::sort(seqs.begin(), seqs.end());  // the rows' order is the seqs' order (the relay reads by seq)
    if (seqs.size() != rows.size()) return Error(ErrorCode::kInternal, "staging: the sequence gave too few seqs");
    std::string data;
    data.reserve(rows.size() * (rows.front().record_json.size() + (rows.front().raw ? rows.front().raw->size() : 0) + 96));
    std::string time;  // a page's rows share their fetch time: formatted once, not per row
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const StagedRow& row = rows[i];
      if (i == 0 || row.fetched_at != rows[i - 1].fetched_at) time = iso8601_utc(row.fetched_at);
      data += std::to_string(seqs[i]);
      for (std::optional<std::string_view> field :
           {std::optional<std::string_view>(row.run_id), std::optional<std::string_view>(time),
            std::optional<std::string_view>(row.user_id), std::optional<std::string_view>(row.record_json),
            row.raw ? std::optional<std::string_view>(*row.raw) : std::nullopt}) {
        data += '\t';
        append_copy_field(data, field);
      }
      data += '\n';
    }
    return impl_->copy_in(copy_rows_sql(impl_->config.schema), data);
  }();
  if (!done.ok()) {
    impl_->rollback();
    return done.take_error().with_context(fmt::format("staging {} rows", rows.size()));
  }
  Status committed = impl_->command("COMMIT");
  if (!committed.ok()) return committed.take_error().with_context(fmt::format("staging {} rows", rows.size()));
  return seqs;
}

Result<std::vector<StoredRow>> Store::pending(int64_t after, std::size_t limit) {
  const std::string a = std::to_string(after), l = std::to_string(limit);
  return impl_->rows(select_pending_sql(impl_->config.schema), {a.c_str(), l.c_str()});
}

Result<std::size_t> Store::mark_delivered(const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return std::size_t{0};
  const std::string array = int_array_literal(seqs);
  auto r = impl_->exec(mark_delivered_sql(impl_->config.schema), {array.c_str()}, PGRES_COMMAND_OK);
  if (!r.ok()) return r.take_error();
  return static_cast<std::size_t>(std::stoull(PQcmdTuples(r->get())));
}

const std::string& Store::schema() const { return impl_->config.schema; }

Result<bool> Store::set_aside(int64_t seq, const std::string& reason) {
  const std::string s = std::to_string(seq);
  auto r = impl_->exec(set_aside_sql(impl_->config.schema), {s.c_str(), reason.c_str()}, PGRES_COMMAND_OK);
  if (!r.ok()) return r.take_error();
  return std::string_view(PQcmdTuples(r->get())) == "1";
}

Result<std::size_t> Store::delete_delivered(std::chrono::seconds older_than, std::size_t limit) {
  const std::string age = std::to_string(older_than.count()), l = std::to_string(limit);
  auto r = impl_->exec(delete_delivered_sql(impl_->config.schema), {age.c_str(), l.c_str()}, PGRES_COMMAND_OK);
  if (!r.ok()) return r.take_error();
  return static_cast<std::size_t>(std::stoull(PQcmdTuples(r->get())));
}

Result<std::vector<StoredRow>> Store::run_rows(const std::string& run_id, int64_t after, std::size_t limit) {
  const std::string a = std::to_string(after), l = std::to_string(limit);
  return impl_->rows(select_run_sql(impl_->config.schema), {run_id.c_str(), a.c_str(), l.c_str()});
}

Result<std::vector<StoredRow>> Store::rows_since(const std::string& since, int64_t after, std::size_t limit) {
  const std::string a = std::to_string(after), l = std::to_string(limit);
  return impl_->rows(select_since_sql(impl_->config.schema), {since.c_str(), a.c_str(), l.c_str()});
}

Result<std::map<DeliveryState, int64_t>> Store::counts() {
  auto r = impl_->exec(count_by_state_sql(impl_->config.schema), {}, PGRES_TUPLES_OK);
  if (!r.ok()) return r.take_error();
  std::map<DeliveryState, int64_t> out{
      {DeliveryState::kPending, 0}, {DeliveryState::kDelivered, 0}, {DeliveryState::kSetAside, 0}};
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out[static_cast<DeliveryState>(std::stoi(PQgetvalue(r->get(), i, 0)))] = std::stoll(PQgetvalue(r->get(), i, 1));
  }
  return out;
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, us % 1'000'000);
}

}  // namespace rds::staging
