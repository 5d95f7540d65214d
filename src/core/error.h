#pragma once
// Errors as values on the data path (see DEVELOPERS.md "Errors"): a failure that callers are
// expected to handle is returned as rds::Error inside rds::Result<T>; exceptions are reserved for
// start-up problems that must stop the program, asserts for programmer bugs.

#include <string>
#include <string_view>
#include <utility>

namespace rds {

// A bounded set of error kinds: safe to use as a metric label, and what callers branch on.
enum class ErrorCode {
  kInvalidArgument,   // the caller's input is wrong (config value, CLI flag, record)
  kNotFound,          // a file, service or key that should exist does not
  kAlreadyExists,
  kIo,                // local I/O: files, processes, sockets
  kUnavailable,       // a remote service cannot be reached right now (retriable)
  kTimeout,           // an operation did not finish in time (retriable)
  kProtocol,          // a peer sent bytes that violate its protocol
  kTruncated,         // input ended before a complete value (codec)
  kAuth,              // authentication or authorisation failed
  kServer,            // a remote service reported an error of its own
  kInternal,          // a bug: an invariant did not hold
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  bool retriable = false;

  Error() = default;
  Error(ErrorCode c, std::string msg, bool retry = false)
      : code(c), message(std::move(msg)), retriable(retry) {}

  // Adds what was being done when the error happened: "starting kafka: <message>".
  Error with_context(std::string_view context) const {
    return Error(code, std::string(context) + ": " + message, retriable);
  }
};

}  // namespace rds
