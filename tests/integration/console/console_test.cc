// `rdstream console` on the real stack (CTest fixture `stack`): a run's topic, group, instance,
// table and dead letters as the console's JSON API shows them, checked against what the test put
// in; replay (with and without its CSRF token); the exact count; the security rules; and a real
// browser (tests/browser/console_test.mjs: Debian's chromium, playwright-core) looking at it.
//
// Every test has its own topic, group and keyspace, and its own console on a free port.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "integration/pipeline/harness.h"
#include "kafka/producer.h"
#include "support/temp_dir.h"

namespace rds::e2e {
namespace {

using nlohmann::json;
constexpr int kPartitions = 3;
constexpr int kGood = 3000;

int http_status(const httplib::Result& r) { return r ? r->status : -1; }

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}


// Four records the processor must refuse, each with its reason (process/record_validator.h).
const std::vector<std::pair<std::string, std::string>> kPoison = {
    {"not_json", "{\"id\": \"6f1c2a9e-"},
    {"not_object", "[1,2,3]"},
    {"bad_uuid", R"({"id": "not-a-uuid", "first_name": "x"})"},
    {"missing_id", R"({"first_name": "x"})"},
};

class ConsoleTest : public StackSuite {
 public:
  ConsoleTest() : StackSuite("console") {}
  void SetUp() override {
    log::set_level(log::Level::kWarn);
    StackSuite::SetUp();
    console_port_ = free_port();
  }

  std::vector<std::string> common() const {
    return {"--bootstrap-servers", kafka_, "--topic", topic_, "--group", group_, "--config", config_.string(),
            "--cassandra-host", host_, "--cassandra-port", std::to_string(port_)};
  }
  Child& start_console(std::vector<std::string> extra = {}) {
    // The stack's state directory: topic sizes from its Kafka's log directory.
    std::vector<std::string> args = {"console", "--address", "127.0.0.1:" + std::to_string(console_port_),
                                     "--refresh-ms", "500", "--state-dir", env("RDSTREAM_TEST_STACK_DIR")};
    for (const auto& a : common()) args.push_back(a);
    args.insert(args.end(), extra.begin(), extra.end());
    Child& c = start("console", args);
    EXPECT_TRUE(wait_until([&] { return http_status(get("/healthz")) == 200 || !c.running(); }, seconds(30)))
        << c.err_tail();
    EXPECT_TRUE(c.running()) << c.err_tail();
    return c;
  }

  // 3000 generator users and the four poison records on the topic; `process` (with a metrics
  // endpoint the console finds through the group) runs until the group's lag is 0.
  Child& run_pipeline() {
    Child& ingest = start("ingest", {"ingest", "--source", "generator", "--seed", name_, "--count",
                                     std::to_string(kGood), "--results", "1000", "--topic", topic_, "--partitions",
                                     std::to_string(kPartitions), "--bootstrap-servers", kafka_});
    EXPECT_EQ(ingest.wait(milliseconds(300'000)), std::optional<int>(0)) << ingest.err_tail();
    std::vector<RawRecord> poison;
    for (size_t i = 0; i < kPoison.size(); ++i) {
      poison.push_back({static_cast<int32_t>(i % kPartitions), "poison-" + std::to_string(i), kPoison[i].second});
    }
    for (const auto& p : produce_raw(kafka_, topic_, poison)) EXPECT_TRUE(p.ok);
    std::vector<std::string> args = {"process", "--metrics-address", "127.0.0.1:0", "--commit-interval-ms", "200"};
    for (const auto& a : common()) args.push_back(a);
    Child& process = start("process", args);
    EXPECT_TRUE(wait_until([&] { return group_lag(group_offsets(kafka_, group_, topic_, kPartitions)) == 0; },
                           seconds(180), seconds(1)))
        << process.err_tail();
    return process;
  }

  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", console_port_);
    client.set_read_timeout(30, 0);
    return client.Get(path, headers);
  }
  httplib::Result post(const std::string& path, const std::string& body, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", console_port_);
    client.set_read_timeout(60, 0);
    return client.Post(path, headers, body, "application/json");
  }
  json get_json(const std::string& path) {
    auto r = get(path);
    if (!r || r->status != 200) {
      ADD_FAILURE() << path << ": " << (r ? std::to_string(r->status) + " " + r->body : "no answer");
      return json();
    }
    return json::parse(r->body);
  }
  std::string csrf() { return get_json("/api/session").value("csrf_token", ""); }

  // The console's view of the test's group, once it shows lag 0 and a live instance.
  json wait_state_settled() {
    json state;
    const bool settled = wait_until(
        [&] {
          state = get_json("/api/state");
          if (!state.is_object() || state["groups"].empty()) return false;
          json& g = state["groups"][0];
          return g["lag_records"] == 0 && !state["instances"].empty() && state["instances"][0]["up"] == true &&
                 !state["cassandra"]["columns"].empty();
        },
        seconds(60), milliseconds(500));
    EXPECT_TRUE(settled) << state.dump(2);
    return state;
  }

  int console_port_ = 0;
};

TEST_F(ConsoleTest, ShowsTheRunAsTheEnginesSeeIt) {
  Child& process = run_pipeline();
  start_console();
  // Not const: a missing key or index reads as null (a failed check), never as undefined behaviour.
  json state = wait_state_settled();

  // The topic: every record, on every partition, end offsets as produced.
  json* topic = nullptr;
  for (auto& t : state["topics"]) {
    if (t["name"] == topic_) topic = &t;
  }
  ASSERT_NE(topic, nullptr) << state["topics"].dump(2);
  EXPECT_EQ((*topic)["records"], kGood + static_cast<int>(kPoison.size()));
  EXPECT_GT((*topic)["size_bytes"].get<int64_t>(), 0) << "from the stack's Kafka log directory";
  ASSERT_EQ((*topic)["partitions"].size(), static_cast<size_t>(kPartitions));
  const auto offsets = group_offsets(kafka_, group_, topic_, kPartitions);
  for (auto& p : (*topic)["partitions"]) {
    EXPECT_EQ(p["end_offset"], offsets.at(p["partition"].get<int32_t>()).high);
  }
  // The group: its one member announces the metrics endpoint the console scraped.
  json& group = state["groups"][0];
  EXPECT_EQ(group["id"], group_);
  EXPECT_EQ(group["state"], "Stable");
  ASSERT_EQ(group["members"].size(), 1u);
  EXPECT_FALSE(group["members"][0]["metrics_address"].is_null());
  for (auto& p : group["partitions"]) {
    EXPECT_EQ(p["lag_records"], 0);
    EXPECT_EQ(p["lag_seconds"], 0.0);
  }
  EXPECT_EQ(state["instances"][0]["address"], group["members"][0]["metrics_address"]);
  EXPECT_EQ(state["instances"][0]["source"], "group");
  EXPECT_EQ(state["instances"][0]["ready"], true);
  // Cassandra: the table the processor made, the engine's own write count.
  EXPECT_EQ(state["cassandra"]["keyspace"], keyspace_) << state.dump(2);
  EXPECT_EQ(state["cassandra"]["columns"][0]["name"], "id");
  EXPECT_EQ(state["cassandra"]["columns"][0]["kind"], "partition_key");
  EXPECT_GE(state["cassandra"]["writes_total"].get<int64_t>(), kGood);  // rows applied, by Cassandra's count
  for (auto& e : state["engines"]) EXPECT_TRUE(e["up"].get<bool>()) << e.dump();
  // Dead letters: the four poison records.
  EXPECT_EQ(state["dlq"]["records"], static_cast<int>(kPoison.size()));

  // The history has points for the charts.
  json history;
  EXPECT_TRUE(wait_until([&] { return (history = get_json("/api/history"))["t"].size() >= 2; }, seconds(10)));
  EXPECT_TRUE(history["series"].contains("group:" + group_ + ":lag_records")) << history["series"].dump();

  // The dead-letter view, and its filter.
  json dlq = get_json("/api/dlq");
  ASSERT_EQ(dlq["records"].size(), kPoison.size()) << dlq.dump(2);
  for (const auto& [reason, value] : kPoison) {
    EXPECT_EQ(dlq["reasons"][reason], 1) << reason;
    json one = get_json("/api/dlq?reason=" + reason);
    ASSERT_EQ(one["records"].size(), 1u) << reason;
    EXPECT_EQ(one["records"][0]["reason"], reason);
    EXPECT_EQ(one["records"][0]["value"], value);
    EXPECT_EQ(one["records"][0]["headers"]["rdstream.source.topic"], topic_);
  }
  EXPECT_EQ(http_status(get("/api/dlq?limit=0")), 400);

  // Replay: refused without the CSRF token or from another origin; then the four go back to the
  // topic, and (still bad) to the dead-letter topic again.
  json body = {{"records", json::array()}};
  for (auto& r : dlq["records"]) body["records"].push_back({{"partition", r["partition"]}, {"offset", r["offset"]}});
  EXPECT_EQ(http_status(post("/api/dlq/replay", body.dump())), 403);
  EXPECT_EQ(http_status(post("/api/dlq/replay", body.dump(), {{"X-CSRF-Token", csrf()}, {"Origin", "http://evil.example"}})),
            403);
  EXPECT_EQ(http_status(post("/api/dlq/replay", "{not json", {{"X-CSRF-Token", csrf()}})), 400);
  auto replayed = post("/api/dlq/replay", body.dump(), {{"X-CSRF-Token", csrf()}});
  ASSERT_TRUE(replayed);
  ASSERT_EQ(replayed->status, 200) << replayed->body;
  json result = json::parse(replayed->body);
  EXPECT_EQ(result["replayed"].size(), kPoison.size()) << result.dump(2);
  EXPECT_TRUE(result["errors"].empty()) << result.dump(2);
  int64_t high = 0;
  for (const auto& [p, o] : group_offsets(kafka_, group_, topic_, kPartitions)) high += o.high;
  EXPECT_EQ(high, kGood + 2 * static_cast<int64_t>(kPoison.size()));
  EXPECT_TRUE(wait_until([&] { return get_json("/api/state")["dlq"]["records"] == 2 * static_cast<int>(kPoison.size()); },
                         seconds(60)));
  EXPECT_EQ(get_json("/api/dlq?reason=bad_uuid")["records"].size(), 2u);
  // On the topic, each replayed copy says where it came from.
  const auto messages = read_topic(kafka_, topic_, kPartitions, kGood + 2 * kPoison.size(), seconds(60));
  std::set<std::string> traced;
  for (const auto& m : messages) {
    const auto from = m.headers.find("rdstream.replayed_from");
    if (from != m.headers.end()) traced.insert(m.key.value_or("") + " <- " + from->second);
  }
  EXPECT_EQ(traced.size(), kPoison.size());
  for (const auto& t : traced) EXPECT_NE(t.find(" <- " + topic_ + ".dlq/"), std::string::npos) << t;

  // The exact count: token slices add up to every stored row.
  auto counting = post("/api/cassandra/count", "", {{"X-CSRF-Token", csrf()}});
  ASSERT_TRUE(counting);
  EXPECT_EQ(counting->status, 202) << counting->body;
  json count;
  EXPECT_TRUE(wait_until(
      [&] {
        count = get_json("/api/state")["cassandra"]["exact_count"];
        return count["state"] == "done" || count["state"] == "failed";
      },
      seconds(120), milliseconds(500)));
  EXPECT_EQ(count["state"], "done") << count.dump();
  EXPECT_EQ(count["rows"], kGood);

  // The console's own metrics, and answers to what is not there.
  auto metrics = get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("rdstream_console_alert_active{alert=\"dlq_growing\"}"), std::string::npos);
  EXPECT_EQ(http_status(get("/nope")), 404);
  EXPECT_EQ(http_status(get("/api/dlq/replay")), 405);
  EXPECT_EQ(http_status(post("/api/state", "{}", {{"X-CSRF-Token", csrf()}})), 405);
  process.signal(SIGTERM);
  EXPECT_EQ(process.wait(seconds(60)), std::optional<int>(0)) << process.err_tail();
}

TEST_F(ConsoleTest, OtherThanLoopbackNeedsAToken) {
  // No token: refused before it binds, naming the fix.
  Child& open = start("open", {"console", "--address", "0.0.0.0:" + std::to_string(console_port_)});
  EXPECT_EQ(open.wait(seconds(30)), std::optional<int>(2)) << open.err_tail();
  EXPECT_TRUE(open.err_contains("RDSTREAM_CONSOLE_TOKEN")) << open.err_tail();

  // A token from a file: required everywhere but /healthz, as Bearer or as basic auth's password.
  const auto token_file = dir_.path() / "token";
  std::ofstream(token_file) << "s3cret-token\n";
  Child& guarded = start("guarded", {"console", "--address", "0.0.0.0:" + std::to_string(console_port_),
                                     "--token-file", token_file.string(), "--bootstrap-servers", kafka_});
  ASSERT_TRUE(wait_until([&] { return http_status(get("/healthz")) == 200 || !guarded.running(); }, seconds(30)))
      << guarded.err_tail();
  EXPECT_EQ(http_status(get("/api/state")), 401);
  EXPECT_EQ(http_status(get("/api/state", {{"Authorization", "Bearer wrong"}})), 401);
  EXPECT_EQ(http_status(get("/api/state", {{"Authorization", "Bearer s3cret-token"}})), 200);
  // "anyone:s3cret-token"
  EXPECT_EQ(http_status(get("/api/state", {{"Authorization", "Basic YW55b25lOnMzY3JldC10b2tlbg=="}})), 200);
  EXPECT_EQ(http_status(get("/")), 401);
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("WWW-Authenticate").rfind("Basic", 0), 0u);
  // The token is in no answer and no log line.
  auto session = get("/api/session", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->body.find("s3cret"), std::string::npos);
  EXPECT_FALSE(guarded.err_contains("s3cret"));
}

// A real browser on the console after a run: the topic and the group at lag 0, a chart with
// points, the poison records with their reasons in the dead-letter view, and replay from there.
TEST_F(ConsoleTest, BrowserShowsTheRunAndReplaysDeadLetters) {
  const std::string script = env("RDSTREAM_BROWSER_TEST");
  const std::string web = env("RDSTREAM_CONSOLE_WEB");
  ASSERT_TRUE(std::filesystem::exists(script)) << "RDSTREAM_BROWSER_TEST: " << script;
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium is missing: run scripts/bootstrap";
  run_pipeline();
  start_console();
  wait_state_settled();
  const auto out = std::filesystem::path(env("RDSTREAM_TEST_ARTIFACTS", dir_.path().c_str())) / "console";
  std::filesystem::create_directories(out);
  Child& browser = start_program("browser", {"/usr/bin/node", script, "--url",
                                             "http://127.0.0.1:" + std::to_string(console_port_), "--out", out.string(),
                                             "--topic", topic_, "--group", group_, "--dlq-expect",
                                             std::to_string(kPoison.size()), "--replay"});
  const auto code = browser.wait(seconds(240));
  std::cout << "[console] browser: " << browser.out() << "\n";
  ASSERT_EQ(code, std::optional<int>(0)) << browser.err_tail(40);
  for (const char* shot : {"console-overview.png", "console-dlq.png", "console-replayed.png"}) {
    EXPECT_TRUE(std::filesystem::exists(out / shot)) << shot;
  }
  // What the page replayed reached the topic: the poison records once more.
  int64_t high = 0;
  for (const auto& [p, o] : group_offsets(kafka_, group_, topic_, kPartitions)) high += o.high;
  EXPECT_EQ(high, kGood + 2 * static_cast<int64_t>(kPoison.size()));
}

}  // namespace
}  // namespace rds::e2e
