#pragma once
// The running rdstream instances, as their own /metrics and /readyz tell: rates of what they
// received, wrote and dead-lettered, and end-to-end latency percentiles. Found through the
// consumer group's members (each announces its metrics address in its client.id:
// metrics/endpoint.h) or listed in console.instances. Rates are between two scrapes; percentiles
// over the last `latency_window` of observations (a histogram's bucket deltas).
//
// Thread: the collector's.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "console/prom_text.h"
#include "source/http/http_client.h"

namespace rds::console {

struct InstanceTarget {
  std::string address;  // HOST:PORT of its metrics endpoint
  std::string source;   // "group" (a member announced it) or "config" (console.instances)
};

struct InstanceReading {
  std::string address;
  std::string source;
  bool up = false;
  std::string error;  // why it could not be read
  bool ready = false;
  std::vector<std::string> stages;  // "ingest", "process"
  std::optional<double> fetched_per_s;      // ingest: records received from the API
  std::optional<double> received_per_s;     // process: records consumed from Kafka
  std::optional<double> written_per_s;      // process: rows Cassandra acknowledged
  std::optional<double> dead_letters_per_s;
  std::optional<double> latency_p50_ms;     // end to end, fetch to Cassandra's ack
  std::optional<double> latency_p99_ms;
};

class Instances {
 public:
  explicit Instances(std::chrono::milliseconds latency_window = std::chrono::seconds(15));
  std::vector<InstanceReading> scrape(const std::vector<InstanceTarget>& targets, int64_t now_ms);

  // The reading of one scrape, given the previous state of that instance (pure; for tests).
  struct Previous {
    int64_t t_ms = 0;
    std::map<std::string, double> counters;
    std::deque<std::pair<int64_t, Buckets>> latency;  // oldest first
  };
  static InstanceReading read(const std::vector<Sample>& samples, int64_t now_ms, Previous& previous,
                              std::chrono::milliseconds latency_window);

 private:
  std::chrono::milliseconds latency_window_;
  http::HttpClient client_;
  std::map<std::string, Previous> previous_;
};

}  // namespace rds::console
