// libFuzzer target for the CQL v4 response decoder (src/cql). Whatever the input, decoding must
// return a value or a clean error: no crash, no out-of-bounds read (ASan), no UB (UBSan), no
// unbounded allocation (libFuzzer's -rss_limit_mb / -malloc_limit_mb).
//
// The first input byte picks what to fuzz so that deep decoders are reached without the fuzzer
// having to guess a consistent frame length first:
//   0: the raw input as a frame stream (check_frame + decode_response, lz4 allowed)
//   1: a response frame built around the rest: [opcode][flags] then the body
//   2: a type [option] followed by a cell: decode_value + to_display + re-encode
//   3: varint / decimal conversions

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "cql/codec.h"

using namespace rds::cql;

namespace {

void exercise_message(const Response& resp) {
  (void)message_name(resp.message);
  if (const auto* rows = std::get_if<RowsResult>(&resp.message)) {
    if (!rows->metadata.no_metadata()) {
      auto values = decode_rows(*rows, rows->metadata.columns);
      if (values.ok()) {
        for (const auto& row : *values) {
          for (const auto& v : row) (void)to_display(v);
        }
      }
    }
  } else if (const auto* err = std::get_if<ErrorMessage>(&resp.message)) {
    (void)err->to_error();
  }
}

void fuzz_stream(ByteView data) {
  // Like the I/O layer: peel frames off the buffer while complete ones are there.
  while (!data.empty()) {
    auto a = check_frame(data);
    if (!a.ok() || !a->complete) return;
    auto r = decode_response(data.first(a->frame_size), Compression::kLz4);
    if (r.ok()) exercise_message(*r);
    data = data.subspan(a->frame_size);
  }
}

void fuzz_body(ByteView data) {
  if (data.size() < 2) return;
  FrameHeader h;
  h.version = 0x84;
  h.opcode = static_cast<Opcode>(data[0] % 0x11);
  h.flags = data[1];
  ByteView body = data.subspan(2);
  h.length = static_cast<uint32_t>(body.size());
  if (!is_known_opcode(data[0] % 0x11)) return;
  auto r = decode_response(h, body, Compression::kLz4);
  if (r.ok()) exercise_message(*r);
}

void fuzz_value(ByteView data) {
  Reader r(data);
  auto type = read_data_type(r);
  if (!type.ok()) return;
  (void)type->to_cql();
  auto v = decode_value(*type, r.rest());
  if (!v.ok()) return;
  (void)to_display(*v);
  auto encoded = encode_value(*v, *type);
  if (encoded.ok()) {
    // Whatever we encode, we must be able to decode again.
    auto again = decode_value(*type, ByteView(*encoded));
    if (!again.ok()) abort();
  }
}

void fuzz_numbers(ByteView data) {
  if (data.empty()) return;
  Varint v{Bytes(data.begin(), data.end())};
  const std::string text = v.to_string();
  auto parsed = Varint::parse(text);
  if (!parsed.ok() || parsed->to_string() != text) abort();
  auto as_int = v.to_int64();
  if (as_int.ok() && std::to_string(*as_int) != text) abort();
  if (data.size() >= 5) {
    Decimal d{static_cast<int32_t>(load_u32(data.data())), Varint{Bytes(data.begin() + 4,
                                                                        data.end())}};
    (void)d.to_string();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ByteView rest(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: fuzz_stream(rest); break;
    case 1: fuzz_body(rest); break;
    case 2: fuzz_value(rest); break;
    case 3: fuzz_numbers(rest); break;
  }
  return 0;
}
