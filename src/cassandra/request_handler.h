#pragma once
// One request's life (the DataStax drivers' RequestHandler): its query plan from the
// load-balancing policy, its attempts over that plan with RetryPolicy deciding after each
// failure, per-attempt timeouts, the re-PREPARE of an UNPREPARED statement, and the one callback
// at the end. What it needs of its session is the RequestContext.
//
// Thread: start() and everything after it on the session's loop thread.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/connection.h"
#include "cassandra/event_loop.h"
#include "cassandra/session.h"

namespace rds::cassandra {

class HostPool;
class PreparedCache;

// The hosts a request tries, in order, and the statement's replicas (for the per-host counters).
struct QueryPlan {
  std::vector<HostIndex> hosts;
  std::vector<HostIndex> replicas;
};

class RequestHandler;

// The session, as a request sees it (loop thread).
class RequestContext {
 public:
  virtual ~RequestContext() = default;
  virtual EventLoop& loop() = 0;
  virtual const SessionConfig& config() const = 0;
  virtual const RetryPolicy& retry_policy() const = 0;
  virtual SessionProbe& probe() = 0;
  virtual PreparedCache& prepared_cache() = 0;
  virtual bool closed() const = 0;
  // `target`: the one host a request must go to (none: the load-balancing policy decides).
  virtual QueryPlan query_plan(const Statement& statement, std::optional<HostIndex> target) = 0;
  virtual HostPool& host(HostIndex h) = 0;
  // The request is over: forget it. `warnings`: the server's, if it answered with some.
  virtual void request_finished(const std::shared_ptr<RequestHandler>& request, const std::string& coordinator,
                                const std::vector<std::string>& warnings) = 0;
};

// Encodes a statement (or batch) as a QUERY, EXECUTE or BATCH frame. The values are lent to the
// request while it is encoded and given back (a re-prepare encodes again): copying them would cost
// an allocation per value of every row written.
Result<cql::Bytes> encode_statement(Statement& statement, const SessionConfig& config);

class RequestHandler : public std::enable_shared_from_this<RequestHandler> {
 public:
  RequestHandler(RequestContext& context, Statement statement, cql::Bytes frame, ExecuteCallback callback,
                 std::optional<HostIndex> target = std::nullopt);

  // Loop thread: plans and sends the first attempt.
  void start();
  // Ends the request now with `error` (the session closes, or it could not be encoded).
  void fail(Error error) { finish(Result<cql::Response>(std::move(error)), std::nullopt); }
  // Off the loop (it stopped): gives the statement back with `error`.
  void fail_off_loop(Error error);

 private:
  void attempt();
  void on_reply(HostIndex h, const std::weak_ptr<Connection>& conn, Reply reply);
  void on_failure(const RequestFailure& failure, Error error, std::optional<cql::CqlErrorCode> code);
  void reprepare(HostIndex h, const std::weak_ptr<Connection>& weak, std::shared_ptr<const PreparedStatement> stale);
  void finish(Result<cql::Response> response, std::optional<cql::CqlErrorCode> code);
  bool is_replica(HostIndex h) const;

  RequestContext& context_;
  Statement statement_;
  cql::Bytes frame_;
  ExecuteCallback callback_;
  std::optional<HostIndex> target_;  // metadata queries go to one host
  QueryPlan plan_;
  size_t plan_pos_ = 0;
  int attempt_ = 0;
  std::string coordinator_;
  bool done_ = false;
};

}  // namespace rds::cassandra
