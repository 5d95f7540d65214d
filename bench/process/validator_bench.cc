// validator_bench: records/s through RecordValidator, the processor's per-record CPU cost before
// the Cassandra write (bench/README.md "Validator").
//
//   validator_bench [--benchmark_repetitions=5] [--benchmark_filter=Generated]
//
// GeneratedUsers is the hot path as `rdstream process` runs it: the values `rdstream ingest
// --source generator` puts on the topic (the seed's created_users shape: 11 strings with a UUID
// id, plus dob, which the table lacks and the validator ignores), validated against the seed's
// table through validate_nullable(), as the processor calls it. Each value is a std::string whose
// capacity equals its size, as a consumed Kafka value is (no spare bytes after the text).
// TypedRecord is one record that exercises every CQL type conversion.
#include <benchmark/benchmark.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "ingest/api_source.h"
#include "mapping/record.h"
#include "process/record_validator.h"

namespace {

using rds::process::RecordValidator;
using rds::process::Rejection;
using rds::process::Validation;

constexpr int kRecords = 1024;  // cycled: more than one record so branch history cannot memorise one

std::vector<std::optional<std::string>> generated_values() {
  rds::ingest::GeneratorSource source("validator-bench");
  std::atomic<bool> stop{false};
  std::vector<std::optional<std::string>> values;
  while (static_cast<int>(values.size()) < kRecords) {
    auto batch = source.next(kRecords - static_cast<int>(values.size()), stop);
    if (!batch.ok()) break;
    for (const auto& record : *batch) {
      const std::string json = rds::mapping::to_json(record);
      values.emplace_back(std::string(json.data(), json.size()));  // capacity == size
    }
  }
  return values;
}

// Runs `validator` over `values` in a loop; an unexpected rejection fails the benchmark.
void run(benchmark::State& state, const RecordValidator& validator,
         const std::vector<std::optional<std::string>>& values) {
  if (values.empty()) {
    state.SkipWithError("no records to validate");
    return;
  }
  for (const auto& value : values) {
    const Validation v = validator.validate_nullable(value);
    if (const auto* rejection = std::get_if<Rejection>(&v)) {
      state.SkipWithError(("a bench record was rejected: " + rejection->message).c_str());
      return;
    }
  }
  std::size_t next = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto& value = values[next];
    Validation v = validator.validate_nullable(value);
    benchmark::DoNotOptimize(v);
    bytes += value->size();
    if (++next == values.size()) next = 0;
  }
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_GeneratedUsers(benchmark::State& state) {
  static const auto values = generated_values();
  static const RecordValidator validator(rds::process::default_table());
  run(state, validator, values);
}
BENCHMARK(BM_GeneratedUsers);

void BM_TypedRecord(benchmark::State& state) {
  using rds::cql::DataType;
  using rds::cql::TypeId;
  rds::process::TableConfig table;
  table.columns = {
      {"id", DataType(TypeId::kUuid), false},        {"name", DataType(TypeId::kVarchar), false},
      {"code", DataType(TypeId::kAscii), true},      {"age", DataType(TypeId::kInt), true},
      {"big", DataType(TypeId::kBigint), true},      {"small", DataType(TypeId::kSmallint), true},
      {"tiny", DataType(TypeId::kTinyint), true},    {"ratio", DataType(TypeId::kDouble), true},
      {"weight", DataType(TypeId::kFloat), true},    {"ok", DataType(TypeId::kBoolean), true},
      {"ref", DataType(TypeId::kUuid), true},        {"seen", DataType(TypeId::kTimestamp), true},
      {"day", DataType(TypeId::kDate), true},        {"data", DataType(TypeId::kBlob), true},
  };
  const RecordValidator validator(table);
  const std::string text =
      R"({"id":"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f","name":"Ava Lind","code":"AB","age":"42",)"
      R"("big":-9007199254740993,"small":"-32768","tiny":127,"ratio":"2.5","weight":1.5,"ok":"true",)"
      R"("ref":"00000000-0000-4000-8000-000000000001","seen":"2011-07-02T18:03:10.101Z",)"
      R"("day":"1987-03-14","data":"0xCAFEBABE"})";
  const std::vector<std::optional<std::string>> values{std::string(text.data(), text.size())};
  run(state, validator, values);
}
BENCHMARK(BM_TypedRecord);

}  // namespace

BENCHMARK_MAIN();
