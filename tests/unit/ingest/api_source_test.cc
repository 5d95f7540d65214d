// ApiSource against the real mock API server (MockApiServer) on an ephemeral loopback port: pages
// in order, every retriable failure retried and counted by reason, configuration errors stopping
// at once, the retry budget, determinism and Ctrl-C during a backoff.
#include "ingest/api_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>

#include "core/log.h"
#include "mockapi/server.h"
#include "support/result_matchers.h"

namespace rds::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A backoff short enough for unit tests: the budget is attempts, not time.
BackoffConfig fast_retry(int max_attempts = 50) {
  BackoffConfig b;
  b.initial = milliseconds(1);
  b.max_delay = milliseconds(5);
  b.jitter = Jitter::kNone;
  b.max_attempts = max_attempts;
  b.max_elapsed = milliseconds(0);
  return b;
}

class ApiSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::kError);
    ASSERT_OK(server_.start("127.0.0.1", 0));
  }
  void TearDown() override { server_.stop(); }

  std::string url(const std::string& path = "/api/") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  ApiSourceConfig config(const std::string& seed, int results, BackoffConfig retry = fast_retry()) const {
    ApiSourceConfig c;
    c.url = url();
    c.request.seed = seed;
    c.request.results = results;
    c.retry = retry;
    c.http.connect_timeout = milliseconds(2000);
    c.http.request_timeout = milliseconds(10000);
    return c;
  }

  // Faults with retry_after 0 so that an injected 429 does not slow the test down.
  void set_faults(mockapi::FaultConfig faults) {
    ASSERT_OK(faults.validate());
    api_.set_faults(faults);
  }

  // The records the generator makes for pages first..first+pages-1 of `seed` (the API's users
  // through the default mapping must be exactly these).
  static std::vector<mapping::Record> expected(const std::string& seed, int per_page, int pages, int first = 1) {
    GeneratorSource generator(seed, first);
    std::atomic<bool> stop{false};
    std::vector<mapping::Record> out;
    for (int page = 0; page < pages; ++page) {
      auto batch = generator.next(per_page, stop);
      EXPECT_OK(batch);
      for (auto& r : *batch) out.push_back(std::move(r));
    }
    return out;
  }

  // Pulls `pages` batches of `per_page`; fails the test on an error.
  static std::vector<mapping::Record> pull(ApiSource& source, int per_page, int pages) {
    std::atomic<bool> stop{false};
    std::vector<mapping::Record> out;
    for (int page = 0; page < pages; ++page) {
      auto batch = source.next(per_page, stop);
      EXPECT_OK(batch);
      if (!batch.ok()) break;
      EXPECT_EQ(batch->size(), static_cast<size_t>(per_page));
      for (auto& r : *batch) out.push_back(std::move(r));
    }
    return out;
  }

  mockapi::MockApi api_;
  mockapi::MockApiServer server_{api_};
};

TEST_F(ApiSourceTest, GoodPagesComeInOrderWithoutGapsOrDuplicates) {
  ApiSource source(config("ordered", 40), mapping::Mapper::default_mapper());
  auto records = pull(source, 40, 5);
  ASSERT_EQ(records.size(), 200u);
  EXPECT_EQ(records, expected("ordered", 40, 5));
  std::set<std::string> ids;
  for (const auto& r : records) {
    EXPECT_TRUE(mapping::is_uuid(r.id()));
    ids.insert(std::string(r.id()));
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(source.counters().requests, 5u);
  EXPECT_EQ(source.counters().retries, 0u);
  EXPECT_EQ(source.counters().fetched, 200u);
  EXPECT_EQ(source.counters().skipped, 0u);
  EXPECT_EQ(api_.stats().requests, 5u);
}

TEST_F(ApiSourceTest, AsksForNoMoreThanTheCallerWantsAndStartsAtTheGivenPage) {
  auto c = config("paged", 100);
  c.request.page = 7;
  ApiSource source(c, mapping::Mapper::default_mapper());
  auto records = pull(source, 10, 2);
  // 10 per request: pages 7 and 8 of "10 users per page", the first 10 users of each.
  EXPECT_EQ(records, expected("paged", 10, 2, 7));
}

TEST_F(ApiSourceTest, The429IsRetriedAfterItsRetryAfter) {
  mockapi::FaultConfig faults;
  faults.rate_429 = 1;
  faults.retry_after = seconds(1);
  set_faults(faults);
  ApiSource source(config("limited", 20), mapping::Mapper::default_mapper());
  // Lift the rate limit as soon as the first request has been refused.
  std::thread lift([this] {
    const auto deadline = Clock::now() + seconds(5);
    while (api_.stats().requests < 1 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(2));
    api_.set_faults(mockapi::FaultConfig{});
  });
  const auto started = Clock::now();
  std::atomic<bool> stop{false};
  auto batch = source.next(20, stop);
  const auto took = Clock::now() - started;
  lift.join();
  ASSERT_OK(batch);
  EXPECT_EQ(*batch, expected("limited", 20, 1));
  // Retry-After is a floor for the delay (the backoff alone would wait a few ms).
  EXPECT_GE(took, milliseconds(1000));
  EXPECT_LT(took, milliseconds(5000));
  EXPECT_EQ(source.counters().requests, 2u);
  EXPECT_EQ(source.counters().retries, 1u);
  EXPECT_EQ(source.counters().retries_by_reason.at("http_429"), 1u);
}

// One fault kind at a time, at a rate that fails about half the requests (deterministically, from
// the fault seed): the pages still come out exactly as without faults, and every retry is
// counted under the fault's reason.
struct FaultCase {
  const char* name;
  double mockapi::FaultConfig::*rate;
  const char* fault;   // mockapi's name for it (stats)
  const char* reason;  // ApiSource's retry reason
};

class ApiSourceFaultTest : public ApiSourceTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(ApiSourceFaultTest, RetriesUntilTheSamePagesArriveAndCountsTheReason) {
  const FaultCase& fc = GetParam();
  mockapi::FaultConfig faults;
  faults.seed = 42;
  faults.*(fc.rate) = 0.5;
  faults.retry_after = seconds(0);
  set_faults(faults);
  ApiSource source(config("faulty", 30), mapping::Mapper::default_mapper());
  auto records = pull(source, 30, 8);
  EXPECT_EQ(records, expected("faulty", 30, 8));

  const auto stats = api_.stats();
  ASSERT_TRUE(stats.faults.count(fc.fault)) << "no " << fc.fault << " fault was injected in " << stats.requests;
  const uint64_t injected = stats.faults.at(fc.fault);
  EXPECT_GT(injected, 0u);
  const auto& c = source.counters();
  EXPECT_EQ(c.requests, stats.requests);
  EXPECT_EQ(c.requests, 8u + injected);
  EXPECT_EQ(c.retries, injected);
  ASSERT_EQ(c.retries_by_reason.size(), 1u) << c.retries_by_reason.begin()->first;
  EXPECT_EQ(c.retries_by_reason.begin()->first, fc.reason);
  EXPECT_EQ(c.retries_by_reason.begin()->second, injected);
  EXPECT_EQ(c.skipped, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ApiSourceFaultTest,
    ::testing::Values(FaultCase{"http_429", &mockapi::FaultConfig::rate_429, "status_429", "http_429"},
                      FaultCase{"http_5xx", &mockapi::FaultConfig::rate_5xx, "status_5xx", "http_5xx"},
                      FaultCase{"empty", &mockapi::FaultConfig::rate_empty, "empty", "empty_results"},
                      FaultCase{"truncated", &mockapi::FaultConfig::rate_truncated, "truncated", "truncated_body"},
                      FaultCase{"malformed", &mockapi::FaultConfig::rate_malformed, "malformed", "malformed_body"}),
    [](const ::testing::TestParamInfo<FaultCase>& param_info) { return std::string(param_info.param.name); });

// A scripted HTTP server on a raw socket, for what a well-behaved server library will not do: a
// connection cut inside the body (fewer bytes than Content-Length) or closed before any answer.
// Each accepted connection gets the next scripted reply (bytes written verbatim), then is closed.
class RawHttpServer {
 public:
  explicit RawHttpServer(std::deque<std::string> replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawHttpServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int served() const { return served_.load(); }

 private:
  void serve() {
    while (!replies_.empty()) {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      const std::string reply = std::move(replies_.front());
      replies_.pop_front();
      size_t sent = 0;
      while (sent < reply.size()) {
        ssize_t n = ::send(conn, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::close(conn);
      ++served_;
    }
  }

  std::deque<std::string> replies_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> served_{0};
  std::thread thread_;
};

std::string http_reply(const std::string& body, size_t declared_length) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(declared_length) + "\r\n\r\n" + body;
}

TEST_F(ApiSourceTest, ACutConnectionIsRetriedAsATruncatedBody) {
  mockapi::ApiQuery query;
  query.results = 10;
  query.seed = "raw";
  query.page = 1;
  const std::string body = mockapi::users_body(query, "raw");
  RawHttpServer raw({
      "",                                                      // closed before any answer
      http_reply(body.substr(0, body.size() / 2), body.size()),  // cut inside the body
      http_reply(body, body.size()),                           // good
  });
  auto c = config("raw", 10);
  c.url = "http://127.0.0.1:" + std::to_string(raw.port()) + "/api/";
  ApiSource source(c, mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  auto batch = source.next(10, stop);
  ASSERT_OK(batch);
  EXPECT_EQ(*batch, expected("raw", 10, 1));
  EXPECT_EQ(raw.served(), 3);
  EXPECT_EQ(source.counters().requests, 3u);
  EXPECT_EQ(source.counters().retries, 2u);
  EXPECT_EQ(source.counters().retries_by_reason.at("truncated_body"), 2u);
}

TEST_F(ApiSourceTest, AnErrorBodyAndAnHtmlPageWithStatus200AreRetried) {
  mockapi::ApiQuery query;
  query.results = 5;
  query.seed = "odd";
  const std::string body = mockapi::users_body(query, "odd");
  const std::string error = R"({"error":"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue."})";
  const std::string html = "<html><body>maintenance</body></html>";
  RawHttpServer raw({http_reply(error, error.size()), http_reply(html, html.size()), http_reply(body, body.size())});
  auto c = config("odd", 5);
  c.url = "http://127.0.0.1:" + std::to_string(raw.port()) + "/api/";
  ApiSource source(c, mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  auto batch = source.next(5, stop);
  ASSERT_OK(batch);
  EXPECT_EQ(*batch, expected("odd", 5, 1));
  EXPECT_EQ(source.counters().retries, 2u);
  EXPECT_EQ(source.counters().retries_by_reason.at("error_body"), 1u);
  EXPECT_EQ(source.counters().retries_by_reason.at("malformed_body"), 1u);
}

TEST_F(ApiSourceTest, AWrongPathStopsAtOnceAndNamesTheUrlSetting) {
  auto c = config("wrong", 10);
  c.url = url("/api/0.9/");
  ApiSource source(c, mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  const auto started = Clock::now();
  auto batch = source.next(10, stop);
  ASSERT_FALSE(batch.ok());
  EXPECT_LT(Clock::now() - started, milliseconds(2000));  // no backoff
  EXPECT_FALSE(batch.error().retriable);
  EXPECT_EQ(batch.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(batch.error().message.find("HTTP 404"), std::string::npos) << batch.error().message;
  EXPECT_NE(batch.error().message.find("api.randomuser.url"), std::string::npos) << batch.error().message;
  EXPECT_NE(batch.error().message.find("--url"), std::string::npos) << batch.error().message;
  EXPECT_EQ(source.counters().requests, 1u);
  EXPECT_EQ(source.counters().retries, 0u);
}

TEST_F(ApiSourceTest, AnExhaustedRetryBudgetIsAClearError) {
  mockapi::FaultConfig faults;
  faults.rate_5xx = 1;
  set_faults(faults);
  ApiSource source(config("down", 10, fast_retry(4)), mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  auto batch = source.next(10, stop);
  ASSERT_FALSE(batch.ok());
  const std::string& m = batch.error().message;
  EXPECT_NE(m.find("giving up on page 1 after 4 attempts"), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 5"), std::string::npos) << m;
  EXPECT_NE(m.find("is the API up?"), std::string::npos) << m;
  EXPECT_EQ(source.counters().requests, 4u);
  EXPECT_EQ(source.counters().retries, 3u);
  EXPECT_EQ(source.counters().retries_by_reason.at("http_5xx"), 3u);
  EXPECT_EQ(source.counters().fetched, 0u);
}

TEST_F(ApiSourceTest, AnUnreachableApiGivesUpAfterTheBudget) {
  // A port that was just free: nothing listens there.
  const int port = server_.port();
  server_.stop();
  auto c = config("nobody", 10, fast_retry(3));
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/api/";
  ApiSource source(c, mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  auto batch = source.next(10, stop);
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.error().message.find("giving up on page 1 after 3 attempts"), std::string::npos)
      << batch.error().message;
  EXPECT_EQ(source.counters().requests, 3u);
  EXPECT_EQ(source.counters().retries_by_reason.at("unavailable"), 2u);
}

TEST_F(ApiSourceTest, TheTimeBudgetStopsRetriesToo) {
  mockapi::FaultConfig faults;
  faults.rate_429 = 1;
  faults.retry_after = seconds(5);  // longer than the budget: give up instead of waiting
  set_faults(faults);
  auto retry = fast_retry(0);
  retry.max_elapsed = milliseconds(1000);
  ApiSource source(config("budget", 10, retry), mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  const auto started = Clock::now();
  auto batch = source.next(10, stop);
  ASSERT_FALSE(batch.ok());
  EXPECT_LT(Clock::now() - started, milliseconds(1000));
  EXPECT_NE(batch.error().message.find("giving up"), std::string::npos) << batch.error().message;
  EXPECT_NE(batch.error().message.find("429"), std::string::npos) << batch.error().message;
}

TEST_F(ApiSourceTest, TheSameSeedGivesTheSameRecordsAndAnotherSeedOthers) {
  ApiSource first(config("replay", 25), mapping::Mapper::default_mapper());
  ApiSource second(config("replay", 25), mapping::Mapper::default_mapper());
  ApiSource other(config("replay2", 25), mapping::Mapper::default_mapper());
  auto a = pull(first, 25, 3);
  auto b = pull(second, 25, 3);
  auto c = pull(other, 25, 3);
  ASSERT_EQ(a.size(), 75u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.front().id(), c.front().id());
}

TEST_F(ApiSourceTest, TheStopFlagInterruptsALongBackoffQuickly) {
  mockapi::FaultConfig faults;
  faults.rate_429 = 1;
  faults.retry_after = seconds(60);
  set_faults(faults);
  auto retry = fast_retry(0);
  ApiSource source(config("interrupted", 10, retry), mapping::Mapper::default_mapper());
  std::atomic<bool> stop{false};
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop.store(true);
  });
  const auto started = Clock::now();
  auto batch = source.next(10, stop);
  const auto took = Clock::now() - started;
  ctrl_c.join();
  ASSERT_OK(batch);  // stopping is not an error
  EXPECT_TRUE(batch->empty());
  EXPECT_LT(took, milliseconds(1500));
  EXPECT_EQ(source.counters().requests, 1u);
}

TEST_F(ApiSourceTest, DescribeNamesTheUrlAndSeed) {
  ApiSource source(config("described", 10), mapping::Mapper::default_mapper());
  const std::string d = source.describe();
  EXPECT_NE(d.find(url()), std::string::npos) << d;
  EXPECT_NE(d.find("described"), std::string::npos) << d;
}

TEST(GeneratorSourceTest, IsDeterministicAndCountsWhatItHandsOut) {
  GeneratorSource a("gen"), b("gen"), c("other");
  std::atomic<bool> stop{false};
  auto first = a.next(100, stop);
  auto second = b.next(100, stop);
  auto third = c.next(100, stop);
  ASSERT_OK(first);
  ASSERT_OK(second);
  ASSERT_OK(third);
  EXPECT_EQ(*first, *second);
  EXPECT_NE(first->front().id(), third->front().id());
  auto next_page = a.next(100, stop);
  ASSERT_OK(next_page);
  EXPECT_NE(next_page->front().id(), first->front().id());
  EXPECT_EQ(a.counters().fetched, 200u);
  EXPECT_EQ(a.counters().requests, 0u);
}

}  // namespace
}  // namespace rds::ingest
