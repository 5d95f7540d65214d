// Hostile and broken input: every prefix of valid frames, corrupted length fields. The decoder
// must return kTruncated/kProtocol errors, never crash, never read outside the buffer (run this
// under -DRDS_SANITIZE=ON to check the last part).

#include <gtest/gtest.h>

#include "cql/responses.h"
#include "unit/cql/spec_bytes.h"
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

using testing::SpecBytes;

struct Sample {
  const char* name;
  uint8_t opcode;
  SpecBytes body;
};

std::vector<Sample> samples() {
  std::vector<Sample> out;
  out.push_back({"error_unavailable", 0x00,
                 SpecBytes().i32(0x1000).str("unavailable").u16(4).i32(3).i32(1)});
  out.push_back({"error_write_timeout", 0x00,
                 SpecBytes().i32(0x1100).str("wt").u16(6).i32(1).i32(2).str("SIMPLE")});
  out.push_back({"error_read_failure", 0x00,
                 SpecBytes().i32(0x1300).str("rf").u16(1).i32(0).i32(1).i32(1).u8(0)});
  out.push_back({"error_function_failure", 0x00,
                 SpecBytes().i32(0x1400).str("ff").str("ks").str("fn").u16(1).str("int")});
  out.push_back({"error_unprepared", 0x00, SpecBytes().i32(0x2500).str("u").sbytes({1, 2, 3})});
  out.push_back({"authenticate", 0x03, SpecBytes().str("PasswordAuthenticator")});
  out.push_back({"supported", 0x06,
                 SpecBytes().u16(1).str("COMPRESSION").u16(2).str("lz4").str("snappy")});
  out.push_back({"rows", 0x08,
                 SpecBytes().i32(2).i32(0x0003).i32(2).bytes({9, 9}).str("ks").str("t")
                     .str("id").u16(0x0009)
                     .str("m").u16(0x0021).u16(0x000D).u16(0x0030).str("ks").str("u").u16(1)
                     .str("f").u16(0x0031).u16(1).u16(0x0010)
                     .i32(2)
                     .bytes({0, 0, 0, 1}).null_bytes()
                     .bytes({0, 0, 0, 2}).bytes({0, 0, 0, 0})});
  out.push_back({"prepared", 0x08,
                 SpecBytes().i32(4).sbytes({0xab}).i32(1).i32(1).i32(1).u16(0).str("ks").str("t")
                     .str("id").u16(0x0009).i32(1).i32(1).str("ks").str("t").str("v")
                     .u16(0x0020).u16(0x000D)});
  out.push_back({"set_keyspace", 0x08, SpecBytes().i32(3).str("rdstream")});
  out.push_back({"schema_change", 0x08,
                 SpecBytes().i32(5).str("CREATED").str("AGGREGATE").str("ks").str("agg").u16(2)
                     .str("int").str("bigint")});
  out.push_back({"event_status", 0x0C,
                 SpecBytes().str("STATUS_CHANGE").str("UP").u8(16)
                     .raw({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).i32(9042)});
  out.push_back({"auth_success", 0x10, SpecBytes().bytes({1, 2, 3})});
  return out;
}

void expect_clean_error(const Result<Response>& r, const std::string& label) {
  ASSERT_FALSE(r.ok()) << label << " decoded successfully";
  const ErrorCode c = r.error().code;
  EXPECT_TRUE(c == ErrorCode::kTruncated || c == ErrorCode::kProtocol)
      << label << ": " << to_string(c) << " " << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

TEST(CqlRobustnessTest, SamplesDecode) {
  for (const auto& s : samples()) {
    auto r = decode_response(SpecBytes::response(s.opcode, s.body));
    EXPECT_OK(r) << s.name;
  }
}

TEST(CqlRobustnessTest, EveryFramePrefixIsTruncated) {
  for (const auto& s : samples()) {
    const auto frame = SpecBytes::response(s.opcode, s.body);
    for (size_t n = 0; n < frame.size(); ++n) {
      // An exactly sized heap copy, so that ASan flags any read past the end.
      const std::vector<uint8_t> prefix(frame.begin(), frame.begin() + static_cast<long>(n));
      auto r = decode_response(prefix);
      ASSERT_FALSE(r.ok()) << s.name << " prefix " << n;
      EXPECT_EQ(r.error().code, ErrorCode::kTruncated) << s.name << " prefix " << n;
    }
  }
}

TEST(CqlRobustnessTest, EveryBodyPrefixWithMatchingHeaderIsCleanError) {
  // The header's length agrees with the cut body, so the message decoders themselves run out.
  for (const auto& s : samples()) {
    const auto& body = s.body.vec();
    for (size_t n = 0; n < body.size(); ++n) {
      SpecBytes cut;
      cut.raw(std::vector<uint8_t>(body.begin(), body.begin() + static_cast<long>(n)));
      auto r = decode_response(SpecBytes::response(s.opcode, cut));
      expect_clean_error(r, std::string(s.name) + " body prefix " + std::to_string(n));
    }
  }
}

TEST(CqlRobustnessTest, EveryPrefixOfCompressedBody) {
  const auto all = samples();
  const auto& body = all[7].body.vec();  // rows
  auto c = lz4_compress(body);
  ASSERT_OK(c);
  for (size_t n = 0; n < c->size(); ++n) {
    SpecBytes cut;
    cut.raw(std::vector<uint8_t>(c->begin(), c->begin() + static_cast<long>(n)));
    auto r = decode_response(SpecBytes::response(0x08, cut, 1, 0x01), Compression::kLz4);
    expect_clean_error(r, "compressed prefix " + std::to_string(n));
  }
}

TEST(CqlRobustnessTest, EverySingleByteCorruptionIsHandled) {
  // Flip each byte of each sample to a few values: any outcome but a crash or OOB read is fine.
  for (const auto& s : samples()) {
    const auto frame = SpecBytes::response(s.opcode, s.body);
    for (size_t i = 0; i < frame.size(); ++i) {
      for (uint8_t v : {uint8_t{0x00}, uint8_t{0x7f}, uint8_t{0x80}, uint8_t{0xff}}) {
        auto copy = frame;
        copy[i] = v;
        auto r = decode_response(copy, Compression::kLz4);
        if (!r.ok()) {
          EXPECT_FALSE(r.error().message.empty());
        }
      }
    }
  }
}

TEST(CqlRobustnessTest, CellLengthOfMaxIntIsTruncated) {
  SpecBytes b;
  b.i32(2).i32(1).i32(1).str("ks").str("t").str("c").u16(0x0003).i32(1)
      .i32(0x7fffffff).raw({1, 2, 3, 4});
  auto r = decode_response(SpecBytes::response(0x08, b));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(r.error().message,
            "truncated frame: expected 2147483647 bytes for [bytes] cell, 4 left");
}

TEST(CqlRobustnessTest, RowCountLargerThanData) {
  SpecBytes b;
  b.i32(2).i32(1).i32(2).str("ks").str("t").str("a").u16(9).str("b").u16(9)
      .i32(1000000).bytes({0, 0, 0, 1}).bytes({0, 0, 0, 2});
  auto r = decode_response(SpecBytes::response(0x08, b));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(r.error().message,
            "truncated frame: expected 8000000 bytes for 1000000 rows x 2 columns "
            "(at least 4 bytes per cell), 16 left");
}

TEST(CqlRobustnessTest, NegativeCounts) {
  auto rows = decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(2).i32(4).i32(1).i32(-3)));
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(rows.error().message, "invalid frame: negative row count -3");
  auto cols = decode_response(SpecBytes::response(0x08, SpecBytes().i32(2).i32(4).i32(-1)));
  ASSERT_FALSE(cols.ok());
  EXPECT_EQ(cols.error().message, "invalid frame: negative column count -1");
  auto pk = decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(4).sbytes({1}).i32(0).i32(0).i32(-2)));
  ASSERT_FALSE(pk.ok());
  EXPECT_EQ(pk.error().code, ErrorCode::kProtocol);
}

TEST(CqlRobustnessTest, HugeColumnCountAndRowsWithoutColumns) {
  auto cols = decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(2).i32(0).i32(0x7fffffff).str("ks")));
  ASSERT_FALSE(cols.ok());
  EXPECT_EQ(cols.error().code, ErrorCode::kTruncated);
  auto no_cols = decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(2).i32(4).i32(0).i32(0x7fffffff)));
  ASSERT_FALSE(no_cols.ok());
  EXPECT_EQ(no_cols.error().code, ErrorCode::kProtocol);
}

TEST(CqlRobustnessTest, StringLengthPastEnd) {
  auto r = decode_response(SpecBytes::response(0x03, SpecBytes().u16(0xffff).chars("abc")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "truncated frame: expected 65535 bytes for [string] authenticator class, 3 left");
}

TEST(CqlRobustnessTest, UnknownKindsAndTypes) {
  auto kind = decode_response(SpecBytes::response(0x08, SpecBytes().i32(9)));
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.error().message, "invalid frame: unknown result kind 9");
  auto type = decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(2).i32(1).i32(1).str("k").str("t").str("c").u16(0x00ff).i32(0)));
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().message, "invalid frame: unknown type option id 0x00ff");
  auto ev = decode_response(SpecBytes::response(0x0C, SpecBytes().str("NOPE"), -1));
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, ErrorCode::kProtocol);
}

TEST(CqlRobustnessTest, DeeplyNestedTypeIsRejected) {
  SpecBytes b;
  b.i32(2).i32(1).i32(1).str("k").str("t").str("c");
  for (int i = 0; i < 10000; ++i) b.u16(0x0020);  // list<list<list<...
  b.u16(0x0009).i32(0);
  auto r = decode_response(SpecBytes::response(0x08, b));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
  EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos);
}

TEST(CqlRobustnessTest, BodyLengthDisagreesWithHeader) {
  FrameHeader h;
  h.version = 0x84;
  h.opcode = Opcode::kReady;
  h.length = 4;
  auto r = decode_response(h, ByteView());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
}

}  // namespace
}  // namespace rds::cql
