#include "process/record_validator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <random>
#include <thread>
#include <utility>
#include <vector>
#include "support/result_matchers.h"

namespace rds::process {
namespace {

constexpr const char* kId = "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f";

// The example record of docs/compat.md "The record on the topic" (with a real UUID), dob included.
std::string good_record() {
  return std::string(R"({"id":")") + kId + R"(","first_name":"Ava","last_name":"Lind","gender":"female",)"
         R"("address":"4127 Harbour Road, Eastvale, Oregon, United States","post_code":"48213",)"
         R"("email":"ava.lind@example.com","username":"bluefox417","dob":"1987-03-14T09:12:44.512Z",)"
         R"("registered_date":"2011-07-02T18:03:10.101Z","phone":"(512) 555-0176",)"
         R"("picture":"https://randomuser.me/api/portraits/med/women/12.jpg"})";
}

Row expect_row(const Validation& v) {
  if (const auto* rejection = std::get_if<Rejection>(&v)) {
    ADD_FAILURE() << "rejected (" << to_string(rejection->code) << "): " << rejection->message;
    return Row{};
  }
  return std::get<Row>(v);
}

Rejection expect_rejection(const Validation& v, RejectCode code) {
  if (!std::holds_alternative<Rejection>(v)) {
    ADD_FAILURE() << "accepted, expected " << to_string(code);
    return {};
  }
  const auto& rejection = std::get<Rejection>(v);
  EXPECT_EQ(rejection.code, code) << to_string(rejection.code) << ": " << rejection.message;
  EXPECT_FALSE(rejection.message.empty());
  EXPECT_LT(rejection.message.size(), 400u) << "messages quote excerpts only";
  return rejection;
}

TableConfig typed_table() {
  TableConfig table;
  table.columns = {
      {"id", cql::DataType(cql::TypeId::kUuid), false},
      {"name", cql::DataType(cql::TypeId::kVarchar), false},
      {"code", cql::DataType(cql::TypeId::kAscii), true},
      {"age", cql::DataType(cql::TypeId::kInt), true},
      {"big", cql::DataType(cql::TypeId::kBigint), true},
      {"small", cql::DataType(cql::TypeId::kSmallint), true},
      {"tiny", cql::DataType(cql::TypeId::kTinyint), true},
      {"ratio", cql::DataType(cql::TypeId::kDouble), true},
      {"weight", cql::DataType(cql::TypeId::kFloat), true},
      {"ok", cql::DataType(cql::TypeId::kBoolean), true},
      {"ref", cql::DataType(cql::TypeId::kUuid), true},
      {"seen", cql::DataType(cql::TypeId::kTimestamp), true},
      {"day", cql::DataType(cql::TypeId::kDate), true},
      {"data", cql::DataType(cql::TypeId::kBlob), true},
  };
  EXPECT_OK(table.validate());
  return table;
}

std::string with_id(const std::string& rest) {
  return std::string(R"({"id":")") + kId + R"(","name":"n")" + (rest.empty() ? "" : "," + rest) + "}";
}

TEST(RecordValidatorTest, TheCompatRecordBecomesARowInTableOrder) {
  RecordValidator validator(default_table());
  const Row row = expect_row(validator.validate(good_record()));
  EXPECT_EQ(row.id.to_string(), kId);
  ASSERT_EQ(row.values.size(), 11u);
  EXPECT_EQ(row.values[0], cql::Value(row.id));
  EXPECT_EQ(row.values[1], cql::Value("Ava"));
  EXPECT_EQ(row.values[4], cql::Value("4127 Harbour Road, Eastvale, Oregon, United States"));
  EXPECT_EQ(row.values[10], cql::Value("https://randomuser.me/api/portraits/med/women/12.jpg"));
  EXPECT_EQ(row.ignored_columns, 1u);  // dob: the seed's table has no such column
}

TEST(RecordValidatorTest, UppercaseUuidIsAccepted) {
  RecordValidator validator(default_table());
  std::string record = good_record();
  record.replace(record.find(kId), 36, "6F1C2A9E-3B4D-4C5E-8F70-1A2B3C4D5E6F");
  EXPECT_EQ(expect_row(validator.validate(record)).id.to_string(), kId);
}

TEST(RecordValidatorTest, StrictColumnsRejectsWhatTheTableLacks) {
  TableConfig table = default_table();
  table.strict_columns = true;
  RecordValidator validator(table);
  auto rejection = expect_rejection(validator.validate(good_record()), RejectCode::kUnknownColumn);
  EXPECT_NE(rejection.message.find("'dob'"), std::string::npos);
}

TEST(RecordValidatorTest, PoisonBytes) {
  RecordValidator validator(default_table());
  expect_rejection(validator.validate(std::string_view("")), RejectCode::kNotJson);
  expect_rejection(validator.validate_nullable(std::optional<std::string>()), RejectCode::kNotJson);  // tombstone
  expect_rejection(validator.validate(std::string_view("{")), RejectCode::kNotJson);
  expect_rejection(validator.validate(std::string_view("{\"id\":")), RejectCode::kNotJson);
  expect_rejection(validator.validate(std::string_view("\x00\x01\x02\xff", 4)), RejectCode::kNotJson);
  expect_rejection(validator.validate(std::string_view("{'id': 'x'}")), RejectCode::kNotJson);  // Python repr
  expect_rejection(validator.validate(good_record() + "garbage"), RejectCode::kNotJson);
  // Invalid UTF-8 inside a string: CQL text must be UTF-8.
  expect_rejection(validator.validate(std::string("{\"id\":\"") + kId + "\",\"first_name\":\"\xc3\x28\"}"),
                   RejectCode::kNotJson);
  auto binary = expect_rejection(validator.validate(std::string("\x89PNG\r\n\x1a\n") + std::string(500, '\x00')),
                                 RejectCode::kNotJson);
  EXPECT_NE(binary.message.find("\\x89"), std::string::npos);  // printable excerpt
}

TEST(RecordValidatorTest, NotAnObject) {
  RecordValidator validator(default_table());
  for (const char* text : {"[]", "[1,2]", "\"a string\"", "42", "null", "true", "3.5"}) {
    expect_rejection(validator.validate(std::string_view(text)), RejectCode::kNotObject);
  }
}

TEST(RecordValidatorTest, MissingOrBadId) {
  RecordValidator validator(default_table());
  expect_rejection(validator.validate(std::string_view("{}")), RejectCode::kMissingId);
  expect_rejection(validator.validate(std::string_view(R"({"id":null,"first_name":"a"})")), RejectCode::kMissingId);
  expect_rejection(validator.validate(std::string_view(R"({"ID":"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f"})")),
                   RejectCode::kMissingId);
  for (const char* id : {R"("")", R"("not-a-uuid")", R"("6f1c2a9e3b4d4c5e8f701a2b3c4d5e6f")",
                         R"("{6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f}")", R"("6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6g")",
                         R"("6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f ")", "12345", "true",
                         R"({"uuid":"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f"})", R"(["6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f"])"}) {
    expect_rejection(validator.validate(std::string(R"({"id":)") + id + "}"), RejectCode::kBadUuid);
  }
}

TEST(RecordValidatorTest, MissingAndNullColumns) {
  RecordValidator validator(default_table());
  std::string record = good_record();
  const auto start = record.find(R"("email")");
  const auto end = record.find(',', start);
  auto rejection = expect_rejection(validator.validate(record.substr(0, start) + record.substr(end + 1)),
                                    RejectCode::kMissingColumn);
  EXPECT_NE(rejection.message.find("'email'"), std::string::npos);
  std::string nulled = good_record();
  nulled.replace(nulled.find(R"("ava.lind@example.com")"), std::string(R"("ava.lind@example.com")").size(), "null");
  expect_rejection(validator.validate(nulled), RejectCode::kMissingColumn);
  // Only the id: every other column is missing.
  expect_rejection(validator.validate(std::string(R"({"id":")") + kId + "\"}"), RejectCode::kMissingColumn);
}

TEST(RecordValidatorTest, NullableColumnsAreUnsetWhenAbsentAndNullWhenNull) {
  RecordValidator validator(typed_table());
  const Row row = expect_row(validator.validate(with_id(R"("age":null)")));
  ASSERT_EQ(row.values.size(), 14u);
  EXPECT_TRUE(row.values[3].is_null());   // age: explicit null
  EXPECT_TRUE(row.values[4].is_unset());  // big: absent, nothing written
}

TEST(RecordValidatorTest, NestedObjectsAndNumbersWhereStringsExpected) {
  RecordValidator validator(default_table());
  for (const char* bad : {R"({"first":"Ava"})", "[\"Ava\"]", "42", "4.2", "true"}) {
    std::string record = good_record();
    record.replace(record.find(R"("Ava")"), 5, bad);
    auto rejection = expect_rejection(validator.validate(record), RejectCode::kWrongType);
    EXPECT_NE(rejection.message.find("'first_name'"), std::string::npos) << rejection.message;
  }
}

TEST(RecordValidatorTest, TextFromScalarsWhenConfigured) {
  TableConfig table = default_table();
  table.text_from_scalars = true;
  RecordValidator validator(table);
  std::string record = good_record();
  record.replace(record.find(R"("48213")"), 7, "48213");  // a number post code (randomuser sends ints)
  EXPECT_EQ(expect_row(validator.validate(record)).values[5], cql::Value("48213"));
  record.replace(record.find(R"("Ava")"), 5, R"({"x":1})");
  expect_rejection(validator.validate(record), RejectCode::kWrongType);  // objects never
}

TEST(RecordValidatorTest, ValueSizeBounds) {
  TableConfig table = default_table();
  table.max_value_bytes = 100;
  table.max_record_bytes = 10'000;
  RecordValidator validator(table);
  std::string record = good_record();
  std::string at_limit = record;
  at_limit.replace(at_limit.find(R"("Ava")"), 5, "\"" + std::string(100, 'a') + "\"");
  expect_row(validator.validate(at_limit));
  std::string over = record;
  over.replace(over.find(R"("Ava")"), 5, "\"" + std::string(101, 'a') + "\"");
  auto rejection = expect_rejection(validator.validate(over), RejectCode::kValueTooLarge);
  EXPECT_NE(rejection.message.find("'first_name'"), std::string::npos);
  // The whole record beyond max_record_bytes is refused before parsing.
  expect_rejection(validator.validate(std::string(10'001, ' ')), RejectCode::kValueTooLarge);
  // A huge value for a column the table lacks is bounded by the record limit, not the column one.
  std::string unknown = record;
  unknown.insert(1, "\"extra\":\"" + std::string(5000, 'x') + "\",");
  EXPECT_EQ(expect_row(validator.validate(unknown)).ignored_columns, 2u);
}

TEST(RecordValidatorTest, DeepNestingDoesNotCrash) {
  RecordValidator validator(default_table());
  const std::size_t depth = 200'000;  // within the default 1 MiB record limit
  std::string deep(depth, '[');
  deep += std::string(depth, ']');
  expect_rejection(validator.validate(deep), RejectCode::kNotObject);
  std::string deep_column = good_record();
  deep_column.replace(deep_column.find(R"("Ava")"), 5, std::string(depth, '[') + std::string(depth, ']'));
  expect_rejection(validator.validate(deep_column), RejectCode::kWrongType);
}

TEST(RecordValidatorTest, TextFromScalarsWritesNumbersAsJsonDoes) {
  TableConfig table = typed_table();
  table.text_from_scalars = true;
  RecordValidator validator(table);
  for (const auto& [json, text] : std::vector<std::pair<std::string, std::string>>{
           {"42", "42"}, {"-7", "-7"}, {"-0", "0"}, {"18446744073709551615", "18446744073709551615"},
           {"4.5", "4.5"}, {"4.50", "4.5"}, {"1.0", "1.0"}, {"1E2", "100.0"}, {"0.1", "0.1"}, {"-0.0", "-0.0"},
           {"1e300", "1e+300"}, {"1e-7", "1e-07"}, {"123456789012345678.0", "1.2345678901234568e+17"},
           {"true", "true"}, {"false", "false"}}) {
    const Row row = expect_row(validator.validate(with_id(R"("code":)" + json)));
    ASSERT_EQ(row.values.size(), 14u);
    EXPECT_EQ(row.values[2], cql::Value(text)) << json;
  }
  expect_rejection(validator.validate(with_id(R"("code":[1])")), RejectCode::kWrongType);
}

TEST(RecordValidatorTest, ARepeatedKeyCountsOnceAndTheLastOneWins) {
  RecordValidator validator(typed_table());
  Row row = expect_row(validator.validate(with_id(R"("age":1,"dob":"a","age":2,"dob":"b","zz":0,"dob":"c")")));
  EXPECT_EQ(row.values[3], cql::Value(int32_t{2}));
  EXPECT_EQ(row.ignored_columns, 2u);  // dob and zz: distinct names
  expect_rejection(validator.validate(with_id(R"("age":1,"age":"forty")")), RejectCode::kWrongType);
  expect_rejection(validator.validate(with_id(R"("age":"forty","age":null,"name":null)")), RejectCode::kMissingColumn);
  // The id too: the last one.
  row = expect_row(validator.validate(std::string(R"({"id":"not-a-uuid","name":"n","id":")") + kId + "\"}"));
  EXPECT_EQ(row.id.to_string(), kId);
  expect_rejection(validator.validate(std::string(R"({"id":")") + kId + R"(","name":"n","id":null})"),
                   RejectCode::kMissingId);
  // strict_columns names the first unknown column in byte order, whatever the record's order.
  TableConfig strict = typed_table();
  strict.strict_columns = true;
  auto rejection = expect_rejection(RecordValidator(strict).validate(with_id(R"("zz":1,"dob":2,"zz":3)")),
                                    RejectCode::kUnknownColumn);
  EXPECT_NE(rejection.message.find("'dob'"), std::string::npos) << rejection.message;
}

TEST(RecordValidatorTest, FieldsInAnyOrder) {
  RecordValidator validator(default_table());
  const std::string reversed =
      std::string(R"({"picture":"p","phone":"ph","registered_date":"r","dob":"d","username":"u","email":"e",)") +
      R"("post_code":"pc","address":"a","gender":"g","last_name":"l","first_name":"f","id":")" + kId + "\"}";
  const Row row = expect_row(validator.validate(reversed));
  ASSERT_EQ(row.values.size(), 11u);
  EXPECT_EQ(row.values[1], cql::Value("f"));
  EXPECT_EQ(row.values[10], cql::Value("p"));
  EXPECT_EQ(row.ignored_columns, 1u);
}

TEST(RecordValidatorTest, IntegersBeyond64BitsAreNotJson) {
  // nlohmann::json (before simdjson) rounded such integers to a double, silently; they are refused
  // instead, wherever they are (an ignored column too). 64-bit ones keep working.
  RecordValidator validator(typed_table());
  for (const char* field : {R"("ratio":18446744073709551616)", R"("ratio":-9223372036854775809)",
                            R"("dob":123456789012345678901234567890)", R"("age":1e400)"}) {
    auto rejection = expect_rejection(validator.validate(with_id(field)), RejectCode::kNotJson);
    EXPECT_NE(rejection.message.find("64 bits"), std::string::npos) << rejection.message;
  }
  const Row row = expect_row(validator.validate(with_id(R"("ratio":18446744073709551615,"big":-9223372036854775808)")));
  EXPECT_EQ(row.values[7], cql::Value(18446744073709551615.0));
  EXPECT_EQ(row.values[4], cql::Value(std::numeric_limits<int64_t>::min()));
  expect_rejection(validator.validate(with_id(R"("big":9223372036854775808)")), RejectCode::kWrongType);
}

TEST(RecordValidatorTest, EncodingEdges) {
  RecordValidator validator(default_table());
  // A UTF-8 byte order mark before the object is skipped; anywhere else it is not JSON.
  EXPECT_EQ(expect_row(validator.validate("\xEF\xBB\xBF" + good_record())).id.to_string(), kId);
  expect_rejection(validator.validate(" \xEF\xBB\xBF" + good_record()), RejectCode::kNotJson);
  expect_rejection(validator.validate(std::string_view("\xEF\xBB\xBF")), RejectCode::kNotJson);
  // Whitespace around the object is JSON; whitespace alone is not.
  expect_row(validator.validate(" \n\t" + good_record() + "\r\n "));
  auto blank = expect_rejection(validator.validate(std::string_view("   ")), RejectCode::kNotJson);
  EXPECT_NE(blank.message.find("3 bytes"), std::string::npos) << blank.message;
  // A NUL byte after the object is trailing garbage (nlohmann::json took it for the end of input).
  expect_rejection(validator.validate(good_record() + std::string("\0garbage", 8)), RejectCode::kNotJson);
  // Escapes: a surrogate pair is one character; a lone surrogate is not text.
  std::string record = good_record();
  record.replace(record.find(R"("Ava")"), 5, R"("A\u00e9\ud83d\ude00\u0000")");
  EXPECT_EQ(expect_row(validator.validate(record)).values[1], cql::Value(std::string("A\xC3\xA9\xF0\x9F\x98\x80\0", 8)));
  for (const char* lone : {R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")"}) {
    std::string bad = good_record();
    bad.replace(bad.find(R"("Ava")"), 5, lone);
    expect_rejection(validator.validate(bad), RejectCode::kNotJson);
  }
  // A raw control character inside a string must be escaped.
  expect_rejection(validator.validate(with_id("\"x\":\"a\x01\"")), RejectCode::kNotJson);
}

TEST(RecordValidatorTest, LargeAndDeepRecordsThenSmallOnesOnTheSameThread) {
  // The parser is per thread and reused: a big record (a parser of its own), a deeply nested one
  // (beyond the default depth) and records of another table must not disturb the next ones.
  RecordValidator validator(default_table());
  RecordValidator typed(typed_table());
  std::string big = good_record();
  big.insert(1, "\"extra\":\"" + std::string(200'000, 'x') + "\",");
  std::string deep_ignored = good_record();
  deep_ignored.insert(1, "\"extra\":" + std::string(5000, '[') + std::string(5000, ']') + ",");
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(expect_row(validator.validate(big)).ignored_columns, 2u);
    EXPECT_EQ(expect_row(validator.validate(good_record())).values[1], cql::Value("Ava"));
    EXPECT_EQ(expect_row(validator.validate(deep_ignored)).ignored_columns, 2u);
    expect_rejection(validator.validate(std::string(5000, '[')), RejectCode::kNotJson);
    EXPECT_EQ(expect_row(typed.validate(with_id(R"("age":7)"))).values[3], cql::Value(int32_t{7}));
    EXPECT_EQ(expect_row(validator.validate(good_record())).values[10],
              cql::Value("https://randomuser.me/api/portraits/med/women/12.jpg"));
  }
}

TEST(RecordValidatorTest, ThreadsShareOneValidator) {
  RecordValidator validator(default_table());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string record = good_record();
        const std::string name = "T" + std::to_string(t) + "_" + std::to_string(i);
        record.replace(record.find(R"("Ava")"), 5, "\"" + name + "\"");
        const Validation v = validator.validate(record);
        const auto* row = std::get_if<Row>(&v);
        if (row == nullptr || row->values[1] != cql::Value(name)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(RecordValidatorTest, TypedColumnsAcceptTheirTypeAndItsText) {
  RecordValidator validator(typed_table());
  const Row row = expect_row(validator.validate(with_id(
      R"("code":"AB","age":"42","big":-9007199254740993,"small":"-32768","tiny":127,"ratio":"2.5",)"
      R"("weight":1.5,"ok":"true","ref":"00000000-0000-4000-8000-000000000001","seen":"2011-07-02T18:03:10.101Z",)"
      R"("day":"1987-03-14","data":"0xCAFE")")));
  ASSERT_EQ(row.values.size(), 14u);
  EXPECT_EQ(row.values[2], cql::Value("AB"));
  EXPECT_EQ(row.values[3], cql::Value(int32_t{42}));
  EXPECT_EQ(row.values[4], cql::Value(int64_t{-9007199254740993}));
  EXPECT_EQ(row.values[5], cql::Value(int16_t{-32768}));
  EXPECT_EQ(row.values[6], cql::Value(int8_t{127}));
  EXPECT_EQ(row.values[7], cql::Value(2.5));
  EXPECT_EQ(row.values[8], cql::Value(1.5f));
  EXPECT_EQ(row.values[9], cql::Value(true));
  EXPECT_EQ(row.values[11], cql::Value(cql::Timestamp{1309629790101}));
  EXPECT_EQ(row.values[12], cql::Value(cql::Date::from_days_since_epoch(6281)));
  EXPECT_EQ(row.values[13], cql::Value(cql::Blob{{0xca, 0xfe}}));
}

TEST(RecordValidatorTest, TypedColumnsRejectWhatDoesNotConvert) {
  RecordValidator validator(typed_table());
  for (const char* field :
       {R"("age":"forty")", R"("age":2147483648)", R"("age":"1.5")", R"("age":1.5)", R"("age":"")", R"("age":" 1")",
        R"("small":40000)", R"("tiny":"-129")", R"("big":18446744073709551615)", R"("ratio":"x")", R"("ratio":[1])",
        R"("weight":1e300)", R"("ok":"yes")", R"("ok":1)", R"("ref":"nope")", R"("seen":"yesterday")",
        R"("seen":"2011-13-02T00:00:00Z")", R"("seen":true)", R"("day":"1987-02-29")", R"("day":19870314)",
        R"("data":"CAFE")", R"("data":"0xCAF")", R"("data":"0xZZ")", R"("code":"caf\u00e9")"}) {
    auto rejection = expect_rejection(validator.validate(with_id(field)), RejectCode::kWrongType);
    EXPECT_FALSE(rejection.message.empty()) << field;
  }
}

// A decoded (Avro) record's values: text or null per column, by the rules a JSON record of strings
// gets. typed_table()'s columns, in order.
ColumnValues text_columns(const std::vector<std::optional<std::optional<std::string_view>>>& values) {
  ColumnValues out;
  for (const auto& v : values) out.push_back(v ? std::optional<TextValue>(TextValue{*v}) : std::nullopt);
  return out;
}

TEST(RecordValidatorTest, DecodedValuesGetTheRowTheirJsonGets) {
  RecordValidator validator(typed_table());
  const Row from_text = expect_row(validator.validate_columns(text_columns(
      {kId, "n", "AB", "42", "-9007199254740993", "-32768", "127", "2.5", "1.5", "true",
       "00000000-0000-4000-8000-000000000001", "2011-07-02T18:03:10.101Z", "1987-03-14", "0xCAFE"})));
  const Row from_json = expect_row(validator.validate(with_id(
      R"("code":"AB","age":"42","big":"-9007199254740993","small":"-32768","tiny":"127","ratio":"2.5",)"
      R"("weight":"1.5","ok":"true","ref":"00000000-0000-4000-8000-000000000001","seen":"2011-07-02T18:03:10.101Z",)"
      R"("day":"1987-03-14","data":"0xCAFE")")));
  EXPECT_EQ(from_text.values, from_json.values);
  EXPECT_EQ(from_text.values[3], cql::Value(int32_t{42}));
  // Absent: unset; null: null, as a JSON record without the column or with null.
  std::vector<std::optional<std::optional<std::string_view>>> sparse(14, std::nullopt);
  sparse[0] = kId;
  sparse[1] = "n";
  sparse[3] = std::optional<std::string_view>();
  const Row row = expect_row(validator.validate_columns(text_columns(sparse)));
  EXPECT_TRUE(row.values[2].is_unset());
  EXPECT_TRUE(row.values[3].is_null());
}

TEST(RecordValidatorTest, DecodedValuesAreRejectedAsJsonWouldBe) {
  RecordValidator validator(typed_table());
  auto values = [](std::size_t column, std::optional<std::string_view> value) {
    std::vector<std::optional<std::optional<std::string_view>>> v(14, std::nullopt);
    v[0] = kId;
    v[1] = "n";
    v[column] = value;
    return text_columns(v);
  };
  expect_rejection(validator.validate_columns(values(3, "forty")), RejectCode::kWrongType);
  expect_rejection(validator.validate_columns(values(9, "yes")), RejectCode::kWrongType);
  expect_rejection(validator.validate_columns(values(0, std::nullopt)), RejectCode::kMissingId);
  expect_rejection(validator.validate_columns(values(0, "nope")), RejectCode::kBadUuid);
  expect_rejection(validator.validate_columns(values(1, std::nullopt)), RejectCode::kMissingColumn);
  const std::string huge(70 * 1024, 'x');
  expect_rejection(validator.validate_columns(values(1, huge)), RejectCode::kValueTooLarge);
  expect_rejection(validator.validate_columns(text_columns({kId, "n"})), RejectCode::kUnresolvableSchema);
  EXPECT_TRUE(validator.check_record_size(1024).has_value() == false);
  EXPECT_EQ(validator.check_record_size(TableConfig::kDefaultMaxRecordBytes + 1)->code, RejectCode::kValueTooLarge);
}

TEST(RecordValidatorTest, TimestampsAndDates) {
  EXPECT_EQ(*parse_timestamp_millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_timestamp_millis("1970-01-01T00:00:00.001Z"), 1);
  EXPECT_EQ(*parse_timestamp_millis("1987-03-14T09:12:44.512Z"), 542711564512);
  EXPECT_EQ(*parse_timestamp_millis("1970-01-01T02:00:00+02:00"), 0);
  EXPECT_EQ(*parse_timestamp_millis("1970-01-01T00:00:00-0130"), 5'400'000);
  EXPECT_EQ(*parse_timestamp_millis("1970-01-01 00:00"), 0);
  EXPECT_EQ(*parse_timestamp_millis("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(*parse_timestamp_millis("2000-02-29"), 951782400000);
  EXPECT_EQ(*parse_timestamp_millis("2011-07-02T18:03:10.101999999Z"), 1309629790101);
  for (const char* bad : {"", "2011", "2011-07-02T", "2011-07-02T18", "2011-07-02T24:00:00Z", "2011-07-02T18:03:10.Z",
                          "2011-07-02T18:03:10Zjunk", "2011-07-02T18:03:10+2", "1900-02-29"}) {
    EXPECT_FALSE(parse_timestamp_millis(bad).ok()) << bad;
  }
  EXPECT_EQ(*parse_date_days("1970-01-01"), 0);
  EXPECT_EQ(*parse_date_days("1969-12-31"), -1);
  EXPECT_EQ(*parse_date_days("2000-03-01"), 11017);
  EXPECT_FALSE(parse_date_days("2000-3-1").ok());
}

TEST(RecordValidatorTest, RejectCodesRoundTrip) {
  for (RejectCode code : kAllRejectCodes) EXPECT_EQ(parse_reject_code(to_string(code)), code);
  EXPECT_EQ(parse_reject_code("nope"), std::nullopt);
}

TEST(RecordValidatorTest, RandomBytesNeverCrashAndAlwaysGetACode) {
  RecordValidator validator(typed_table());
  std::mt19937_64 rng(99);
  const std::string base = with_id(R"("age":"42","seen":"2011-07-02T18:03:10.101Z","data":"0xCAFE")");
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    if (round % 2 == 0) {
      input.resize(rng() % 200);
      for (auto& c : input) c = static_cast<char>(rng() & 0xff);
    } else {
      input = base;  // mutate a valid record: flips, truncations, insertions
      for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0 && !input.empty(); --edits) {
        const std::size_t at = rng() % input.size();
        switch (rng() % 3) {
          case 0: input[at] = static_cast<char>(rng() & 0xff); break;
          case 1: input.resize(at); break;
          default: input.insert(at, 1, "{}[]\",:0\\"[rng() % 9]); break;
        }
      }
    }
    const Validation v = validator.validate(input);
    if (const auto* rejection = std::get_if<Rejection>(&v)) {
      EXPECT_FALSE(rejection->message.empty());
    } else {
      EXPECT_EQ(std::get<Row>(v).values.size(), 14u);
    }
  }
}

}  // namespace
}  // namespace rds::process
