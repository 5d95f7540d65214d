#include "cassandra/retry_policy.h"

#include <gtest/gtest.h>
#include "support/result_matchers.h"

namespace rds::cassandra {
namespace {

using cql::CqlErrorCode;
using std::chrono::milliseconds;

RetryPolicy policy() {
  RetryPolicyConfig config;
  config.max_retries = 3;
  config.backoff.initial = milliseconds(10);
  config.backoff.max_delay = milliseconds(25);
  config.backoff.multiplier = 2.0;
  return RetryPolicy(config);
}

TEST(RetryPolicy, NeverRetriesStatementOrCredentialErrors) {
  for (auto code : {CqlErrorCode::kSyntaxError, CqlErrorCode::kInvalid, CqlErrorCode::kUnauthorized,
                    CqlErrorCode::kBadCredentials, CqlErrorCode::kConfigError, CqlErrorCode::kAlreadyExists,
                    CqlErrorCode::kProtocolError, CqlErrorCode::kFunctionFailure, CqlErrorCode::kTruncateError}) {
    for (bool idempotent : {false, true}) {
      auto d = policy().decide(RequestFailure::server(code), 1, idempotent);
      EXPECT_EQ(d.action, RetryAction::kFail) << cql::to_string(code);
    }
  }
}

TEST(RetryPolicy, WriteTimeoutRetriesSameHostOnlyWhenIdempotent) {
  auto d = policy().decide(RequestFailure::server(CqlErrorCode::kWriteTimeout), 1, true);
  EXPECT_EQ(d.action, RetryAction::kRetrySameHost);
  EXPECT_EQ(d.delay, milliseconds(10));
  EXPECT_EQ(policy().decide(RequestFailure::server(CqlErrorCode::kWriteTimeout), 1, false).action,
            RetryAction::kFail);
}

TEST(RetryPolicy, ReadTimeoutRetriesSameHostOnlyWhenIdempotent) {
  EXPECT_EQ(policy().decide(RequestFailure::server(CqlErrorCode::kReadTimeout), 1, true).action,
            RetryAction::kRetrySameHost);
  EXPECT_EQ(policy().decide(RequestFailure::server(CqlErrorCode::kReadTimeout), 1, false).action,
            RetryAction::kFail);
}

TEST(RetryPolicy, OverloadedTriesNextHostOnlyWhenIdempotent) {
  auto d = policy().decide(RequestFailure::server(CqlErrorCode::kOverloaded), 2, true);
  EXPECT_EQ(d.action, RetryAction::kRetryNextHost);
  EXPECT_EQ(d.delay, milliseconds(20));
  EXPECT_EQ(policy().decide(RequestFailure::server(CqlErrorCode::kOverloaded), 1, false).action,
            RetryAction::kFail);
}

TEST(RetryPolicy, BootstrappingAndUnavailableGoToNextHostWhateverTheIdempotence) {
  for (bool idempotent : {false, true}) {
    auto boot = policy().decide(RequestFailure::server(CqlErrorCode::kIsBootstrapping), 1, idempotent);
    EXPECT_EQ(boot.action, RetryAction::kRetryNextHost);
    EXPECT_EQ(boot.delay, milliseconds(0));
    auto unavailable = policy().decide(RequestFailure::server(CqlErrorCode::kUnavailable), 1, idempotent);
    EXPECT_EQ(unavailable.action, RetryAction::kRetryNextHost);
    EXPECT_EQ(unavailable.delay, milliseconds(10));
  }
}

TEST(RetryPolicy, UnpreparedRetriesSameHostAtOnce) {
  auto d = policy().decide(RequestFailure::server(CqlErrorCode::kUnprepared), 1, false);
  EXPECT_EQ(d.action, RetryAction::kRetrySameHost);
  EXPECT_EQ(d.delay, milliseconds(0));
}

TEST(RetryPolicy, ServerSideFailuresGoToNextHostOnlyWhenIdempotent) {
  for (auto code : {CqlErrorCode::kServerError, CqlErrorCode::kReadFailure, CqlErrorCode::kWriteFailure}) {
    EXPECT_EQ(policy().decide(RequestFailure::server(code), 1, true).action, RetryAction::kRetryNextHost);
    EXPECT_EQ(policy().decide(RequestFailure::server(code), 1, false).action, RetryAction::kFail);
  }
}

TEST(RetryPolicy, ConnectionLost) {
  EXPECT_EQ(policy().decide(RequestFailure::connection_lost(true), 1, true).action, RetryAction::kRetryNextHost);
  EXPECT_EQ(policy().decide(RequestFailure::connection_lost(true), 1, false).action, RetryAction::kFail);
  // Never written: safe to send elsewhere even when not idempotent.
  auto d = policy().decide(RequestFailure::connection_lost(false), 1, false);
  EXPECT_EQ(d.action, RetryAction::kRetryNextHost);
  EXPECT_EQ(d.delay, milliseconds(0));
}

TEST(RetryPolicy, ClientTimeout) {
  EXPECT_EQ(policy().decide(RequestFailure::client_timeout(), 1, true).action, RetryAction::kRetryNextHost);
  EXPECT_EQ(policy().decide(RequestFailure::client_timeout(), 1, false).action, RetryAction::kFail);
}

TEST(RetryPolicy, NoHostAndClientErrorsFail) {
  EXPECT_EQ(policy().decide(RequestFailure::no_host(), 1, true).action, RetryAction::kFail);
  EXPECT_EQ(policy().decide(RequestFailure::client_error(), 1, true).action, RetryAction::kFail);
  RequestFailure no_code;
  no_code.kind = RequestFailure::Kind::kServerError;
  EXPECT_EQ(policy().decide(no_code, 1, true).action, RetryAction::kFail);
}

TEST(RetryPolicy, StopsAfterMaxRetries) {
  auto p = policy();
  EXPECT_EQ(p.decide(RequestFailure::server(CqlErrorCode::kWriteTimeout), 3, true).action, RetryAction::kRetrySameHost);
  auto d = p.decide(RequestFailure::server(CqlErrorCode::kWriteTimeout), 4, true);
  EXPECT_EQ(d.action, RetryAction::kFail);
  EXPECT_EQ(d.reason, "retries exhausted");
  RetryPolicyConfig never;
  never.max_retries = 0;
  EXPECT_EQ(RetryPolicy(never).decide(RequestFailure::server(CqlErrorCode::kUnprepared), 1, true).action,
            RetryAction::kFail);
}

TEST(RetryPolicy, DelayGrowsAndIsCapped) {
  auto p = policy();
  EXPECT_EQ(p.delay_for(1), milliseconds(10));
  EXPECT_EQ(p.delay_for(2), milliseconds(20));
  EXPECT_EQ(p.delay_for(3), milliseconds(25));
  EXPECT_EQ(p.delay_for(60), milliseconds(25));
}

TEST(RetryPolicy, ValidatesConfig) {
  RetryPolicyConfig bad;
  bad.max_retries = -1;
  auto s = bad.validate("sink.cassandra.retry");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "sink.cassandra.retry.max_retries: must be between 0 and 100");
  EXPECT_OK(RetryPolicyConfig{}.validate());
}

}  // namespace
}  // namespace rds::cassandra
