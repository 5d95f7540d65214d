#include "cql/errors.h"

#include <cstdio>

namespace rds::cql {

std::string to_string(CqlErrorCode code) {
  switch (code) {
    case CqlErrorCode::kServerError: return "server_error";
    case CqlErrorCode::kProtocolError: return "protocol_error";
    case CqlErrorCode::kBadCredentials: return "bad_credentials";
    case CqlErrorCode::kUnavailable: return "unavailable";
    case CqlErrorCode::kOverloaded: return "overloaded";
    case CqlErrorCode::kIsBootstrapping: return "is_bootstrapping";
    case CqlErrorCode::kTruncateError: return "truncate_error";
    case CqlErrorCode::kWriteTimeout: return "write_timeout";
    case CqlErrorCode::kReadTimeout: return "read_timeout";
    case CqlErrorCode::kReadFailure: return "read_failure";
    case CqlErrorCode::kFunctionFailure: return "function_failure";
    case CqlErrorCode::kWriteFailure: return "write_failure";
    case CqlErrorCode::kSyntaxError: return "syntax_error";
    case CqlErrorCode::kUnauthorized: return "unauthorized";
    case CqlErrorCode::kInvalid: return "invalid";
    case CqlErrorCode::kConfigError: return "config_error";
    case CqlErrorCode::kAlreadyExists: return "already_exists";
    case CqlErrorCode::kUnprepared: return "unprepared";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "unknown(0x%04x)", static_cast<unsigned>(code));
  return buf;
}

ErrorTraits classify(CqlErrorCode code) {
  ErrorTraits t;
  switch (code) {
    case CqlErrorCode::kWriteTimeout:
    case CqlErrorCode::kReadTimeout: t.is_timeout = true; break;
    case CqlErrorCode::kUnavailable: t.is_unavailable = true; break;
    case CqlErrorCode::kOverloaded: t.is_overloaded = true; break;
    case CqlErrorCode::kIsBootstrapping: t.is_bootstrapping = true; break;
    case CqlErrorCode::kUnprepared: t.is_unprepared = true; break;
    case CqlErrorCode::kBadCredentials:
    case CqlErrorCode::kUnauthorized: t.is_auth = true; break;
    case CqlErrorCode::kSyntaxError:
    case CqlErrorCode::kInvalid:
    case CqlErrorCode::kConfigError:
    case CqlErrorCode::kAlreadyExists: t.is_request_error = true; break;
    default: break;
  }
  return t;
}

std::string ErrorMessage::describe() const {
  std::string out = "cassandra " + to_string(code) + ": " + message;
  struct Visitor {
    std::string operator()(const std::monostate&) const { return ""; }
    std::string operator()(const UnavailableError& e) const {
      return "consistency " + to_string(e.consistency) + ", required " +
             std::to_string(e.required) + ", alive " + std::to_string(e.alive);
    }
    std::string operator()(const WriteTimeoutError& e) const {
      return "consistency " + to_string(e.consistency) + ", received " +
             std::to_string(e.received) + " of " + std::to_string(e.block_for) + ", " +
             e.write_type;
    }
    std::string operator()(const ReadTimeoutError& e) const {
      return "consistency " + to_string(e.consistency) + ", received " +
             std::to_string(e.received) + " of " + std::to_string(e.block_for) +
             (e.data_present ? ", data present" : ", no data");
    }
    std::string operator()(const ReadFailureError& e) const {
      return "consistency " + to_string(e.consistency) + ", received " +
             std::to_string(e.received) + " of " + std::to_string(e.block_for) + ", " +
             std::to_string(e.num_failures) + " failures" +
             (e.data_present ? ", data present" : ", no data");
    }
    std::string operator()(const WriteFailureError& e) const {
      return "consistency " + to_string(e.consistency) + ", received " +
             std::to_string(e.received) + " of " + std::to_string(e.block_for) + ", " +
             std::to_string(e.num_failures) + " failures, " + e.write_type;
    }
    std::string operator()(const FunctionFailureError& e) const {
      std::string args;
      for (size_t i = 0; i < e.arg_types.size(); ++i) {
        args += (i ? ", " : "") + e.arg_types[i];
      }
      return "function " + e.keyspace + "." + e.function + "(" + args + ")";
    }
    std::string operator()(const AlreadyExistsError& e) const {
      return e.table.empty() ? "keyspace " + e.keyspace : "table " + e.keyspace + "." + e.table;
    }
    std::string operator()(const UnpreparedError& e) const {
      return "prepared id " + to_hex(ByteView(e.id));
    }
  };
  std::string extra = std::visit(Visitor{}, details);
  if (!extra.empty()) out += " (" + extra + ")";
  return out;
}

bool ErrorMessage::auth_lookup_failed() const {
  return code == CqlErrorCode::kUnauthorized &&
         (message.find("Operation timed out") != std::string::npos ||
          message.find("Cannot achieve consistency level") != std::string::npos ||
          message.find("Unable to perform authorization") != std::string::npos);
}

Error ErrorMessage::to_error() const {
  if (auth_lookup_failed()) return Error(ErrorCode::kUnavailable, describe(), true);
  const ErrorTraits t = classify(code);
  ErrorCode c = ErrorCode::kServer;
  if (t.is_timeout) {
    c = ErrorCode::kTimeout;
  } else if (t.is_unavailable || t.is_overloaded || t.is_bootstrapping) {
    c = ErrorCode::kUnavailable;
  } else if (t.is_auth) {
    c = ErrorCode::kAuth;
  } else if (code == CqlErrorCode::kAlreadyExists) {
    c = ErrorCode::kAlreadyExists;
  } else if (t.is_request_error) {
    c = ErrorCode::kInvalidArgument;
  } else if (code == CqlErrorCode::kProtocolError) {
    c = ErrorCode::kProtocol;
  }
  return Error(c, describe(), t.retriable());
}

}  // namespace rds::cql
