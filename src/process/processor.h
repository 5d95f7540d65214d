#pragma once
// The process stage's loop: Kafka consumer group -> decode -> validate -> Cassandra -> commit.
//
//   poll a batch -> register each record in the OffsetTracker
//     -> RecordValidator: Row          -> RowWriter (CassandraSink) -> per-row outcome
//                         Rejection    -> DeadLetterPublisher       -> delivery report
//   outcome ok / dead letter delivered -> ack the record's ticket
//   -> store the tracker's advanced offsets in the consumer -> commit_async on the interval,
//      commit_sync at revoke and shutdown.
//
// Acknowledge upstream only after downstream success (style.md): an offset is stored only when
// every record before it in its partition was written to Cassandra or delivered to the DLQ.
//
// Failures:
//   - a row whose write failed retriably (after the sink's own retry budget): its partition is
//     paused, the row is re-sent after a backoff (ProcessorConfig::retry), the partition resumes
//     once the retried rows are written. Nothing past the failed row is committed meanwhile.
//     When the backoff gives up, the processor stops with the error (still committing nothing
//     past the row).
//   - a row Cassandra refused for good (InvalidRequest, binding errors...): by default the
//     processor stops (a wrong table or schema would otherwise send every record to the DLQ);
//     with permanent_failure = kDeadLetter the record is dead-lettered with code "sink_rejected".
//   - a DLQ write that failed retriably is re-published after a delay; a permanent DLQ failure
//     stops the processor.
//   - a record whose writer's schema cannot be fetched (the registry is unreachable;
//     RecordDecoder's Deferred) is retried like a failed write: partition paused, backoff.
//   - revocation: the rebalance handler waits (bounded by revoke_drain_timeout) for the revoked
//     partitions' in-flight rows, stores what is contiguous, and forgets them; the consumer commits
//     before letting them go. Late outcomes of forgotten partitions are ignored.
//
// Threads: run() on the owner's thread; the rebalance handlers run inside it. RowWriter outcomes
// may arrive on any thread: they are queued and handled on the run() thread. request_stop() may
// be called from any thread (and rds::stop_requested() is honoured too).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/backoff.h"
#include "core/result.h"
#include "kafka/consumer.h"
#include "pipeline/offset_tracker.h"
#include "process/dead_letter.h"
#include "process/processor_probe.h"
#include "process/record_decoder.h"
#include "process/record_validator.h"
#include "sink/cassandra/cassandra_sink.h"

namespace rds::process {

// What the processor needs from a sink: CassandraSink's write contract (one callback per row, on
// any thread, in any order). app::ProcessStage adapts the real sink (and observes its rows); tests
// use a scripted one.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void write(std::vector<sink::Row> rows, sink::RowCallback done) = 0;
  virtual Status drain(std::chrono::milliseconds timeout) = 0;
};

enum class PermanentFailureAction { kStop, kDeadLetter };

struct ProcessorConfig {
  std::size_t max_batch = 500;                            // records per poll
  std::chrono::milliseconds poll_timeout{100};
  BackoffConfig retry{std::chrono::milliseconds(500), std::chrono::milliseconds(30'000), 2.0, Jitter::kFull,
                      0, std::chrono::milliseconds(0)};   // 0 attempts/elapsed: retry until stopped
  std::chrono::milliseconds dead_letter_retry_delay{1000};
  PermanentFailureAction permanent_failure = PermanentFailureAction::kStop;
  std::chrono::milliseconds revoke_drain_timeout{10'000};
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::chrono::milliseconds lag_interval{1000};          // how often the lag gauge is refreshed
  // Stop after this many records were acknowledged (0 = run until stopped); for tests and
  // bounded runs.
  uint64_t stop_after_acknowledged = 0;

  Status validate(std::string_view path = "process") const;
};

// The summary run() returns.
struct ProcessorReport {
  uint64_t consumed = 0;
  uint64_t stored = 0;
  uint64_t dead_lettered = 0;
  uint64_t retries = 0;
  std::size_t left_in_flight = 0;  // records not acknowledged at exit (re-read by the next run)
};

class Processor {
 public:
  // Creates the consumer (subscribing with the processor's rebalance handlers) and the DLQ
  // publisher. `writer`, `validator` and `probe` must outlive the processor.
  static Result<std::unique_ptr<Processor>> create(const kafka::ConsumerConfig& consumer_config,
                                                   const DeadLetterConfig& dead_letter_config,
                                                   ProcessorConfig config, const RecordValidator& validator,
                                                   RowWriter& writer, ProcessorProbe& probe,
                                                   RecordDecoder* decoder = nullptr);
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  // Runs until request_stop() / rds::stop_requested() / stop_after_acknowledged, or a fatal
  // error (returned). On the way out: waits for in-flight writes (shutdown_timeout), stores and
  // commits what is contiguous, leaves the group.
  Result<ProcessorReport> run();
  void request_stop() { stop_.store(true); }

  kafka::Consumer& consumer() { return *consumer_; }

 private:
  struct InFlight {
    pipeline::Ticket ticket;
    std::optional<std::string> key;
    std::optional<std::string> value;
    int64_t timestamp_ms = -1;  // the record's Kafka timestamp (its produce time): end-to-end latency
    bool dead_letter = false;  // waiting for a DLQ delivery rather than a sink outcome
    std::string code;          // the dead letter's code and message
    std::string message;
  };
  struct Completion {
    uint64_t token = 0;
    sink::RowOutcome outcome;
  };
  struct RetryState {
    std::unique_ptr<Backoff> backoff;
    std::chrono::steady_clock::time_point started;
    std::optional<std::chrono::steady_clock::time_point> next_attempt;  // a round is scheduled
    std::vector<uint64_t> waiting;  // tokens to re-send at next_attempt
    std::set<uint64_t> resent;      // re-sent tokens without an outcome yet
  };

  Processor(ProcessorConfig config, const RecordValidator& validator, RowWriter& writer, ProcessorProbe& probe);

  // A record's value decoded (when framed Avro) and validated.
  using Checked = std::variant<Row, Rejection, Deferred>;
  Checked check(const std::optional<std::string>& value);
  static Checked to_checked(Validation validation);
  void dead_letter(uint64_t token, Rejection rejection);

  void handle_batch(std::vector<kafka::Message> batch);
  // Re-sends the rows of these tokens (validating their raw values again).
  void send_rows(const std::vector<uint64_t>& tokens);
  // Hands rows to the writer; their outcomes come back as Completions of the matching tokens.
  void write_rows(std::vector<sink::Row> rows, std::vector<uint64_t> tokens);
  void publish_dead_letter(uint64_t token);
  void handle_completions(std::vector<Completion> completions);
  void handle_sink_outcome(uint64_t token, const sink::RowOutcome& outcome);
  void handle_dead_letter_delivery(const DeadLetterDelivery& delivery);
  void acknowledge(uint64_t token);
  void schedule_retry(uint64_t token, const Error& error);
  void run_due_retries();
  void maybe_resume(const TopicPartition& tp);
  void store_offsets();
  void refresh_gauges(bool force);
  void fail(Error error);
  std::vector<Completion> take_completions(std::chrono::milliseconds wait);
  std::size_t in_flight_for(const std::vector<TopicPartition>& partitions) const;
  void on_revoking(const std::vector<TopicPartition>& partitions, bool lost);
  void on_assigned(const std::vector<TopicPartition>& partitions);
  void shutdown();

  ProcessorConfig config_;
  const RecordValidator& validator_;
  RowWriter& writer_;
  ProcessorProbe& probe_;
  RecordDecoder* decoder_ = nullptr;  // null: every record is JSON
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<DeadLetterPublisher> dead_letters_;

  pipeline::OffsetTracker tracker_;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_token_ = 1;
  std::map<TopicPartition, RetryState> retries_;  // paused partitions
  // Per partition, the (offset, Kafka timestamp in ms) of records polled and maybe not yet
  // acknowledged, oldest first: the lag in seconds is the age of the first one still waiting.
  // Pruned against the tracker on every gauge refresh.
  std::map<TopicPartition, std::deque<std::pair<int64_t, int64_t>>> polled_at_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> dead_letter_retries_;

  // Shared with the writer's callbacks, which may outlive the processor.
  struct CompletionQueue {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Completion> items;
  };
  std::shared_ptr<CompletionQueue> completions_ = std::make_shared<CompletionQueue>();

  std::atomic<bool> stop_{false};
  std::optional<Error> fatal_;
  ProcessorReport report_;
  uint64_t acknowledged_ = 0;
  std::chrono::steady_clock::time_point last_gauges_{};
};

}  // namespace rds::process
