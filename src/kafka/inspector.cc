#include "kafka/inspector.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "kafka/kafka_error.h"

namespace rds::kafka {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  return static_cast<int>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
}

// An admin request's result event, waited for on a queue of its own.
struct EventHandle {
  rd_kafka_event_t* event = nullptr;
  ~EventHandle() {
    if (event != nullptr) rd_kafka_event_destroy(event);
  }
};

Status wait_admin(rd_kafka_queue_t* queue, int timeout_ms, EventHandle& out, std::string_view what) {
  out.event = rd_kafka_queue_poll(queue, timeout_ms + 1'000);  // the request's own timeout fires first
  if (out.event == nullptr) {
    return Error(ErrorCode::kTimeout, fmt::format("{}: no answer within {} ms", what, timeout_ms));
  }
  if (rd_kafka_event_error(out.event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(rd_kafka_event_error(out.event), what);
  }
  return ok_status();
}

using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

AdminOptions admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
  AdminOptions options(rd_kafka_AdminOptions_new(rk, op), &rd_kafka_AdminOptions_destroy);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof errstr);
  return options;
}

}  // namespace

struct Inspector::Impl {
  InspectorConfig config;
  ClientHandle client;
  std::mutex mutex;
};

Inspector::Inspector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Inspector::~Inspector() {
  if (impl_ && impl_->client) rd_kafka_assign(impl_->client.get(), nullptr);
}

Result<std::unique_ptr<Inspector>> Inspector::create(const InspectorConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  ConfProperties props = {
      {"bootstrap.servers", config.bootstrap_servers},
      {"client.id", config.client_id},
      // A group id is needed for a consumer handle, but this one only assigns: it never joins,
      // never commits, so the group never shows up in Kafka.
      {"group.id", config.client_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "100"},
      // It reads a handful of records at a time (the oldest unconsumed one, the newest dead
      // letters): no prefetching of megabytes behind them, which a busy topic's broker would serve
      // and this process decompress and drop. A larger record still comes whole (KIP-74).
      {"queued.min.messages", "1"},
      {"queued.max.messages.kbytes", "1024"},
      {"fetch.max.bytes", "1048576"},
      {"max.partition.fetch.bytes", "65536"},
      {"socket.timeout.ms", std::to_string(std::clamp<int64_t>(config.timeout.count(), 10, 300'000))},
  };
  auto client = make_rdkafka_client(RD_KAFKA_CONSUMER, props, "kafka inspector", config.extra);
  if (!client) return client.take_error();
  impl->client = std::move(*client);
  return std::unique_ptr<Inspector>(new Inspector(std::move(impl)));
}

Result<std::vector<BrokerMetadata>> Inspector::brokers() {
  std::lock_guard lock(impl_->mutex);
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(impl_->client.get(), 0, nullptr, &raw, static_cast<int>(impl_->config.timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return explain_failure(impl_->client,
                           from_rdkafka(err, fmt::format("metadata request to {}", impl_->config.bootstrap_servers)));
  }
  std::vector<BrokerMetadata> out;
  for (int i = 0; i < raw->broker_cnt; ++i) {
    out.push_back(BrokerMetadata{raw->brokers[i].id, raw->brokers[i].host, raw->brokers[i].port});
  }
  rd_kafka_metadata_destroy(raw);
  return out;
}

Result<TopicOffsets> Inspector::topic(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  rd_kafka_t* rk = impl_->client.get();
  const int timeout_ms = static_cast<int>(impl_->config.timeout.count());
  // Asking for one named topic through a topic handle would create it where auto-creation is on;
  // the whole cluster's metadata does not.
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(err, fmt::format("metadata of topic {}", name));
  std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> guard(raw, &rd_kafka_metadata_destroy);
  const rd_kafka_metadata_topic_t* found = nullptr;
  for (int i = 0; i < raw->topic_cnt; ++i) {
    if (name == raw->topics[i].topic) found = &raw->topics[i];
  }
  if (found == nullptr || found->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return Error(ErrorCode::kNotFound, fmt::format("topic {} does not exist", name));
  }
  if (found->err != RD_KAFKA_RESP_ERR_NO_ERROR) return from_rdkafka(found->err, fmt::format("metadata of topic {}", name));
  TopicOffsets out;
  out.name = name;
  for (int p = 0; p < found->partition_cnt; ++p) {
    PartitionOffsets po;
    po.partition = found->partitions[p].id;
    po.leader = found->partitions[p].leader;
    const auto werr = rd_kafka_query_watermark_offsets(rk, name.c_str(), po.partition, &po.start_offset,
                                                       &po.end_offset, timeout_ms);
    if (werr != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return from_rdkafka(werr, fmt::format("offsets of {}", to_string(TopicPartition{name, po.partition})));
    }
    out.partitions.push_back(po);
  }
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

Result<GroupState> Inspector::group(const std::string& id) {
  std::lock_guard lock(impl_->mutex);
  rd_kafka_t* rk = impl_->client.get();
  const int timeout_ms = static_cast<int>(impl_->config.timeout.count());
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(rd_kafka_queue_new(rk),
                                                                             &rd_kafka_queue_destroy);
  GroupState out;
  out.id = id;
  {
    const auto options = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout_ms);
    const char* groups[] = {id.c_str()};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, options.get(), queue.get());
    EventHandle event;
    RDS_TRY(wait_admin(queue.get(), timeout_ms, event, fmt::format("describe group {}", id)));
    size_t count = 0;
    const auto** described =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event.event), &count);
    for (size_t i = 0; i < count; ++i) {
      const auto* g = described[i];
      if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(g)) {
        return from_rdkafka(e, fmt::format("describe group {}", id));
      }
      out.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g));
      for (size_t m = 0; m < rd_kafka_ConsumerGroupDescription_member_count(g); ++m) {
        const auto* member = rd_kafka_ConsumerGroupDescription_member(g, m);
        GroupMember gm;
        gm.client_id = rd_kafka_MemberDescription_client_id(member);
        gm.consumer_id = rd_kafka_MemberDescription_consumer_id(member);
        gm.host = rd_kafka_MemberDescription_host(member);
        const auto* assignment = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(member));
        for (int p = 0; assignment != nullptr && p < assignment->cnt; ++p) {
          gm.assignment.push_back(TopicPartition{assignment->elems[p].topic, assignment->elems[p].partition});
        }
        std::sort(gm.assignment.begin(), gm.assignment.end());
        out.members.push_back(std::move(gm));
      }
    }
  }
  {
    const auto options = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_ListConsumerGroupOffsets_t* request = rd_kafka_ListConsumerGroupOffsets_new(id.c_str(), nullptr);
    rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, options.get(), queue.get());
    rd_kafka_ListConsumerGroupOffsets_destroy(request);
    EventHandle event;
    RDS_TRY(wait_admin(queue.get(), timeout_ms, event, fmt::format("committed offsets of group {}", id)));
    size_t count = 0;
    const auto** groups =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event.event), &count);
    for (size_t i = 0; i < count; ++i) {
      if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i])) {
        return from_rdkafka(e, fmt::format("committed offsets of group {}", id));
      }
      const auto* parts = rd_kafka_group_result_partitions(groups[i]);
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        const auto& tp = parts->elems[p];
        if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
          out.committed[TopicPartition{tp.topic, tp.partition}] = tp.offset;
        }
      }
    }
  }
  return out;
}

Result<std::vector<FetchedRecord>> Inspector::read(const std::string& topic, const std::vector<OffsetRange>& ranges,
                                                   std::chrono::milliseconds timeout) {
  std::lock_guard lock(impl_->mutex);
  rd_kafka_t* rk = impl_->client.get();
  std::vector<FetchedRecord> out;
  std::map<int32_t, int64_t> wanted_end;  // partition -> end of what is still to read
  std::map<int32_t, int64_t> begins;
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size())), &rd_kafka_topic_partition_list_destroy);
  for (const auto& r : ranges) {
    if (r.begin >= r.end) continue;
    if (wanted_end.count(r.partition) != 0) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("read: two ranges of partition {}", r.partition));
    }
    wanted_end[r.partition] = r.end;
    begins[r.partition] = r.begin;
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), r.partition)->offset = r.begin;
  }
  if (wanted_end.empty()) return out;
  if (const auto err = rd_kafka_assign(rk, list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(err, fmt::format("read {}", topic));
  }
  const auto deadline = Clock::now() + timeout;
  Status failure;
  while (!wanted_end.empty() && failure.ok()) {
    const int wait = remaining_ms(deadline);
    if (wait == 0) break;
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, std::min(wait, 200));
    if (msg == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(msg, &rd_kafka_message_destroy);
    const auto it = wanted_end.find(msg->partition);
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (it != wanted_end.end()) wanted_end.erase(it);  // nothing more to read there
      continue;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure = from_rdkafka(msg->err, fmt::format("read {}", to_string(TopicPartition{topic, msg->partition})));
      continue;
    }
    // Outside a range: not asked for (an offset out of the log's range resets to its start).
    if (it == wanted_end.end() || msg->offset >= it->second || msg->offset < begins[msg->partition]) continue;
    FetchedRecord r;
    r.partition = msg->partition;
    r.offset = msg->offset;
    rd_kafka_timestamp_type_t type;
    r.timestamp_ms = rd_kafka_message_timestamp(msg, &type);
    if (msg->key != nullptr) r.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
    if (msg->payload != nullptr) r.value.emplace(static_cast<const char*>(msg->payload), msg->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t h = 0; rd_kafka_header_get_all(headers, h, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++h) {
        r.headers.emplace_back(name, value != nullptr ? std::string(static_cast<const char*>(value), size) : "");
      }
    }
    if (msg->offset + 1 >= it->second) wanted_end.erase(it);
    out.push_back(std::move(r));
  }
  rd_kafka_assign(rk, nullptr);
  RDS_TRY(failure);
  if (!wanted_end.empty()) {
    return Error(ErrorCode::kTimeout, fmt::format("read {}: partition {} not read to its end within {} ms", topic,
                                                  wanted_end.begin()->first, timeout.count()));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
  });
  return out;
}

}  // namespace rds::kafka
