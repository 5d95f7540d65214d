#include "cql/frame.h"

#include <cstdio>

namespace rds::cql {

std::string to_string(Opcode op) {
  switch (op) {
    case Opcode::kError: return "ERROR";
    case Opcode::kStartup: return "STARTUP";
    case Opcode::kReady: return "READY";
    case Opcode::kAuthenticate: return "AUTHENTICATE";
    case Opcode::kOptions: return "OPTIONS";
    case Opcode::kSupported: return "SUPPORTED";
    case Opcode::kQuery: return "QUERY";
    case Opcode::kResult: return "RESULT";
    case Opcode::kPrepare: return "PREPARE";
    case Opcode::kExecute: return "EXECUTE";
    case Opcode::kRegister: return "REGISTER";
    case Opcode::kEvent: return "EVENT";
    case Opcode::kBatch: return "BATCH";
    case Opcode::kAuthChallenge: return "AUTH_CHALLENGE";
    case Opcode::kAuthResponse: return "AUTH_RESPONSE";
    case Opcode::kAuthSuccess: return "AUTH_SUCCESS";
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "OPCODE(0x%02x)", static_cast<unsigned>(op));
  return buf;
}

bool is_known_opcode(uint8_t op) {
  // §2.4: 0x00..0x10 except 0x04 ("there is no 0x04 message in this version").
  return op <= 0x10 && op != 0x04;
}

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& h) {
  std::array<uint8_t, kHeaderSize> out{};
  auto stream = static_cast<uint16_t>(h.stream);
  out[0] = h.version;
  out[1] = h.flags;
  out[2] = static_cast<uint8_t>(stream >> 8);
  out[3] = static_cast<uint8_t>(stream);
  out[4] = static_cast<uint8_t>(h.opcode);
  out[5] = static_cast<uint8_t>(h.length >> 24);
  out[6] = static_cast<uint8_t>(h.length >> 16);
  out[7] = static_cast<uint8_t>(h.length >> 8);
  out[8] = static_cast<uint8_t>(h.length);
  return out;
}

void write_header(Writer& w, const FrameHeader& h) {
  auto bytes = encode_header(h);
  w.write_raw(ByteView(bytes.data(), bytes.size()));
}

Result<FrameHeader> decode_header(ByteView data) {
  if (data.size() < kHeaderSize) {
    return Error(ErrorCode::kTruncated, "truncated frame: expected 9 bytes for frame header, " +
                                            std::to_string(data.size()) + " left");
  }
  FrameHeader h;
  h.version = data[0];
  if ((h.version & 0x7f) != kProtocolVersion) {
    char buf[96];
    std::snprintf(buf, sizeof buf,
                  "invalid frame: protocol version byte 0x%02x, expected 0x04 or 0x84",
                  static_cast<unsigned>(h.version));
    return Error(ErrorCode::kProtocol, buf);
  }
  h.flags = data[1];
  h.stream = static_cast<int16_t>(load_u16(data.data() + 2));
  if (!is_known_opcode(data[4])) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "invalid frame: unknown opcode 0x%02x",
                  static_cast<unsigned>(data[4]));
    return Error(ErrorCode::kProtocol, buf);
  }
  h.opcode = static_cast<Opcode>(data[4]);
  h.length = load_u32(data.data() + 5);
  // §2.5: frames are limited to 256MB; a larger length is a corrupt or hostile peer.
  if (h.length > kMaxFrameBodyLength) {
    return Error(ErrorCode::kProtocol, "invalid frame: body length " + std::to_string(h.length) +
                                           " exceeds the 256 MiB limit");
  }
  return h;
}

Result<FrameAvailability> check_frame(ByteView buffer) {
  FrameAvailability a;
  if (buffer.size() < kHeaderSize) {
    a.frame_size = kHeaderSize;
    a.missing = kHeaderSize - buffer.size();
    return a;
  }
  auto h = decode_header(buffer);
  if (!h.ok()) return h.take_error();
  a.frame_size = h->frame_size();
  a.complete = buffer.size() >= a.frame_size;
  a.missing = a.complete ? 0 : a.frame_size - buffer.size();
  return a;
}

Result<FrameView> split_frame(ByteView buffer) {
  auto h = decode_header(buffer);
  if (!h.ok()) return h.take_error();
  if (buffer.size() - kHeaderSize < h->length) {
    return Error(ErrorCode::kTruncated, "truncated frame: expected " + std::to_string(h->length) +
                                            " bytes for frame body, " +
                                            std::to_string(buffer.size() - kHeaderSize) +
                                            " left");
  }
  return FrameView{*h, buffer.subspan(kHeaderSize, h->length)};
}

}  // namespace rds::cql
