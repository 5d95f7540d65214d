#include "avro/framing.h"

#include <fmt/format.h>

namespace rds::avro {

std::string frame(int32_t schema_id, std::string_view body) {
  std::string out;
  out.reserve(kHeaderSize + body.size());
  out += kMagicByte;
  const auto id = static_cast<uint32_t>(schema_id);
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((id >> shift) & 0xff);
  out.append(body);
  return out;
}

bool is_framed(std::string_view record) { return !record.empty() && record.front() == kMagicByte; }

Result<Framed> unframe(std::string_view record) {
  if (!is_framed(record)) {
    return Error(ErrorCode::kProtocol,
                 record.empty() ? std::string("not Confluent-framed: the record is empty")
                                : fmt::format("not Confluent-framed: first byte 0x{:02x}, not 0x00",
                                              static_cast<unsigned char>(record.front())));
  }
  if (record.size() < kHeaderSize) {
    return Error(ErrorCode::kTruncated,
                 fmt::format("Confluent-framed record of {} bytes: the header alone is {}", record.size(), kHeaderSize));
  }
  uint32_t id = 0;
  for (std::size_t i = 1; i < kHeaderSize; ++i) id = (id << 8) | static_cast<unsigned char>(record[i]);
  return Framed{static_cast<int32_t>(id), record.substr(kHeaderSize)};
}

}  // namespace rds::avro
