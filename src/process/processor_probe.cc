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

ProcessorProbe::ProcessorProbe(metrics::Metrics& m)
    : metrics_(m),
      records_consumed_(m.received_records(metrics::kProcess)),
      bytes_consumed_(m.received_bytes(metrics::kProcess)),
      records_stored_(m.sent_records(metrics::kProcess)),
      end_to_end_(m.end_to_end_latency()),
      dead_letter_failures_(m.errors(metrics::kProcess, "dead_letter_publish")),
      sink_failures_(m.errors(metrics::kProcess, "write_failed")),
      retries_(m.retries(metrics::kProcess, metrics::kCassandra)),
      commit_failures_(m.errors(metrics::kProcess, "commit")),
      in_flight_(m.in_flight_records(metrics::kProcess)) {
  // Every code up front: a dashboard sees each series (at 0) before the first dead letter.
  for (std::size_t index = 0; index < kDeadLetterCodeCount; ++index) {
    dead_lettered_[index] = &m.dead_letters(code_name(index));
    discarded_[index] = &m.discarded_records(metrics::kProcess, code_name(index));
  }
}

ProcessorProbe::ProcessorProbe() : ProcessorProbe(*new metrics::Metrics()) { own_metrics_.reset(&metrics_); }

void ProcessorProbe::consumed(uint64_t records, uint64_t bytes) {
  records_consumed_.Increment(static_cast<double>(records));
  bytes_consumed_.Increment(static_cast<double>(bytes));
}

void ProcessorProbe::stored(uint64_t rows) { records_stored_.Increment(static_cast<double>(rows)); }

void ProcessorProbe::end_to_end(int64_t timestamp_ms) {
  if (timestamp_ms < 0) return;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  end_to_end_.Observe(static_cast<double>(std::max<int64_t>(0, now_ms - timestamp_ms)) / 1000.0);
}

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
  if (index < kDeadLetterCodeCount) {
    dead_lettered_[index]->Increment();
    discarded_[index]->Increment();
  }
}

void ProcessorProbe::dead_letter_failed(std::string_view message) {
  dead_letter_failures_.Increment();
  if (log::should_log("process.dead_letter_failed", kLogInterval)) log::warn("process", "{}", message);
}

void ProcessorProbe::sink_failed(bool retriable, std::string_view message) {
  sink_failures_.Increment();
  if (log::should_log(retriable ? "process.sink_failed.retriable" : "process.sink_failed.permanent", kLogInterval)) {
    log::warn("process", "{} write failed: {}", retriable ? "retriable" : "permanent", message);
  }
}

void ProcessorProbe::retried() { retries_.Increment(); }
void ProcessorProbe::committed() { offsets_committed_.fetch_add(1, kRelaxed); }

void ProcessorProbe::commit_failed(std::string_view message) {
  commit_failures_.Increment();
  if (log::should_log("process.commit_failed", kLogInterval)) log::warn("process", "{}", message);
}

void ProcessorProbe::partition_paused() { partitions_paused_total_.fetch_add(1, kRelaxed); }
void ProcessorProbe::dropped_on_revoke(uint64_t records) { records_dropped_on_revoke_.fetch_add(records, kRelaxed); }
void ProcessorProbe::set_in_flight(int64_t records) { in_flight_.Set(static_cast<double>(records)); }
void ProcessorProbe::set_paused_partitions(int64_t partitions) { paused_partitions_.store(partitions, kRelaxed); }
void ProcessorProbe::set_lag(int64_t records) { lag_.store(records, kRelaxed); }

void ProcessorProbe::set_partition_lag(const TopicPartition& tp, int64_t records, int64_t oldest_waiting_ms) {
  metrics_.consumer_lag_records(tp.topic, tp.partition).Set(static_cast<double>(records));
  {
    std::lock_guard lock(lag_mutex_);
    oldest_waiting_ms_[tp] = oldest_waiting_ms;
  }
  refresh_lag_ages();
}

void ProcessorProbe::forget_partition(const TopicPartition& tp) {
  std::lock_guard lock(lag_mutex_);
  oldest_waiting_ms_.erase(tp);
  metrics_.forget_partition(tp.topic, tp.partition);
}

void ProcessorProbe::refresh_lag_ages() const {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard lock(lag_mutex_);
  for (const auto& [tp, oldest] : oldest_waiting_ms_) {
    const double age = oldest < 0 ? 0.0 : static_cast<double>(std::max<int64_t>(0, now_ms - oldest)) / 1000.0;
    metrics_.consumer_lag_seconds(tp.topic, tp.partition).Set(age);
  }
}

ProcessorSnapshot ProcessorProbe::snapshot() const {
  ProcessorSnapshot s;
  const auto count = [](const prometheus::Counter& c) { return static_cast<uint64_t>(c.Value()); };
  s.records_consumed = count(records_consumed_);
  s.bytes_consumed = count(bytes_consumed_);
  s.records_stored = count(records_stored_);
  s.records_rejected = records_rejected_.load(kRelaxed);
  for (std::size_t index = 0; index < kDeadLetterCodeCount; ++index) {
    s.dead_lettered_by_code[index] = count(*dead_lettered_[index]);
    s.records_dead_lettered += s.dead_lettered_by_code[index];
  }
  s.dead_letter_failures = count(dead_letter_failures_);
  s.sink_failures = count(sink_failures_);
  s.retries = count(retries_);
  s.offsets_committed = offsets_committed_.load(kRelaxed);
  s.commit_failures = count(commit_failures_);
  s.partitions_paused_total = partitions_paused_total_.load(kRelaxed);
  s.records_dropped_on_revoke = records_dropped_on_revoke_.load(kRelaxed);
  s.in_flight = static_cast<int64_t>(in_flight_.Value());
  s.paused_partitions = paused_partitions_.load(kRelaxed);
  s.lag = lag_.load(kRelaxed);
  return s;
}

}  // namespace rds::process
