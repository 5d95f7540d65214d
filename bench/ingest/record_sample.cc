// ingest_record_sample: what the ingest benchmark needs to know about our records before it can
// ask Kafka's own ProducerPerformance for the same load — the mean size of a record's value and
// key as `rdstream ingest --source generator` produces them, and (optionally) a file of such
// values, one per line, for ProducerPerformance's --payload-file.
//
//   ingest_record_sample [--count N] [--seed S] [--payload-file FILE]
// prints one JSON object: {"records":N,"mean_value_bytes":..,"mean_key_bytes":..}
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include "ingest/api_source.h"
#include "mapping/record.h"

int main(int argc, char** argv) {
  long count = 10'000;
  std::string seed = "bench";
  std::string payload_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--count") count = std::stol(argv[i + 1]);
    else if (flag == "--seed") seed = argv[i + 1];
    else if (flag == "--payload-file") payload_file = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--count N] [--seed S] [--payload-file FILE]\n", argv[0]);
      return 2;
    }
  }
  if (count < 1) count = 1;
  std::ofstream payload;
  if (!payload_file.empty()) payload.open(payload_file);
  rds::ingest::GeneratorSource source(seed);
  std::atomic<bool> stop{false};
  long done = 0;
  double value_bytes = 0, key_bytes = 0;
  while (done < count) {
    auto batch = source.next(static_cast<int>(std::min(1000L, count - done)), stop);
    for (const auto& record : *batch) {
      const std::string value = rds::mapping::to_json(record);
      value_bytes += static_cast<double>(value.size());
      key_bytes += static_cast<double>(record.id().size());
      if (payload.is_open()) payload << value << '\n';  // JSON text never holds a raw newline
      ++done;
    }
  }
  std::printf("{\"records\":%ld,\"mean_value_bytes\":%.1f,\"mean_key_bytes\":%.1f}\n", done,
              value_bytes / static_cast<double>(done), key_bytes / static_cast<double>(done));
  return 0;
}
