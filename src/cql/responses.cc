#include "cql/responses.h"

#include <cstdio>

namespace rds::cql {

namespace {

// Shorthand: evaluate a Result into a variable, or return its error.
#define CQL_ASSIGN(var, expr)                      \
  auto var##_result_ = (expr);                     \
  if (!var##_result_.ok()) return var##_result_.take_error(); \
  auto var = std::move(*var##_result_)

Result<ColumnSpec> read_column_spec(Reader& r, bool global, const std::string& ks,
                                    const std::string& table) {
  ColumnSpec c;
  if (global) {
    c.keyspace = ks;
    c.table = table;
  } else {
    CQL_ASSIGN(k, r.read_string("column keyspace"));
    CQL_ASSIGN(t, r.read_string("column table"));
    c.keyspace = std::move(k);
    c.table = std::move(t);
  }
  CQL_ASSIGN(name, r.read_string("column name"));
  CQL_ASSIGN(type, read_data_type(r));
  c.name = std::move(name);
  c.type = std::move(type);
  return c;
}

// <global_table_spec>?<col_spec_1>...<col_spec_n> (§4.2.5.2, §4.2.5.4)
Result<std::vector<ColumnSpec>> read_column_specs(Reader& r, int32_t flags, int32_t count) {
  std::string ks, table;
  const bool global = (flags & kRowsFlagGlobalTablesSpec) != 0;
  if (global) {
    CQL_ASSIGN(k, r.read_string("global keyspace"));
    CQL_ASSIGN(t, r.read_string("global table"));
    ks = std::move(k);
    table = std::move(t);
  }
  // Each spec is at least 4 bytes (name length + type id): bound the loop by the input.
  const size_t min_each = global ? 4 : 8;
  if (static_cast<uint64_t>(count) * min_each > r.remaining()) {
    return r.truncated(static_cast<size_t>(static_cast<uint64_t>(count) * min_each),
                       "column specs of " + std::to_string(count) + " columns");
  }
  std::vector<ColumnSpec> out;
  out.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    CQL_ASSIGN(spec, read_column_spec(r, global, ks, table));
    out.push_back(std::move(spec));
  }
  return out;
}

Result<int32_t> read_non_negative(Reader& r, std::string_view what) {
  CQL_ASSIGN(n, r.read_int(what));
  if (n < 0) return r.invalid("negative " + std::string(what) + " " + std::to_string(n));
  return n;
}

Result<RowsResult> decode_rows_body(Reader& r) {
  RowsResult out;
  CQL_ASSIGN(meta, decode_rows_metadata(r));
  out.metadata = std::move(meta);
  CQL_ASSIGN(row_count, read_non_negative(r, "row count"));
  const auto columns = static_cast<uint64_t>(out.metadata.column_count);
  if (row_count > 0 && columns == 0) {
    return r.invalid(std::to_string(row_count) + " rows with 0 columns");
  }
  // §4.2.5.2: rows_content is rows_count * columns_count [bytes], each at least 4 bytes.
  const uint64_t min_bytes = static_cast<uint64_t>(row_count) * columns * 4;
  if (min_bytes > r.remaining()) {
    return r.truncated(static_cast<size_t>(min_bytes),
                       std::to_string(row_count) + " rows x " + std::to_string(columns) +
                           " columns (at least 4 bytes per cell)");
  }
  out.rows.reserve(static_cast<size_t>(row_count));
  for (int32_t i = 0; i < row_count; ++i) {
    Row row;
    row.reserve(static_cast<size_t>(columns));
    for (uint64_t c = 0; c < columns; ++c) {
      CQL_ASSIGN(cell, r.read_bytes_view("cell"));
      if (cell) {
        row.emplace_back(Bytes(cell->begin(), cell->end()));
      } else {
        row.emplace_back(std::nullopt);
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

Result<PreparedResult> decode_prepared_body(Reader& r) {
  PreparedResult out;
  CQL_ASSIGN(id, r.read_short_bytes("prepared id"));
  out.id = std::move(id);
  // §4.2.5.4: <flags><columns_count><pk_count>[<pk_index_1>...][<global_table_spec>?<col_specs>]
  CQL_ASSIGN(flags, r.read_int("prepared metadata flags"));
  CQL_ASSIGN(count, read_non_negative(r, "bind marker count"));
  CQL_ASSIGN(pk_count, read_non_negative(r, "partition key count"));
  if (static_cast<uint64_t>(pk_count) * 2 > r.remaining()) {
    return r.truncated(static_cast<size_t>(pk_count) * 2,
                       "[short] partition key indexes (" + std::to_string(pk_count) + ")");
  }
  out.metadata.flags = flags;
  for (int32_t i = 0; i < pk_count; ++i) {
    CQL_ASSIGN(idx, r.read_short("partition key index"));
    out.metadata.pk_indices.push_back(idx);
  }
  CQL_ASSIGN(cols, read_column_specs(r, flags, count));
  out.metadata.columns = std::move(cols);
  CQL_ASSIGN(result_meta, decode_rows_metadata(r));
  out.result_metadata = std::move(result_meta);
  return out;
}

Result<SchemaChange> decode_schema_change(Reader& r) {
  // §4.2.6 SCHEMA_CHANGE: <change_type><target><options>
  SchemaChange sc;
  CQL_ASSIGN(change, r.read_string("schema change type"));
  CQL_ASSIGN(target, r.read_string("schema change target"));
  sc.change_type = std::move(change);
  sc.target = std::move(target);
  CQL_ASSIGN(ks, r.read_string("schema change keyspace"));
  sc.keyspace = std::move(ks);
  if (sc.target == "KEYSPACE") return sc;
  if (sc.target == "TABLE" || sc.target == "TYPE") {
    CQL_ASSIGN(name, r.read_string("schema change name"));
    sc.name = std::move(name);
    return sc;
  }
  if (sc.target == "FUNCTION" || sc.target == "AGGREGATE") {
    CQL_ASSIGN(name, r.read_string("schema change name"));
    CQL_ASSIGN(args, r.read_string_list("schema change argument types"));
    sc.name = std::move(name);
    sc.arg_types = std::move(args);
    return sc;
  }
  return r.invalid("unknown schema change target '" + sc.target + "'");
}

Result<EventMessage> decode_event_body(Reader& r) {
  EventMessage ev;
  CQL_ASSIGN(type, r.read_string("event type"));
  ev.type = std::move(type);
  if (ev.type == "TOPOLOGY_CHANGE" || ev.type == "STATUS_CHANGE") {
    CQL_ASSIGN(change, r.read_string("event change"));
    CQL_ASSIGN(addr, r.read_inet("event node address"));
    if (ev.type == "TOPOLOGY_CHANGE") {
      ev.event = TopologyChangeEvent{std::move(change), addr};
    } else {
      ev.event = StatusChangeEvent{std::move(change), addr};
    }
    return ev;
  }
  if (ev.type == "SCHEMA_CHANGE") {
    CQL_ASSIGN(sc, decode_schema_change(r));
    ev.event = std::move(sc);
    return ev;
  }
  return r.invalid("unknown event type '" + ev.type + "'");
}

Result<ResponseMessage> decode_result_body(Reader& r) {
  CQL_ASSIGN(kind, r.read_int("result kind"));
  switch (kind) {
    case 0x0001: return ResponseMessage(VoidResult{});
    case 0x0002: {
      CQL_ASSIGN(rows, decode_rows_body(r));
      return ResponseMessage(std::move(rows));
    }
    case 0x0003: {
      CQL_ASSIGN(ks, r.read_string("keyspace"));
      return ResponseMessage(SetKeyspaceResult{std::move(ks)});
    }
    case 0x0004: {
      CQL_ASSIGN(p, decode_prepared_body(r));
      return ResponseMessage(std::move(p));
    }
    case 0x0005: {
      CQL_ASSIGN(sc, decode_schema_change(r));
      return ResponseMessage(SchemaChangeResult{std::move(sc)});
    }
    default: return r.invalid("unknown result kind " + std::to_string(kind));
  }
}

Result<ResponseMessage> decode_message(Opcode op, Reader& r) {
  switch (op) {
    case Opcode::kError: {
      CQL_ASSIGN(e, decode_error_body(r));
      return ResponseMessage(std::move(e));
    }
    case Opcode::kReady: return ResponseMessage(ReadyMessage{});
    case Opcode::kAuthenticate: {
      CQL_ASSIGN(name, r.read_string("authenticator class"));
      return ResponseMessage(AuthenticateMessage{std::move(name)});
    }
    case Opcode::kSupported: {
      CQL_ASSIGN(opts, r.read_string_multimap("supported options"));
      return ResponseMessage(SupportedMessage{std::move(opts)});
    }
    case Opcode::kResult: return decode_result_body(r);
    case Opcode::kEvent: {
      CQL_ASSIGN(ev, decode_event_body(r));
      return ResponseMessage(std::move(ev));
    }
    case Opcode::kAuthChallenge: {
      CQL_ASSIGN(token, r.read_bytes("auth challenge token"));
      return ResponseMessage(AuthChallengeMessage{std::move(token)});
    }
    case Opcode::kAuthSuccess: {
      CQL_ASSIGN(token, r.read_bytes("auth success token"));
      return ResponseMessage(AuthSuccessMessage{std::move(token)});
    }
    default:
      return r.invalid("opcode " + to_string(op) + " is not a response");
  }
}

}  // namespace

Result<ErrorMessage> decode_error_body(Reader& r) {
  // §4.2.1: <code:int><message:string> then code-specific fields (§9).
  ErrorMessage e;
  CQL_ASSIGN(code, r.read_int("error code"));
  CQL_ASSIGN(message, r.read_string("error message"));
  e.code = static_cast<CqlErrorCode>(code);
  e.message = std::move(message);
  switch (e.code) {
    case CqlErrorCode::kUnavailable: {
      UnavailableError d;
      CQL_ASSIGN(cl, r.read_consistency("unavailable consistency"));
      CQL_ASSIGN(required, r.read_int("unavailable required"));
      CQL_ASSIGN(alive, r.read_int("unavailable alive"));
      d.consistency = cl;
      d.required = required;
      d.alive = alive;
      e.details = d;
      break;
    }
    case CqlErrorCode::kWriteTimeout: {
      WriteTimeoutError d;
      CQL_ASSIGN(cl, r.read_consistency("write_timeout consistency"));
      CQL_ASSIGN(received, r.read_int("write_timeout received"));
      CQL_ASSIGN(block_for, r.read_int("write_timeout blockfor"));
      CQL_ASSIGN(write_type, r.read_string("write_timeout write type"));
      d.consistency = cl;
      d.received = received;
      d.block_for = block_for;
      d.write_type = std::move(write_type);
      e.details = std::move(d);
      break;
    }
    case CqlErrorCode::kReadTimeout: {
      ReadTimeoutError d;
      CQL_ASSIGN(cl, r.read_consistency("read_timeout consistency"));
      CQL_ASSIGN(received, r.read_int("read_timeout received"));
      CQL_ASSIGN(block_for, r.read_int("read_timeout blockfor"));
      CQL_ASSIGN(present, r.read_byte("read_timeout data_present"));
      d.consistency = cl;
      d.received = received;
      d.block_for = block_for;
      d.data_present = present != 0;
      e.details = d;
      break;
    }
    case CqlErrorCode::kReadFailure: {
      // §9 (v4): <cl><received><blockfor><numfailures><data_present>
      ReadFailureError d;
      CQL_ASSIGN(cl, r.read_consistency("read_failure consistency"));
      CQL_ASSIGN(received, r.read_int("read_failure received"));
      CQL_ASSIGN(block_for, r.read_int("read_failure blockfor"));
      CQL_ASSIGN(failures, r.read_int("read_failure numfailures"));
      CQL_ASSIGN(present, r.read_byte("read_failure data_present"));
      d.consistency = cl;
      d.received = received;
      d.block_for = block_for;
      d.num_failures = failures;
      d.data_present = present != 0;
      e.details = d;
      break;
    }
    case CqlErrorCode::kWriteFailure: {
      // §9 (v4): <cl><received><blockfor><numfailures><write_type>
      WriteFailureError d;
      CQL_ASSIGN(cl, r.read_consistency("write_failure consistency"));
      CQL_ASSIGN(received, r.read_int("write_failure received"));
      CQL_ASSIGN(block_for, r.read_int("write_failure blockfor"));
      CQL_ASSIGN(failures, r.read_int("write_failure numfailures"));
      CQL_ASSIGN(write_type, r.read_string("write_failure write type"));
      d.consistency = cl;
      d.received = received;
      d.block_for = block_for;
      d.num_failures = failures;
      d.write_type = std::move(write_type);
      e.details = std::move(d);
      break;
    }
    case CqlErrorCode::kFunctionFailure: {
      FunctionFailureError d;
      CQL_ASSIGN(ks, r.read_string("function_failure keyspace"));
      CQL_ASSIGN(fn, r.read_string("function_failure function"));
      CQL_ASSIGN(args, r.read_string_list("function_failure arg types"));
      d.keyspace = std::move(ks);
      d.function = std::move(fn);
      d.arg_types = std::move(args);
      e.details = std::move(d);
      break;
    }
    case CqlErrorCode::kAlreadyExists: {
      AlreadyExistsError d;
      CQL_ASSIGN(ks, r.read_string("already_exists keyspace"));
      CQL_ASSIGN(table, r.read_string("already_exists table"));
      d.keyspace = std::move(ks);
      d.table = std::move(table);
      e.details = std::move(d);
      break;
    }
    case CqlErrorCode::kUnprepared: {
      CQL_ASSIGN(id, r.read_short_bytes("unprepared id"));
      e.details = UnpreparedError{std::move(id)};
      break;
    }
    default:
      break;  // no extra fields (or an unknown code: keep code + message)
  }
  return e;
}

Result<RowsMetadata> decode_rows_metadata(Reader& r) {
  // §4.2.5.2: <flags><columns_count>[<paging_state>][<global_table_spec>?<col_spec_1>...]
  RowsMetadata m;
  CQL_ASSIGN(flags, r.read_int("metadata flags"));
  CQL_ASSIGN(count, read_non_negative(r, "column count"));
  m.flags = flags;
  m.column_count = count;
  if (m.has_more_pages()) {
    CQL_ASSIGN(state, r.read_bytes("paging state"));
    m.paging_state = std::move(state);
  }
  if (!m.no_metadata()) {
    CQL_ASSIGN(cols, read_column_specs(r, flags, count));
    m.columns = std::move(cols);
  }
  return m;
}

Result<Value> RowsResult::value(size_t row, size_t column) const {
  if (row >= rows.size() || column >= metadata.columns.size() || column >= rows[row].size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "cell (" + std::to_string(row) + ", " + std::to_string(column) +
                     ") outside the result or no column metadata");
  }
  const Cell& c = rows[row][column];
  if (!c) return Value();
  auto v = decode_value(metadata.columns[column].type, ByteView(*c));
  if (!v.ok()) return v.error().with_context("column " + metadata.columns[column].name);
  return v;
}

Result<std::vector<std::vector<Value>>> decode_rows(const RowsResult& rows,
                                                    const std::vector<ColumnSpec>& columns) {
  std::vector<std::vector<Value>> out;
  out.reserve(rows.rows.size());
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const Row& row = rows.rows[i];
    if (row.size() != columns.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   "row has " + std::to_string(row.size()) + " cells, metadata has " +
                       std::to_string(columns.size()) + " columns");
    }
    std::vector<Value> values;
    values.reserve(row.size());
    for (size_t c = 0; c < row.size(); ++c) {
      if (!row[c]) {
        values.emplace_back();
        continue;
      }
      auto v = decode_value(columns[c].type, ByteView(*row[c]));
      if (!v.ok()) {
        return v.error().with_context("row " + std::to_string(i) + " column " + columns[c].name);
      }
      values.push_back(std::move(*v));
    }
    out.push_back(std::move(values));
  }
  return out;
}

std::string message_name(const ResponseMessage& m) {
  static constexpr const char* kNames[] = {
      "ERROR",  "READY",         "AUTHENTICATE",          "SUPPORTED",
      "RESULT(void)", "RESULT(rows)", "RESULT(set_keyspace)", "RESULT(prepared)",
      "RESULT(schema_change)", "EVENT", "AUTH_CHALLENGE",     "AUTH_SUCCESS"};
  static_assert(std::size(kNames) == std::variant_size_v<ResponseMessage>);
  return kNames[m.index()];
}

Result<Response> decode_response(const FrameHeader& header, ByteView body,
                                 Compression compression) {
  if (!header.is_response()) {
    return Error(ErrorCode::kProtocol, "invalid frame: " + to_string(header.opcode) +
                                           " frame has the request direction bit");
  }
  if (body.size() != header.length) {
    return Error(ErrorCode::kTruncated, "truncated frame: expected " +
                                            std::to_string(header.length) +
                                            " bytes for frame body, " +
                                            std::to_string(body.size()) + " left");
  }
  Bytes decompressed;
  if (header.has_flag(kFlagCompression)) {
    // §2.2 flag 0x01 / §5: only valid once STARTUP negotiated an algorithm.
    if (compression != Compression::kLz4) {
      return Error(ErrorCode::kProtocol,
                   "invalid frame: compressed " + to_string(header.opcode) +
                       " frame but no compression was negotiated");
    }
    auto d = lz4_decompress(body);
    if (!d.ok()) return d.take_error();
    decompressed = std::move(*d);
    body = ByteView(decompressed);
  }
  Reader r(body);
  Response resp;
  resp.header = header;
  // §2.2: tracing id first, then warnings, then the custom payload, then the message.
  if (header.has_flag(kFlagTracing)) {
    CQL_ASSIGN(id, r.read_uuid("tracing id"));
    resp.tracing_id = id;
  }
  if (header.has_flag(kFlagWarning)) {
    CQL_ASSIGN(w, r.read_string_list("warnings"));
    resp.warnings = std::move(w);
  }
  if (header.has_flag(kFlagCustomPayload)) {
    CQL_ASSIGN(p, r.read_bytes_map("custom payload"));
    resp.custom_payload = std::move(p);
  }
  // §1: bytes after the described message are allowed and ignored.
  CQL_ASSIGN(msg, decode_message(header.opcode, r));
  resp.message = std::move(msg);
  return resp;
}

Result<Response> decode_response(ByteView frame, Compression compression) {
  CQL_ASSIGN(view, split_frame(frame));
  return decode_response(view.header, view.body, compression);
}

}  // namespace rds::cql
