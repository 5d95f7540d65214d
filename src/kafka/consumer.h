#pragma once
// A Kafka consumer-group member on librdkafka, wrapped once: RAII ownership, config validated up
// front, manual offset management so that only what the owner acknowledged is ever committed.
//
// Offsets: enable.auto.commit and enable.auto.offset.store are off. The owner calls
// store_offset(topic, partition, next_offset) for what its sink confirmed (contiguously, see
// pipeline/offset_tracker.h); commit_async() (on the owner's interval, see commit_due()) and
// commit_sync() (at revoke and shutdown) send the stored offsets to the group coordinator.
// Nothing else commits: librdkafka never commits on its own.
//
// Rebalancing: partition.assignment.strategy=cooperative-sticky, so a rebalance adds or removes
// only the partitions that move (incremental assign/unassign). Before partitions leave, the owner's
// on_revoking handler runs: it finishes or drops its work for them and stores the offsets of what
// is done; the consumer then commits synchronously (unless the partitions were lost: the group has
// already given them away, a commit would be rejected) and unassigns them. If a non-cooperative
// strategy is configured through `extra`, the eager assign/unassign path is taken instead.
//
// Threads: every member is called from the owner's thread. The rebalance handlers run on that
// thread too, inside poll() or close() (librdkafka serves its callbacks there). Not thread-safe.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/topic_partition.h"  // rds::TopicPartition: assignments, pause/resume, rebalance handlers
#include "kafka/kafka_config.h"

namespace rds::kafka {

struct ConsumerConfig {
  static constexpr std::chrono::milliseconds kDefaultCommitInterval{5'000};

  std::string bootstrap_servers = kLocalBootstrapServers;
  std::string group_id;             // required (the settings table's process.group)
  std::vector<std::string> topics;  // required (kafka.topic)
  std::string client_id = "rdstream-consumer";
  // Static membership (KIP-345) when set: a member restarted with the same id gets its
  // partitions back at once, without a rebalance, instead of after session_timeout_ms. The price:
  // a member that stops for good keeps its partitions until its session times out (it does not
  // leave the group on close). Must be unique within the group.
  std::string group_instance_id;
  int session_timeout_ms = 45'000;
  int max_poll_interval_ms = 300'000;
  // The local prefetch queue (queued.max.messages.kbytes, one bound for the whole consumer) and
  // how soon a fetcher that found it full looks again. librdkafka keeps ~1.8x the bound in memory
  // (fetch buffers plus ~0.8 KB of bookkeeping per message), so the bound is most of the
  // processor's RSS; it must hold what the owner consumes in one refill interval, or polls starve
  // (2 MiB holds ~80 ms of records at 25k/s of 1 KB). See create() for how the interval is applied.
  int prefetch_kbytes = 2048;
  std::chrono::milliseconds prefetch_refill_interval{50};
  // How often commit_due() says yes; 0 disables interval commits (revoke/shutdown still commit).
  std::chrono::milliseconds commit_interval = kDefaultCommitInterval;
  // Raw librdkafka properties applied last (e.g. from a config file's kafka.consumer section).
  // The four offset-management properties above cannot be overridden: they are what makes
  // "commit only what the sink confirmed" hold.
  std::map<std::string, std::string> extra;

  // Errors name the field ("kafka.consumer.group_id: must not be empty").
  Status validate() const;
};

struct Message {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;    // nullopt: the record has no key (not an empty one)
  std::optional<std::string> value;  // nullopt: a tombstone
  int64_t timestamp_ms = -1;         // -1 when the broker sent none
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

struct RebalanceHandlers {
  // After the partitions joined the assignment (fetching starts from their committed offsets).
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  // Before the partitions leave. Store the offsets of what is done for them (store_offset) and
  // forget the rest; `lost` means the group already gave them to another member (session timeout)
  // and nothing will be committed for them.
  std::function<void(const std::vector<TopicPartition>&, bool lost)> on_revoking;
};

// Thread-safe reads (relaxed atomics) for metrics.
struct ConsumerCounters {
  std::atomic<uint64_t> messages{0};          // records handed to the owner
  std::atomic<uint64_t> bytes{0};             // their value bytes
  std::atomic<uint64_t> errors{0};            // consumer errors reported by librdkafka
  std::atomic<uint64_t> commits{0};           // successful offset commits
  std::atomic<uint64_t> commit_failures{0};
  std::atomic<uint64_t> partitions_assigned{0};
  std::atomic<uint64_t> partitions_revoked{0};
  std::atomic<uint64_t> partitions_lost{0};
};

class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> create(const ConsumerConfig& config, RebalanceHandlers handlers);
  // Closes without calling the handlers (their owner may already be gone): call close() first to
  // let the owner store offsets for its revoked partitions.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Waits up to `timeout` for the first record, then takes what is already fetched, up to
  // `max_messages`. Serves rebalances (the handlers run inside). Transient errors (broker down)
  // are logged and counted, not returned: librdkafka recovers by itself. A fatal error is returned.
  Result<std::vector<Message>> poll(std::size_t max_messages, std::chrono::milliseconds timeout);

  // Records `next_offset` (the next record to read: last done offset + 1) as the partition's
  // offset for the next commit. kInvalidArgument for a partition not in the assignment.
  Status store_offset(const std::string& topic, int32_t partition, int64_t next_offset);
  // Commits the stored offsets without waiting; the outcome is counted and logged when it
  // arrives (on a later poll). Resets the interval clock.
  Status commit_async();
  // Commits the stored offsets and waits for the coordinator's answer.
  Status commit_sync();
  // True once commit_interval has passed since the last commit.
  bool commit_due() const;

  // Stop / restart fetching. Records already returned by poll() stay with the owner.
  Status pause(const std::vector<TopicPartition>& partitions);
  Status resume(const std::vector<TopicPartition>& partitions);

  std::vector<TopicPartition> assignment() const;
  // The group's committed offset for a partition (asks the coordinator), nullopt when none.
  Result<std::optional<int64_t>> committed(const std::string& topic, int32_t partition,
                                           std::chrono::milliseconds timeout) const;
  // High watermark minus the consumer's position, from librdkafka's cached values (no request);
  // nullopt until both are known.
  std::optional<int64_t> lag(const std::string& topic, int32_t partition) const;

  // Leaves the group: revokes every partition (on_revoking runs, then a synchronous commit).
  // Idempotent. Waits up to kLeaveTimeout for the revocation before closing.
  Status close();
  static constexpr std::chrono::milliseconds kLeaveTimeout{10'000};

  const ConsumerCounters& counters() const { return counters_; }
  bool fatal() const { return fatal_.load(); }
  const ConsumerConfig& config() const { return config_; }

 private:
  Consumer() = default;
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque);
  static void on_commit(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                        void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void handle_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  ConsumerConfig config_;
  rd_kafka_t* rk_ = nullptr;
  RebalanceHandlers handlers_;
  ConsumerCounters counters_;
  std::atomic<bool> fatal_{false};
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
};

}  // namespace rds::kafka
