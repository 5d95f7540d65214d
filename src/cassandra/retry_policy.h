#pragma once
// RetryPolicy: what to do after a request failed, as a pure decision (style.md "policies are pure
// decisions"). The session acts on the answer; the policy never sleeps, sends or reads a clock.
//
// Rules (after the DataStax drivers' default policy, stricter on idempotence):
//   syntax / invalid / config / already_exists / unauthorized / bad credentials / protocol -> fail
//   unprepared                        -> same host, no delay (the session re-PREPAREs first)
//   is_bootstrapping                  -> next host, no delay (that coordinator cannot serve yet)
//   unavailable                       -> next host with backoff (another coordinator may see more
//                                        replicas alive; the statement was not applied)
//   overloaded                        -> next host with backoff, idempotent statements only
//   write/read timeout                -> same host with backoff, idempotent statements only
//                                        (a timed-out write may have been applied: replaying a
//                                        non-idempotent one could apply it twice)
//   server error, read/write failure  -> next host with backoff, idempotent statements only
//   connection lost / client timeout  -> next host with backoff, idempotent statements only,
//                                        or any statement that never reached the socket
//   anything after max_retries        -> fail
// Thread-safe: const and stateless.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/backoff.h"
#include "core/error.h"
#include "cql/errors.h"

namespace rds::cassandra {

// Why a request attempt failed, as the session saw it.
struct RequestFailure {
  enum class Kind {
    kServerError,     // the server answered ERROR: see cql_code
    kConnectionLost,  // the socket died with the request in flight (or before it was written)
    kClientTimeout,   // no answer within the request timeout
    kNoHost,          // no host had a usable connection
    kClientError,     // our side could not build or send the request (a bug or bad input)
  };
  Kind kind = Kind::kServerError;
  std::optional<cql::CqlErrorCode> cql_code;  // set for kServerError
  bool written = true;  // false if the request provably never left this process

  static RequestFailure server(cql::CqlErrorCode code) { return {Kind::kServerError, code, true}; }
  static RequestFailure connection_lost(bool was_written) {
    return {Kind::kConnectionLost, std::nullopt, was_written};
  }
  static RequestFailure client_timeout() { return {Kind::kClientTimeout, std::nullopt, true}; }
  static RequestFailure no_host() { return {Kind::kNoHost, std::nullopt, false}; }
  static RequestFailure client_error() { return {Kind::kClientError, std::nullopt, false}; }
};

enum class RetryAction { kRetrySameHost, kRetryNextHost, kFail };
std::string_view to_string(RetryAction action);

struct RetryDecision {
  RetryAction action = RetryAction::kFail;
  std::chrono::milliseconds delay{0};  // wait this long before the next attempt
  std::string_view reason;             // static text for logs: "write timeout, idempotent"
};

struct RetryPolicyConfig {
  static constexpr int kDefaultMaxRetries = 3;
  int max_retries = kDefaultMaxRetries;  // retries after the first attempt; 0 = never retry
  // Delay before retry n (n = 1, 2, ...): min(max_delay, initial * multiplier^(n-1)). The jitter
  // field is ignored: the decision stays deterministic.
  BackoffConfig backoff{std::chrono::milliseconds(50), std::chrono::milliseconds(2000), 2.0,
                        Jitter::kNone, 0, std::chrono::milliseconds(0)};

  Status validate(std::string_view path = "retry") const;
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryPolicyConfig config = {}) : config_(config) {}

  // `attempt` is the number of the attempt that just failed (1 for the first one).
  RetryDecision decide(const RequestFailure& failure, int attempt, bool idempotent) const;

  // The backoff delay before retry number `retry` (>= 1).
  std::chrono::milliseconds delay_for(int retry) const;

  const RetryPolicyConfig& config() const { return config_; }

 private:
  RetryPolicyConfig config_;
};

}  // namespace rds::cassandra
