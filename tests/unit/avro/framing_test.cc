// The Confluent wire format: magic byte 0, the schema id as 4 bytes big-endian, the body.
#include "avro/framing.h"

#include <gtest/gtest.h>

#include "support/result_matchers.h"

namespace rds::avro {
namespace {

TEST(FramingTest, HeaderIsMagicThenTheIdBigEndian) {
  const std::string framed = frame(0x01020304, "body");
  EXPECT_EQ(framed, std::string("\x00\x01\x02\x03\x04" "body", 9));
  auto back = unframe(framed);
  ASSERT_OK(back);
  EXPECT_EQ(back->schema_id, 0x01020304);
  EXPECT_EQ(back->body, "body");
  // The largest id a registry hands out survives, and an empty body is a valid frame.
  auto big = unframe(frame(2147483647, ""));
  ASSERT_OK(big);
  EXPECT_EQ(big->schema_id, 2147483647);
  EXPECT_EQ(big->body, "");
}

TEST(FramingTest, JsonIsNotFramedAndShortRecordsAreTruncated) {
  EXPECT_FALSE(is_framed(R"({"id": "x"})"));
  EXPECT_TRUE(is_framed(std::string("\x00", 1)));
  auto json = unframe(R"({"id": "x"})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kProtocol);
  EXPECT_NE(json.error().message.find("0x7b"), std::string::npos) << json.error().message;
  auto empty = unframe("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kProtocol);
  auto shortened = unframe(std::string("\x00\x00\x01", 3));
  ASSERT_FALSE(shortened.ok());
  EXPECT_EQ(shortened.error().code, ErrorCode::kTruncated);
}

}  // namespace
}  // namespace rds::avro
