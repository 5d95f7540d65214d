#include "ingest/api_source.h"

#include <fmt/format.h>

#include <thread>

#include "core/log.h"
#include "source/randomuser/generator.h"
#include "source/randomuser/response_parser.h"

namespace rds::ingest {
namespace {

// Sleeps in small steps so that Ctrl-C is honoured during a long Retry-After.
void interruptible_sleep(std::chrono::milliseconds total, const std::atomic<bool>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + total;
  while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())));
  }
}

std::string reason_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kTruncated: return "truncated_body";
    case ErrorCode::kProtocol: return "malformed_body";
    case ErrorCode::kServer: return "error_body";
    case ErrorCode::kUnavailable: return "unavailable";
    default: return std::string(to_string(e.code));
  }
}

}  // namespace

ApiSource::ApiSource(ApiSourceConfig config, mapping::Mapper mapper)
    : config_(std::move(config)), mapper_(std::move(mapper)), http_(config_.http), page_(config_.request.page) {}

std::string ApiSource::describe() const {
  return fmt::format("{} (seed {}, from page {}, {} per request)", config_.url, config_.request.seed,
                     config_.request.page, config_.request.results);
}

Result<std::vector<mapping::Record>> ApiSource::fetch_once(int results, std::optional<std::chrono::seconds>* retry_after,
                                                           std::string* reason) {
  randomuser::RequestParams params = config_.request;
  params.results = results;
  params.page = page_;
  auto url = randomuser::build_url(config_.url, params);
  if (!url.ok()) return url.take_error();
  ++counters_.requests;
  auto response = http_.get(*url);
  if (!response.ok()) {
    *reason = reason_for(response.error());
    return response.take_error();
  }
  if (response->status == 429) {
    *reason = "http_429";
    if (response->retry_after) *retry_after = parse_retry_after(*response->retry_after);
    return Error(ErrorCode::kUnavailable, fmt::format("GET {}: HTTP 429 (rate limited)", *url), true);
  }
  if (response->status >= 500) {
    *reason = "http_5xx";
    if (response->retry_after) *retry_after = parse_retry_after(*response->retry_after);
    return Error(ErrorCode::kUnavailable, fmt::format("GET {}: HTTP {}", *url, response->status), true);
  }
  if (response->status != 200) {
    *reason = "http_4xx";
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("GET {}: HTTP {}; check the API url and parameters (api.randomuser.url, --url)", *url,
                             response->status));
  }
  auto parsed = randomuser::parse_response(response->body);
  if (!parsed.ok()) {
    *reason = parsed.error().code == ErrorCode::kUnavailable ? "empty_results" : reason_for(parsed.error());
    return parsed.take_error().with_context(fmt::format("GET {}", *url));
  }
  auto batch = randomuser::map_users(std::move(*parsed), mapper_, keep_raw_);
  raw_ = std::move(batch.raw);
  for (const auto& skip : batch.skipped) {
    ++counters_.skipped;
    // The first of each reason per 10 s is logged for a person; the counter keeps the total.
    if (log::should_log(to_string(skip.reason))) {
      log::warn("ingest", "skipped an element of page {} ({}): {} (further ones are counted, logged at most every 10 s)",
                page_, to_string(skip.reason), skip.detail);
    }
  }
  return std::move(batch.records);
}

Result<std::vector<mapping::Record>> ApiSource::next(int max_records, const std::atomic<bool>& stop) {
  const int results = std::clamp(max_records, 1, config_.request.results);
  Backoff backoff(config_.retry);
  const auto started = std::chrono::steady_clock::now();
  while (!stop.load()) {
    std::optional<std::chrono::seconds> retry_after;
    std::string reason;
    auto records = fetch_once(results, &retry_after, &reason);
    if (records.ok()) {
      ++page_;
      counters_.fetched += records->size();
      return records;
    }
    Error error = records.take_error();
    if (!error.retriable) return error;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    BackoffDecision decision = backoff.on_failure(elapsed, retry_after);
    if (!decision.retry) {
      return Error(error.code,
                   fmt::format("giving up on page {} after {} attempts ({}): {}; is the API up? "
                               "try again later or use the mock API (rdstream mock-api)",
                               page_, backoff.failures(), to_string(decision.stop), error.message));
    }
    ++counters_.retries;
    ++counters_.retries_by_reason[reason];
    if (log::should_log(reason)) {
      log::warn("ingest", "retrying page {} in {} ms: {}", page_, decision.delay.count(), error.message);
    }
    interruptible_sleep(decision.delay, stop);
  }
  return std::vector<mapping::Record>{};
}

struct GeneratorSource::Impl {
  randomuser::UserGenerator generator;
  int page;
  randomuser::GeneratedUser scratch;
};

GeneratorSource::GeneratorSource(std::string seed, int first_page)
    : impl_(std::make_shared<Impl>(Impl{randomuser::UserGenerator(std::move(seed)), first_page, {}})) {}

std::string GeneratorSource::describe() const {
  return fmt::format("generator (seed {}, from page {})", impl_->generator.seed(), impl_->page);
}

Result<std::vector<mapping::Record>> GeneratorSource::next(int max_records, const std::atomic<bool>&) {
  std::vector<mapping::Record> out(static_cast<size_t>(std::max(1, max_records)));
  for (size_t i = 0; i < out.size(); ++i) {
    impl_->generator.generate(impl_->page, static_cast<int>(i), impl_->scratch);
    randomuser::to_record(impl_->scratch, out[i]);
  }
  ++impl_->page;
  counters_.fetched += out.size();
  return out;
}

}  // namespace rds::ingest
