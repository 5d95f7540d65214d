#pragma once
// Users from a randomuser-compatible HTTP API. Pages are requested in order with a fixed seed, so
// a retried request gets the same users again (no duplicates, no gaps) and a whole run can be
// replayed with the same --seed. The page advances only after a good response.
//
// Retry policy (docs/compat.md "Limits and failures seen in the wild"): 429 (honouring Retry-After),
// 5xx, timeouts, truncated or malformed bodies, an `error` body and an empty `results` are retried
// with exponential backoff and jitter; other 4xx are configuration errors and stop at once.

#include <memory>

#include "core/backoff.h"
#include "ingest/record_source.h"
#include "mapping/mapper.h"
#include "source/http/http_client.h"
#include "source/randomuser/request.h"

namespace rds::ingest {

struct ApiSourceConfig {
  std::string url;  // the setting api.randomuser.url
  randomuser::RequestParams request;  // results per request, seed, first page, nat, inc/exc
  BackoffConfig retry = default_retry();
  http::HttpClientConfig http;

  static BackoffConfig default_retry() {
    BackoffConfig b;
    b.initial = std::chrono::milliseconds(200);
    b.max_delay = std::chrono::seconds(30);
    b.jitter = Jitter::kFull;
    b.max_attempts = 12;
    b.max_elapsed = std::chrono::minutes(5);
    return b;
  }
};

class ApiSource final : public RecordSource {
 public:
  ApiSource(ApiSourceConfig config, mapping::Mapper mapper);
  Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) override;
  const SourceCounters& counters() const override { return counters_; }
  std::string describe() const override;
  void keep_raw(bool keep) override { keep_raw_ = keep; }
  std::vector<std::string> take_raw() override { return std::move(raw_); }

 private:
  // One request: the records, or an error whose `retriable` says whether to try again.
  Result<std::vector<mapping::Record>> fetch_once(int results, std::optional<std::chrono::seconds>* retry_after,
                                                  std::string* reason);

  ApiSourceConfig config_;
  mapping::Mapper mapper_;
  http::HttpClient http_;
  SourceCounters counters_;
  bool keep_raw_ = false;
  std::vector<std::string> raw_;  // the last page's users, when keep_raw_
  int page_;
};

// The generator as a source: seed + pages, like the mock API, without HTTP or JSON.
class GeneratorSource final : public RecordSource {
 public:
  explicit GeneratorSource(std::string seed, int first_page = 1);
  Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) override;
  const SourceCounters& counters() const override { return counters_; }
  std::string describe() const override;
  bool sized_on_demand() const override { return true; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  SourceCounters counters_;
};

}  // namespace rds::ingest
