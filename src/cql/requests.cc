#include "cql/requests.h"

namespace rds::cql {

namespace {

// §4.1.4 query flags.
constexpr uint8_t kQueryValues = 0x01;
constexpr uint8_t kQuerySkipMetadata = 0x02;
constexpr uint8_t kQueryPageSize = 0x04;
constexpr uint8_t kQueryPagingState = 0x08;
constexpr uint8_t kQuerySerialConsistency = 0x10;
constexpr uint8_t kQueryDefaultTimestamp = 0x20;
constexpr uint8_t kQueryValueNames = 0x40;

Status check_serial(const std::optional<Consistency>& c) {
  // §4.1.4 flag 0x10: "That consistency can only be either SERIAL or LOCAL_SERIAL".
  if (c && *c != Consistency::kSerial && *c != Consistency::kLocalSerial) {
    return Error(ErrorCode::kInvalidArgument,
                 "serial consistency must be SERIAL or LOCAL_SERIAL, not " + to_string(*c));
  }
  return ok_status();
}

Status check_timestamp(const std::optional<int64_t>& ts) {
  // §4.1.4 flag 0x20: "negative values are forbidden".
  if (ts && *ts < 0) {
    return Error(ErrorCode::kInvalidArgument, "default timestamp must not be negative");
  }
  return ok_status();
}

Status check_params(const QueryParameters& p) {
  RDS_TRY(check_serial(p.serial_consistency));
  RDS_TRY(check_timestamp(p.default_timestamp));
  if (!p.value_names.empty() && p.value_names.size() != p.values.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(p.value_names.size()) + " value names for " +
                     std::to_string(p.values.size()) + " values");
  }
  if (p.values.size() > 0xffff) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(p.values.size()) + " values, at most 65535 can be bound");
  }
  return ok_status();
}

Result<Bytes> finish(Opcode op, int16_t stream, Writer& body, const FrameOptions& options) {
  if (!body.ok()) {
    return body.status().error().with_context("encoding " + to_string(op));
  }
  return build_request_frame(op, stream, ByteView(body.bytes()), options);
}

}  // namespace

Result<Bytes> build_request_frame(Opcode op, int16_t stream, ByteView body,
                                  const FrameOptions& options) {
  if (stream < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "request stream id must be >= 0, got " + std::to_string(stream));
  }
  FrameHeader h;
  h.version = kProtocolVersion;
  h.stream = stream;
  h.opcode = op;
  if (options.tracing) h.flags |= kFlagTracing;

  Bytes payload_and_body;
  ByteView content = body;
  if (options.custom_payload) {
    // §2.2 flag 0x04: a [bytes map] before the message body.
    h.flags |= kFlagCustomPayload;
    Writer w;
    w.write_bytes_map(*options.custom_payload);
    if (!w.ok()) return w.status().error();
    w.write_raw(body);
    payload_and_body = w.take();
    content = ByteView(payload_and_body);
  }

  Bytes compressed;
  // §5: STARTUP must never be compressed.
  if (options.compression == Compression::kLz4 && op != Opcode::kStartup) {
    auto c = lz4_compress(content);
    if (!c.ok()) return c.take_error();
    compressed = std::move(*c);
    content = ByteView(compressed);
    h.flags |= kFlagCompression;
  }
  if (content.size() > kMaxFrameBodyLength) {
    return Error(ErrorCode::kInvalidArgument,
                 to_string(op) + " body of " + std::to_string(content.size()) +
                     " bytes exceeds the 256 MiB frame limit");
  }
  h.length = static_cast<uint32_t>(content.size());
  Bytes out;
  out.reserve(kHeaderSize + content.size());
  auto header = encode_header(h);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Result<Bytes> encode_startup(int16_t stream, const StartupOptions& options) {
  StringMap m = options.extra;
  m["CQL_VERSION"] = options.cql_version;
  if (options.compression != Compression::kNone) {
    m["COMPRESSION"] = compression_name(options.compression);
  }
  Writer w;
  w.write_string_map(m);
  return finish(Opcode::kStartup, stream, w, {});
}

Result<Bytes> encode_options(int16_t stream) {
  return build_request_frame(Opcode::kOptions, stream, ByteView());
}

Bytes plain_auth_token(std::string_view user, std::string_view password) {
  // RFC 4616 PLAIN: [authzid] NUL authcid NUL passwd; Cassandra's PasswordAuthenticator expects
  // an empty authzid.
  Bytes t;
  t.reserve(user.size() + password.size() + 2);
  t.push_back(0);
  t.insert(t.end(), user.begin(), user.end());
  t.push_back(0);
  t.insert(t.end(), password.begin(), password.end());
  return t;
}

Result<Bytes> encode_auth_response(int16_t stream, ByteView token, const FrameOptions& options) {
  Writer w;
  w.write_bytes(token);
  return finish(Opcode::kAuthResponse, stream, w, options);
}

void write_query_parameters(Writer& w, const QueryParameters& p) {
  // §4.1.4: <consistency><flags>[<n>[name_1]<value_1>...][<page_size>][<paging_state>]
  //         [<serial_consistency>][<timestamp>]
  uint8_t flags = 0;
  const bool send_values = !p.values.empty() || p.always_send_values;
  if (send_values) flags |= kQueryValues;
  if (send_values && !p.value_names.empty()) flags |= kQueryValueNames;
  if (p.skip_metadata) flags |= kQuerySkipMetadata;
  if (p.page_size) flags |= kQueryPageSize;
  if (p.paging_state) flags |= kQueryPagingState;
  if (p.serial_consistency) flags |= kQuerySerialConsistency;
  if (p.default_timestamp) flags |= kQueryDefaultTimestamp;

  w.write_consistency(p.consistency);
  w.write_byte(flags);
  if (send_values) {
    w.write_short(static_cast<uint16_t>(p.values.size()));
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (flags & kQueryValueNames) w.write_string(p.value_names[i]);
      w.write_value(p.values[i]);
    }
  }
  if (p.page_size) w.write_int(*p.page_size);
  if (p.paging_state) w.write_bytes(ByteView(*p.paging_state));
  if (p.serial_consistency) w.write_consistency(*p.serial_consistency);
  if (p.default_timestamp) w.write_long(*p.default_timestamp);
}

Result<Bytes> encode_query(int16_t stream, const QueryRequest& q, const FrameOptions& options) {
  RDS_TRY(check_params(q.params));
  Writer w;
  w.write_long_string(q.query);
  write_query_parameters(w, q.params);
  return finish(Opcode::kQuery, stream, w, options);
}

Result<Bytes> encode_prepare(int16_t stream, std::string_view query,
                             const FrameOptions& options) {
  Writer w;
  w.write_long_string(query);
  return finish(Opcode::kPrepare, stream, w, options);
}

Result<Bytes> encode_execute(int16_t stream, const ExecuteRequest& e,
                             const FrameOptions& options) {
  RDS_TRY(check_params(e.params));
  if (e.prepared_id.empty()) {
    return Error(ErrorCode::kInvalidArgument, "EXECUTE needs a prepared statement id");
  }
  Writer w;
  w.write_short_bytes(ByteView(e.prepared_id));
  write_query_parameters(w, e.params);
  return finish(Opcode::kExecute, stream, w, options);
}

Result<Bytes> encode_batch(int16_t stream, const BatchRequest& b, const FrameOptions& options) {
  RDS_TRY(check_serial(b.serial_consistency));
  RDS_TRY(check_timestamp(b.default_timestamp));
  if (b.statements.size() > 0xffff) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(b.statements.size()) + " batch statements, at most 65535");
  }
  // §4.1.7: <type><n><query_1>...<query_n><consistency><flags>[<serial_consistency>][<timestamp>]
  Writer w;
  w.write_byte(static_cast<uint8_t>(b.type));
  w.write_short(static_cast<uint16_t>(b.statements.size()));
  for (const auto& s : b.statements) {
    if (s.values.size() > 0xffff) {
      return Error(ErrorCode::kInvalidArgument, "batch statement with more than 65535 values");
    }
    // <kind><string_or_id><n><value_1>...<value_n>
    if (s.query) {
      w.write_byte(0);
      w.write_long_string(*s.query);
    } else {
      if (s.prepared_id.empty()) {
        return Error(ErrorCode::kInvalidArgument, "batch statement without query or prepared id");
      }
      w.write_byte(1);
      w.write_short_bytes(ByteView(s.prepared_id));
    }
    w.write_short(static_cast<uint16_t>(s.values.size()));
    for (const auto& v : s.values) w.write_value(v);
  }
  w.write_consistency(b.consistency);
  uint8_t flags = 0;  // §4.1.7: the 4 rightmost bits must be 0
  if (b.serial_consistency) flags |= kQuerySerialConsistency;
  if (b.default_timestamp) flags |= kQueryDefaultTimestamp;
  w.write_byte(flags);
  if (b.serial_consistency) w.write_consistency(*b.serial_consistency);
  if (b.default_timestamp) w.write_long(*b.default_timestamp);
  return finish(Opcode::kBatch, stream, w, options);
}

Result<Bytes> encode_register(int16_t stream, const std::vector<std::string>& event_types,
                              const FrameOptions& options) {
  Writer w;
  w.write_string_list(event_types);
  return finish(Opcode::kRegister, stream, w, options);
}

}  // namespace rds::cql
