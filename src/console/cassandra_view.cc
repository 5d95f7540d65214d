#include "console/cassandra_view.h"

#include <fmt/format.h>

#include <chrono>
#include <limits>

namespace rds::console {
namespace {

// `s` between `quote`s, a quote inside doubled: a CQL string literal ('...') or a quoted
// identifier ("...": the table's names are the user's, quoting keeps their case).
std::string quoted(const std::string& s, char quote) {
  std::string out(1, quote);
  for (char c : s) {
    out += c;
    if (c == quote) out += quote;
  }
  return out + quote;
}
std::string literal(const std::string& s) { return quoted(s, '\''); }
std::string identifier(const std::string& s) { return quoted(s, '"'); }

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<const cql::RowsResult*> rows_of(const Result<cql::Response>& response, std::string_view what) {
  if (!response.ok()) return Error(response.error().code, fmt::format("{}: {}", what, response.error().message));
  const auto* rows = std::get_if<cql::RowsResult>(&response->message);
  if (rows == nullptr) return Error(ErrorCode::kProtocol, fmt::format("{}: not a rows result", what));
  return rows;
}

std::optional<int64_t> int_cell(const cql::RowsResult& rows, size_t row, size_t column) {
  auto value = rows.value(row, column);
  if (!value.ok()) return std::nullopt;
  if (const auto* v = value->get_if<int64_t>()) return *v;
  if (const auto* v = value->get_if<int32_t>()) return *v;
  return std::nullopt;
}

std::string text_cell(const cql::RowsResult& rows, size_t row, size_t column) {
  auto value = rows.value(row, column);
  if (!value.ok()) return {};
  const auto* v = value->get_if<std::string>();
  return v != nullptr ? *v : std::string();
}

}  // namespace

std::string_view to_string(ExactCount::State state) {
  switch (state) {
    case ExactCount::State::kIdle: return "idle";
    case ExactCount::State::kRunning: return "running";
    case ExactCount::State::kDone: return "done";
    case ExactCount::State::kFailed: return "failed";
  }
  return "?";
}

std::vector<std::pair<int64_t, int64_t>> token_slices(int n) {
  // Murmur3 tokens are in [-2^63, 2^63 - 1]; -2^63 is never a key's token, so the first slice
  // starts above it and `token > begin AND token <= end` covers every key exactly once.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  n = std::max(n, 1);
  const auto width = static_cast<unsigned __int128>(static_cast<__int128>(kMax) - kMin) / static_cast<unsigned>(n);
  std::vector<std::pair<int64_t, int64_t>> out;
  __int128 begin = kMin;
  for (int i = 0; i < n; ++i) {
    const __int128 end = i + 1 == n ? static_cast<__int128>(kMax) : begin + static_cast<__int128>(width);
    out.emplace_back(static_cast<int64_t>(begin), static_cast<int64_t>(end));
    begin = end;
  }
  return out;
}

CassandraView::CassandraView(std::shared_ptr<cassandra::Session> session, std::string keyspace, std::string table,
                             int count_ranges, int count_parallelism)
    : session_(std::move(session)),
      keyspace_(std::move(keyspace)),
      table_(std::move(table)),
      count_ranges_(count_ranges),
      count_parallelism_(count_parallelism) {}

CassandraView::~CassandraView() {
  stopping_ = true;
  if (counter_.joinable()) counter_.join();
}

Result<std::vector<ColumnInfo>> CassandraView::columns() {
  const auto response = session_->query(fmt::format("SELECT column_name, type, kind, position FROM system_schema.columns "
                                                  "WHERE keyspace_name = {} AND table_name = {}",
                                                  literal(keyspace_), literal(table_)));
  auto rows = rows_of(response, "the table's columns");
  if (!rows) return rows.take_error();
  std::vector<std::pair<std::pair<int, int64_t>, ColumnInfo>> sorted;
  for (size_t r = 0; r < (*rows)->rows.size(); ++r) {
    ColumnInfo c{text_cell(**rows, r, 0), text_cell(**rows, r, 1), text_cell(**rows, r, 2)};
    const int rank = c.kind == "partition_key" ? 0 : c.kind == "clustering" ? 1 : 2;
    sorted.push_back({{rank, rank < 2 ? int_cell(**rows, r, 3).value_or(0) : 0}, std::move(c)});
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ColumnInfo> out;
  for (auto& [key, c] : sorted) out.push_back(std::move(c));
  if (out.empty()) {
    return Error(ErrorCode::kNotFound, fmt::format("table {}.{} does not exist (yet)", keyspace_, table_));
  }
  return out;
}

Result<std::optional<int64_t>> CassandraView::write_count() {
  const auto response = session_->query(fmt::format("SELECT count FROM system_views.local_write_latency "
                                                  "WHERE keyspace_name = {} AND table_name = {}",
                                                  literal(keyspace_), literal(table_)));
  auto rows = rows_of(response, "the table's write count");
  if (!rows) return rows.take_error();
  if ((*rows)->rows.empty()) return std::optional<int64_t>();
  return int_cell(**rows, 0, 0);
}

Result<std::optional<int64_t>> CassandraView::estimated_rows() {
  const auto response = session_->query(fmt::format("SELECT partitions_count FROM system.size_estimates "
                                                  "WHERE keyspace_name = {} AND table_name = {}",
                                                  literal(keyspace_), literal(table_)));
  auto rows = rows_of(response, "the table's size estimates");
  if (!rows) return rows.take_error();
  if ((*rows)->rows.empty()) return std::optional<int64_t>();
  int64_t total = 0;
  for (size_t r = 0; r < (*rows)->rows.size(); ++r) total += int_cell(**rows, r, 0).value_or(0);
  return std::optional<int64_t>(total);
}

Status CassandraView::start_exact_count(int64_t started_ms) {
  {
    std::lock_guard lock(mutex_);
    if (count_.state == ExactCount::State::kRunning) {
      return Error(ErrorCode::kInvalidArgument, "an exact count is already running; wait for it to finish");
    }
  }
  auto cols = columns();
  if (!cols) return cols.take_error();
  std::string partition_key;
  for (const auto& c : *cols) {
    if (c.kind == "partition_key") partition_key += (partition_key.empty() ? "" : ", ") + identifier(c.name);
  }
  if (counter_.joinable()) counter_.join();  // the last count's thread, finished
  auto slices = token_slices(count_ranges_);
  {
    std::lock_guard lock(mutex_);
    count_ = ExactCount{};
    count_.state = ExactCount::State::kRunning;
    count_.ranges_total = static_cast<int>(slices.size());
    count_.started_ms = started_ms;
  }
  counter_ = std::thread([this, partition_key, slices = std::move(slices), started_ms]() mutable {
    count(partition_key, std::move(slices), started_ms);
  });
  return ok_status();
}

void CassandraView::count(std::string partition_key, std::vector<std::pair<int64_t, int64_t>> slices,
                          int64_t started_ms) {
  const std::string table = identifier(keyspace_) + "." + identifier(table_);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> total{0};
  std::mutex error_mutex;
  std::string error;
  auto worker = [&] {
    while (!stopping_) {
      const size_t i = next++;
      if (i >= slices.size()) return;
      {
        std::lock_guard lock(error_mutex);
        if (!error.empty()) return;
      }
      const auto [begin, end] = slices[i];
      const auto response = session_->query(fmt::format("SELECT count(*) FROM {} WHERE token({}) > {} AND token({}) <= {}",
                                                      table, partition_key, begin, partition_key, end));
      auto rows = rows_of(response, fmt::format("count of token slice {}/{}", i + 1, slices.size()));
      const auto n = rows.ok() ? int_cell(**rows, 0, 0) : std::nullopt;
      if (!n) {
        std::lock_guard lock(error_mutex);
        if (error.empty()) error = rows.ok() ? "count(*) returned no number" : rows.error().message;
        return;
      }
      total += *n;
      std::lock_guard lock(mutex_);
      count_.ranges_done++;
      count_.rows_so_far = total;
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < count_parallelism_; ++i) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
  std::lock_guard lock(mutex_);
  count_.elapsed_ms = now_ms() - started_ms;
  if (!error.empty() || stopping_) {
    count_.state = ExactCount::State::kFailed;
    count_.error = stopping_ ? "the console stopped" : error;
  } else {
    count_.state = ExactCount::State::kDone;
    count_.rows = total.load();
  }
}

ExactCount CassandraView::exact_count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace rds::console
