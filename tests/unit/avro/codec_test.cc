// rdstream's records in Avro binary, through libavro: the encodings of the Avro specification
// ("Binary Encoding": strings as a zig-zag length then UTF-8, a union as the branch index then the
// value), and resolution between schema versions by the specification's rules for records.
#include "avro/codec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/result_matchers.h"

namespace rds::avro {
namespace {

Schema parse(const std::string& json) {
  auto s = Schema::parse(json);
  EXPECT_OK(s);
  return s.ok() ? *s : Schema();
}

const std::string kV1 = R"({"type": "record", "name": "created_users", "namespace": "rdstream", "fields": [
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "first_name", "type": ["null", "string"], "default": null}]})";
// Version 2 adds a field with a default: BACKWARD compatible.
const std::string kV2 = R"({"type": "record", "name": "created_users", "namespace": "rdstream", "fields": [
  {"name": "id", "type": "string"},
  {"name": "first_name", "type": ["null", "string"], "default": null},
  {"name": "nationality", "type": ["string", "null"], "default": "unknown"}]})";

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

TEST(AvroCodecTest, TheSpecificationsBinaryEncoding) {
  const Schema v1 = parse(kV1);
  auto encoder = Encoder::create(v1);
  ASSERT_OK(encoder);
  // "foo": length 3 zig-zag encoded as 06, then the bytes; the union's branch 1 (string) as 02.
  auto bytes = encoder->encode({"foo", "a"});
  ASSERT_OK(bytes);
  EXPECT_EQ(hex(*bytes), "06666f6f" "02" "0261");
  // null: the union's branch 0 and nothing else.
  bytes = encoder->encode({"foo", std::nullopt});
  ASSERT_OK(bytes);
  EXPECT_EQ(hex(*bytes), "06666f6f" "00");
  // An empty string is a zero length; the encoder is reused between records.
  bytes = encoder->encode({"", ""});
  ASSERT_OK(bytes);
  EXPECT_EQ(hex(*bytes), "00" "0200");
}

TEST(AvroCodecTest, RoundTripsUnicodeAndLongValues) {
  const Schema v1 = parse(kV1);
  auto encoder = Encoder::create(v1);
  auto decoder = Decoder::create(v1, v1);
  ASSERT_OK(encoder);
  ASSERT_OK(decoder);
  const std::string long_value(70'000, 'x');
  auto bytes = encoder->encode({"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f", "Zoë Ünal 名前"});
  ASSERT_OK(bytes);
  auto values = decoder->decode(*bytes);
  ASSERT_OK(values);
  EXPECT_EQ(*values, (Values{"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f", "Zoë Ünal 名前"}));
  bytes = encoder->encode({long_value, std::nullopt});
  ASSERT_OK(bytes);
  values = decoder->decode(*bytes);
  ASSERT_OK(values);
  EXPECT_EQ(*values, (Values{long_value, std::nullopt}));
}

TEST(AvroCodecTest, ANewReaderFillsTheDefaultAndAnOldReaderSkipsTheNewField) {
  const Schema v1 = parse(kV1), v2 = parse(kV2);
  auto old_writer = Encoder::create(v1);
  auto new_writer = Encoder::create(v2);
  ASSERT_OK(old_writer);
  ASSERT_OK(new_writer);
  // Written with v1, read with v2: the added field takes its default.
  auto v1_bytes = old_writer->encode({"id-1", "Ada"});
  ASSERT_OK(v1_bytes);
  auto as_v2 = Decoder::create(v1, v2);
  ASSERT_OK(as_v2);
  auto values = as_v2->decode(*v1_bytes);
  ASSERT_OK(values);
  EXPECT_EQ(*values, (Values{"id-1", "Ada", "unknown"}));
  // Written with v2, read with v1: the field v1 lacks is skipped.
  auto v2_bytes = new_writer->encode({"id-2", std::nullopt, "NO"});
  ASSERT_OK(v2_bytes);
  auto as_v1 = Decoder::create(v2, v1);
  ASSERT_OK(as_v1);
  values = as_v1->decode(*v2_bytes);
  ASSERT_OK(values);
  EXPECT_EQ(*values, (Values{"id-2", std::nullopt}));
}

TEST(AvroCodecTest, UnresolvableSchemasAndBadBodiesAreErrors) {
  const Schema v1 = parse(kV1);
  // A reader field the writer lacks, without a default.
  const Schema strict = parse(R"({"type": "record", "name": "created_users", "fields": [
    {"name": "id", "type": "string"}, {"name": "email", "type": "string"}]})");
  auto d = Decoder::create(v1, strict);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("email"), std::string::npos) << d.error().message;
  // A null where the reader's field is not nullable: an error for that record only.
  const Schema required = parse(R"({"type": "record", "name": "created_users", "fields": [
    {"name": "id", "type": "string"}, {"name": "first_name", "type": "string"}]})");
  auto to_required = Decoder::create(v1, required);
  ASSERT_OK(to_required);
  auto encoder = Encoder::create(v1);
  auto with_null = encoder->encode({"id", std::nullopt});
  ASSERT_OK(with_null);
  auto refused = to_required->decode(*with_null);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("first_name"), std::string::npos);
  auto fine = encoder->encode({"id", "x"});
  EXPECT_OK(to_required->decode(*fine));
  // Truncated, and bytes left over.
  auto same = Decoder::create(v1, v1);
  ASSERT_OK(same);
  auto cut = same->decode(fine->substr(0, fine->size() - 1));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::kTruncated);
  auto extra = same->decode(*fine + "\x02");
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error().code, ErrorCode::kProtocol);
  // A null for a field that is not nullable is refused when encoding.
  auto required_encoder = Encoder::create(required);
  ASSERT_OK(required_encoder);
  EXPECT_FALSE(required_encoder->encode({"id", std::nullopt}).ok());
  EXPECT_FALSE(required_encoder->encode({"id"}).ok());  // too few values
}

TEST(AvroCodecTest, OnlyRecordsOfStringsAreAccepted) {
  auto not_json = Schema::parse("{not json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidArgument);
  auto not_record = Schema::parse(R"("string")");
  ASSERT_FALSE(not_record.ok());
  auto an_int = Schema::parse(R"({"type": "record", "name": "r", "fields": [{"name": "age", "type": "int"}]})");
  ASSERT_FALSE(an_int.ok());
  EXPECT_NE(an_int.error().message.find("age"), std::string::npos) << an_int.error().message;
}

TEST(AvroCodecTest, TheSchemaWeWriteParsesBackToTheSameFields) {
  std::vector<Field> fields = {{"id", false, true, std::nullopt},
                               {"first_name", true, true, std::optional<std::string>()},
                               {"nationality", true, false, std::optional<std::string>("unknown")}};
  const std::string json = record_schema_json("created_users", "rdstream", fields);
  auto schema = Schema::parse(json);
  ASSERT_OK(schema);
  EXPECT_EQ(schema->name(), "created_users");
  ASSERT_EQ(schema->fields().size(), 3u);
  EXPECT_FALSE(schema->fields()[0].nullable);
  EXPECT_TRUE(schema->fields()[1].nullable);
  EXPECT_EQ(schema->fields()[1].default_value, std::optional<std::optional<std::string>>(std::optional<std::string>()));
  EXPECT_EQ(schema->fields()[2].default_value, std::optional<std::optional<std::string>>("unknown"));
}

}  // namespace
}  // namespace rds::avro
