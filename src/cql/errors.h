#pragma once
// ERROR responses (native_protocol_v4.spec §4.2.1, §9): every error code as a typed value with its
// extra fields, a mapping to rds::Error, and the retriability facts a retry policy needs.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "cql/wire.h"

namespace rds::cql {

// §9 error codes. Unknown codes from a newer server are kept as their raw value.
enum class CqlErrorCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kBadCredentials = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kTruncateError = 0x1003,
  kWriteTimeout = 0x1100,
  kReadTimeout = 0x1200,
  kReadFailure = 0x1300,
  kFunctionFailure = 0x1400,
  kWriteFailure = 0x1500,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};
std::string to_string(CqlErrorCode code);  // "write_timeout", "unknown(0x1234)"

// Extra fields, per §9.
struct UnavailableError {
  Consistency consistency = Consistency::kOne;
  int32_t required = 0;
  int32_t alive = 0;
  bool operator==(const UnavailableError&) const = default;
};
struct WriteTimeoutError {
  Consistency consistency = Consistency::kOne;
  int32_t received = 0;
  int32_t block_for = 0;
  std::string write_type;  // SIMPLE, BATCH, UNLOGGED_BATCH, COUNTER, BATCH_LOG, (CAS, VIEW, CDC)
  bool operator==(const WriteTimeoutError&) const = default;
};
struct ReadTimeoutError {
  Consistency consistency = Consistency::kOne;
  int32_t received = 0;
  int32_t block_for = 0;
  bool data_present = false;
  bool operator==(const ReadTimeoutError&) const = default;
};
struct ReadFailureError {
  Consistency consistency = Consistency::kOne;
  int32_t received = 0;
  int32_t block_for = 0;
  int32_t num_failures = 0;  // v4: an [int] count (v5 has a reason map instead)
  bool data_present = false;
  bool operator==(const ReadFailureError&) const = default;
};
struct WriteFailureError {
  Consistency consistency = Consistency::kOne;
  int32_t received = 0;
  int32_t block_for = 0;
  int32_t num_failures = 0;
  std::string write_type;
  bool operator==(const WriteFailureError&) const = default;
};
struct FunctionFailureError {
  std::string keyspace;
  std::string function;
  std::vector<std::string> arg_types;
  bool operator==(const FunctionFailureError&) const = default;
};
struct AlreadyExistsError {
  std::string keyspace;
  std::string table;  // empty when a keyspace already exists
  bool operator==(const AlreadyExistsError&) const = default;
};
struct UnpreparedError {
  Bytes id;  // the unknown prepared statement id: re-PREPARE and retry
  bool operator==(const UnpreparedError&) const = default;
};

using ErrorDetails =
    std::variant<std::monostate, UnavailableError, WriteTimeoutError, ReadTimeoutError,
                 ReadFailureError, WriteFailureError, FunctionFailureError, AlreadyExistsError,
                 UnpreparedError>;

// An ERROR message body.
struct ErrorMessage {
  CqlErrorCode code = CqlErrorCode::kServerError;
  std::string message;
  ErrorDetails details;  // monostate for codes without extra fields

  // "cassandra write_timeout: <message> (consistency LOCAL_QUORUM, received 1 of 2, SIMPLE)"
  std::string describe() const;
  // rds::Error with a code from classify(): kTimeout, kUnavailable, kAuth, kInvalidArgument, ...
  Error to_error() const;
  // UNAUTHORIZED because the coordinator could not read its own auth data in time ("Unable to
  // perform authorization of super-user permission: Operation timed out - received only 1
  // responses"), not because the role lacks a permission: a node short of its replicas, e.g. just
  // back from a network partition. Another coordinator, or a moment later, answers.
  bool auth_lookup_failed() const;
};

// What a retry policy needs to know about an error code.
struct ErrorTraits {
  bool is_timeout = false;        // read/write timeout: may retry (idempotent statements only)
  bool is_unavailable = false;    // not enough replicas alive: may retry on another host
  bool is_overloaded = false;     // coordinator overloaded: back off, try another host
  bool is_bootstrapping = false;  // coordinator still joining: try another host
  bool is_unprepared = false;     // re-PREPARE the statement on that host, then retry
  bool is_auth = false;           // bad credentials / unauthorized: do not retry
  bool is_request_error = false;  // syntax/invalid/config/already exists: the statement is wrong
  // A transient condition where retrying (with backoff, respecting idempotence) can succeed.
  bool retriable() const {
    return is_timeout || is_unavailable || is_overloaded || is_bootstrapping || is_unprepared;
  }
};
ErrorTraits classify(CqlErrorCode code);

}  // namespace rds::cql
