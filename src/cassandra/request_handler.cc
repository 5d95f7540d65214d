#include "cassandra/request_handler.h"

#include <fmt/format.h>

#include <algorithm>

#include "cassandra/host_pool.h"
#include "cassandra/internal.h"
#include "cassandra/prepared_cache.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::frame_options;
using internal::kLog;
using internal::session_closed;

Result<cql::Bytes> encode_batch(Statement& s, const SessionConfig& config) {
  cql::BatchRequest request;
  request.type = s.batch_type;
  request.consistency = s.consistency.value_or(config.default_consistency);
  request.default_timestamp = s.timestamp;
  request.statements.reserve(s.batch.size());
  for (auto& member : s.batch) {
    if (member.prepared) {
      request.statements.push_back(cql::BatchStatement::of_prepared(member.prepared->id, std::move(member.values)));
    } else {
      request.statements.push_back(cql::BatchStatement::of_query(member.query, std::move(member.values)));
    }
  }
  auto frame = cql::encode_batch(0, request, frame_options(config.compression));
  for (size_t i = 0; i < s.batch.size(); ++i) s.batch[i].values = std::move(request.statements[i].values);
  return frame;
}

}  // namespace

Result<cql::Bytes> encode_statement(Statement& s, const SessionConfig& config) {
  if (!s.batch.empty()) return encode_batch(s, config);
  cql::QueryParameters params;
  params.consistency = s.consistency.value_or(config.default_consistency);
  params.default_timestamp = s.timestamp;
  params.values = std::move(s.values);
  params.page_size = s.page_size;
  const cql::FrameOptions options = frame_options(config.compression);
  if (s.prepared) {
    cql::ExecuteRequest request{s.prepared->id, std::move(params)};
    auto frame = cql::encode_execute(0, request, options);
    s.values = std::move(request.params.values);
    return frame;
  }
  cql::QueryRequest request{s.query, std::move(params)};
  auto frame = cql::encode_query(0, request, options);
  s.values = std::move(request.params.values);
  return frame;
}

RequestHandler::RequestHandler(RequestContext& context, Statement statement, cql::Bytes frame,
                               ExecuteCallback callback, std::optional<HostIndex> target)
    : context_(context),
      statement_(std::move(statement)),
      frame_(std::move(frame)),
      callback_(std::move(callback)),
      target_(target) {}

void RequestHandler::start() {
  plan_ = context_.query_plan(statement_, target_);
  attempt();
}

void RequestHandler::fail_off_loop(Error error) {
  done_ = true;
  auto callback = std::move(callback_);
  callback(ExecuteResult{Result<cql::Response>(std::move(error)), std::nullopt, attempt_, coordinator_,
                         std::move(statement_)});
}

void RequestHandler::finish(Result<cql::Response> response, std::optional<cql::CqlErrorCode> code) {
  if (done_) return;
  done_ = true;
  static const std::vector<std::string> kNone;
  context_.request_finished(shared_from_this(), coordinator_, response.ok() ? response->warnings : kNone);
  auto callback = std::move(callback_);
  callback(ExecuteResult{std::move(response), code, attempt_, coordinator_, std::move(statement_)});
}

bool RequestHandler::is_replica(HostIndex h) const {
  return std::find(plan_.replicas.begin(), plan_.replicas.end(), h) != plan_.replicas.end();
}

void RequestHandler::attempt() {
  if (done_) return;
  if (context_.closed()) return finish(Result<cql::Response>(session_closed()), std::nullopt);
  ++attempt_;
  const std::chrono::milliseconds timeout =
      statement_.timeout.count() > 0 ? statement_.timeout : context_.config().request_timeout;
  auto self = shared_from_this();
  for (; plan_pos_ < plan_.hosts.size(); ++plan_pos_) {
    const HostIndex h = plan_.hosts[plan_pos_];
    HostPool& host = context_.host(h);
    auto conn = host.pick();
    if (!conn) continue;
    coordinator_ = host.endpoint();
    std::weak_ptr<Connection> weak = conn;
    if (conn->send(frame_, timeout, [self, h, weak](Reply reply) { self->on_reply(h, weak, std::move(reply)); })) {
      host.count_request(is_replica(h));
      return;
    }
  }
  std::string tried;
  for (HostIndex h : plan_.hosts) tried += (tried.empty() ? "" : ", ") + context_.host(h).endpoint();
  context_.probe().no_host();
  Error e(ErrorCode::kUnavailable,
          tried.empty() ? "no Cassandra host available (every known host is down; their pools keep reconnecting)"
                        : fmt::format("no Cassandra host available (tried: {})", tried),
          true);
  on_failure(RequestFailure::no_host(), std::move(e), std::nullopt);
}

void RequestHandler::on_reply(HostIndex h, const std::weak_ptr<Connection>& conn, Reply reply) {
  if (done_) return;
  if (!reply.response.ok()) {
    if (reply.failure.kind == RequestFailure::Kind::kClientTimeout) context_.probe().client_timeout();
    if (reply.failure.kind == RequestFailure::Kind::kConnectionLost) context_.probe().connection_loss();
    return on_failure(reply.failure, reply.response.take_error(), std::nullopt);
  }
  if (const auto* error = std::get_if<cql::ErrorMessage>(&reply.response->message)) {
    Error e = error->to_error().with_context(coordinator_);
    if (error->code == cql::CqlErrorCode::kUnprepared) {
      if (auto statement = PreparedCache::unprepared_statement(statement_, *error)) {
        const auto decision =
            context_.retry_policy().decide(RequestFailure::server(error->code), attempt_, statement_.idempotent);
        if (decision.action == RetryAction::kFail) return finish(Result<cql::Response>(std::move(e)), error->code);
        return reprepare(h, conn, std::move(statement));
      }
    }
    // A coordinator that cannot read its auth data is unavailable for this request, not a refusal.
    const auto code = error->auth_lookup_failed() ? cql::CqlErrorCode::kUnavailable : error->code;
    return on_failure(RequestFailure::server(code), std::move(e), error->code);
  }
  finish(std::move(reply.response), std::nullopt);
}

void RequestHandler::on_failure(const RequestFailure& failure, Error error, std::optional<cql::CqlErrorCode> code) {
  const auto decision = context_.retry_policy().decide(failure, attempt_, statement_.idempotent);
  if (decision.action == RetryAction::kFail || context_.closed()) {
    return finish(Result<cql::Response>(std::move(error)), code);
  }
  context_.probe().retry();
  log::debug(kLog, "retrying ({}, attempt {}): {}: {}", to_string(decision.action), attempt_, decision.reason,
             error.message);
  if (decision.action == RetryAction::kRetryNextHost) {
    ++plan_pos_;
    // Wrap around with a fresh plan: with a single host, "next host" is the same one after the
    // backoff; and a host that came back up since is in it again.
    if (plan_pos_ >= plan_.hosts.size()) {
      plan_ = context_.query_plan(statement_, target_);
      plan_pos_ = 0;
    }
  }
  if (decision.delay.count() == 0) return attempt();
  auto self = shared_from_this();
  context_.loop().add_timer(decision.delay, [self] { self->attempt(); });
}

// UNPREPARED: the host forgot the statement (restart, table dropped and re-created): PREPARE it
// again there, then send the EXECUTE (or BATCH) again, with the new id if it changed.
void RequestHandler::reprepare(HostIndex h, const std::weak_ptr<Connection>& weak,
                               std::shared_ptr<const PreparedStatement> stale) {
  HostPool& host = context_.host(h);
  auto conn = weak.lock();
  if (!conn || !conn->is_ready()) conn = host.pick();
  const auto& config = context_.config();
  auto frame = cql::encode_prepare(0, stale->query, frame_options(config.compression));
  if (!conn || !frame.ok()) {
    return on_failure(RequestFailure::connection_lost(false),
                      Error(ErrorCode::kUnavailable, fmt::format("{}: cannot re-prepare", host.endpoint()), true),
                      std::nullopt);
  }
  context_.probe().reprepare();
  log::info(kLog, "{}: re-preparing \"{}\"", host.endpoint(), stale->query);
  auto self = shared_from_this();
  conn->send(std::move(*frame), config.request_timeout, [self, stale](Reply reply) {
    if (self->done_) return;
    if (!reply.response.ok()) return self->on_failure(reply.failure, reply.response.take_error(), std::nullopt);
    if (const auto* error = std::get_if<cql::ErrorMessage>(&reply.response->message)) {
      return self->finish(Result<cql::Response>(error->to_error().with_context("re-preparing")), error->code);
    }
    const auto* prepared = std::get_if<cql::PreparedResult>(&reply.response->message);
    if (!prepared) {
      return self->finish(Result<cql::Response>(Error(ErrorCode::kProtocol, "unexpected answer to PREPARE")),
                          std::nullopt);
    }
    if (self->context_.prepared_cache().reprepared(stale, *prepared, self->statement_) != stale) {
      auto frame2 = encode_statement(self->statement_, self->context_.config());
      if (!frame2.ok()) return self->finish(Result<cql::Response>(frame2.take_error()), std::nullopt);
      self->frame_ = std::move(*frame2);
    }
    self->attempt();
  });
}

}  // namespace rds::cassandra
