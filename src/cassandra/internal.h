#pragma once
// Shared by the .cc files of rds_cassandra only; not part of its interface.

#include <string_view>

#include "core/result.h"
#include "cql/frame.h"

namespace rds::cassandra::internal {

// The log component of the whole CQL client layer, so its lines filter as one.
inline constexpr std::string_view kLog = "cql";

// Frame options for a connection negotiated with `compression` (STARTUP's COMPRESSION).
inline cql::FrameOptions frame_options(cql::Compression compression) {
  cql::FrameOptions options;
  options.compression = compression;
  return options;
}

// What a request or query gets once its session is closed (retriable: another session may do).
inline Error session_closed() { return Error(ErrorCode::kUnavailable, "the CQL session is closed", true); }

}  // namespace rds::cassandra::internal
