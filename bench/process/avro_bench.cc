// avro_bench: the per-record CPU cost of Avro against JSON on both sides of the topic, on the
// records `rdstream ingest --source generator` makes (the seed's created_users shape plus dob):
//
//   Encode/json   ingest's JSON (mapping::to_json)
//   Encode/avro   ingest's Avro: libavro's encoder and the Confluent framing (AvroRecordEncoder)
//   Read/json     the processor's path for a JSON record: RecordValidator
//   Read/avro     for a framed Avro record: RecordDecoder (libavro, schema cached) then the validator's
//                 column rules on the decoded values
//   Decode/avro   RecordDecoder alone: where Read/avro's extra time goes
//
// Each reports records/s per CPU second and the mean value size on the topic (value_bytes).
// scripts/bench-avro runs it and puts its numbers beside the end-to-end ones.
//
//   avro_bench [--benchmark_repetitions=5] [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/component_configs.h"
#include "ingest/api_source.h"
#include "ingest/record_encoder.h"
#include "mapping/record.h"
#include "process/record_decoder.h"
#include "process/record_validator.h"

namespace {

using namespace rds;

constexpr int kRecords = 1024;  // cycled: more than one record so branch history cannot memorise one
constexpr int32_t kSchemaId = 1;

struct Fixture {
  std::vector<mapping::Record> records;
  std::string schema_json;
  std::vector<std::string> json, avro;  // each record's value on the topic, capacity == size
  std::string error;

  Fixture() {
    ingest::GeneratorSource source("avro-bench");
    std::atomic<bool> stop{false};
    auto batch = source.next(kRecords, stop);
    if (!batch.ok()) {
      error = batch.error().message;
      return;
    }
    records = std::move(*batch);
    config::Settings settings;
    auto schema = app::record_avro_schema(settings);
    if (!schema.ok()) {
      error = schema.error().message;
      return;
    }
    schema_json = *schema;
    auto encoder = avro_encoder();
    if (!encoder) return;
    for (const auto& r : records) {
      const std::string j = mapping::to_json(r);
      json.emplace_back(j.data(), j.size());
      auto a = encoder->encode(r);
      if (!a.ok()) {
        error = a.error().message;
        return;
      }
      avro.emplace_back(a->data(), a->size());
    }
  }
  std::unique_ptr<ingest::AvroRecordEncoder> avro_encoder() {
    auto parsed = avro::Schema::parse(schema_json);
    if (!parsed.ok()) {
      error = parsed.error().message;
      return nullptr;
    }
    auto encoder = ingest::AvroRecordEncoder::create(*parsed, kSchemaId);
    if (!encoder.ok()) {
      error = encoder.error().message;
      return nullptr;
    }
    return std::move(*encoder);
  }
  std::unique_ptr<process::RecordDecoder> decoder() const {
    auto reader = process::reader_schema(process::default_table());
    if (!reader.ok()) return nullptr;
    const std::string writer = schema_json;
    return std::make_unique<process::RecordDecoder>(*reader, [writer](int32_t) -> Result<std::string> { return writer; });
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

double mean_size(const std::vector<std::string>& values) {
  double total = 0;
  for (const auto& v : values) total += static_cast<double>(v.size());
  return values.empty() ? 0 : total / static_cast<double>(values.size());
}

void report(benchmark::State& state, const std::vector<std::string>& values) {
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["value_bytes"] = mean_size(values);
}

bool usable(benchmark::State& state) {
  if (!fixture().error.empty()) state.SkipWithError(fixture().error.c_str());
  return fixture().error.empty();
}

void BM_EncodeJson(benchmark::State& state) {
  if (!usable(state)) return;
  const auto& f = fixture();
  ingest::JsonRecordEncoder encoder;
  std::size_t next = 0;
  for (auto _ : state) {
    auto value = encoder.encode(f.records[next]);
    benchmark::DoNotOptimize(value);
    if (++next == f.records.size()) next = 0;
  }
  report(state, f.json);
}
BENCHMARK(BM_EncodeJson)->Name("Encode/json");

void BM_EncodeAvro(benchmark::State& state) {
  if (!usable(state)) return;
  auto& f = const_cast<Fixture&>(fixture());
  auto encoder = f.avro_encoder();
  std::size_t next = 0;
  for (auto _ : state) {
    auto value = encoder->encode(f.records[next]);
    benchmark::DoNotOptimize(value);
    if (++next == f.records.size()) next = 0;
  }
  report(state, f.avro);
}
BENCHMARK(BM_EncodeAvro)->Name("Encode/avro");

void BM_ReadJson(benchmark::State& state) {
  if (!usable(state)) return;
  const auto& f = fixture();
  const process::RecordValidator validator(process::default_table());
  std::size_t next = 0;
  for (auto _ : state) {
    process::Validation v = validator.validate(f.json[next]);
    if (!std::holds_alternative<process::Row>(v)) {
      state.SkipWithError(std::get<process::Rejection>(v).message.c_str());
      return;
    }
    benchmark::DoNotOptimize(v);
    if (++next == f.json.size()) next = 0;
  }
  report(state, f.json);
}
BENCHMARK(BM_ReadJson)->Name("Read/json");

void BM_ReadAvro(benchmark::State& state) {
  if (!usable(state)) return;
  const auto& f = fixture();
  const process::RecordValidator validator(process::default_table());
  auto decoder = f.decoder();
  std::size_t next = 0;
  for (auto _ : state) {
    process::Decoded d = decoder->decode(f.avro[next]);
    const auto* columns = std::get_if<const process::ColumnValues*>(&d);
    if (columns == nullptr) {
      state.SkipWithError("an Avro bench record did not decode");
      return;
    }
    process::Validation v = validator.validate_columns(**columns);
    if (!std::holds_alternative<process::Row>(v)) {
      state.SkipWithError(std::get<process::Rejection>(v).message.c_str());
      return;
    }
    benchmark::DoNotOptimize(v);
    if (++next == f.avro.size()) next = 0;
  }
  report(state, f.avro);
}
BENCHMARK(BM_ReadAvro)->Name("Read/avro");

void BM_DecodeAvro(benchmark::State& state) {
  if (!usable(state)) return;
  const auto& f = fixture();
  auto decoder = f.decoder();
  std::size_t next = 0;
  for (auto _ : state) {
    process::Decoded d = decoder->decode(f.avro[next]);
    benchmark::DoNotOptimize(d);
    if (++next == f.avro.size()) next = 0;
  }
  report(state, f.avro);
}
BENCHMARK(BM_DecodeAvro)->Name("Decode/avro");

}  // namespace

BENCHMARK_MAIN();
