// Records in both formats before validation: JSON untouched; Confluent-framed Avro written by
// ingest's AvroRecordEncoder, decoded by RecordDecoder with a scripted registry, gives the row the
// same record as JSON gives. Poison framing, unknown ids, an unreachable registry (deferred, never
// dead-lettered) and writer schemas that cannot be resolved.
#include "process/record_decoder.h"

#include <gtest/gtest.h>

#include <map>

#include "avro/framing.h"
#include "ingest/record_encoder.h"
#include "mapping/record.h"
#include "process/record_validator.h"
#include "support/result_matchers.h"

namespace rds::process {
namespace {

constexpr const char* kId = "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f";

// The seed's record: the table's columns plus `dob`, which the table lacks.
mapping::Record seed_record() {
  mapping::Record r;
  r.fields = {{"id", kId},          {"first_name", "Zoë"},   {"last_name", "Ünal"},
              {"gender", "female"}, {"address", "1 Rue, Paris, France"}, {"post_code", "75001"},
              {"email", "z@example.com"}, {"username", "zoe"}, {"dob", "1990-01-01T00:00:00Z"},
              {"registered_date", "2011-07-02T18:03:10.101Z"}, {"phone", "01-23"}, {"picture", "https://p/1.jpg"}};
  return r;
}

// The writer schema ingest derives for the seed's record (app::record_avro_schema's shape).
std::string writer_schema(const mapping::Record& r, const std::vector<std::string>& drop = {},
                          const std::string& id_type = "\"string\"") {
  std::string fields;
  for (const auto& f : r.fields) {
    if (std::find(drop.begin(), drop.end(), f.column) != drop.end()) continue;
    if (!fields.empty()) fields += ",";
    fields += f.column == "id" ? R"({"name":"id","type":)" + id_type + "}"
                               : R"({"name":")" + f.column + R"(","type":["null","string"],"default":null})";
  }
  return R"({"type":"record","name":"created_users","namespace":"rdstream","fields":[)" + fields + "]}";
}

// A registry with a script: schemas by id, ids that fail as unavailable, and the fetches made.
struct FakeRegistry {
  std::map<int32_t, std::string> schemas;
  bool down = false;
  int fetches = 0;
  RecordDecoder::FetchSchema fetcher() {
    return [this](int32_t id) -> Result<std::string> {
      ++fetches;
      if (down) return Error(ErrorCode::kUnavailable, "connection refused");
      auto it = schemas.find(id);
      if (it == schemas.end()) return Error(ErrorCode::kNotFound, "schema not found");
      return it->second;
    };
  }
};

struct RecordDecoderTest : ::testing::Test {
  TableConfig table = default_table();
  RecordValidator validator{default_table()};
  FakeRegistry registry;

  RecordDecoder decoder(std::size_t cache = RecordDecoder::kDefaultCacheSize,
                        std::chrono::milliseconds pause = RecordDecoder::kDefaultUnavailablePause) {
    auto reader = reader_schema(table);
    EXPECT_OK(reader);
    return RecordDecoder(*reader, registry.fetcher(), cache, pause);
  }
  std::string avro_record(const mapping::Record& r, int32_t id, const std::string& schema) {
    registry.schemas[id] = schema;
    auto parsed = avro::Schema::parse(schema);
    EXPECT_OK(parsed);
    auto encoder = ingest::AvroRecordEncoder::create(*parsed, id);
    EXPECT_OK(encoder);
    auto bytes = (*encoder)->encode(r);
    EXPECT_OK(bytes);
    return bytes.ok() ? *bytes : std::string();
  }
  // The row an Avro record's decoded values make.
  Row row_of(const Decoded& d) {
    const auto* columns = std::get_if<const ColumnValues*>(&d);
    EXPECT_NE(columns, nullptr) << (std::holds_alternative<Rejection>(d) ? std::get<Rejection>(d).message
                                                                          : "deferred, or passed through as JSON");
    if (columns == nullptr) return Row();
    Validation v = validator.validate_columns(**columns);
    EXPECT_TRUE(std::holds_alternative<Row>(v)) << std::get<Rejection>(v).message;
    return std::holds_alternative<Row>(v) ? std::get<Row>(v) : Row();
  }
  Rejection rejection_of(const Decoded& d, RejectCode code) {
    const auto* r = std::get_if<Rejection>(&d);
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return Rejection();
    EXPECT_EQ(to_string(r->code), to_string(code)) << r->message;
    return *r;
  }
};

TEST_F(RecordDecoderTest, JsonPassesThroughUntouched) {
  RecordDecoder d = decoder();
  const std::string json = mapping::to_json(seed_record());
  const Decoded out = d.decode(json);
  ASSERT_TRUE(std::holds_alternative<std::string_view>(out));
  EXPECT_EQ(std::get<std::string_view>(out).data(), json.data());  // no copy
  // Not JSON but not framed either: the validator's to judge.
  EXPECT_TRUE(std::holds_alternative<std::string_view>(d.decode("garbage")));
  EXPECT_EQ(registry.fetches, 0);
}

TEST_F(RecordDecoderTest, AvroGivesTheRowJsonGives) {
  RecordDecoder d = decoder();
  const mapping::Record r = seed_record();
  const std::string bytes = avro_record(r, 7, writer_schema(r));
  ASSERT_TRUE(avro::is_framed(bytes));
  const Row from_avro = row_of(d.decode(bytes));
  Validation from_json = validator.validate(mapping::to_json(r));
  ASSERT_TRUE(std::holds_alternative<Row>(from_json));
  EXPECT_EQ(from_avro.values, std::get<Row>(from_json).values);
  EXPECT_EQ(from_avro.values.size(), table.columns.size());
  // The writer's schema is fetched once, then cached.
  for (int i = 0; i < 5; ++i) row_of(d.decode(bytes));
  EXPECT_EQ(registry.fetches, 1);
  EXPECT_EQ(d.cached_schemas(), 1u);
}

TEST_F(RecordDecoderTest, EvolvedWritersResolveByName) {
  RecordDecoder d = decoder();
  // A newer writer with a field the table lacks (skipped) and an older one without a column (the
  // column is left unset, as for a JSON record without it: no tombstone).
  mapping::Record v2 = seed_record();
  v2.fields.push_back({"nationality", "FR"});
  const Row newer = row_of(d.decode(avro_record(v2, 2, writer_schema(v2))));
  EXPECT_EQ(newer.values, row_of(d.decode(avro_record(seed_record(), 1, writer_schema(seed_record())))).values);

  // The seed's columns are all non-nullable: a table that lets picture be null.
  const std::size_t picture = static_cast<std::size_t>(table.find("picture") - table.columns.data());
  table.columns[picture].nullable = true;
  validator = RecordValidator(table);
  mapping::Record v0 = seed_record();
  v0.fields.erase(v0.fields.begin() + 11);  // picture
  const Row older = row_of(d.decode(avro_record(v0, 3, writer_schema(v0))));
  EXPECT_TRUE(older.values[picture].is_unset());
}

TEST_F(RecordDecoderTest, PoisonFramingIsRejectedWithItsReason) {
  RecordDecoder d = decoder();
  rejection_of(d.decode(std::string("\x01\x00\x00\x00\x07", 5)), RejectCode::kBadMagic);
  rejection_of(d.decode(std::string("\x00\x00\x07", 3)), RejectCode::kTruncatedAvro);
  const std::string good = avro_record(seed_record(), 7, writer_schema(seed_record()));
  rejection_of(d.decode(good.substr(0, good.size() - 4)), RejectCode::kTruncatedAvro);
  rejection_of(d.decode(good + "xx"), RejectCode::kBadAvro);
  EXPECT_TRUE(std::holds_alternative<const ColumnValues*>(d.decode(good)));
}

TEST_F(RecordDecoderTest, AnUnknownIdIsRejectedAndAskedAgainNextTime) {
  RecordDecoder d = decoder();
  std::string bytes = avro_record(seed_record(), 9, writer_schema(seed_record()));
  registry.schemas.erase(9);
  const Rejection r = rejection_of(d.decode(bytes), RejectCode::kUnknownSchemaId);
  EXPECT_NE(r.message.find("id 9"), std::string::npos) << r.message;
  registry.schemas[9] = writer_schema(seed_record());
  row_of(d.decode(bytes));
  EXPECT_EQ(registry.fetches, 2);
}

TEST_F(RecordDecoderTest, AnUnreachableRegistryDefersWithoutAskingForEachRecord) {
  RecordDecoder d = decoder(RecordDecoder::kDefaultCacheSize, std::chrono::milliseconds(60'000));
  const std::string bytes = avro_record(seed_record(), 7, writer_schema(seed_record()));
  registry.down = true;
  for (int i = 0; i < 3; ++i) {
    const Decoded out = d.decode(bytes);
    ASSERT_TRUE(std::holds_alternative<Deferred>(out));
    EXPECT_NE(std::get<Deferred>(out).error.message.find("connection refused"), std::string::npos);
  }
  EXPECT_EQ(registry.fetches, 1);  // the pause: one failed fetch, then deferred without asking

  RecordDecoder quick = decoder(RecordDecoder::kDefaultCacheSize, std::chrono::milliseconds(0));
  EXPECT_TRUE(std::holds_alternative<Deferred>(quick.decode(bytes)));
  registry.down = false;
  row_of(quick.decode(bytes));  // the registry is back: decoded
}

TEST_F(RecordDecoderTest, WritersThatCannotBeReadAreUnresolvable) {
  RecordDecoder d = decoder();
  mapping::Record without_id = seed_record();
  without_id.fields.erase(without_id.fields.begin());
  // No id, and the reader's id has no default.
  rejection_of(d.decode(avro_record(without_id, 1, writer_schema(without_id))), RejectCode::kUnresolvableSchema);
  registry.schemas[2] = R"({"type":"record","name":"r","fields":[{"name":"id","type":"string"},{"name":"n","type":"int"}]})";
  const Rejection r = rejection_of(d.decode(avro::frame(2, std::string("\x02" "a" "\x02", 3))), RejectCode::kUnresolvableSchema);
  EXPECT_NE(r.message.find("field n"), std::string::npos) << r.message;
  registry.schemas[3] = "not a schema";
  rejection_of(d.decode(avro::frame(3, "x")), RejectCode::kUnresolvableSchema);
}

TEST_F(RecordDecoderTest, ANullIdIsTheValidatorsMissingId) {
  RecordDecoder d = decoder();
  registry.schemas[4] = writer_schema(seed_record(), {}, R"(["null","string"])");
  // id null (branch 0), then every other field null.
  std::string body(1, '\x00');
  body.append(seed_record().fields.size() - 1, '\x00');
  const Decoded out = d.decode(avro::frame(4, body));
  ASSERT_TRUE(std::holds_alternative<const ColumnValues*>(out));
  Validation v = validator.validate_columns(*std::get<const ColumnValues*>(out));
  ASSERT_TRUE(std::holds_alternative<Rejection>(v));
  EXPECT_EQ(std::get<Rejection>(v).code, RejectCode::kMissingId);
}

TEST_F(RecordDecoderTest, TheCacheIsBounded) {
  RecordDecoder d = decoder(/*cache=*/2);
  std::vector<std::string> records;
  for (int32_t id = 1; id <= 3; ++id) records.push_back(avro_record(seed_record(), id, writer_schema(seed_record())));
  for (const auto& r : records) row_of(d.decode(r));
  EXPECT_EQ(d.cached_schemas(), 2u);
  row_of(d.decode(records[0]));  // evicted first: fetched again
  EXPECT_EQ(registry.fetches, 4);
}

}  // namespace
}  // namespace rds::process
