#include "ingest/ingest_job.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "core/log.h"

namespace rds::ingest {
namespace {

using Clock = std::chrono::steady_clock;

void print_progress(const IngestSummary& s, const kafka::ProducerCounters& c, Clock::time_point started, bool tty) {
  const double secs = std::chrono::duration<double>(Clock::now() - started).count();
  const uint64_t delivered = c.delivered.load();
  const std::string line =
      fmt::format("{:7.1f} s  produced {:>9}  delivered {:>9}  {:>9.0f} rec/s  retries {:>4}  failed {:>3}", secs,
                  c.produced.load(), delivered, secs > 0 ? static_cast<double>(delivered) / secs : 0.0, s.retries,
                  c.failed.load());
  if (tty) {
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
  } else {
    log::info("ingest", "{}", line);
  }
}

}  // namespace

std::string IngestSummary::to_text() const {
  std::string out = fmt::format(
      "fetched {}  produced {}  delivered {}  failed {}  undelivered {}  skipped {}  requests {}  retries {}", fetched,
      produced, delivered, failed, undelivered, skipped, requests, retries);
  if (!retries_by_reason.empty()) {
    out += "  (";
    bool first = true;
    for (const auto& [reason, n] : retries_by_reason) {
      out += fmt::format("{}{} {}", first ? "" : ", ", reason, n);
      first = false;
    }
    out += ")";
  }
  const double secs = std::chrono::duration<double>(elapsed).count();
  out += fmt::format("  in {:.1f} s ({:.0f} records/s)", secs, secs > 0 ? static_cast<double>(delivered) / secs : 0.0);
  return out;
}

Result<IngestSummary> run_ingest(RecordSource& source, const IngestOptions& options, const std::atomic<bool>& stop,
                                 DeliveredHook on_delivered) {
  RDS_TRY(options.producer.validate());
  Status topic = kafka::ensure_topic(options.producer.bootstrap_servers, options.producer.topic,
                                     options.topic_partitions, options.topic_replication_factor,
                                     std::chrono::seconds(30));
  if (!topic.ok()) {
    return topic.take_error().with_context(
        fmt::format("is Kafka up on {}? (rdstream stack up)", options.producer.bootstrap_servers));
  }
  IngestSummary summary;
  auto producer = kafka::Producer::create(options.producer, [&](const kafka::DeliveryReport& report) {
    if (!report.status.ok()) {
      log::error("ingest", "record {} not delivered: {}", report.token, report.status.error().message);
    }
    if (on_delivered) on_delivered(report);
  });
  if (!producer.ok()) return producer.take_error();
  kafka::Producer& p = **producer;
  log::info("ingest", "{} -> topic {} on {}", source.describe(), options.producer.topic,
            options.producer.bootstrap_servers);

  const auto started = Clock::now();
  auto last_progress = started;
  uint64_t sequence = 0;
  while (!stop.load() && !p.fatal()) {
    if (options.duration && Clock::now() - started >= *options.duration) break;
    int want = options.batch_records;
    if (options.count) {
      if (summary.produced >= *options.count) break;
      want = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(want), *options.count - summary.produced));
    }
    auto batch = source.next(want, stop);
    if (!batch.ok()) {
      summary.source_error = batch.error().message;
      summary.source_error_code = batch.error().code;
      log::error("ingest", "{}", batch.error().message);
      break;
    }
    const auto fetched_at = Clock::now();
    for (const auto& record : *batch) {
      if (options.count && summary.produced >= *options.count) break;
      if (options.on_fetched) options.on_fetched(record, fetched_at);
      std::string value = mapping::to_json(record);
      Status queued = p.produce(record.id(), value, sequence++);
      if (!queued.ok()) {
        summary.source_error = queued.error().message;
        break;
      }
      ++summary.produced;
    }
    if (!summary.source_error.empty()) break;
    p.poll(std::chrono::milliseconds(0));
    if (Clock::now() - last_progress >= (options.progress_line ? std::chrono::milliseconds(250) : std::chrono::seconds(5))) {
      summary.retries = source.counters().retries;
      print_progress(summary, p.counters(), started, options.progress_line);
      last_progress = Clock::now();
    }
  }
  // Drain: every produced record gets its delivery report (or the flush times out).
  Status flushed = p.flush(options.flush_timeout);
  if (options.progress_line) std::fprintf(stderr, "\n");
  if (!flushed.ok()) log::error("ingest", "{}", flushed.error().message);
  if (p.fatal() && summary.source_error.empty()) summary.source_error = "fatal Kafka producer error (see above)";

  const auto& c = p.counters();
  const auto& sc = source.counters();
  summary.fetched = sc.fetched;
  summary.skipped = sc.skipped;
  summary.requests = sc.requests;
  summary.retries = sc.retries;
  summary.retries_by_reason = sc.retries_by_reason;
  summary.delivered = c.delivered.load();
  summary.failed = c.failed.load();
  summary.undelivered = p.in_flight();
  summary.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return summary;
}

}  // namespace rds::ingest
