#include "cql/compression.h"
#include "cql/frame.h"

#include <gtest/gtest.h>

#include "unit/cql/spec_bytes.h"
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

using testing::SpecBytes;

TEST(CqlFrameTest, EncodesHeaderBigEndian) {
  FrameHeader h;
  h.version = 0x04;
  h.flags = kFlagTracing;
  h.stream = 0x0102;
  h.opcode = Opcode::kQuery;
  h.length = 0x0a0b0c0d;
  auto b = encode_header(h);
  EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.end()),
            (std::vector<uint8_t>{0x04, 0x02, 0x01, 0x02, 0x07, 0x0a, 0x0b, 0x0c, 0x0d}));
}

TEST(CqlFrameTest, DecodesEventHeaderWithNegativeStream) {
  // §2.3: server-initiated EVENT frames use stream -1.
  const std::vector<uint8_t> b{0x84, 0x00, 0xff, 0xff, 0x0c, 0x00, 0x00, 0x00, 0x05};
  auto h = decode_header(b);
  ASSERT_OK(h);
  EXPECT_TRUE(h->is_response());
  EXPECT_EQ(h->protocol_version(), 4);
  EXPECT_EQ(h->stream, -1);
  EXPECT_EQ(h->opcode, Opcode::kEvent);
  EXPECT_EQ(h->length, 5u);
  EXPECT_EQ(h->frame_size(), 14u);
}

TEST(CqlFrameTest, RejectsBadVersionOpcodeAndLength) {
  auto v3 = decode_header(std::vector<uint8_t>{0x83, 0, 0, 0, 0x02, 0, 0, 0, 0});
  ASSERT_FALSE(v3.ok());
  EXPECT_EQ(v3.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(v3.error().message,
            "invalid frame: protocol version byte 0x83, expected 0x04 or 0x84");
  auto op4 = decode_header(std::vector<uint8_t>{0x84, 0, 0, 0, 0x04, 0, 0, 0, 0});
  ASSERT_FALSE(op4.ok());
  EXPECT_EQ(op4.error().message, "invalid frame: unknown opcode 0x04");
  // §2.5: 256 MiB limit. Exactly 256 MiB is accepted, one more byte is not.
  auto at_limit = decode_header(std::vector<uint8_t>{0x84, 0, 0, 0, 0x08, 0x10, 0, 0, 0});
  EXPECT_OK(at_limit);
  auto over = decode_header(std::vector<uint8_t>{0x84, 0, 0, 0, 0x08, 0x10, 0, 0, 1});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(over.error().message,
            "invalid frame: body length 268435457 exceeds the 256 MiB limit");
  auto huge = decode_header(std::vector<uint8_t>{0x84, 0, 0, 0, 0x08, 0xff, 0xff, 0xff, 0xff});
  EXPECT_FALSE(huge.ok());
}

TEST(CqlFrameTest, CheckFrameReportsMissingBytes) {
  auto frame = SpecBytes::response(0x08, SpecBytes().i32(1));  // RESULT void, 4-byte body
  ASSERT_EQ(frame.size(), 13u);
  auto empty = check_frame({});
  ASSERT_OK(empty);
  EXPECT_FALSE(empty->complete);
  EXPECT_EQ(empty->missing, 9u);
  auto partial_header = check_frame(ByteView(frame).first(5));
  ASSERT_OK(partial_header);
  EXPECT_FALSE(partial_header->complete);
  EXPECT_EQ(partial_header->missing, 4u);
  auto partial_body = check_frame(ByteView(frame).first(11));
  ASSERT_OK(partial_body);
  EXPECT_FALSE(partial_body->complete);
  EXPECT_EQ(partial_body->frame_size, 13u);
  EXPECT_EQ(partial_body->missing, 2u);
  // A complete frame followed by the start of the next one.
  auto two = frame;
  two.insert(two.end(), frame.begin(), frame.begin() + 3);
  auto full = check_frame(two);
  ASSERT_OK(full);
  EXPECT_TRUE(full->complete);
  EXPECT_EQ(full->frame_size, 13u);
  EXPECT_EQ(full->missing, 0u);
  auto split = split_frame(two);
  ASSERT_OK(split);
  EXPECT_EQ(split->body.size(), 4u);
  // A bogus header is reported as soon as 9 bytes are there.
  auto bad = check_frame(std::vector<uint8_t>{0x05, 0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kProtocol);
}

TEST(CqlLz4Test, RoundTripWithBigEndianLengthPrefix) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "SELECT * FROM rdstream.users; ";
  auto c = lz4_compress(as_bytes(text));
  ASSERT_OK(c);
  // §5: the first four bytes are the uncompressed length.
  ASSERT_GE(c->size(), 4u);
  EXPECT_EQ(load_u32(c->data()), text.size());
  EXPECT_LT(c->size(), text.size());
  auto d = lz4_decompress(*c);
  ASSERT_OK(d);
  EXPECT_EQ(to_string(ByteView(*d)), text);
}

TEST(CqlLz4Test, EmptyBody) {
  auto c = lz4_compress({});
  ASSERT_OK(c);
  auto d = lz4_decompress(*c);
  ASSERT_OK(d);
  EXPECT_TRUE(d->empty());
}

TEST(CqlLz4Test, CorruptInputIsCleanError) {
  std::string text(1000, 'a');
  auto c = lz4_compress(as_bytes(text));
  ASSERT_OK(c);
  // Too short for the length prefix.
  auto short_in = lz4_decompress(ByteView(*c).first(3));
  ASSERT_FALSE(short_in.ok());
  EXPECT_EQ(short_in.error().code, ErrorCode::kTruncated);
  // Declared length larger than what the block decodes to.
  Bytes wrong_len = *c;
  wrong_len[3] = static_cast<uint8_t>(wrong_len[3] + 1);
  auto wl = lz4_decompress(wrong_len);
  ASSERT_FALSE(wl.ok());
  EXPECT_EQ(wl.error().code, ErrorCode::kProtocol);
  // Declared length above the limit: refused before allocating.
  Bytes huge = *c;
  huge[0] = 0x7f;
  auto h = lz4_decompress(huge);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("outside"), std::string::npos);
  Bytes negative = *c;
  negative[0] = 0xff;
  EXPECT_FALSE(lz4_decompress(negative).ok());
  // Truncated block.
  auto tb = lz4_decompress(ByteView(*c).first(c->size() - 2));
  ASSERT_FALSE(tb.ok());
  EXPECT_EQ(tb.error().code, ErrorCode::kProtocol);
  // Garbage block.
  Bytes garbage{0, 0, 0, 100, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(lz4_decompress(garbage).ok());
}

}  // namespace
}  // namespace rds::cql

namespace rds::cql {
namespace {

TEST(CqlLz4Test, DeclaredLengthBeyondMaxRatioIsRefusedBeforeAllocating) {
  // 200 MiB declared for a 6-byte block: under the 256 MiB cap but impossible for LZ4.
  const Bytes hostile{0x0c, 0x80, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x00};
  auto r = lz4_decompress(hostile);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
  EXPECT_NE(r.error().message.find("impossible"), std::string::npos);
  // A highly compressible real body still decompresses (ratio close to the maximum).
  Bytes zeros(1 << 20, 0);
  auto c = lz4_compress(zeros);
  ASSERT_OK(c);
  auto d = lz4_decompress(*c);
  ASSERT_OK(d);
  EXPECT_EQ(d->size(), zeros.size());
}

}  // namespace
}  // namespace rds::cql
