#pragma once
// The Confluent wire format, which Confluent-compatible serializers and registries (Apicurio's
// ccompat API included) agree on: a zero "magic" byte, the schema's registry id as 4 bytes
// big-endian, then the Avro binary body. Pure: bytes in, bytes out.
//
// A JSON record never starts with a zero byte, so a topic can mix both: `is_framed` tells them apart.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rds::avro {

inline constexpr char kMagicByte = '\0';
inline constexpr std::size_t kHeaderSize = 5;

struct Framed {
  int32_t schema_id = 0;
  std::string_view body;  // a view into the record given to unframe()
};

std::string frame(int32_t schema_id, std::string_view body);
// True when the record starts with the magic byte (it may still be too short: unframe says).
bool is_framed(std::string_view record);
// kProtocol for another first byte ("not Confluent-framed: first byte 0x7b"), kTruncated for a
// record shorter than the header.
Result<Framed> unframe(std::string_view record);

}  // namespace rds::avro
