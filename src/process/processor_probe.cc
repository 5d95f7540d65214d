#include "process/processor_probe.h"

#include <fmt/format.h>

#include <chrono>

#include "core/log.h"

namespace rds::process {
namespace {

constexpr auto kLogInterval = std::chrono::seconds(10);
constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

std::size_t ProcessorProbe::code_index(std::string_view code) {
  for (std::size_t index = 0; index < kRejectCodeCount; ++index) {
    if (to_string(kAllRejectCodes[index]) == code) return index;
  }
  if (code == kSinkRejectedCode) return kRejectCodeCount;
  return kDeadLetterCodeCount;
}

std::string_view ProcessorProbe::code_name(std::size_t index) {
  if (index < kRejectCodeCount) return to_string(kAllRejectCodes[index]);
  return kSinkRejectedCode;
}

void ProcessorProbe::consumed(uint64_t records, uint64_t bytes) {
  records_consumed_.fetch_add(records, kRelaxed);
  bytes_consumed_.fetch_add(bytes, kRelaxed);
}

void ProcessorProbe::stored(uint64_t rows) { records_stored_.fetch_add(rows, kRelaxed); }

void ProcessorProbe::rejected(std::string_view code, std::string_view topic, int32_t partition, int64_t offset,
                              std::string_view message) {
  records_rejected_.fetch_add(1, kRelaxed);
  if (log::should_log(fmt::format("process.rejected.{}", code), kLogInterval)) {
    log::warn("process", "{}[{}]@{} rejected ({}): {} (further '{}' rejections are only counted for 10 s)", topic,
              partition, offset, code, message, code);
  }
}

void ProcessorProbe::dead_lettered(std::string_view code) {
  const std::size_t index = code_index(code);
  if (index < kDeadLetterCodeCount) dead_lettered_[index].fetch_add(1, kRelaxed);
}

void ProcessorProbe::dead_letter_failed(std::string_view message) {
  dead_letter_failures_.fetch_add(1, kRelaxed);
  if (log::should_log("process.dead_letter_failed", kLogInterval)) log::warn("process", "{}", message);
}

void ProcessorProbe::sink_failed(bool retriable, std::string_view message) {
  sink_failures_.fetch_add(1, kRelaxed);
  if (log::should_log(retriable ? "process.sink_failed.retriable" : "process.sink_failed.permanent", kLogInterval)) {
    log::warn("process", "{} write failed: {}", retriable ? "retriable" : "permanent", message);
  }
}

void ProcessorProbe::retried() { retries_.fetch_add(1, kRelaxed); }
void ProcessorProbe::committed() { offsets_committed_.fetch_add(1, kRelaxed); }

void ProcessorProbe::commit_failed(std::string_view message) {
  commit_failures_.fetch_add(1, kRelaxed);
  if (log::should_log("process.commit_failed", kLogInterval)) log::warn("process", "{}", message);
}

void ProcessorProbe::partition_paused() { partitions_paused_total_.fetch_add(1, kRelaxed); }
void ProcessorProbe::dropped_on_revoke(uint64_t records) { records_dropped_on_revoke_.fetch_add(records, kRelaxed); }
void ProcessorProbe::set_in_flight(int64_t records) { in_flight_.store(records, kRelaxed); }
void ProcessorProbe::set_paused_partitions(int64_t partitions) { paused_partitions_.store(partitions, kRelaxed); }
void ProcessorProbe::set_lag(int64_t records) { lag_.store(records, kRelaxed); }

ProcessorSnapshot ProcessorProbe::snapshot() const {
  ProcessorSnapshot s;
  s.records_consumed = records_consumed_.load(kRelaxed);
  s.bytes_consumed = bytes_consumed_.load(kRelaxed);
  s.records_stored = records_stored_.load(kRelaxed);
  s.records_rejected = records_rejected_.load(kRelaxed);
  for (std::size_t index = 0; index < kDeadLetterCodeCount; ++index) {
    s.dead_lettered_by_code[index] = dead_lettered_[index].load(kRelaxed);
    s.records_dead_lettered += s.dead_lettered_by_code[index];
  }
  s.dead_letter_failures = dead_letter_failures_.load(kRelaxed);
  s.sink_failures = sink_failures_.load(kRelaxed);
  s.retries = retries_.load(kRelaxed);
  s.offsets_committed = offsets_committed_.load(kRelaxed);
  s.commit_failures = commit_failures_.load(kRelaxed);
  s.partitions_paused_total = partitions_paused_total_.load(kRelaxed);
  s.records_dropped_on_revoke = records_dropped_on_revoke_.load(kRelaxed);
  s.in_flight = in_flight_.load(kRelaxed);
  s.paused_partitions = paused_partitions_.load(kRelaxed);
  s.lag = lag_.load(kRelaxed);
  return s;
}

std::string ProcessorProbe::render_prometheus(std::string_view name_space) const {
  const ProcessorSnapshot s = snapshot();
  std::string out;
  const auto metric = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    out += fmt::format("# HELP {0}_process_{1} {2}\n# TYPE {0}_process_{1} {3}\n{0}_process_{1} {4}\n", name_space,
                       name, help, type, value);
  };
  metric("records_consumed_total", "counter", "Records read from Kafka.", s.records_consumed);
  metric("bytes_consumed_total", "counter", "Value bytes read from Kafka.", s.bytes_consumed);
  metric("records_stored_total", "counter", "Rows Cassandra acknowledged.", s.records_stored);
  metric("records_rejected_total", "counter", "Records rejected by the validator or the sink.", s.records_rejected);
  out += fmt::format("# HELP {0}_process_records_dead_lettered_total Records delivered to the dead-letter topic.\n"
                     "# TYPE {0}_process_records_dead_lettered_total counter\n",
                     name_space);
  for (std::size_t index = 0; index < kDeadLetterCodeCount; ++index) {
    out += fmt::format("{}_process_records_dead_lettered_total{{code=\"{}\"}} {}\n", name_space, code_name(index),
                       s.dead_lettered_by_code[index]);
  }
  metric("dead_letter_failures_total", "counter", "Dead-letter writes that failed and were retried.",
         s.dead_letter_failures);
  metric("sink_failures_total", "counter", "Failed Cassandra writes.", s.sink_failures);
  metric("retries_total", "counter", "Writes retried after a backoff.", s.retries);
  metric("offsets_stored_total", "counter", "Offset advances stored for commit (per partition).", s.offsets_committed);
  metric("commit_failures_total", "counter", "Offset commits that failed.", s.commit_failures);
  metric("partitions_paused_total", "counter", "Times a partition was paused for a retry.", s.partitions_paused_total);
  metric("records_dropped_on_revoke_total", "counter", "In-flight records dropped when their partition was revoked.",
         s.records_dropped_on_revoke);
  metric("in_flight_records", "gauge", "Records polled and not yet acknowledged.", s.in_flight);
  metric("paused_partitions", "gauge", "Partitions paused for a retry.", s.paused_partitions);
  metric("lag_records", "gauge", "High watermark minus position, summed over assigned partitions.", s.lag);
  return out;
}

}  // namespace rds::process
