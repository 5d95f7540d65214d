#include "cassandra/retry_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rds::cassandra {

using std::chrono::milliseconds;

std::string_view to_string(RetryAction action) {
  switch (action) {
    case RetryAction::kRetrySameHost: return "retry_same_host";
    case RetryAction::kRetryNextHost: return "retry_next_host";
    case RetryAction::kFail: return "fail";
  }
  return "unknown";
}

Status RetryPolicyConfig::validate(std::string_view path) const {
  if (max_retries < 0 || max_retries > 100) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.max_retries: must be between 0 and 100", path));
  }
  return backoff.validate(fmt::format("{}.backoff", path));
}

milliseconds RetryPolicy::delay_for(int retry) const {
  const double initial = static_cast<double>(config_.backoff.initial.count());
  const double cap = static_cast<double>(config_.backoff.max_delay.count());
  const double base = std::min(cap, initial * std::pow(config_.backoff.multiplier, std::max(0, retry - 1)));
  return milliseconds(static_cast<milliseconds::rep>(std::llround(base)));
}

RetryDecision RetryPolicy::decide(const RequestFailure& failure, int attempt, bool idempotent) const {
  using cql::CqlErrorCode;
  auto fail = [](std::string_view why) { return RetryDecision{RetryAction::kFail, milliseconds(0), why}; };
  auto same = [&](milliseconds d, std::string_view why) { return RetryDecision{RetryAction::kRetrySameHost, d, why}; };
  auto next = [&](milliseconds d, std::string_view why) { return RetryDecision{RetryAction::kRetryNextHost, d, why}; };

  if (attempt > config_.max_retries) return fail("retries exhausted");
  const milliseconds backoff = delay_for(attempt);

  switch (failure.kind) {
    case RequestFailure::Kind::kNoHost:
      return fail("no host available");
    case RequestFailure::Kind::kClientError:
      return fail("request could not be built or sent");
    case RequestFailure::Kind::kConnectionLost:
      if (!failure.written) return next(milliseconds(0), "connection lost before the request was written");
      if (idempotent) return next(backoff, "connection lost, idempotent");
      return fail("connection lost after the request was written, not idempotent");
    case RequestFailure::Kind::kClientTimeout:
      if (idempotent) return next(backoff, "client timeout, idempotent");
      return fail("client timeout, not idempotent");
    case RequestFailure::Kind::kServerError:
      break;
  }
  if (!failure.cql_code) return fail("server error without a code");
  switch (*failure.cql_code) {
    case CqlErrorCode::kUnprepared:
      return same(milliseconds(0), "unprepared: re-prepare and retry");
    case CqlErrorCode::kIsBootstrapping:
      return next(milliseconds(0), "coordinator is bootstrapping");
    case CqlErrorCode::kUnavailable:
      return next(backoff, "unavailable: not applied, try another coordinator");
    case CqlErrorCode::kOverloaded:
      if (idempotent) return next(backoff, "overloaded, idempotent");
      return fail("overloaded, not idempotent");
    case CqlErrorCode::kWriteTimeout:
      if (idempotent) return same(backoff, "write timeout, idempotent");
      return fail("write timeout, not idempotent");
    case CqlErrorCode::kReadTimeout:
      if (idempotent) return same(backoff, "read timeout, idempotent");
      return fail("read timeout, not idempotent");
    case CqlErrorCode::kServerError:
    case CqlErrorCode::kReadFailure:
    case CqlErrorCode::kWriteFailure:
      if (idempotent) return next(backoff, "server-side failure, idempotent");
      return fail("server-side failure, not idempotent");
    case CqlErrorCode::kTruncateError:
    case CqlErrorCode::kFunctionFailure:
    case CqlErrorCode::kProtocolError:
    case CqlErrorCode::kBadCredentials:
    case CqlErrorCode::kSyntaxError:
    case CqlErrorCode::kUnauthorized:
    case CqlErrorCode::kInvalid:
    case CqlErrorCode::kConfigError:
    case CqlErrorCode::kAlreadyExists:
      return fail("the statement or the credentials are wrong: retrying cannot help");
  }
  return fail("unknown error code");
}

}  // namespace rds::cassandra
