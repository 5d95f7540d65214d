#pragma once
// Where ingest gets its records: the HTTP API (ApiSource) or the in-process generator
// (GeneratorSource, for benchmarks and offline runs). A source hands out mapped records in
// batches; what it could not fetch after its retry budget is an error, what it had to skip is
// counted with its reason.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "mapping/record.h"

namespace rds::ingest {

struct SourceCounters {
  uint64_t requests = 0;   // HTTP requests sent (0 for the generator)
  uint64_t retries = 0;    // requests repeated after a retriable failure
  uint64_t fetched = 0;    // records handed out
  uint64_t skipped = 0;    // elements dropped as invalid (bad JSON element, mapping failure)
  std::map<std::string, uint64_t> retries_by_reason;  // bounded keys: http_429, http_5xx, timeout, ...
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Up to `max_records` records (fewer only at the end of a bounded source). Blocks while it
  // retries; returns early with an empty batch when `stop` becomes true.
  virtual Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) = 0;
  virtual const SourceCounters& counters() const = 0;
  virtual std::string describe() const = 0;  // for logs: "http://127.0.0.1:8088/api/ seed=abc"
  // True when asking for few records costs no more per record than asking for many (the
  // generator): a rate-limited run then asks for exactly what it may produce now. False (the API:
  // a request has its own cost and real APIs limit requests): pages are fetched whole and produced
  // in paced slices.
  virtual bool sized_on_demand() const { return false; }
  // The API's own JSON of each user, beside its mapped record: staging keeps it (the outbox's
  // `raw` column), so a user can be re-mapped later. Off by default (it costs a serialisation per
  // user). When on, take_raw() returns, parallel to the records the last next() returned, their
  // users' JSON; a source without one (the generator) returns nothing.
  virtual void keep_raw(bool /*keep*/) {}
  virtual std::vector<std::string> take_raw() { return {}; }
};

}  // namespace rds::ingest
