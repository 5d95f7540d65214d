#include "app/run_stage.h"

#include <fmt/format.h>

#include <thread>

#include "app/component_configs.h"
#include "app/ingest_stage.h"
#include "app/observability.h"
#include "app/latency_tracker.h"
#include "app/process_stage.h"
#include "core/log.h"

namespace rds::app {

namespace {

// Ready once the stage exists (its Cassandra session is up) and the group gave it partitions.
metrics::ReadinessCheck process_readiness(const ProcessStage& stage) {
  return [&stage] {
    return stage.has_been_assigned() ? metrics::Readiness{}
                                     : metrics::Readiness{{"partitions assigned by the consumer group"}};
  };
}

}  // namespace

// Writes in flight to Cassandra, and the rows it answered; and the lag's ages, which grow while
// the processor's thread waits on Cassandra.
void watch_cassandra(Observability& o, const ProcessStage& stage) {
  o.every_tick([&stage, &connected = o.metrics().engine_connected(metrics::kCassandra)] {
    stage.probe().refresh_lag_ages();
    // Connected while at least one connection that got ready has not closed.
    const auto s = stage.session().probe().snapshot();
    connected.Set(s.connections_opened > s.connections_closed ? 1 : 0);
  });
  o.watch_for_stalls(std::string(metrics::kCassandra), "writes", [&stage] {
    const auto s = stage.sink().probe().snapshot();
    return std::make_pair(static_cast<uint64_t>(std::max<int64_t>(s.in_flight, 0)), s.rows_written + s.rows_failed);
  });
}

Outcome run_process_stage(const config::Settings& settings) {
  auto observability = Observability::start(settings);
  if (!observability.ok()) return Outcome::failed(observability.error());
  (*observability)->set_readiness([] { return metrics::Readiness{{"the Cassandra session"}}; });
  auto stage = ProcessStage::create(settings, (*observability)->metrics(), (*observability)->address());
  if (!stage.ok()) return Outcome::failed(stage.error());
  (*observability)->set_readiness(process_readiness(**stage));
  watch_cassandra(**observability, **stage);
  auto report = (*stage)->run();
  (*observability)->stopped();  // the stage ends before the endpoint
  if (!report.ok()) {
    Outcome o = Outcome::failed(report.error());
    o.kind = Outcome::Kind::kUnavailable;
    return o;
  }
  // "retries" are the processor's (a partition paused and its rows re-sent); "Cassandra retries"
  // the sink's own re-sends within its retry budget (an outage shorter than it shows only there).
  Outcome outcome;
  outcome.summary = fmt::format(
      "process summary: consumed {}  stored {}  dead-lettered {}  retries {}  Cassandra retries {}  left in flight {}\n",
      report->consumed, report->stored, report->dead_lettered, report->retries,
      (*stage)->sink().probe().snapshot().retries, report->left_in_flight);
  return outcome;
}

Outcome run_pipeline(const config::Settings& settings, const std::atomic<bool>& stop) {
  auto plan = ingest_plan(settings);
  if (!plan.ok()) return Outcome::failed(plan.error());
  auto observability = Observability::start(settings);
  if (!observability.ok()) return Outcome::failed(observability.error());
  (*observability)->set_readiness([] { return metrics::Readiness{{"the Cassandra session"}}; });
  metrics::Metrics& metrics = (*observability)->metrics();
  plan->options.metrics = &metrics;
  // Avro: the schema is registered before anything is produced (or consumed, for run).
  auto connected = connect_ingest(settings, stop, plan->options);
  if (!connected.ok()) return Outcome::failed(connected.error());
  LatencyTracker latency;
  // The processor first: the table exists and the group is joining before the first record.
  auto stage = ProcessStage::create(
      settings, metrics, (*observability)->address(), [&latency](const sink::Row& row) { if (!row.empty()) latency.acknowledged(row.front()); },
      [&latency](const std::vector<sink::Row>& rows) { latency.handed_to_sink(rows); });
  if (!stage.ok()) return Outcome::failed(stage.error());
  (*observability)->set_readiness([processing = process_readiness(**stage), ingesting = ingest_readiness(metrics)] {
    metrics::Readiness r = processing();
    for (auto& w : ingesting().waiting_for) r.waiting_for.push_back(std::move(w));
    return r;
  });
  watch_cassandra(**observability, **stage);
  watch_kafka_deliveries(**observability);
  Result<process::ProcessorReport> processed = Error(ErrorCode::kInternal, "processor did not run");
  std::atomic<bool> processor_done{false};
  std::thread processor([&] {
    processed = (*stage)->run();
    processor_done = true;
  });
  // Fetch from the API only once the processor holds its partitions: records fetched during the
  // group join would only wait in Kafka (their latency is the join's, ~0.1-1 s, not the pipeline's).
  const auto join_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool assigned = false;
  while (!(assigned = (*stage)->has_been_assigned()) && !processor_done.load() && !stop.load() &&
         std::chrono::steady_clock::now() < join_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!assigned && !processor_done.load() && !stop.load()) {
    log::warn("run", "the processor has no partitions after 30 s (another member of group {} holds them?); "
              "ingesting anyway, records wait in Kafka until a processor takes them", settings.process.group());
  }

  log::info("run", "seed {} (pass --seed {} to replay this run)", plan->seed, plan->seed);
  plan->options.on_fetched = [&latency](const mapping::Record& record, std::chrono::steady_clock::time_point at) {
    latency.fetched(record.id(), at);
  };
  const auto started = std::chrono::steady_clock::now();
  auto ingested = ingest::run_ingest(*plan->source, plan->options, stop);

  // Wait until Cassandra has every row this run fetched (or the processor stopped, or Ctrl-C).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(settings.process.drain_timeout_s());
  while (ingested.ok() && !stop.load() && latency.pending() > 0 && std::chrono::steady_clock::now() < deadline) {
    const auto snap = (*stage)->probe().snapshot();
    // Records that will never be acknowledged by the sink (dead-lettered) leave `pending` above
    // zero; then the processor having nothing in flight and no lag means it is done.
    if (snap.in_flight == 0 && snap.lag == 0 && snap.records_dead_lettered > 0 &&
        latency.pending() <= snap.records_dead_lettered) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*stage)->request_stop();
  processor.join();
  (*observability)->stopped();  // the stage ends before the endpoint
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!ingested.ok()) {
    Outcome o = Outcome::failed(ingested.error());
    o.kind = Outcome::Kind::kUnavailable;
    return o;
  }
  Outcome outcome;
  const auto snap = (*stage)->probe().snapshot();
  const auto& h = latency.histogram();
  // The offered load: records produced per second of the ingest loop (with a rate, the rate achieved).
  const double ingest_secs = std::chrono::duration<double>(ingested->elapsed).count();
  const double ingest_rate = ingest_secs > 0 ? static_cast<double>(ingested->produced) / ingest_secs : 0.0;
  outcome.summary += fmt::format(
      "run summary: fetched {}  produced {}  delivered {}  stored in Cassandra {}  dead-lettered {}  "
      "end-to-end latency p50 {:.1f} ms  p99 {:.1f} ms  ({} rows timed)  in {:.1f} s  (ingest {:.0f} records/s)\n",
      ingested->fetched, ingested->produced, ingested->delivered, snap.records_stored, snap.records_dead_lettered,
      static_cast<double>(h.quantile(0.50).count()) / 1000.0, static_cast<double>(h.quantile(0.99).count()) / 1000.0,
      h.count(), seconds, ingest_rate);
  // Where the time went: fetch -> the processor handed the row to the sink (producer, Kafka,
  // consumer, validation), and the sink's own send -> acknowledgement (Cassandra; the rest of
  // the end-to-end time is the wait for a free in-flight slot).
  const auto& to_sink = latency.to_sink_histogram();
  const auto& cassandra = (*stage)->sink().probe().latency();
  const auto sink_snap = (*stage)->sink().probe().snapshot();
  const auto ms = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; };
  outcome.summary += fmt::format(
      "run latency breakdown: fetch -> handed to the sink p50 {:.1f} ms  p99 {:.1f} ms;  "
      "Cassandra write p50 {:.1f} ms  p99 {:.1f} ms  ({} batches, {:.1f} rows per request)\n",
      ms(to_sink.quantile(0.50)), ms(to_sink.quantile(0.99)), ms(cassandra.quantile(0.50)),
      ms(cassandra.quantile(0.99)), sink_snap.batches, sink_snap.rows_per_request());
  if (!processed.ok()) {
    outcome.problem = "processor: " + processed.error().message + "\n";
    outcome.kind = Outcome::Kind::kUnavailable;
  } else if (!ingested->complete() || latency.pending() > snap.records_dead_lettered) {
    outcome.problem = fmt::format("{} fetched records are not in Cassandra yet{}\n", latency.pending(),
                                  stop.load() ? " (stopped by a signal: they are in Kafka, uncommitted, and the next "
                                                "run or `rdstream process` stores them)"
                                              : "; raise --drain-timeout or see the log");
    outcome.kind = stop.load() ? Outcome::Kind::kOk : Outcome::Kind::kDataLoss;
  }
  return outcome;
}

}  // namespace rds::app
