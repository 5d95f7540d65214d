#include "cql/compression.h"

#include <lz4.h>

#include <limits>

namespace rds::cql {

std::string compression_name(Compression c) {
  switch (c) {
    case Compression::kNone: return "";
    case Compression::kLz4: return "lz4";
  }
  return "";
}

Result<Bytes> lz4_compress(ByteView body) {
  if (body.size() > kMaxFrameBodyLength) {
    return Error(ErrorCode::kInvalidArgument,
                 "lz4: body of " + std::to_string(body.size()) + " bytes exceeds the 256 MiB limit");
  }
  const int src_size = static_cast<int>(body.size());
  const int bound = LZ4_compressBound(src_size);
  Bytes out(4 + static_cast<size_t>(bound));
  // §5: the uncompressed length first, big-endian.
  auto len = static_cast<uint32_t>(body.size());
  out[0] = static_cast<uint8_t>(len >> 24);
  out[1] = static_cast<uint8_t>(len >> 16);
  out[2] = static_cast<uint8_t>(len >> 8);
  out[3] = static_cast<uint8_t>(len);
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(body.data()),
                                     reinterpret_cast<char*>(out.data() + 4), src_size, bound);
  if (n <= 0) return Error(ErrorCode::kInternal, "lz4: compression failed");
  out.resize(4 + static_cast<size_t>(n));
  return out;
}

Result<Bytes> lz4_decompress(ByteView body, size_t max_uncompressed) {
  if (body.size() < 4) {
    return Error(ErrorCode::kTruncated,
                 "truncated frame: expected 4 bytes for lz4 uncompressed length, " +
                     std::to_string(body.size()) + " left");
  }
  const auto declared = static_cast<int32_t>(load_u32(body.data()));
  if (declared < 0 || static_cast<size_t>(declared) > max_uncompressed) {
    return Error(ErrorCode::kProtocol, "invalid frame: lz4 uncompressed length " +
                                           std::to_string(declared) + " outside [0, " +
                                           std::to_string(max_uncompressed) + "]");
  }
  if (declared == 0) return Bytes();
  ByteView block = body.subspan(4);
  // An LZ4 block expands at most ~255x (a match length grows by 255 per input byte); refuse a
  // declared length beyond that before allocating it, so 10 hostile bytes cannot cost 256 MiB.
  if (static_cast<uint64_t>(declared) > static_cast<uint64_t>(block.size()) * 255 + 16) {
    return Error(ErrorCode::kProtocol, "invalid frame: lz4 uncompressed length " +
                                           std::to_string(declared) + " impossible for " +
                                           std::to_string(block.size()) + " compressed bytes");
  }
  Bytes out(static_cast<size_t>(declared));
  if (block.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Error(ErrorCode::kProtocol, "invalid frame: lz4 block too large");
  }
  // LZ4_decompress_safe never writes past `declared` bytes nor reads past the block.
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block.data()),
                                    reinterpret_cast<char*>(out.data()),
                                    static_cast<int>(block.size()), declared);
  if (n < 0) {
    return Error(ErrorCode::kProtocol, "invalid frame: corrupt lz4 block (" +
                                           std::to_string(block.size()) + " compressed bytes)");
  }
  if (n != declared) {
    return Error(ErrorCode::kProtocol, "invalid frame: lz4 block decoded to " + std::to_string(n) +
                                           " bytes, header declared " + std::to_string(declared));
  }
  return out;
}

}  // namespace rds::cql
