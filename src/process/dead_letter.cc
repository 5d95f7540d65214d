#include "process/dead_letter.h"

#include <fmt/format.h>

namespace rds::process {
namespace {

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
  kafka::AnyTopicProducerConfig producer_config;
  producer_config.name = "dead-letter producer";
  producer_config.log_component = "dlq";
  producer_config.bootstrap_servers = config.bootstrap_servers;
  producer_config.client_id = config.client_id;
  producer_config.linger_ms = 5;  // dead letters are few: little to batch, no reason to hold them
  producer_config.message_timeout_ms = config.message_timeout_ms;
  producer_config.extra = config.extra;
  DeadLetterPublisher* self = publisher.get();
  auto producer = kafka::Producer::create(producer_config,
                                          [self](const kafka::DeliveryReport& report) { self->on_delivery(report); });
  if (!producer) return producer.take_error();
  publisher->producer_ = std::move(producer).value();
  return publisher;
}

DeadLetterPublisher::~DeadLetterPublisher() {
  if (producer_ == nullptr) return;
  handler_ = nullptr;  // the owner may be gone: deliveries from here on are not reported
  (void)producer_->flush(std::chrono::seconds(5));
}

Status DeadLetterPublisher::publish(const DeadLetter& letter, uint64_t token) {
  const std::string topic = config_.topic_for(letter.source_topic);
  const auto headers = dead_letter_headers(letter, config_.max_message_chars);
  kafka::Record record;
  record.topic = topic;
  if (letter.key) record.key = *letter.key;
  if (letter.value) record.value = *letter.value;
  record.headers = headers;
  // No waiting on a full local queue (block_for 0): the error is retriable and the owner, which
  // has Cassandra writes to serve meanwhile, publishes again later.
  Status queued = producer_->produce(record, token, std::chrono::milliseconds(0));
  if (!queued.ok()) {
    return queued.take_error().with_context(
        fmt::format("dead-lettering {}[{}]@{}", letter.source_topic, letter.source_partition, letter.source_offset));
  }
  return ok_status();
}

int DeadLetterPublisher::poll(std::chrono::milliseconds timeout) { return producer_->poll(timeout); }

Status DeadLetterPublisher::flush(std::chrono::milliseconds timeout) {
  Status flushed = producer_->flush(timeout);
  if (!flushed.ok()) return flushed.take_error().with_context("dead-letter producer");
  return ok_status();
}

std::size_t DeadLetterPublisher::in_flight() const { return producer_->in_flight(); }

void DeadLetterPublisher::on_delivery(const kafka::DeliveryReport& report) {
  if (!handler_) return;
  DeadLetterDelivery delivery;
  delivery.token = report.token;
  delivery.topic = report.topic;
  delivery.partition = report.partition;
  delivery.offset = report.offset;
  delivery.status = report.status;  // its error names the DLQ topic: "delivering a record to users_created.dlq: ..."
  handler_(delivery);
}

}  // namespace rds::process
