#pragma once
// Encoding of request frames (native_protocol_v4.spec §4.1). Every encode_* returns a complete
// frame (9-byte header + body) ready to be written to the socket.
//
//   auto startup = encode_startup(/*stream=*/0);                         // §4.1.1
//   auto auth = encode_auth_response(0, plain_auth_token("cassandra", "cassandra"));  // §4.1.2
//   QueryRequest q{"SELECT release_version FROM system.local", {}};
//   q.params.consistency = Consistency::kLocalOne;
//   auto frame = encode_query(1, q);                                     // §4.1.4

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "cql/compression.h"
#include "cql/frame.h"
#include "cql/wire.h"

namespace rds::cql {

// Frame-level options for a request.
struct FrameOptions {
  // Compress the body (only after STARTUP negotiated it; STARTUP itself is never compressed).
  Compression compression = Compression::kNone;
  bool tracing = false;                       // §2.2 flag 0x02
  std::optional<BytesMap> custom_payload;     // §2.2 flag 0x04 (QUERY/PREPARE/EXECUTE/BATCH)
};

inline constexpr const char* kCqlVersion = "3.0.0";

struct StartupOptions {
  std::string cql_version = kCqlVersion;
  Compression compression = Compression::kNone;  // adds COMPRESSION=lz4 when kLz4
  StringMap extra;  // e.g. DRIVER_NAME, DRIVER_VERSION (ignored by servers that do not know them)
};

// §4.1.4 <query_parameters>, shared by QUERY and EXECUTE.
struct QueryParameters {
  Consistency consistency = Consistency::kLocalQuorum;
  std::vector<BoundValue> values;         // flag 0x01 when non-empty (see always_send_values)
  std::vector<std::string> value_names;   // flag 0x40: if non-empty, one name per value
  bool skip_metadata = false;             // flag 0x02
  std::optional<int32_t> page_size;       // flag 0x04
  std::optional<Bytes> paging_state;      // flag 0x08
  std::optional<Consistency> serial_consistency;  // flag 0x10: SERIAL or LOCAL_SERIAL
  std::optional<int64_t> default_timestamp;       // flag 0x20: microseconds, must be >= 0
  bool always_send_values = false;        // set flag 0x01 with n = 0 even without values
};

struct QueryRequest {
  std::string query;
  QueryParameters params;
};

struct ExecuteRequest {
  Bytes prepared_id;
  QueryParameters params;
};

enum class BatchType : uint8_t { kLogged = 0, kUnlogged = 1, kCounter = 2 };

struct BatchStatement {
  // Either a query string (kind 0) or a prepared id (kind 1).
  std::optional<std::string> query;
  Bytes prepared_id;
  std::vector<BoundValue> values;

  static BatchStatement of_query(std::string q, std::vector<BoundValue> v = {}) {
    return BatchStatement{std::move(q), {}, std::move(v)};
  }
  static BatchStatement of_prepared(Bytes id, std::vector<BoundValue> v = {}) {
    return BatchStatement{std::nullopt, std::move(id), std::move(v)};
  }
};

struct BatchRequest {
  BatchType type = BatchType::kUnlogged;
  std::vector<BatchStatement> statements;
  Consistency consistency = Consistency::kLocalQuorum;
  std::optional<Consistency> serial_consistency;  // flag 0x10
  std::optional<int64_t> default_timestamp;       // flag 0x20
  // Flag 0x40 (names for values) is not offered: §4.1.7 says it does not work (CASSANDRA-10246).
};

// Builds header + body. Fails (kInvalidArgument) if the body exceeds the 256 MiB frame limit or
// a field does not fit its notation. Streams must be >= 0 for requests (§2.3).
Result<Bytes> build_request_frame(Opcode op, int16_t stream, ByteView body,
                                  const FrameOptions& options = {});

// §4.1.1: {CQL_VERSION: 3.0.0[, COMPRESSION: lz4]}; never compressed.
Result<Bytes> encode_startup(int16_t stream, const StartupOptions& options = {});
// §4.1.3: empty body; the answer is SUPPORTED.
Result<Bytes> encode_options(int16_t stream);
// §4.1.2: a single [bytes] token.
Result<Bytes> encode_auth_response(int16_t stream, ByteView token,
                                   const FrameOptions& options = {});
// SASL PLAIN token for PasswordAuthenticator: "\0" user "\0" password (authzid empty).
Bytes plain_auth_token(std::string_view user, std::string_view password);
// §4.1.4
Result<Bytes> encode_query(int16_t stream, const QueryRequest& q, const FrameOptions& options = {});
// §4.1.5
Result<Bytes> encode_prepare(int16_t stream, std::string_view query,
                             const FrameOptions& options = {});
// §4.1.6
Result<Bytes> encode_execute(int16_t stream, const ExecuteRequest& e,
                             const FrameOptions& options = {});
// §4.1.7
Result<Bytes> encode_batch(int16_t stream, const BatchRequest& b, const FrameOptions& options = {});
// §4.1.8: event types TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE.
Result<Bytes> encode_register(int16_t stream, const std::vector<std::string>& event_types,
                              const FrameOptions& options = {});

// Body writers, for callers that assemble frames themselves (and for tests).
void write_query_parameters(Writer& w, const QueryParameters& p);

}  // namespace rds::cql
