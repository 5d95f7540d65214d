// Avro through the whole pipeline on the shared test stack, with its real registry (Apicurio,
// BACKWARD): `rdstream run --format avro` stores the rows JSON stores; confluent-kafka's
// AvroDeserializer (another ecosystem's Confluent-format consumer) reads rdstream's records field
// for field; schemas evolve (v2 adds a field with a default and the processor keeps writing; v3
// changes a type and is refused before anything is produced); poison framing goes to the DLQ with
// its reason in a topic that mixes JSON and Avro; an unreachable registry loses nothing on either
// side.
#include <nlohmann/json.hpp>

#include "avro/framing.h"
#include "ingest/record_encoder.h"
#include "integration/pipeline/harness.h"
#include "kafka/producer.h"
#include "mapping/record.h"
#include "ingest/api_source.h"
#include "mockapi/mock_api.h"
#include "mockapi/server.h"
#include "process/dead_letter.h"
#include "registry/client.h"
#include "support/closed_port.h"
#include "support/python_tools.h"
#include "support/result_matchers.h"

namespace rds::e2e {
namespace {

constexpr int kPartitions = 3;
const std::vector<std::string>& kTableColumns = kSeedTableColumns;

// The seed's mapping in the native form, plus the user's nationality: version 2 of the schema.
constexpr const char* kMappingV2 = R"(mapping:
  columns:
    - {column: first_name, path: name.first}
    - {column: last_name, path: name.last}
    - {column: gender, path: gender}
    - {column: address, template: '{location.street.number} {location.street.name}, {location.city}, {location.state}, {location.country}'}
    - {column: post_code, path: location.postcode}
    - {column: email, path: email}
    - {column: username, path: login.username}
    - {column: dob, path: dob.date}
    - {column: registered_date, path: registered.date}
    - {column: phone, path: phone}
    - {column: picture, path: picture.medium}
    - {column: nationality, path: nat}
)";
// Version 3: the table now declares nationality (not nullable), so the field's type changes from
// ["null","string"] to "string": a reader of v3 cannot read v2's nulls.
constexpr const char* kTableV3 = R"(  columns: [{name: id, type: uuid}, {name: first_name, type: text}, {name: last_name, type: text},
            {name: gender, type: text}, {name: address, type: text}, {name: post_code, type: text},
            {name: email, type: text}, {name: username, type: text}, {name: registered_date, type: text},
            {name: phone, type: text}, {name: picture, type: text}, {name: nationality, type: text}]
)";

// Reads `topic` from the beginning with confluent-kafka's DeserializingConsumer pieces (Consumer +
// AvroDeserializer + SchemaRegistryClient) and prints each record as a JSON line.
constexpr const char* kConfluentConsumer = R"(
import json, sys
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import SerializationContext, MessageField
bootstrap, topic, registry, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry}))
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "confluent-crosscheck", "enable.auto.commit": False})
partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
read, idle = 0, 0
while read < want and idle < 300:
    msg = consumer.poll(0.1)
    if msg is None:
        idle += 1
        continue
    if msg.error():
        sys.exit(str(msg.error()))
    idle = 0
    record = deserialize(msg.value(), SerializationContext(topic, MessageField.VALUE))
    print(json.dumps(record, ensure_ascii=False))
    read += 1
consumer.close()
)";

std::vector<int> versions_of(registry::RegistryClient& client, const std::string& subject) {
  auto v = client.versions(subject);
  EXPECT_OK(v);
  return v.ok() ? *v : std::vector<int>{};
}

class AvroPipelineTest : public StackSuite {
 public:
  AvroPipelineTest() : StackSuite("avro") {}

  void SetUp() override {
    StackSuite::SetUp();
    if (IsSkipped()) return;
    const std::string address = env("RDSTREAM_TEST_REGISTRY");
    ASSERT_FALSE(address.empty()) << "RDSTREAM_TEST_REGISTRY is set by CTest";
    registry_url_ = "http://" + address + "/apis/ccompat/v7";
  }

  // rdstream's arguments for the stack: Kafka, the registry (`registry` instead of the stack's) and
  // `config`; for a command that writes Cassandra (`cassandra`), Cassandra too.
  std::vector<std::string> stack_args(const std::filesystem::path& config, bool cassandra = true,
                                      const std::string& registry = "") const {
    std::vector<std::string> args = {"--bootstrap-servers", kafka_, "--registry-url",
                                     registry.empty() ? registry_url_ : registry, "--config", config.string()};
    if (cassandra) args.insert(args.end(), {"--cassandra-host", host_, "--cassandra-port", std::to_string(port_)});
    return args;
  }
  std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) const {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  // A config file of its own, naming `keyspace`, with `extra` YAML appended.
  std::filesystem::path config_file(const std::string& label, const std::string& keyspace, const std::string& extra = "",
                                    const std::string& cassandra_extra = "") {
    const auto path = dir_.path() / (label + ".yaml");
    std::ofstream(path) << "cassandra:\n  keyspace: " << keyspace << "\n  table: created_users\n"
                        << cassandra_extra << extra;
    return path;
  }
  std::vector<cql::Row> scan(const std::string& keyspace) {
    std::string columns;
    for (const auto& c : kTableColumns) columns += (columns.empty() ? "" : ", ") + c;
    std::string error;
    auto rows = cql_scan(host_, port_, "SELECT " + columns + " FROM " + keyspace + ".created_users", &error);
    EXPECT_EQ(error, "") << "scanning " << keyspace;
    return rows;
  }
  // Rows by id, each as its columns' text.
  std::map<std::string, std::vector<std::optional<std::string>>> rows_by_id(const std::string& keyspace) {
    std::map<std::string, std::vector<std::optional<std::string>>> out;
    for (const auto& row : scan(keyspace)) {
      std::vector<std::optional<std::string>> cells;
      for (std::size_t c = 1; c < row.size(); ++c) cells.push_back(cell_text(row[c]));
      out[uuid_text(row[0])] = std::move(cells);
    }
    return out;
  }
  int64_t topic_size(const std::string& topic) {
    int64_t total = 0;
    for (const auto& [p, o] : group_offsets(kafka_, "avro-size-reader", topic, kPartitions)) total += o.high;
    return total;
  }
  std::unique_ptr<registry::RegistryClient> registry_client() {
    auto c = registry::RegistryClient::create({registry_url_, seconds(10)});
    EXPECT_OK(c);
    return c.ok() ? std::move(*c) : nullptr;
  }

  std::string registry_url_;
};

// 50,000 generator users through `run --format avro` and through `run` (JSON): the same rows; every
// record on the Avro topic framed with the id registered under <topic>-value; and confluent-kafka's
// AvroDeserializer decodes each one to the JSON topic's record, field for field.
TEST_F(AvroPipelineTest, FiftyThousandAvroRecordsStoreTheRowsJsonStores) {
  constexpr int kCount = 50'000;
  const std::string seed = "avro-vs-json";
  const std::string json_topic = topic_ + "_json", json_keyspace = keyspace_ + "_json";
  const auto json_config = config_file("json", json_keyspace);
  const std::vector<std::string> common = {"--source", "generator", "--seed", seed, "--count", std::to_string(kCount),
                                           "--results", "1000", "--partitions", std::to_string(kPartitions)};
  Child& json_run = start("run-json", with(with({"run", "--topic", json_topic, "--group", group_ + "_json"}, common),
                                           stack_args(json_config)));
  ASSERT_EQ(json_run.wait(milliseconds(400'000)), std::optional<int>(0)) << json_run.out() << json_run.err_tail();
  Child& avro_run = start("run-avro", with(with({"run", "--format", "avro", "--topic", topic_, "--group", group_}, common),
                                           stack_args(config_)));
  ASSERT_EQ(avro_run.wait(milliseconds(400'000)), std::optional<int>(0)) << avro_run.out() << avro_run.err_tail();
  std::cout << "[avro] json: " << json_run.out() << "[avro] avro: " << avro_run.out();
  EXPECT_NE(avro_run.out().find("stored in Cassandra 50000  dead-lettered 0"), std::string::npos) << avro_run.out();

  const auto from_json = rows_by_id(json_keyspace);
  const auto from_avro = rows_by_id(keyspace_);
  cql_execute(host_, port_, "DROP KEYSPACE IF EXISTS " + json_keyspace);
  EXPECT_EQ(from_json.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(from_avro.size(), from_json.size());
  std::size_t different = 0;
  for (const auto& [id, cells] : from_json) {
    auto it = from_avro.find(id);
    if (it == from_avro.end() || it->second != cells) {
      if (different++ < 3) ADD_FAILURE() << id << (it == from_avro.end() ? " is missing from the Avro run" : " differs");
    }
  }
  EXPECT_EQ(different, 0u);

  // The registered schema, and every record framed with its id.
  auto client = registry_client();
  ASSERT_NE(client, nullptr);
  auto latest = client->version(registry::value_subject(topic_), "latest");
  ASSERT_OK(latest);
  EXPECT_EQ(latest->version, 1);
  const auto avro_records = read_topic(kafka_, topic_, kPartitions, kCount, seconds(120));
  const auto json_records = read_topic(kafka_, json_topic, kPartitions, kCount, seconds(120));
  ASSERT_EQ(avro_records.size(), static_cast<std::size_t>(kCount));
  ASSERT_EQ(json_records.size(), static_cast<std::size_t>(kCount));
  std::size_t avro_bytes = 0, json_bytes = 0;
  for (const auto& m : avro_records) {
    ASSERT_TRUE(m.value.has_value());
    auto framed = avro::unframe(*m.value);
    ASSERT_OK(framed);
    ASSERT_EQ(framed->schema_id, latest->id);
    avro_bytes += m.value->size();
  }
  for (const auto& m : json_records) json_bytes += m.value ? m.value->size() : 0;
  std::cout << "[avro] bytes per record on the topic: JSON " << json_bytes / kCount << ", Avro " << avro_bytes / kCount
            << "\n";

  // Another ecosystem's Confluent-format consumer reads rdstream's records field for field.
  ASSERT_TRUE(std::filesystem::exists(test::tools_python()))
      << test::tools_python() << " is missing: scripts/bootstrap installs tests/python/requirements.txt";
  int code = -1;
  const std::string decoded = test::run_tools_python(
      kConfluentConsumer, "", dir_.path(), &code,
      "'" + kafka_ + "' '" + topic_ + "' '" + registry_url_ + "' " + std::to_string(kCount));
  ASSERT_EQ(code, 0) << decoded.substr(0, 2000);
  std::map<std::string, nlohmann::json> json_by_id;
  for (const auto& m : json_records) {
    auto j = nlohmann::json::parse(m.value.value_or(""), nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("id") && j["id"].is_string()) << m.value.value_or("<tombstone>");
    const std::string id = j["id"].get<std::string>();
    json_by_id[id] = std::move(j);
  }
  std::istringstream lines(decoded);
  std::size_t read = 0, mismatched = 0;
  for (std::string line; std::getline(lines, line);) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "not a decoded record: " << line.substr(0, 300);
    ++read;
    const bool has_id = record.is_object() && record.contains("id") && record["id"].is_string();
    auto it = has_id ? json_by_id.find(record["id"].get<std::string>()) : json_by_id.end();
    if (it == json_by_id.end() || it->second != record) {
      if (mismatched++ < 3) ADD_FAILURE() << "confluent-kafka decoded " << line.substr(0, 300) << "\nJSON has "
                                          << (it == json_by_id.end() ? "no such id" : it->second.dump());
    }
  }
  EXPECT_EQ(read, static_cast<std::size_t>(kCount));
  EXPECT_EQ(mismatched, 0u);
}

// The evolution steps: v1 running; v2 adds a field with a default (registered as version 2, and
// the running processor stores both versions' records); v3 changes that field's type: the registry
// refuses it, ingest exits non-zero naming the subject, the incompatibility and the fix, and the
// topic gets nothing.
TEST_F(AvroPipelineTest, SchemasEvolveBackwardAndATypeChangeIsRefused) {
  mockapi::MockApi api;
  mockapi::MockApiServer server(api);
  ASSERT_OK(server.start("127.0.0.1", 0));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/";
  const auto v2 = config_file("v2", keyspace_, kMappingV2);
  const auto v3 = config_file("v3", keyspace_, kMappingV2, kTableV3);
  const std::string subject = registry::value_subject(topic_);

  ASSERT_OK(kafka::ensure_topic(kafka_, topic_, kPartitions, 1, seconds(30)));
  Child& process = start("process", with({"process", "--topic", topic_, "--group", group_, "--count", "2000"},
                                         stack_args(config_)));
  const auto ingest = [&](const std::string& label, const std::filesystem::path& config, const std::string& seed) -> Child& {
    return start(label, with({"ingest", "--format", "avro", "--url", url, "--seed", seed, "--count", "1000", "--results",
                              "500", "--topic", topic_, "--partitions", std::to_string(kPartitions)},
                             stack_args(config, false)));
  };
  Child& v1_ingest = ingest("ingest-v1", config_, "evolve-v1");
  ASSERT_EQ(v1_ingest.wait(milliseconds(120'000)), std::optional<int>(0)) << v1_ingest.err_tail();
  Child& v2_ingest = ingest("ingest-v2", v2, "evolve-v2");
  ASSERT_EQ(v2_ingest.wait(milliseconds(120'000)), std::optional<int>(0)) << v2_ingest.err_tail();
  auto client = registry_client();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(versions_of(*client, subject), (std::vector<int>{1, 2}));
  auto latest = client->version(subject, "latest");
  ASSERT_OK(latest);
  EXPECT_NE(latest->schema.find("nationality"), std::string::npos) << latest->schema;

  // The processor, started under v1, stores v2's records too (nationality is not a column: skipped).
  ASSERT_EQ(process.wait(milliseconds(180'000)), std::optional<int>(0)) << process.err_tail();
  EXPECT_EQ(summary_number(process.out(), "stored"), 2000) << process.out();
  EXPECT_EQ(summary_number(process.out(), "dead-lettered"), 0) << process.out();
  EXPECT_EQ(rows_by_id(keyspace_).size(), 2000u);

  // v3: refused, nothing produced.
  const int64_t before = topic_size(topic_);
  Child& v3_ingest = ingest("ingest-v3", v3, "evolve-v3");
  const auto code = v3_ingest.wait(milliseconds(120'000));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  const std::string err = v3_ingest.err();
  EXPECT_NE(err.find("subject " + subject), std::string::npos) << err;
  EXPECT_NE(err.find("ncompatible"), std::string::npos) << err;  // the registry's own reason
  EXPECT_NE(err.find("Fix:"), std::string::npos) << err;
  EXPECT_NE(err.find("Nothing was produced"), std::string::npos) << err;
  EXPECT_EQ(topic_size(topic_), before);
  EXPECT_EQ(versions_of(*client, subject), (std::vector<int>{1, 2}));
  server.stop();
}

// One topic with JSON records, Avro records and poison framing: every good record is stored, and
// each poison record is in the DLQ once, untouched, with its reason.
TEST_F(AvroPipelineTest, AMixedTopicStoresJsonAndAvroAndDeadLettersPoisonFraming) {
  auto client = registry_client();
  ASSERT_NE(client, nullptr);
  // The schema ingest would register for this topic: `rdstream schema derive`.
  Child& derive = start("derive", with({"schema", "derive"}, {"--config", config_.string()}));
  ASSERT_EQ(derive.wait(milliseconds(30'000)), std::optional<int>(0)) << derive.err_tail();
  const std::string schema_text = derive.out();
  auto id = client->register_schema(registry::value_subject(topic_), schema_text);
  ASSERT_OK(id);
  auto schema = avro::Schema::parse(schema_text);
  ASSERT_OK(schema);
  auto encoder = ingest::AvroRecordEncoder::create(*schema, *id);
  ASSERT_OK(encoder);

  ingest::GeneratorSource source("mixed-topic");
  std::atomic<bool> stop{false};
  auto users = source.next(600, stop);
  ASSERT_OK(users);
  std::vector<RawRecord> records;
  std::set<std::string> good_ids;
  for (int i = 0; i < 600; ++i) {
    const mapping::Record& r = (*users)[static_cast<std::size_t>(i)];
    good_ids.insert(std::string(r.id()));
    auto value = i % 2 == 0 ? Result<std::string>(mapping::to_json(r)) : (*encoder)->encode(r);
    ASSERT_OK(value);
    records.push_back({i % kPartitions, std::string(r.id()), *value});
  }
  const std::string good_avro = *records[1].value;
  struct Poison {
    std::string what, code, value;
  };
  const std::vector<Poison> poisons = {
      {"a bad magic byte", "bad_magic", "\x01" + good_avro.substr(1)},
      {"an unknown schema id", "unknown_schema_id", avro::frame(2'000'000'000, good_avro.substr(5))},
      {"a header cut short", "truncated_avro", good_avro.substr(0, 3)},
      {"a body cut short", "truncated_avro", good_avro.substr(0, good_avro.size() - 10)},
      {"bytes after the record", "bad_avro", good_avro + "extra"},
  };
  for (std::size_t i = 0; i < poisons.size(); ++i) {
    records.insert(records.begin() + static_cast<long>(100 * i + 7),
                   RawRecord{static_cast<int32_t>(i % kPartitions), "poison-" + std::to_string(i), poisons[i].value});
  }
  ASSERT_OK(kafka::ensure_topic(kafka_, topic_, kPartitions, 1, seconds(30)));
  for (const auto& p : produce_raw(kafka_, topic_, records)) ASSERT_TRUE(p.ok);

  Child& process = start("process", with({"process", "--topic", topic_, "--group", group_, "--count",
                                          std::to_string(records.size())},
                                         stack_args(config_)));
  ASSERT_EQ(process.wait(milliseconds(180'000)), std::optional<int>(0)) << process.err_tail(30);
  EXPECT_EQ(summary_number(process.out(), "stored"), 600) << process.out();
  EXPECT_EQ(summary_number(process.out(), "dead-lettered"), static_cast<int64_t>(poisons.size())) << process.out();
  const auto rows = rows_by_id(keyspace_);
  std::set<std::string> stored;
  for (const auto& [row_id, cells] : rows) stored.insert(row_id);
  EXPECT_EQ(stored, good_ids);

  const auto letters = read_topic(kafka_, topic_ + ".dlq", kPartitions, poisons.size(), seconds(60), seconds(3));
  EXPECT_EQ(letters.size(), poisons.size());
  std::map<std::string, const TopicMessage*> by_key;
  for (const auto& m : letters) by_key[m.key.value_or("")] = &m;
  for (std::size_t i = 0; i < poisons.size(); ++i) {
    SCOPED_TRACE(poisons[i].what);
    auto it = by_key.find("poison-" + std::to_string(i));
    ASSERT_NE(it, by_key.end()) << "not in the dead-letter topic";
    EXPECT_EQ(it->second->value, poisons[i].value);
    auto header = it->second->headers.find(process::kHeaderErrorCode);
    ASSERT_NE(header, it->second->headers.end());
    EXPECT_EQ(header->second, poisons[i].code) << it->second->headers.at(process::kHeaderErrorMessage);
  }
}

// The registry unreachable: ingest retries and then gives up having produced nothing; process
// neither stores nor dead-letters nor commits Avro records it cannot decode yet, and a later run
// with the registry stores them all.
TEST_F(AvroPipelineTest, AnUnreachableRegistryLosesNothing) {
  const std::string down = "http://127.0.0.1:" + std::to_string(rds::testing::closed_port()) + "/apis/ccompat/v7";
  const auto config = config_file("down", keyspace_, "registry:\n  retry_max_elapsed_ms: 3000\n");
  Child& refused = start("ingest-down", with({"ingest", "--format", "avro", "--source", "generator", "--count", "100",
                                               "--topic", topic_, "--partitions", std::to_string(kPartitions)},
                                              stack_args(config, false, down)));
  const auto code = refused.wait(milliseconds(60'000));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_GE(refused.err_count("retrying in"), 2u) << refused.err();
  EXPECT_TRUE(refused.err_contains("nothing was produced")) << refused.err();
  ASSERT_OK(kafka::ensure_topic(kafka_, topic_, kPartitions, 1, seconds(30)));
  EXPECT_EQ(topic_size(topic_), 0);

  // 300 Avro records, registered with the real registry.
  Child& produced = start("ingest", with({"ingest", "--format", "avro", "--source", "generator", "--count", "300",
                                          "--topic", topic_, "--partitions", std::to_string(kPartitions)},
                                         stack_args(config_, false)));
  ASSERT_EQ(produced.wait(milliseconds(60'000)), std::optional<int>(0)) << produced.err_tail();

  // A processor that cannot reach the registry: it waits, with the partitions paused.
  Child& blind = start("process-down", with({"process", "--topic", topic_, "--group", group_, "--commit-interval-ms",
                                              "200"},
                                             stack_args(config_, true, down)));
  ASSERT_TRUE(wait_until([&] { return blind.err_contains("partition paused") || !blind.running(); }, seconds(60)))
      << blind.err_tail();
  std::this_thread::sleep_for(seconds(3));
  ASSERT_TRUE(blind.running()) << blind.err_tail();
  blind.signal(SIGTERM);
  ASSERT_EQ(blind.wait(milliseconds(60'000)), std::optional<int>(0)) << blind.err_tail();
  EXPECT_EQ(summary_number(blind.out(), "stored"), 0) << blind.out();
  EXPECT_EQ(summary_number(blind.out(), "dead-lettered"), 0) << blind.out();
  EXPECT_EQ(group_lag(group_offsets(kafka_, group_, topic_, kPartitions)), 300) << "nothing may be committed";

  // With the registry: everything.
  Child& seeing = start("process", with({"process", "--topic", topic_, "--group", group_, "--count", "300"},
                                        stack_args(config_)));
  ASSERT_EQ(seeing.wait(milliseconds(120'000)), std::optional<int>(0)) << seeing.err_tail();
  EXPECT_EQ(summary_number(seeing.out(), "stored"), 300) << seeing.out();
  EXPECT_EQ(rows_by_id(keyspace_).size(), 300u);
}

}  // namespace
}  // namespace rds::e2e
