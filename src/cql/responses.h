#pragma once
// Decoding of response frames (native_protocol_v4.spec §4.2) into typed messages.
//
// Typical use by an I/O layer:
//   auto avail = check_frame(buffer);            // frame.h: complete? how many bytes missing?
//   if (avail->complete) {
//     auto resp = decode_response(ByteView(buffer).first(avail->frame_size), Compression::kLz4);
//     if (auto* rows = std::get_if<RowsResult>(&resp->message)) ...
//   }

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "cql/compression.h"
#include "cql/data_type.h"
#include "cql/errors.h"
#include "cql/frame.h"
#include "cql/value.h"
#include "cql/wire.h"

namespace rds::cql {

// ---- result metadata (§4.2.5.2) -----------------------------------------------------------------

inline constexpr int32_t kRowsFlagGlobalTablesSpec = 0x0001;
inline constexpr int32_t kRowsFlagHasMorePages = 0x0002;
inline constexpr int32_t kRowsFlagNoMetadata = 0x0004;

struct ColumnSpec {
  std::string keyspace;
  std::string table;
  std::string name;
  DataType type;
  bool operator==(const ColumnSpec&) const = default;
};

struct RowsMetadata {
  int32_t flags = 0;
  int32_t column_count = 0;
  std::optional<Bytes> paging_state;  // set iff Has_more_pages (§8)
  // Empty when No_metadata was set (skip_metadata requests): use the prepared result metadata.
  std::vector<ColumnSpec> columns;
  bool has_more_pages() const { return (flags & kRowsFlagHasMorePages) != 0; }
  bool no_metadata() const { return (flags & kRowsFlagNoMetadata) != 0; }
};

// A cell as sent: nullopt is NULL ([bytes] with a negative length).
using Cell = std::optional<Bytes>;
using Row = std::vector<Cell>;

// ---- message types ------------------------------------------------------------------------------

struct ReadyMessage {};
struct AuthenticateMessage {
  std::string authenticator;  // e.g. org.apache.cassandra.auth.PasswordAuthenticator
};
struct SupportedMessage {
  StringMultimap options;  // e.g. CQL_VERSION -> [3.4.5], COMPRESSION -> [snappy, lz4]
};
struct AuthChallengeMessage {
  std::optional<Bytes> token;
};
struct AuthSuccessMessage {
  std::optional<Bytes> token;
};

struct VoidResult {};
struct RowsResult {
  RowsMetadata metadata;
  std::vector<Row> rows;  // rows[i].size() == metadata.column_count

  // Decodes one cell with this result's column types (kInvalidArgument if the result has no
  // metadata or the index is out of range; then use decode_value() with the prepared metadata).
  Result<Value> value(size_t row, size_t column) const;
};
struct SetKeyspaceResult {
  std::string keyspace;
};
struct PreparedMetadata {
  int32_t flags = 0;
  std::vector<uint16_t> pk_indices;  // v4: bind marker indexes of the partition key columns
  std::vector<ColumnSpec> columns;   // one per bind marker
};
struct PreparedResult {
  Bytes id;
  PreparedMetadata metadata;
  RowsMetadata result_metadata;  // may be empty (No_metadata, 0 columns) for non-SELECTs
};
// The body of a Schema_change result and of a SCHEMA_CHANGE event (§4.2.6).
struct SchemaChange {
  std::string change_type;  // CREATED, UPDATED, DROPPED
  std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
  std::string keyspace;
  std::string name;                    // table/type/function/aggregate; empty for KEYSPACE
  std::vector<std::string> arg_types;  // FUNCTION/AGGREGATE only
  bool operator==(const SchemaChange&) const = default;
};
struct SchemaChangeResult {
  SchemaChange change;
};

struct TopologyChangeEvent {
  std::string change;  // NEW_NODE, REMOVED_NODE
  Endpoint address;
};
struct StatusChangeEvent {
  std::string change;  // UP, DOWN
  Endpoint address;
};
struct EventMessage {
  std::string type;  // TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE
  std::variant<TopologyChangeEvent, StatusChangeEvent, SchemaChange> event;
};

// One alternative per response opcode; RESULT is split by kind.
using ResponseMessage =
    std::variant<ErrorMessage, ReadyMessage, AuthenticateMessage, SupportedMessage, VoidResult,
                 RowsResult, SetKeyspaceResult, PreparedResult, SchemaChangeResult, EventMessage,
                 AuthChallengeMessage, AuthSuccessMessage>;

// Name of the message ("ERROR", "RESULT(rows)", ...), for logs and error messages.
std::string message_name(const ResponseMessage& m);

struct Response {
  FrameHeader header;
  std::optional<Uuid> tracing_id;     // §2.2 flag 0x02
  std::vector<std::string> warnings;  // §2.2 flag 0x08
  BytesMap custom_payload;            // §2.2 flag 0x04
  ResponseMessage message;
};

// Decodes one complete frame (header + body; bytes beyond the frame are ignored). `compression`
// is what STARTUP negotiated: a frame with the compression flag is decompressed with it, and is a
// kProtocol error when none was negotiated. Request frames (direction bit clear) and request
// opcodes are kProtocol errors. Never throws, never reads outside `frame`.
Result<Response> decode_response(ByteView frame, Compression compression = Compression::kNone);

// The same with the header already decoded and the body separated (body.size() == header.length).
Result<Response> decode_response(const FrameHeader& header, ByteView body,
                                 Compression compression = Compression::kNone);

// Body decoders for a single message (uncompressed, without tracing id/warnings/payload).
Result<ErrorMessage> decode_error_body(Reader& r);
Result<RowsMetadata> decode_rows_metadata(Reader& r);

// Decodes all cells of a rows result using `columns` (its own metadata or, for skip_metadata,
// the prepared result metadata).
Result<std::vector<std::vector<Value>>> decode_rows(const RowsResult& rows,
                                                    const std::vector<ColumnSpec>& columns);

}  // namespace rds::cql
