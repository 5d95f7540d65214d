// Cassandra insert benchmark, rdstream side: the same prepared inserts as
// the Java driver loader (bench/peers/java-loader), through CassandraSink with a bounded number in flight, into
// a table of the seed's created_users shape. Prints one JSON object. Run by scripts/bench-cassandra
// and scripts/bench-pipeline.
//
// Two modes. Bulk (the default): all rows made in memory first, then handed over as fast as the
// sink takes them: the raw insert ceiling. Paced (--rate R): rows made and handed over at R per
// second in ~5 ms steps, and each row's latency taken from when it was due, not from when it was
// sent: a stall that holds the hand-over back is counted, not hidden (no coordinated omission).
// That is Cassandra's own latency at a rate, the reference for the pipeline's end-to-end latency.
#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cassandra/schema.h"
#include "cassandra/session.h"
#include "sink/cassandra/cassandra_sink.h"
#include "sink/cassandra/cassandra_sink_probe.h"

namespace {

using rds::cql::Value;

const char* const kColumns[] = {"id", "first_name", "last_name", "gender", "address", "post_code", "email",
                                "username", "registered_date", "phone", "picture"};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

rds::cql::Uuid random_uuid(std::mt19937_64& rng) {
  rds::cql::Uuid u{};
  uint64_t a = rng(), b = rng();
  for (int k = 0; k < 8; ++k) {
    u.bytes[static_cast<size_t>(k)] = static_cast<uint8_t>(a >> (8 * k));
    u.bytes[static_cast<size_t>(k + 8)] = static_cast<uint8_t>(b >> (8 * k));
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);
  return u;
}

// The same values as the Java loader's Loader.makeRow (bench/peers/java-loader).
rds::sink::Row make_row(int i, std::mt19937_64& rng) {
  return {Value(random_uuid(rng)),
          Value(fmt::format("First{}", i % 997)),
          Value(fmt::format("Last{}", i % 991)),
          Value(std::string(i % 2 ? "female" : "male")),
          Value(fmt::format("{} Harbour Road, Eastvale, Oregon, United States", i % 9999)),
          Value(fmt::format("{}", 10000 + i % 89999)),
          Value(fmt::format("first{}.last{}@example.com", i % 997, i % 991)),
          Value(fmt::format("bluefox{}", i % 100000)),
          Value(std::string("2011-07-02T18:03:10.101Z")),
          Value(std::string("(512) 555-0176")),
          Value(fmt::format("https://randomuser.me/api/portraits/med/women/{}.jpg", i % 99))};
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 9042, rows = 100000, in_flight = 256;
  double rate = 0;  // rows per second; 0 = bulk
  int batch_rows = rds::sink::CassandraSinkConfig::kDefaultBatchMaxRows;
  int batch_bytes = rds::sink::CassandraSinkConfig::kDefaultBatchMaxBytes;
  for (int a = 1; a + 1 < argc; a += 2) {
    std::string k = argv[a], v = argv[a + 1];
    if (k == "--host") host = v;
    else if (k == "--port") port = std::atoi(v.c_str());
    else if (k == "--rows") rows = std::atoi(v.c_str());
    else if (k == "--in-flight") in_flight = std::atoi(v.c_str());
    else if (k == "--batch-rows") batch_rows = std::atoi(v.c_str());
    else if (k == "--batch-bytes") batch_bytes = std::atoi(v.c_str());
    else if (k == "--rate") rate = std::atof(v.c_str());
  }
  if (rows <= 0 || in_flight <= 0 || rate < 0) {
    std::cerr << "sink_bench: --rows and --in-flight must be > 0, --rate >= 0\n";
    return 2;
  }
  rds::cassandra::SessionConfig config;
  config.contact_points = {host};
  config.port = static_cast<uint16_t>(port);
  config.credentials = {"cassandra", "cassandra"};
  auto session = rds::cassandra::Session::connect(config);
  if (!session.ok()) {
    std::cerr << "sink_bench: " << session.error().message << "\n";
    return 3;
  }
  rds::cassandra::Session& s = **session;
  std::string cols;
  for (size_t c = 1; c < std::size(kColumns); ++c) cols += fmt::format(", {} TEXT", kColumns[c]);
  const std::string script = fmt::format(
      "CREATE KEYSPACE IF NOT EXISTS rdstream_bench WITH replication = {{'class': 'SimpleStrategy', "
      "'replication_factor': 1}};"
      "CREATE TABLE IF NOT EXISTS rdstream_bench.created_users_rds (id UUID PRIMARY KEY{});"
      "TRUNCATE rdstream_bench.created_users_rds;",
      cols);
  if (auto st = rds::cassandra::execute_script(s, script); !st.ok()) {
    std::cerr << "sink_bench: " << st.error().message << "\n";
    return 3;
  }
  std::string names, markers;
  for (size_t c = 0; c < std::size(kColumns); ++c) {
    names += (c ? ", " : "") + std::string(kColumns[c]);
    markers += c ? ", ?" : "?";
  }
  rds::sink::CassandraSinkConfig sink_config;
  sink_config.insert_cql = fmt::format("INSERT INTO rdstream_bench.created_users_rds ({}) VALUES ({})", names, markers);
  sink_config.consistency = rds::cql::Consistency::kLocalOne;
  sink_config.max_in_flight = in_flight;
  sink_config.batch_max_rows = batch_rows;
  sink_config.batch_max_bytes = batch_bytes;
  rds::sink::CassandraSink sink(s, sink_config);
  if (auto st = sink.start(); !st.ok()) {
    std::cerr << "sink_bench: " << st.error().message << "\n";
    return 3;
  }
  std::mt19937_64 rng(42);
  std::atomic<uint64_t> failed{0};
  rds::sink::LatencyHistogram from_due;  // paced mode: due -> acknowledged
  double cpu0 = 0;
  std::chrono::steady_clock::time_point t0;
  if (rate == 0) {
    std::vector<rds::sink::Row> all;
    all.reserve(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) all.push_back(make_row(i, rng));
    cpu0 = cpu_seconds();
    t0 = std::chrono::steady_clock::now();
    // Hand the rows over in slices, as the processor does with polled Kafka batches.
    constexpr size_t kSlice = 500;
    for (size_t start = 0; start < all.size(); start += kSlice) {
      std::vector<rds::sink::Row> slice(std::make_move_iterator(all.begin() + static_cast<long>(start)),
                                        std::make_move_iterator(all.begin() + static_cast<long>(std::min(all.size(), start + kSlice))));
      sink.write(std::move(slice), [&](size_t, const rds::sink::RowOutcome& o) {
        if (!o.status.ok()) failed.fetch_add(1);
      });
    }
  } else {
    cpu0 = cpu_seconds();
    t0 = std::chrono::steady_clock::now();
    const auto due = [t0, rate](size_t i) {
      return t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(i) / rate));
    };
    size_t made = 0;
    while (made < static_cast<size_t>(rows)) {
      const auto now = std::chrono::steady_clock::now();
      const double elapsed_s = std::chrono::duration<double>(now - t0).count();
      const size_t due_now = std::min(static_cast<size_t>(rows), static_cast<size_t>(elapsed_s * rate) + 1);
      if (due_now > made) {
        std::vector<rds::sink::Row> slice;
        slice.reserve(due_now - made);
        for (size_t i = made; i < due_now; ++i) slice.push_back(make_row(static_cast<int>(i), rng));
        sink.write(std::move(slice), [&failed, &from_due, due, first = made](size_t index, const rds::sink::RowOutcome& o) {
          if (!o.status.ok()) failed.fetch_add(1);
          else from_due.record(std::chrono::steady_clock::now() - due(first + index));
        });
        made = due_now;
      }
      std::this_thread::sleep_until(now + std::chrono::milliseconds(5));
    }
  }
  auto drained = sink.drain(std::chrono::minutes(10));
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const auto snap = sink.probe().snapshot();
  int64_t count = -1;
  auto counted = s.query("SELECT COUNT(*) FROM rdstream_bench.created_users_rds", rds::cql::Consistency::kOne);
  if (counted.ok()) {
    if (auto* r = std::get_if<rds::cql::RowsResult>(&counted->message); r != nullptr && !r->rows.empty()) {
      auto v = r->value(0, 0);
      if (v.ok()) {
        if (auto* n = v->get_if<int64_t>()) count = *n;
      }
    }
  }
  const auto ms = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; };
  const std::string paced =
      rate == 0 ? std::string()
                : fmt::format(", \"rate\": {:.1f}, \"p50_ms_from_due\": {:.3f}, \"p99_ms_from_due\": {:.3f}", rate,
                              ms(from_due.quantile(0.50)), ms(from_due.quantile(0.99)));
  std::cout << fmt::format(
      "{{\"tool\": \"rdstream CassandraSink\", \"rows\": {}, \"rows_in_table\": {}, \"errors\": {}, "
      "\"in_flight\": {}, \"rows_per_request\": {:.2f}, \"seconds\": {:.3f}, \"inserts_per_s\": {:.1f}, \"p50_ms\": {:.3f}, \"p99_ms\": {:.3f}, "
      "\"client_cpu_s\": {:.3f}, \"drained\": {}{}}}\n",
      rows, count, failed.load(), in_flight, snap.rows_per_request(), elapsed, rows / elapsed, ms(snap.latency_p50),
      ms(snap.latency_p99), cpu, drained.ok() ? "true" : "false", paced);
  return failed.load() == 0 && drained.ok() ? 0 : 1;
}
