#include "kafka/consumer.h"

#include <fmt/format.h>

#include <cstring>

#include "core/log.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_error.h"

namespace rds::kafka {
namespace {

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionList make_list(const std::vector<TopicPartition>& partitions) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
                     &rd_kafka_topic_partition_list_destroy);
  for (const auto& tp : partitions) rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (list == nullptr) return out;
  out.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) out.push_back(TopicPartition{list->elems[i].topic, list->elems[i].partition});
  return out;
}

std::string describe(const std::vector<TopicPartition>& partitions) {
  std::string out;
  for (const auto& tp : partitions) {
    if (!out.empty()) out += ", ";
    out += to_string(tp);
  }
  return out.empty() ? "none" : out;
}

// The properties that make manual, confirmed-only commits hold; `extra` may not change them.
constexpr const char* kOwnedProperties[] = {"enable.auto.commit", "enable.auto.offset.store", "group.id",
                                            "bootstrap.servers"};

// How a full prefetch queue gets refilled in time. A fetcher thread that finds the queue full
// skips the fetch and sleeps until an operation arrives for it or 1 s passes; librdkafka >= 2.2
// bounds that sleep with fetch.queue.backoff.ms. On older versions (Debian bookworm ships 2.0.2)
// nothing wakes it sooner while it has no request outstanding, so a queue smaller than one
// second of records starves the consumer: measured at 2 MiB, the fetcher refilled once a second
// exactly and polls waited 25 s of a 34 s run. A metadata refresh is an operation on that thread
// (a Metadata request to the broker); refreshing every interval wakes the fetcher as often, at
// the cost of one small request per interval (Kafka's CPU rose by ~2 %).
const char* refill_property() {
  return rd_kafka_version() >= 0x020200ff ? "fetch.queue.backoff.ms" : "topic.metadata.refresh.interval.ms";
}

}  // namespace

Status ConsumerConfig::validate() const {
  std::vector<std::string> problems;
  if (bootstrap_servers.empty()) problems.push_back("kafka.bootstrap_servers: must not be empty");
  if (group_id.empty()) problems.push_back("kafka.consumer.group_id: must not be empty");
  if (topics.empty()) problems.push_back("kafka.consumer.topics: must name at least one topic");
  for (std::size_t i = 0; i < topics.size(); ++i) {
    if (topics[i].empty()) problems.push_back(fmt::format("kafka.consumer.topics[{}]: must not be empty", i));
  }
  if (group_instance_id.find_first_of(" \t\r\n") != std::string::npos) {
    problems.push_back("kafka.consumer.group_instance_id: must not contain whitespace");
  }
  if (session_timeout_ms < 1000 || session_timeout_ms > 3'600'000) {
    problems.push_back("kafka.consumer.session_timeout_ms: must be between 1000 and 3600000");
  }
  if (max_poll_interval_ms < session_timeout_ms) {
    problems.push_back("kafka.consumer.max_poll_interval_ms: must be at least session_timeout_ms");
  }
  if (commit_interval.count() < 0) problems.push_back("kafka.consumer.commit_interval_ms: must be >= 0");
  if (prefetch_kbytes < 256 || prefetch_kbytes > 2'097'151) {
    problems.push_back("kafka.consumer.prefetch_kbytes: must be between 256 and 2097151");
  }
  if (prefetch_refill_interval.count() < 10 || prefetch_refill_interval.count() > 1000) {
    problems.push_back("kafka.consumer.prefetch_refill_interval_ms: must be between 10 and 1000");
  }
  for (const auto& [key, value] : extra) {
    for (const char* owned : kOwnedProperties) {
      if (key == owned) {
        problems.push_back(fmt::format("kafka.consumer.extra.{}: set by rdstream, cannot be overridden", key));
      }
    }
  }
  if (problems.empty()) return ok_status();
  std::string message = "invalid Kafka consumer configuration:";
  for (const auto& p : problems) message += "\n  " + p;
  return Error(ErrorCode::kInvalidArgument, message);
}

Result<std::unique_ptr<Consumer>> Consumer::create(const ConsumerConfig& config, RebalanceHandlers handlers) {
  RDS_TRY(config.validate());
  std::unique_ptr<Consumer> consumer(new Consumer());
  consumer->config_ = config;
  consumer->handlers_ = std::move(handlers);
  std::vector<std::pair<std::string, std::string>> props = {
      {"bootstrap.servers", config.bootstrap_servers},
      {"group.id", config.group_id},
      {"client.id", config.client_id},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", std::to_string(config.session_timeout_ms)},
      {"max.poll.interval.ms", std::to_string(config.max_poll_interval_ms)},
      // librdkafka prefetches up to 64 MiB per client by default (measured: 137 MiB peak RSS);
      // the processor is bounded by Cassandra, so a small queue refilled often costs nothing.
      {"queued.max.messages.kbytes", std::to_string(config.prefetch_kbytes)},
      {refill_property(), std::to_string(config.prefetch_refill_interval.count())},
  };
  if (!config.group_instance_id.empty()) props.emplace_back("group.instance.id", config.group_instance_id);
  for (const auto& [k, v] : config.extra) props.emplace_back(k, v);
  auto made = make_rdkafka_conf(props, "kafka consumer");
  if (!made) return made.take_error();
  rd_kafka_conf_t* conf = *made;
  rd_kafka_conf_set_opaque(conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf, &Consumer::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf, &Consumer::on_commit);
  rd_kafka_conf_set_error_cb(conf, &Consumer::on_error);
  char errstr[512];
  consumer->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (consumer->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Error(ErrorCode::kInvalidArgument, fmt::format("kafka consumer: {}", errstr));
  }
  // Route the main queue (errors, commit results) to the consumer queue: one poll serves all.
  rd_kafka_poll_set_consumer(consumer->rk_);
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(config.topics.size())),
                       &rd_kafka_topic_partition_list_destroy);
  for (const auto& topic : config.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer->rk_, topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(err, fmt::format("subscribing group {} to {}", config.group_id, fmt::join(config.topics, ",")));
  }
  consumer->last_commit_ = std::chrono::steady_clock::now();
  return consumer;
}

Consumer::~Consumer() {
  if (rk_ == nullptr) return;
  handlers_ = RebalanceHandlers{};  // the owner may be gone: just commit what was stored and leave
  (void)close();
  rd_kafka_destroy(rk_);
}

Status Consumer::close() {
  if (closed_) return ok_status();
  closed_ = true;
  // Leave the group first and close only once nothing is assigned. librdkafka < 2.4 hangs in
  // rd_kafka_consumer_close() forever when a cooperative assignment arrives while it closes
  // (confluentinc/librdkafka#4527, fixed by #4528 in 2.4.0; Debian bookworm ships 2.0.2): e.g.
  // when another member of the group left just before. Unsubscribing revokes everything through
  // the usual rebalance callback (on_revoking, then the commit); polling serves it. Records that
  // arrive meanwhile are dropped: nothing of them was stored, so the next owner reads them again.
  if (rd_kafka_unsubscribe(rk_) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const auto deadline = std::chrono::steady_clock::now() + kLeaveTimeout;
    while (!assignment().empty() && std::chrono::steady_clock::now() < deadline) {
      if (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, 50)) rd_kafka_message_destroy(msg);
    }
  }
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(err, "closing the Kafka consumer");
  return ok_status();
}

Result<std::vector<Message>> Consumer::poll(std::size_t max_messages, std::chrono::milliseconds timeout) {
  std::vector<Message> out;
  if (closed_) return Error(ErrorCode::kInternal, "polling a closed Kafka consumer");
  int wait_ms = static_cast<int>(timeout.count());
  while (out.size() < max_messages) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, wait_ms);
    wait_ms = 0;  // only the first poll waits; then take what is already fetched
    if (msg == nullptr) break;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(msg, &rd_kafka_message_destroy);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      counters_.errors.fetch_add(1, std::memory_order_relaxed);
      if (msg->err == RD_KAFKA_RESP_ERR__FATAL || fatal_.load()) {
        char reason[512];
        rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk_, reason, sizeof reason);
        fatal_.store(true);
        return Error(ErrorCode::kServer, fmt::format("kafka consumer: fatal error {}: {}", rd_kafka_err2name(fatal), reason));
      }
      const char* topic = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "-";
      log::warn("kafka", "consumer error on {}[{}]: {} ({})", topic, msg->partition, rd_kafka_message_errstr(msg),
                rd_kafka_err2name(msg->err));
      continue;
    }
    Message m;
    m.topic = rd_kafka_topic_name(msg->rkt);
    m.partition = msg->partition;
    m.offset = msg->offset;
    if (msg->key != nullptr) m.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
    if (msg->payload != nullptr) m.value.emplace(static_cast<const char*>(msg->payload), msg->len);
    rd_kafka_timestamp_type_t ts_type;
    m.timestamp_ms = rd_kafka_message_timestamp(msg, &ts_type);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        std::optional<std::string> v;
        if (value != nullptr) v.emplace(static_cast<const char*>(value), size);
        m.headers.emplace_back(name, std::move(v));
      }
    }
    counters_.messages.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes.fetch_add(msg->len, std::memory_order_relaxed);
    out.push_back(std::move(m));
  }
  return out;
}

Status Consumer::store_offset(const std::string& topic, int32_t partition, int64_t next_offset) {
  PartitionList list = make_list({TopicPartition{topic, partition}});
  list->elems[0].offset = next_offset;
  rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_, list.get());
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = list->elems[0].err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Error e = from_rdkafka(err, fmt::format("storing offset {} for {}[{}]", next_offset, topic, partition));
    if (err == RD_KAFKA_RESP_ERR__STATE || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
      e.code = ErrorCode::kInvalidArgument;  // not (or no longer) assigned to this member
      e.retriable = false;
    }
    return e;
  }
  return ok_status();
}

Status Consumer::commit_async() {
  last_commit_ = std::chrono::steady_clock::now();
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, nullptr, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    counters_.commit_failures.fetch_add(1, std::memory_order_relaxed);
    return from_rdkafka(err, "committing offsets (async)");
  }
  return ok_status();
}

Status Consumer::commit_sync() {
  last_commit_ = std::chrono::steady_clock::now();
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, nullptr, 0);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return ok_status();  // nothing new stored
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(err, "committing offsets");
  return ok_status();
}

bool Consumer::commit_due() const {
  if (config_.commit_interval.count() == 0) return false;
  return std::chrono::steady_clock::now() - last_commit_ >= config_.commit_interval;
}

Status Consumer::pause(const std::vector<TopicPartition>& partitions) {
  PartitionList list = make_list(partitions);
  rd_kafka_resp_err_t err = rd_kafka_pause_partitions(rk_, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(err, fmt::format("pausing {}", describe(partitions)));
  return ok_status();
}

Status Consumer::resume(const std::vector<TopicPartition>& partitions) {
  PartitionList list = make_list(partitions);
  rd_kafka_resp_err_t err = rd_kafka_resume_partitions(rk_, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(err, fmt::format("resuming {}", describe(partitions)));
  return ok_status();
}

std::vector<TopicPartition> Consumer::assignment() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || list == nullptr) return {};
  PartitionList guard(list, &rd_kafka_topic_partition_list_destroy);
  return from_list(list);
}

Result<std::optional<int64_t>> Consumer::committed(const std::string& topic, int32_t partition,
                                                   std::chrono::milliseconds timeout) const {
  PartitionList list = make_list({TopicPartition{topic, partition}});
  rd_kafka_resp_err_t err = rd_kafka_committed(rk_, list.get(), static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = list->elems[0].err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(err, fmt::format("reading the committed offset of {}[{}]", topic, partition));
  }
  const int64_t offset = list->elems[0].offset;
  if (offset < 0) return std::optional<int64_t>();
  return std::optional<int64_t>(offset);
}

std::optional<int64_t> Consumer::lag(const std::string& topic, int32_t partition) const {
  int64_t low = RD_KAFKA_OFFSET_INVALID;
  int64_t high = RD_KAFKA_OFFSET_INVALID;
  if (rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  PartitionList list = make_list({TopicPartition{topic, partition}});
  if (rd_kafka_position(rk_, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR || list->elems[0].offset < 0) {
    return std::nullopt;
  }
  return std::max<int64_t>(0, high - list->elems[0].offset);
}

void Consumer::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                            void* opaque) {
  static_cast<Consumer*>(opaque)->handle_rebalance(err, partitions);
}

void Consumer::handle_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  const std::vector<TopicPartition> moved = from_list(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_error_t* error = nullptr;
    rd_kafka_resp_err_t assign_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (cooperative) {
      error = rd_kafka_incremental_assign(rk_, partitions);
    } else {
      assign_err = rd_kafka_assign(rk_, partitions);
    }
    if (error != nullptr) {
      log::error("kafka", "{}", from_rdkafka(error, fmt::format("assigning {}", describe(moved))).message);
      rd_kafka_error_destroy(error);
      return;
    }
    if (assign_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::error("kafka", "{}", from_rdkafka(assign_err, fmt::format("assigning {}", describe(moved))).message);
      return;
    }
    counters_.partitions_assigned.fetch_add(moved.size(), std::memory_order_relaxed);
    log::info("kafka", "group {}: assigned {}", config_.group_id, describe(moved));
    if (handlers_.on_assigned) handlers_.on_assigned(moved);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    const bool lost = rd_kafka_assignment_lost(rk_) != 0;
    log::info("kafka", "group {}: {} {}", config_.group_id, lost ? "lost" : "revoking", describe(moved));
    if (handlers_.on_revoking) handlers_.on_revoking(moved, lost);
    if (lost) {
      counters_.partitions_lost.fetch_add(moved.size(), std::memory_order_relaxed);
    } else {
      counters_.partitions_revoked.fetch_add(moved.size(), std::memory_order_relaxed);
      // What the owner stored for the leaving partitions is committed before they go, so the
      // next owner starts right after the last confirmed record.
      Status committed = commit_sync();
      if (!committed.ok()) log::warn("kafka", "{}", committed.error().message);
    }
    if (cooperative) {
      rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, partitions);
      if (error != nullptr) {
        log::error("kafka", "{}", from_rdkafka(error, fmt::format("unassigning {}", describe(moved))).message);
        rd_kafka_error_destroy(error);
      }
    } else {
      rd_kafka_assign(rk_, nullptr);
    }
    return;
  }
  // Any other error: the assignment is in doubt; drop it as librdkafka recommends.
  log::error("kafka", "group {}: rebalance error {}", config_.group_id, rd_kafka_err2name(err));
  if (handlers_.on_revoking) handlers_.on_revoking(assignment(), /*lost=*/true);
  if (cooperative) {
    rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, partitions);
    if (error != nullptr) rd_kafka_error_destroy(error);
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
}

void Consumer::on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                         void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  bool failed = err != RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
    if (offsets->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failed = true;
      log::warn("kafka", "commit of {}[{}] at {} failed: {}", offsets->elems[i].topic, offsets->elems[i].partition,
                offsets->elems[i].offset, rd_kafka_err2str(offsets->elems[i].err));
    }
  }
  if (failed) {
    self->counters_.commit_failures.fetch_add(1, std::memory_order_relaxed);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) log::warn("kafka", "offset commit failed: {}", rd_kafka_err2str(err));
  } else {
    self->counters_.commits.fetch_add(1, std::memory_order_relaxed);
  }
}

void Consumer::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  self->counters_.errors.fetch_add(1, std::memory_order_relaxed);
  if (log_client_error(rk, err, reason, "kafka", "consumer")) self->fatal_.store(true);
}

}  // namespace rds::kafka
