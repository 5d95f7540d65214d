#include "process/dead_letter.h"

#include <fmt/format.h>

#include "kafka/kafka_config.h"
#include "kafka/kafka_error.h"

namespace rds::process {
namespace {

void* token_to_opaque(uint64_t token) { return reinterpret_cast<void*>(static_cast<uintptr_t>(token)); }
uint64_t opaque_to_token(void* opaque) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(opaque)); }

// Cuts at a UTF-8 character boundary so the header stays valid text.
std::string cut_utf8(const std::string& text, std::size_t max_chars) {
  if (text.size() <= max_chars) return text;
  std::size_t end = max_chars;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

}  // namespace

Status DeadLetterConfig::validate(std::string_view path) const {
  std::vector<std::string> problems;
  if (bootstrap_servers.empty()) problems.push_back("kafka.bootstrap_servers: must not be empty");
  if (topic.empty() && topic_suffix.empty()) {
    problems.push_back(fmt::format("{}.topic_suffix: must not be empty when no topic is set (the DLQ would be "
                                   "the source topic)", path));
  }
  if (message_timeout_ms < 1000) problems.push_back(fmt::format("{}.message_timeout_ms: must be at least 1000", path));
  if (max_message_chars < 16) problems.push_back(fmt::format("{}.max_message_chars: must be at least 16", path));
  if (problems.empty()) return ok_status();
  std::string message = "invalid dead-letter configuration:";
  for (const auto& p : problems) message += "\n  " + p;
  return Error(ErrorCode::kInvalidArgument, message);
}

std::string DeadLetterConfig::topic_for(std::string_view source_topic) const {
  if (!topic.empty()) return topic;
  return std::string(source_topic) + topic_suffix;
}

std::vector<std::pair<std::string, std::string>> dead_letter_headers(const DeadLetter& letter,
                                                                     std::size_t max_message_chars) {
  return {
      {kHeaderErrorCode, letter.code},
      {kHeaderErrorMessage, cut_utf8(letter.message, max_message_chars)},
      {kHeaderSourceTopic, letter.source_topic},
      {kHeaderSourcePartition, std::to_string(letter.source_partition)},
      {kHeaderSourceOffset, std::to_string(letter.source_offset)},
  };
}

Result<std::unique_ptr<DeadLetterPublisher>> DeadLetterPublisher::create(const DeadLetterConfig& config,
                                                                         DeliveryHandler handler) {
  RDS_TRY(config.validate());
  std::unique_ptr<DeadLetterPublisher> publisher(new DeadLetterPublisher());
  publisher->config_ = config;
  publisher->handler_ = std::move(handler);
  std::vector<std::pair<std::string, std::string>> props = {
      {"bootstrap.servers", config.bootstrap_servers},
      {"client.id", config.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"message.timeout.ms", std::to_string(config.message_timeout_ms)},
  };
  for (const auto& [k, v] : config.extra) props.emplace_back(k, v);
  auto made = kafka::make_rdkafka_conf(props, "dead-letter producer");
  if (!made) return made.take_error();
  rd_kafka_conf_t* conf = *made;
  rd_kafka_conf_set_opaque(conf, publisher.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &DeadLetterPublisher::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &DeadLetterPublisher::on_error);
  char errstr[512];
  publisher->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (publisher->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Error(ErrorCode::kInvalidArgument, fmt::format("dead-letter producer: {}", errstr));
  }
  return publisher;
}

DeadLetterPublisher::~DeadLetterPublisher() {
  if (rk_ == nullptr) return;
  handler_ = nullptr;  // the owner may be gone
  rd_kafka_flush(rk_, 5000);
  rd_kafka_destroy(rk_);
}

Status DeadLetterPublisher::publish(const DeadLetter& letter, uint64_t token) {
  const std::string topic = config_.topic_for(letter.source_topic);
  rd_kafka_headers_t* headers = rd_kafka_headers_new(5);
  for (const auto& [name, value] : dead_letter_headers(letter, config_.max_message_chars)) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  // rd_kafka_produceva: the variadic macros of rd_kafka_producev use C casts.
  std::vector<rd_kafka_vu_t> vus;
  rd_kafka_vu_t vu{};
  vu.vtype = RD_KAFKA_VTYPE_TOPIC;
  vu.u.cstr = topic.c_str();
  vus.push_back(vu);
  if (letter.key) {
    vu = rd_kafka_vu_t{};
    vu.vtype = RD_KAFKA_VTYPE_KEY;
    vu.u.mem.ptr = const_cast<char*>(letter.key->data());
    vu.u.mem.size = letter.key->size();
    vus.push_back(vu);
  }
  if (letter.value) {
    vu = rd_kafka_vu_t{};
    vu.vtype = RD_KAFKA_VTYPE_VALUE;
    vu.u.mem.ptr = const_cast<char*>(letter.value->data());
    vu.u.mem.size = letter.value->size();
    vus.push_back(vu);
  }
  vu = rd_kafka_vu_t{};
  vu.vtype = RD_KAFKA_VTYPE_HEADERS;
  vu.u.headers = headers;
  vus.push_back(vu);
  vu = rd_kafka_vu_t{};
  vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu.u.i = RD_KAFKA_MSG_F_COPY;
  vus.push_back(vu);
  vu = rd_kafka_vu_t{};
  vu.vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu.u.ptr = token_to_opaque(token);
  vus.push_back(vu);
  rd_kafka_error_t* error = rd_kafka_produceva(rk_, vus.data(), vus.size());
  if (error != nullptr) {
    rd_kafka_headers_destroy(headers);  // ownership passes to librdkafka only on success
    Error e = kafka::from_rdkafka(error, fmt::format("dead-lettering {}[{}]@{} to {}", letter.source_topic,
                                                     letter.source_partition, letter.source_offset, topic));
    rd_kafka_error_destroy(error);
    return e;
  }
  return ok_status();
}

int DeadLetterPublisher::poll(std::chrono::milliseconds timeout) {
  return rd_kafka_poll(rk_, static_cast<int>(timeout.count()));
}

Status DeadLetterPublisher::flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka::from_rdkafka(err, fmt::format("flushing {} undelivered dead letters", rd_kafka_outq_len(rk_)));
  }
  return ok_status();
}

std::size_t DeadLetterPublisher::in_flight() const { return static_cast<std::size_t>(rd_kafka_outq_len(rk_)); }

void DeadLetterPublisher::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<DeadLetterPublisher*>(opaque);
  DeadLetterDelivery delivery;
  delivery.token = opaque_to_token(msg->_private);
  delivery.topic = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "";
  delivery.partition = msg->partition;
  delivery.offset = msg->offset;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    delivery.status = kafka::from_rdkafka(msg->err, fmt::format("delivering a dead letter to {}", delivery.topic));
  }
  if (self->handler_) self->handler_(delivery);
}

void DeadLetterPublisher::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<DeadLetterPublisher*>(opaque);
  if (kafka::log_client_error(rk, err, reason, "dlq", "producer")) self->fatal_.store(true);
}

}  // namespace rds::process
