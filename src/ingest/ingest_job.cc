#include "ingest/ingest_job.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <thread>

#include "core/log.h"
#include "ingest/rate_pacer.h"

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

// The pacer's clock in a real run: waiting serves the producer's delivery reports (poll), so a
// rate-limited run keeps its counters current; sub-millisecond waits sleep.
class ProducerPollingClock final : public PacerClock {
 public:
  explicit ProducerPollingClock(kafka::Producer& producer) : producer_(producer) {}
  Clock::time_point now() override { return Clock::now(); }
  void sleep_for(Clock::duration d) override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
    if (ms.count() >= 1) {
      producer_.poll(ms);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

 private:
  kafka::Producer& producer_;
};

}  // namespace

Status IngestOptions::validate() const {
  if (!std::isfinite(rate) || rate < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("--rate: must be a number of records per second >= 0 (0 = unlimited), got {}", rate));
  }
  if (batch_records < 1) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("--results: must be at least 1, got {}", batch_records));
  }
  return ok_status();
}

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
  if (staging) {
    out += fmt::format("  staged {}  recovered {}  marked delivered {}{} (PostgreSQL: staging {:.1f} s, marking {:.1f} s)",
                       staging->staged, staging->recovered, staging->marked,
                       staging->set_aside > 0 ? fmt::format("  set aside {}", staging->set_aside) : std::string(),
                       static_cast<double>(staging->stage_time.count()) / 1e6,
                       static_cast<double>(staging->mark_time.count()) / 1e6);
  }
  const double secs = std::chrono::duration<double>(elapsed).count();
  out += fmt::format("  in {:.1f} s ({:.0f} records/s)", secs, secs > 0 ? static_cast<double>(delivered) / secs : 0.0);
  return out;
}

namespace {

// The job's series in the one vocabulary (metrics/metrics.h), looked up once.
struct IngestMetrics {
  explicit IngestMetrics(metrics::Metrics& m)
      : received_records(m.received_records(metrics::kIngest)),
        received_bytes(m.received_bytes(metrics::kIngest)),
        sent_records(m.sent_records(metrics::kIngest)),
        sent_bytes(m.sent_bytes(metrics::kIngest)),
        delivery_latency(m.kafka_delivery_latency(metrics::kIngest)),
        delivery_errors(m.errors(metrics::kIngest, "kafka_delivery")),
        source_errors(m.errors(metrics::kIngest, "source")),
        api_retries(m.retries(metrics::kIngest, metrics::kApi)),
        in_flight_records(m.in_flight_records(metrics::kIngest)),
        kafka_connected(m.engine_connected(metrics::kKafka)),
        discarded(m.discarded_records(metrics::kIngest, "invalid_element")),
        registry(m) {}
  prometheus::Counter& received_records;
  prometheus::Counter& received_bytes;
  prometheus::Counter& sent_records;
  prometheus::Counter& sent_bytes;
  prometheus::Histogram& delivery_latency;
  prometheus::Counter& delivery_errors;
  prometheus::Counter& source_errors;
  prometheus::Counter& api_retries;
  prometheus::Gauge& in_flight_records;
  prometheus::Gauge& kafka_connected;
  prometheus::Counter& discarded;  // API elements the source skipped (bad JSON element, mapping failure)
  metrics::Metrics& registry;
  prometheus::Gauge* api_connected = nullptr;  // set once the source is seen to be an HTTP one
  uint64_t skipped_seen = 0;
};

}  // namespace

Result<IngestSummary> run_ingest(RecordSource& source, const IngestOptions& options, const std::atomic<bool>& stop,
                                 DeliveredHook on_delivered) {
  RDS_TRY(options.validate());
  RDS_TRY(options.producer.validate());
  metrics::Metrics private_metrics;
  IngestMetrics m(options.metrics != nullptr ? *options.metrics : private_metrics);
  auto make_topic = [&](std::chrono::milliseconds timeout) {
    return kafka::ensure_topic(options.producer.bootstrap_servers, options.producer.topic, options.topic_partitions,
                               options.topic_replication_factor, timeout, options.producer.extra);
  };
  Status topic = make_topic(std::chrono::seconds(30));
  // With staging, Kafka may be down at the start: the topic is made once it answers (records meant
  // for it wait in PostgreSQL; the producer does not create it with the broker's defaults).
  bool topic_ready = topic.ok();
  auto next_topic_attempt = Clock::now();
  auto retry_topic = [&] {
    if (topic_ready || Clock::now() < next_topic_attempt) return;
    Status made = make_topic(std::chrono::seconds(1));
    if (!made.ok()) {
      next_topic_attempt = Clock::now() + std::chrono::seconds(5);
      return;
    }
    topic_ready = true;
    m.kafka_connected.Set(1);
    log::info("ingest", "Kafka on {} answers: topic {} is ready", options.producer.bootstrap_servers,
              options.producer.topic);
  };
  if (!topic.ok() && (options.staging == nullptr || !topic.error().retriable)) {
    // A TLS or SASL failure names its own fix; anything else is most often a broker not running.
    const bool refused = topic.error().code == ErrorCode::kAuth;
    return topic.take_error().with_context(
        refused ? fmt::format("connecting to Kafka on {}", options.producer.bootstrap_servers)
                : kafka::unanswered_hint(options.producer.bootstrap_servers));
  }
  if (!topic.ok()) {
    // Staging: fetching goes on into PostgreSQL; the producer connects when Kafka answers.
    log::warn("ingest", "Kafka on {} does not answer ({}); staging in PostgreSQL meanwhile",
              options.producer.bootstrap_servers, topic.error().message);
  } else {
    m.kafka_connected.Set(1);  // Kafka answered: the producer's brokers are reachable
  }
  IngestSummary summary;
  StagingRelay* relay = nullptr;  // set below, when staging is on
  auto producer = kafka::Producer::create(options.producer, [&](const kafka::DeliveryReport& report) {
    if (relay != nullptr) relay->on_delivery(report);
    if (!report.status.ok()) {
      m.delivery_errors.Increment();
      log::error("ingest", "record {} not delivered: {}", report.token, report.status.error().message);
    } else {
      m.sent_records.Increment();
      m.sent_bytes.Increment(static_cast<double>(report.bytes));
    }
    if (report.latency.count() >= 0) m.delivery_latency.Observe(static_cast<double>(report.latency.count()) / 1e6);
    if (on_delivered) on_delivered(report);
  });
  if (!producer.ok()) return producer.take_error();
  kafka::Producer& p = **producer;
  JsonRecordEncoder json_encoder;
  RecordEncoder& encoder = options.encoder != nullptr ? *options.encoder : json_encoder;
  log::info("ingest", "{} -> topic {} on {} as {}{}", source.describe(), options.producer.topic,
            options.producer.bootstrap_servers, encoder.describe(),
            options.staging != nullptr ? fmt::format(", staged in PostgreSQL (run {})", options.run_id) : "");
  std::optional<StagingRelay> staging;
  uint64_t staged_bytes_seen = 0;
  if (options.staging != nullptr) {
    if (options.staging_writer == nullptr || options.staging_marker == nullptr) {
      return Error(ErrorCode::kInternal, "staging: the writing and marking connections are missing");
    }
    staging.emplace(*options.staging, *options.staging_writer, *options.staging_marker, p, encoder, options.run_id);
    relay = &*staging;
    source.keep_raw(true);  // the API's user JSON goes into the outbox beside the mapped record
    // Rows earlier runs staged but did not see delivered go first.
    Status recovered = staging->relay();
    if (!recovered.ok()) return recovered.take_error().with_context("producing the rows earlier runs left pending");
  }

  const auto started = Clock::now();
  auto last_progress = started;
  const auto deadline = options.duration ? started + *options.duration : Clock::time_point::max();
  ProducerPollingClock pacer_clock(p);
  std::optional<RatePacer> pacer;
  if (options.rate > 0) {
    pacer.emplace(options.rate, pacer_clock);
    log::info("ingest", "rate limit {} records/s, in steps of {} (at most {} at once)", options.rate, pacer->step(),
              pacer->capacity());
  }
  // Fetched but not produced yet: an API page under --rate goes out in paced slices.
  std::vector<mapping::Record> pending;
  std::vector<std::string> pending_raw;  // with staging: the users' API JSON, parallel to `pending`
  size_t pending_pos = 0;
  Clock::time_point fetched_at;
  uint64_t sequence = 0;
  while (!stop.load() && !p.fatal()) {
    if (Clock::now() >= deadline) break;
    int want = options.batch_records;
    if (options.count) {
      if (summary.produced >= *options.count) break;
      want = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(want), *options.count - summary.produced));
    }
    int granted = want;
    if (pacer) {
      granted = static_cast<int>(pacer->acquire(want, stop, deadline));
      if (granted == 0) continue;  // stopped or out of time: the loop's checks end it
    }
    if (pending_pos == pending.size()) {
      auto batch = source.next(pacer && source.sized_on_demand() ? granted : want, stop);
      if (source.counters().requests > 0) {
        // An HTTP source: whether the API answers is its connection state (the generator has none).
        if (m.api_connected == nullptr) m.api_connected = &m.registry.engine_connected(metrics::kApi);
        m.api_connected->Set(batch.ok() ? 1 : 0);
      }
      if (const uint64_t skipped = source.counters().skipped; skipped > m.skipped_seen) {
        m.discarded.Increment(static_cast<double>(skipped - m.skipped_seen));
        m.skipped_seen = skipped;
      }
      if (!batch.ok()) {
        m.source_errors.Increment();
        summary.source_error = batch.error().message;
        summary.source_error_code = batch.error().code;
        log::error("ingest", "{}", batch.error().message);
        break;
      }
      pending = std::move(batch).value();
      if (staging) pending_raw = source.take_raw();
      pending_pos = 0;
      fetched_at = Clock::now();
      m.received_records.Increment(static_cast<double>(pending.size()));
    }
    const size_t n = std::min(static_cast<size_t>(granted), pending.size() - pending_pos);
    if (pacer) pacer->give_back(granted - static_cast<int>(n));
    const auto released_at = pacer ? std::max(fetched_at, Clock::now()) : fetched_at;
    if (staging) {
      // The slice is staged (one transaction) and produced by the relay.
      const std::span<const mapping::Record> slice(pending.data() + pending_pos, n);
      if (options.on_fetched) {
        for (const auto& record : slice) options.on_fetched(record, released_at);
      }
      const std::span<const std::string> raw =
          pending_raw.size() == pending.size() ? std::span<const std::string>(pending_raw.data() + pending_pos, n)
                                               : std::span<const std::string>();
      Status staged = staging->stage(slice, raw, std::chrono::system_clock::now());
      if (!staged.ok()) {
        summary.source_error = staged.error().message;
        summary.source_error_code = staged.error().code;
        break;
      }
      pending_pos += n;
      summary.produced += n;
      m.received_bytes.Increment(static_cast<double>(staging->counters().value_bytes - staged_bytes_seen));
      staged_bytes_seen = staging->counters().value_bytes;
    }
    for (size_t i = 0; !staging && i < n; ++i) {
      const mapping::Record& record = pending[pending_pos++];
      if (options.on_fetched) options.on_fetched(record, released_at);
      auto value = encoder.encode(record);
      if (!value.ok()) {
        summary.source_error = value.error().message;
        summary.source_error_code = value.error().code;
        break;
      }
      m.received_bytes.Increment(static_cast<double>(value->size()));
      Status queued = p.produce(record.id(), *value, sequence++);
      if (!queued.ok()) {
        summary.source_error = queued.error().message;
        break;
      }
      ++summary.produced;
    }
    if (!summary.source_error.empty()) break;
    if (pending_pos == pending.size()) {
      pending.clear();
      pending_pos = 0;
    }
    p.poll(std::chrono::milliseconds(0));
    if (staging) {
      retry_topic();
      // Catch up from PostgreSQL and mark what was delivered; PostgreSQL down stops the run (the
      // rows it holds are safe, and the next run produces them).
      Status relayed = staging->relay();
      if (!relayed.ok()) {
        summary.source_error = relayed.error().message;
        summary.source_error_code = relayed.error().code;
        break;
      }
    }
    m.in_flight_records.Set(static_cast<double>(p.in_flight()));
    if (const uint64_t retries = source.counters().retries; retries > summary.retries) {
      m.api_retries.Increment(static_cast<double>(retries - summary.retries));
      summary.retries = retries;
    }
    if (Clock::now() - last_progress >= (options.progress_line ? std::chrono::milliseconds(250) : std::chrono::seconds(5))) {
      print_progress(summary, p.counters(), started, options.progress_line);
      last_progress = Clock::now();
    }
  }
  // Drain: every produced record gets its delivery report (or the flush times out); with staging,
  // until every staged row is produced and marked delivered (failed deliveries produced again).
  Status flushed = ok_status();
  if (staging) {
    const auto drain_deadline = Clock::now() + options.flush_timeout;
    while (!staging->idle() && Clock::now() < drain_deadline && !p.fatal()) {
      p.poll(std::chrono::milliseconds(50));
      retry_topic();
      Status relayed = staging->relay();
      if (!relayed.ok()) {
        log::error("ingest", "{}", relayed.error().message);
        break;
      }
    }
  }
  if (flushed.ok()) flushed = p.flush(options.flush_timeout);
  if (options.progress_line) std::fprintf(stderr, "\n");
  if (!flushed.ok()) log::error("ingest", "{}", flushed.error().message);
  m.in_flight_records.Set(static_cast<double>(p.in_flight()));
  if (const uint64_t retries = source.counters().retries; retries > summary.retries) {
    m.api_retries.Increment(static_cast<double>(retries - summary.retries));
  }
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
  if (staging) {
    (void)staging->relay();  // the last marks
    summary.staging = staging->counters();
    summary.staging_drained = staging->idle();
  }
  summary.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return summary;
}

}  // namespace rds::ingest
