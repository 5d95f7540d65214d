#pragma once
// The v4 frame header (native_protocol_v4.spec §2) and helpers for reassembling frames from a
// byte stream. No I/O here: the caller owns the socket and the buffer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "cql/wire.h"

namespace rds::cql {

inline constexpr uint8_t kProtocolVersion = 4;
inline constexpr uint8_t kResponseBit = 0x80;   // §2.1: MSB of version set on responses
inline constexpr size_t kHeaderSize = 9;        // §1: version, flags, stream(2), opcode, length(4)
// §2.5: "currently a frame is limited to 256MB in length". Applies to the body length field.
inline constexpr uint32_t kMaxFrameBodyLength = 256u * 1024u * 1024u;

// §2.2 flags.
inline constexpr uint8_t kFlagCompression = 0x01;
inline constexpr uint8_t kFlagTracing = 0x02;
inline constexpr uint8_t kFlagCustomPayload = 0x04;
inline constexpr uint8_t kFlagWarning = 0x08;

// §2.4 opcodes.
enum class Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};
std::string to_string(Opcode op);
bool is_known_opcode(uint8_t op);

struct FrameHeader {
  uint8_t version = kProtocolVersion;  // including the direction bit (0x04 request, 0x84 response)
  uint8_t flags = 0;
  int16_t stream = 0;  // §2.3: requests use >= 0; server events use -1
  Opcode opcode = Opcode::kOptions;
  uint32_t length = 0;  // body length in bytes

  bool is_response() const { return (version & kResponseBit) != 0; }
  uint8_t protocol_version() const { return version & 0x7f; }
  bool has_flag(uint8_t f) const { return (flags & f) != 0; }
  size_t frame_size() const { return kHeaderSize + length; }
  bool operator==(const FrameHeader&) const = default;
};

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& h);
void write_header(Writer& w, const FrameHeader& h);

// Decodes the first 9 bytes of `data`. Checks the protocol version is 4 (either direction), the
// opcode is known and the length is at most kMaxFrameBodyLength; violations are kProtocol errors.
// Fewer than 9 bytes is kTruncated.
Result<FrameHeader> decode_header(ByteView data);

// For stream reassembly: how much of a frame the buffer holds.
struct FrameAvailability {
  bool complete = false;  // a whole frame (header + body) is at the start of the buffer
  size_t frame_size = 0;  // header + body bytes, once the header is readable; else kHeaderSize
  size_t missing = 0;     // bytes still to receive before the frame is complete (0 if complete)
};

// Looks at the start of `buffer`. Returns kProtocol for a header that can never be valid (wrong
// version, unknown opcode, body longer than 256 MiB), so the caller can drop the connection
// instead of waiting for bytes that will not make sense.
Result<FrameAvailability> check_frame(ByteView buffer);

// A frame split into its header and its (still possibly compressed) body; the body views the
// input buffer.
struct FrameView {
  FrameHeader header;
  ByteView body;
};

// Splits one complete frame off the start of `buffer` (the buffer may hold more bytes after it).
Result<FrameView> split_frame(ByteView buffer);

}  // namespace rds::cql
