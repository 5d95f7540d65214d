#include "mapping/record.h"

#include <gtest/gtest.h>

#include "mapping/json_writer.h"
#include "mapping/template.h"
#include "support/result_matchers.h"

namespace rds::mapping {
namespace {

TEST(RecordTest, SerialisesInColumnOrder) {
  Record record{{{"id", "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f"}, {"b", "2"}, {"a", "1"}}};
  EXPECT_EQ(to_json(record), R"({"id":"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f","b":"2","a":"1"})");
  EXPECT_EQ(record.id(), "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f");
  ASSERT_NE(record.find("a"), nullptr);
  EXPECT_EQ(*record.find("a"), "1");
  EXPECT_EQ(record.find("zz"), nullptr);
}

TEST(RecordTest, EscapesLikeAJsonLibrary) {
  const std::string nasty = std::string("q\"b\\s/n\nr\rt\tctl\x01\x1f end ") + "Søren \xF0\x9F\x98\x80";
  Record record{{{"id", "x"}, {"weird \"col\"", nasty}, {"empty", ""}}};
  const std::string text = to_json(record);
  EXPECT_EQ(text, to_json_value(record).dump());
  auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(parsed["weird \"col\""], nasty);
  EXPECT_EQ(parsed, to_json_value(record));
}

TEST(RecordTest, EmptyRecordIsAnEmptyObject) {
  EXPECT_EQ(to_json(Record{}), "{}");
  EXPECT_EQ(Record{}.id(), "");
}

TEST(RecordTest, JsonIntWriter) {
  std::string out;
  append_json_int(out, -9223372036854775807LL - 1);
  EXPECT_EQ(out, "-9223372036854775808");
}

TEST(RecordTest, RecognisesUuids) {
  EXPECT_TRUE(is_uuid("6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f"));
  EXPECT_TRUE(is_uuid("6F1C2A9E-3B4D-4C5E-8F70-1A2B3C4D5E6F"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("6f1c2a9e3b4d4c5e8f701a2b3c4d5e6f"));
  EXPECT_FALSE(is_uuid("{6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f}"));
  EXPECT_FALSE(is_uuid("6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6g"));
  EXPECT_FALSE(is_uuid("6f1c2a9e-3b4d-4c5e-8f70_1a2b3c4d5e6f"));
}

TEST(TemplateTest, SplitsLiteralsAndPlaceholders) {
  auto pieces = parse_template("{a} {{x}}, {b}!");
  ASSERT_OK(pieces);
  ASSERT_EQ(pieces->size(), 4u);
  EXPECT_EQ((*pieces)[0].placeholder, "a");
  EXPECT_EQ((*pieces)[1].literal, " {x}, ");
  EXPECT_EQ((*pieces)[2].placeholder, "b");
  EXPECT_EQ((*pieces)[3].literal, "!");
}

TEST(TemplateTest, RejectsBrokenBraces) {
  EXPECT_EQ(parse_template("{a").error().message, "unclosed '{' at offset 0");
  EXPECT_EQ(parse_template("x {a{b}}").error().message, "unclosed '{' at offset 2");
  EXPECT_EQ(parse_template("a}").error().message, "lone '}' at offset 1 (write '}}' for a literal brace)");
  EXPECT_EQ(parse_template("{}").error().message, "empty '{}' at offset 0");
  EXPECT_OK(parse_template(""));
}

}  // namespace
}  // namespace rds::mapping
