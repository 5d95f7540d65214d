#pragma once
// Frame body compression (native_protocol_v4.spec §5). Only lz4 is offered: snappy is optional on
// the server side and has no Debian-packaged C++ dependency we want.
//
// §5: "the first four bytes of the body will be the uncompressed length (followed by the
// compressed bytes)". The length is a big-endian [int]; the rest is one raw LZ4 block (not the
// LZ4 frame format).

#include <cstddef>
#include <string>

#include "core/result.h"
#include "cql/frame.h"
#include "cql/wire.h"

namespace rds::cql {

enum class Compression : uint8_t { kNone, kLz4 };

// The STARTUP option value ("lz4"), or "" for none.
std::string compression_name(Compression c);

// 4-byte big-endian uncompressed length + LZ4 block. Fails for bodies over the 256 MiB limit.
Result<Bytes> lz4_compress(ByteView body);

// Inverse of lz4_compress. Errors (kProtocol): fewer than 4 bytes, a negative or too large
// declared length (over max_uncompressed), an LZ4 block that is corrupt or does not decode to
// exactly the declared length.
Result<Bytes> lz4_decompress(ByteView body, size_t max_uncompressed = kMaxFrameBodyLength);

}  // namespace rds::cql
