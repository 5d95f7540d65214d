#include "core/error.h"

namespace rds {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kProtocol: return "protocol";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kAuth: return "auth";
    case ErrorCode::kServer: return "server";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

}  // namespace rds
