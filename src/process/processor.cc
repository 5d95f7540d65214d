#include "process/processor.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "core/signals.h"

namespace rds::process {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe(const pipeline::Ticket& ticket) {
  return fmt::format("{}@{}", to_string(ticket.tp), ticket.offset);
}

}  // namespace

Status ProcessorConfig::validate(std::string_view path) const {
  std::vector<std::string> problems;
  if (max_batch < 1 || max_batch > 100'000) problems.push_back(fmt::format("{}.max_batch: must be between 1 and 100000", path));
  if (poll_timeout.count() < 0 || poll_timeout.count() > 10'000) {
    problems.push_back(fmt::format("{}.poll_timeout_ms: must be between 0 and 10000", path));
  }
  if (dead_letter_retry_delay.count() < 0) problems.push_back(fmt::format("{}.dead_letter_retry_delay_ms: must be >= 0", path));
  if (revoke_drain_timeout.count() < 0) problems.push_back(fmt::format("{}.revoke_drain_timeout_ms: must be >= 0", path));
  if (shutdown_timeout.count() < 0) problems.push_back(fmt::format("{}.shutdown_timeout_ms: must be >= 0", path));
  Status retry_status = retry.validate(fmt::format("{}.retry", path));
  if (!retry_status.ok()) problems.push_back(retry_status.error().message);
  if (problems.empty()) return ok_status();
  std::string message = "invalid process configuration:";
  for (const auto& p : problems) message += "\n  " + p;
  return Error(ErrorCode::kInvalidArgument, message);
}

Processor::Processor(ProcessorConfig config, const RecordValidator& validator, RowWriter& writer, ProcessorProbe& probe)
    : config_(std::move(config)), validator_(validator), writer_(writer), probe_(probe) {}

Processor::~Processor() {
  // The consumer's destructor must not call back into a half-destroyed processor.
  consumer_.reset();
  dead_letters_.reset();
}

Result<std::unique_ptr<Processor>> Processor::create(const kafka::ConsumerConfig& consumer_config,
                                                     const DeadLetterConfig& dead_letter_config,
                                                     ProcessorConfig config, const RecordValidator& validator,
                                                     RowWriter& writer, ProcessorProbe& probe,
                                                     RecordDecoder* decoder) {
  RDS_TRY(config.validate());
  std::unique_ptr<Processor> processor(new Processor(std::move(config), validator, writer, probe));
  processor->decoder_ = decoder;
  Processor* self = processor.get();
  auto publisher = DeadLetterPublisher::create(
      dead_letter_config, [self](const DeadLetterDelivery& delivery) { self->handle_dead_letter_delivery(delivery); });
  if (!publisher.ok()) return publisher.take_error();
  processor->dead_letters_ = std::move(publisher).value();
  kafka::RebalanceHandlers handlers;
  handlers.on_assigned = [self](const std::vector<TopicPartition>& tps) { self->on_assigned(tps); };
  handlers.on_revoking = [self](const std::vector<TopicPartition>& tps, bool lost) {
    self->on_revoking(tps, lost);
  };
  auto consumer = kafka::Consumer::create(consumer_config, std::move(handlers));
  if (!consumer.ok()) return consumer.take_error();
  processor->consumer_ = std::move(consumer).value();
  return processor;
}

Result<ProcessorReport> Processor::run() {
  log::info("process", "consuming {} as group {} into {}", fmt::join(consumer_->config().topics, ","),
            consumer_->config().group_id, validator_.table().qualified_name());
  while (!stop_.load() && !stop_requested() && !fatal_) {
    handle_completions(take_completions(std::chrono::milliseconds(0)));
    dead_letters_->poll(std::chrono::milliseconds(0));
    run_due_retries();
    if (fatal_) break;
    auto batch = consumer_->poll(config_.max_batch, config_.poll_timeout);
    if (!batch.ok()) {
      fail(batch.take_error());
      break;
    }
    if (!batch->empty()) handle_batch(std::move(batch).value());
    store_offsets();
    if (consumer_->commit_due()) {
      Status committed = consumer_->commit_async();
      if (!committed.ok()) probe_.commit_failed(committed.error().message);
    }
    if (dead_letters_->fatal()) fail(Error(ErrorCode::kServer, "the dead-letter producer hit a fatal error"));
    refresh_gauges(false);
    if (config_.stop_after_acknowledged > 0 && acknowledged_ >= config_.stop_after_acknowledged) break;
  }
  shutdown();
  if (fatal_) return *fatal_;
  return report_;
}

void Processor::handle_batch(std::vector<kafka::Message> batch) {
  std::vector<sink::Row> rows;
  std::vector<uint64_t> tokens;
  rows.reserve(batch.size());
  tokens.reserve(batch.size());
  uint64_t bytes = 0;
  for (auto& message : batch) {
    bytes += message.value ? message.value->size() : 0;
    const TopicPartition tp{message.topic, message.partition};
    auto ticket = tracker_.track(tp, message.offset);
    if (!ticket.ok()) {
      // Redelivered below what is already registered: the registered copy covers it.
      log::warn("process", "{}", ticket.error().message);
      continue;
    }
    polled_at_[tp].emplace_back(message.offset, message.timestamp_ms);
    const uint64_t token = next_token_++;
    InFlight& entry = in_flight_[token];
    entry.ticket = *ticket;
    entry.timestamp_ms = message.timestamp_ms;
    entry.key = std::move(message.key);
    entry.value = std::move(message.value);
    Checked checked = check(entry.value);
    if (auto* rejection = std::get_if<Rejection>(&checked)) {
      dead_letter(token, std::move(*rejection));
    } else if (auto* deferred = std::get_if<Deferred>(&checked)) {
      schedule_retry(token, deferred->error);
    } else {
      // Sent as validated; a re-send after a failure validates the raw value again (kept for the
      // DLQ anyway) instead of keeping a second copy of every row in flight.
      rows.push_back(std::move(std::get<Row>(checked).values));
      tokens.push_back(token);
    }
  }
  probe_.consumed(batch.size(), bytes);
  report_.consumed += batch.size();
  write_rows(std::move(rows), std::move(tokens));
}

void Processor::send_rows(const std::vector<uint64_t>& tokens) {
  std::vector<sink::Row> rows;
  std::vector<uint64_t> sent;
  rows.reserve(tokens.size());
  for (uint64_t token : tokens) {
    auto it = in_flight_.find(token);
    if (it == in_flight_.end()) continue;
    Checked checked = check(it->second.value);
    if (auto* row = std::get_if<Row>(&checked)) {
      rows.push_back(std::move(row->values));
      sent.push_back(token);
      continue;
    }
    // Only a record deferred before (its writer's schema unfetched) can come out differently now.
    const TopicPartition tp = it->second.ticket.tp;
    if (auto retry = retries_.find(tp); retry != retries_.end()) retry->second.resent.erase(token);
    if (auto* deferred = std::get_if<Deferred>(&checked)) {
      schedule_retry(token, deferred->error);
    } else {
      dead_letter(token, std::move(std::get<Rejection>(checked)));
      maybe_resume(tp);
    }
  }
  write_rows(std::move(rows), std::move(sent));
}

Processor::Checked Processor::check(const std::optional<std::string>& value) {
  if (!value || decoder_ == nullptr) return to_checked(validator_.validate_nullable(value));
  if (auto too_large = validator_.check_record_size(value->size())) return std::move(*too_large);
  Decoded decoded = decoder_->decode(*value);
  if (auto* json = std::get_if<std::string_view>(&decoded)) return to_checked(validator_.validate(*json));
  if (auto* columns = std::get_if<const ColumnValues*>(&decoded)) {
    return to_checked(validator_.validate_columns(**columns));
  }
  if (auto* rejection = std::get_if<Rejection>(&decoded)) return std::move(*rejection);
  return std::move(std::get<Deferred>(decoded));
}

Processor::Checked Processor::to_checked(Validation validation) {
  if (auto* row = std::get_if<Row>(&validation)) return std::move(*row);
  return std::move(std::get<Rejection>(validation));
}

void Processor::dead_letter(uint64_t token, Rejection rejection) {
  InFlight& entry = in_flight_.at(token);
  entry.dead_letter = true;
  entry.code = std::string(to_string(rejection.code));
  entry.message = std::move(rejection.message);
  probe_.rejected(entry.code, entry.ticket.tp.topic, entry.ticket.tp.partition, entry.ticket.offset, entry.message);
  publish_dead_letter(token);
}

void Processor::write_rows(std::vector<sink::Row> rows, std::vector<uint64_t> tokens) {
  if (rows.empty()) return;
  auto queue = completions_;
  writer_.write(std::move(rows), [queue, tokens = std::move(tokens)](size_t index, const sink::RowOutcome& outcome) {
    std::lock_guard<std::mutex> lock(queue->mutex);
    queue->items.push_back(Completion{tokens[index], outcome});
    queue->cv.notify_all();
  });
}

void Processor::publish_dead_letter(uint64_t token) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  const InFlight& entry = it->second;
  DeadLetter letter;
  letter.source_topic = entry.ticket.tp.topic;
  letter.source_partition = entry.ticket.tp.partition;
  letter.source_offset = entry.ticket.offset;
  letter.key = entry.key;
  letter.value = entry.value;
  letter.code = entry.code;
  letter.message = entry.message;
  Status published = dead_letters_->publish(letter, token);
  if (!published.ok()) {
    probe_.dead_letter_failed(published.error().message);
    if (!published.error().retriable) {
      fail(published.error());  // it names the record already: "dead-lettering users_created[2]@5: ..."
      return;
    }
    dead_letter_retries_.emplace_back(Clock::now() + config_.dead_letter_retry_delay, token);
  }
}

std::vector<Processor::Completion> Processor::take_completions(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(completions_->mutex);
  if (wait.count() > 0 && completions_->items.empty()) {
    completions_->cv.wait_for(lock, wait, [this] { return !completions_->items.empty(); });
  }
  std::vector<Completion> out;
  out.swap(completions_->items);
  return out;
}

void Processor::handle_completions(std::vector<Completion> completions) {
  for (const auto& completion : completions) handle_sink_outcome(completion.token, completion.outcome);
}

void Processor::handle_sink_outcome(uint64_t token, const sink::RowOutcome& outcome) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;  // its partition was revoked meanwhile
  const TopicPartition tp = it->second.ticket.tp;
  auto retry = retries_.find(tp);
  if (retry != retries_.end()) retry->second.resent.erase(token);
  if (outcome.status.ok()) {
    probe_.stored(1);
    probe_.end_to_end(it->second.timestamp_ms);
    report_.stored += 1;
    acknowledge(token);
    maybe_resume(tp);
    return;
  }
  const Error& error = outcome.status.error();
  probe_.sink_failed(error.retriable, fmt::format("{}: {}", describe(it->second.ticket), error.message));
  if (error.retriable) {
    schedule_retry(token, error);
    return;
  }
  if (config_.permanent_failure == PermanentFailureAction::kDeadLetter) {
    InFlight& entry = it->second;
    entry.dead_letter = true;
    entry.code = std::string(kSinkRejectedCode);
    entry.message = error.message;
    probe_.rejected(entry.code, tp.topic, tp.partition, entry.ticket.offset, entry.message);
    publish_dead_letter(token);
    maybe_resume(tp);
    return;
  }
  fail(error.with_context(fmt::format("writing {} to {} (permanent failure; set the permanent-failure action to "
                                      "dead_letter to divert such rows)",
                                      describe(it->second.ticket), validator_.table().qualified_name())));
}

void Processor::handle_dead_letter_delivery(const DeadLetterDelivery& delivery) {
  auto it = in_flight_.find(delivery.token);
  if (it == in_flight_.end()) return;
  if (delivery.status.ok()) {
    probe_.dead_lettered(it->second.code);
    report_.dead_lettered += 1;
    acknowledge(delivery.token);
    return;
  }
  const Error& error = delivery.status.error();
  probe_.dead_letter_failed(error.message);
  if (!error.retriable) {
    fail(error.with_context(fmt::format("dead-lettering {}", describe(it->second.ticket))));
    return;
  }
  dead_letter_retries_.emplace_back(Clock::now() + config_.dead_letter_retry_delay, delivery.token);
}

void Processor::acknowledge(uint64_t token) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  const pipeline::Ticket ticket = it->second.ticket;
  in_flight_.erase(it);
  auto outcome = tracker_.ack(ticket);
  if (!outcome.ok()) {
    fail(outcome.take_error());
    return;
  }
  if (*outcome == pipeline::AckOutcome::kAcknowledged) ++acknowledged_;
}

// A paused partition resumes once every re-sent row has an outcome and no round is pending.
void Processor::maybe_resume(const TopicPartition& tp) {
  auto retry = retries_.find(tp);
  if (retry == retries_.end()) return;
  const RetryState& state = retry->second;
  if (!state.resent.empty() || !state.waiting.empty() || state.next_attempt) return;
  Status resumed = consumer_->resume({tp});
  if (!resumed.ok()) log::warn("process", "{}", resumed.error().message);
  log::info("process", "{}: writes succeed again after {} failed round(s); resumed", to_string(tp),
            state.backoff->failures());
  retries_.erase(retry);
}

void Processor::schedule_retry(uint64_t token, const Error& error) {
  const TopicPartition tp = in_flight_.at(token).ticket.tp;
  auto [it, inserted] = retries_.try_emplace(tp);
  RetryState& state = it->second;
  if (inserted) {
    state.backoff = std::make_unique<Backoff>(config_.retry);
    state.started = Clock::now();
    Status paused = consumer_->pause({tp});
    if (!paused.ok()) log::warn("process", "{}", paused.error().message);
    probe_.partition_paused();
    log::warn("process", "{}: {} (retriable); partition paused, retrying with backoff", to_string(tp), error.message);
  }
  state.waiting.push_back(token);
  if (!state.next_attempt) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - state.started);
    BackoffDecision decision = state.backoff->on_failure(elapsed);
    if (!decision.retry) {
      fail(error.with_context(fmt::format("writing {} to {}: giving up after {} attempts ({})",
                                          describe(in_flight_.at(token).ticket), validator_.table().qualified_name(),
                                          state.backoff->failures(), to_string(decision.stop))));
      return;
    }
    state.next_attempt = Clock::now() + decision.delay;
  }
}

void Processor::run_due_retries() {
  const auto now = Clock::now();
  // send_rows() may resume a partition and erase its entry (a deferred record rejected on retry):
  // the next entry is found before, not by incrementing an erased node.
  for (auto it = retries_.begin(), next = it; it != retries_.end(); it = next) {
    next = std::next(it);
    RetryState& state = it->second;
    if (!state.next_attempt || *state.next_attempt > now) continue;
    std::vector<uint64_t> tokens;
    tokens.swap(state.waiting);
    state.next_attempt.reset();
    std::vector<uint64_t> live;
    for (uint64_t token : tokens) {
      if (in_flight_.count(token) == 0) continue;
      probe_.retried();
      report_.retries += 1;
      state.resent.insert(token);
      live.push_back(token);
    }
    send_rows(live);
  }
  while (!dead_letter_retries_.empty() && dead_letter_retries_.front().first <= now) {
    const uint64_t token = dead_letter_retries_.front().second;
    dead_letter_retries_.pop_front();
    probe_.retried();
    report_.retries += 1;
    publish_dead_letter(token);
  }
}

void Processor::store_offsets() {
  for (const auto& point : tracker_.take_advanced()) {
    Status stored = consumer_->store_offset(point.tp.topic, point.tp.partition, point.next_offset);
    if (!stored.ok()) {
      log::warn("process", "{}", stored.error().message);
    } else {
      probe_.committed();
    }
  }
}

void Processor::refresh_gauges(bool force) {
  const auto now = Clock::now();
  probe_.set_in_flight(static_cast<int64_t>(tracker_.in_flight()));
  probe_.set_paused_partitions(static_cast<int64_t>(retries_.size()));
  // What is acknowledged no longer counts for the age (done every call: the queues stay short).
  for (auto& [tp, polled] : polled_at_) {
    const auto first = tracker_.first_unacknowledged(tp);
    while (!polled.empty() && (!first || polled.front().first < *first)) polled.pop_front();
  }
  if (!force && now - last_gauges_ < config_.lag_interval) return;
  last_gauges_ = now;
  int64_t lag = 0;
  for (const auto& tp : consumer_->assignment()) {
    const int64_t records = consumer_->lag(tp.topic, tp.partition).value_or(0);
    lag += records;
    const auto it = polled_at_.find(tp);
    const bool waiting = it != polled_at_.end() && !it->second.empty();
    probe_.set_partition_lag(tp, records, waiting ? it->second.front().second : -1);
  }
  probe_.set_lag(lag);
}

void Processor::fail(Error error) {
  if (fatal_) return;
  log::error("process", "stopping: {}", error.message);
  fatal_ = std::move(error);
}

std::size_t Processor::in_flight_for(const std::vector<TopicPartition>& partitions) const {
  std::size_t count = 0;
  for (const auto& tp : partitions) count += tracker_.in_flight(tp);
  return count;
}

void Processor::on_assigned(const std::vector<TopicPartition>&) { refresh_gauges(true); }

void Processor::on_revoking(const std::vector<TopicPartition>& partitions, bool lost) {
  if (!lost && !fatal_) {
    // Let the leaving partitions' writes finish (bounded), so what is done gets committed. Not
    // when stopping on an error: the failed row will not finish.
    const auto deadline = Clock::now() + config_.revoke_drain_timeout;
    while (in_flight_for(partitions) > 0 && Clock::now() < deadline) {
      bool waiting_on_retry = false;
      for (const auto& tp : partitions) waiting_on_retry |= retries_.count(tp) > 0;
      if (waiting_on_retry) break;  // a paused partition will not finish soon: the next owner retries
      handle_completions(take_completions(std::chrono::milliseconds(50)));
      dead_letters_->poll(std::chrono::milliseconds(0));
    }
    store_offsets();
  }
  for (const auto& tp : partitions) {
    const std::size_t dropped = tracker_.forget(tp);
    if (dropped > 0) {
      probe_.dropped_on_revoke(dropped);
      log::info("process", "{}: {} record(s) in flight left for the next owner", to_string(tp), dropped);
    }
    retries_.erase(tp);
    polled_at_.erase(tp);
    probe_.forget_partition(tp);
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      it = it->second.ticket.tp == tp ? in_flight_.erase(it) : std::next(it);
    }
  }
  refresh_gauges(true);
}

void Processor::shutdown() {
  // Stop taking new records; give what is in flight a chance to finish, then commit.
  const auto deadline = Clock::now() + config_.shutdown_timeout;
  while (!in_flight_.empty() && Clock::now() < deadline && !fatal_) {
    if (!retries_.empty()) break;  // paused partitions: not finishing now; nothing past them is committed
    handle_completions(take_completions(std::chrono::milliseconds(50)));
    dead_letters_->poll(std::chrono::milliseconds(0));
    run_due_retries();
  }
  if (fatal_) {
    // Stopping on an error: the rows sent before the failed one may still be finishing. Their
    // outcomes are waited for (bounded), so that what was stored ahead of the failure is committed
    // rather than written again by the next owner.
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    (void)writer_.drain(std::max(std::chrono::milliseconds(0), remaining));
  }
  handle_completions(take_completions(std::chrono::milliseconds(0)));
  dead_letters_->poll(std::chrono::milliseconds(0));
  store_offsets();
  report_.left_in_flight = tracker_.in_flight();
  Status committed = consumer_->commit_sync();
  if (!committed.ok()) probe_.commit_failed(committed.error().message);
  Status closed = consumer_->close();  // revokes everything: on_revoking stores again, then commits
  if (!closed.ok()) log::warn("process", "{}", closed.error().message);
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  (void)writer_.drain(std::max(std::chrono::milliseconds(0), remaining));
  refresh_gauges(true);
  log::info("process", "stopped: {} consumed, {} stored, {} dead-lettered, {} retries, {} left in flight",
            report_.consumed, report_.stored, report_.dead_lettered, report_.retries, report_.left_in_flight);
}

}  // namespace rds::process
