// `rdstream mock-api`: a local randomuser v1.4 stand-in with a quota and fault injection
// (see src/mockapi/README.md). Runs until SIGINT or SIGTERM.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <pthread.h>

#include "cli/commands.h"
#include "core/log.h"
#include "mockapi/mock_api.h"
#include "mockapi/server.h"

namespace rds::cli {
namespace {

constexpr std::string_view kLogComponent = "mock-api";

struct MockApiFlags {
  std::string host = mockapi::MockApiServer::kDefaultHost;
  int port = mockapi::MockApiServer::kDefaultPort;
  std::uint64_t fault_seed = 1;
  double rate_429 = 0, rate_5xx = 0, rate_empty = 0, rate_truncated = 0, rate_malformed = 0;
  double slow_rate = 0;
  int slow_ms = 0;
  int retry_after_s = 1;
  std::int64_t quota_users = 0;
  int quota_window_s = static_cast<int>(mockapi::QuotaConfig::kRandomuserWindow.count());
};

Result<mockapi::MockApiConfig> build_config(const MockApiFlags& f) {
  mockapi::MockApiConfig config;
  config.faults.seed = f.fault_seed;
  config.faults.rate_429 = f.rate_429;
  config.faults.rate_5xx = f.rate_5xx;
  config.faults.rate_empty = f.rate_empty;
  config.faults.rate_truncated = f.rate_truncated;
  config.faults.rate_malformed = f.rate_malformed;
  config.faults.slow_rate = f.slow_rate;
  config.faults.slow = std::chrono::milliseconds(f.slow_ms);
  config.faults.retry_after = std::chrono::seconds(f.retry_after_s);
  RDS_TRY(config.faults.validate("mock-api"));
  if (f.quota_users < 0) return Error(ErrorCode::kInvalidArgument, "mock-api.quota_users: must be >= 0");
  if (f.quota_window_s < 1) return Error(ErrorCode::kInvalidArgument, "mock-api.quota_window_s: must be >= 1");
  config.quota.users = f.quota_users;
  config.quota.window = std::chrono::seconds(f.quota_window_s);
  config.seed_salt = f.fault_seed;
  return config;
}

int run(const MockApiFlags& flags) {
  auto config = build_config(flags);
  if (!config.ok()) {
    std::cerr << "rdstream mock-api: " << config.error().message << "\n";
    return kExitUsage;
  }
  // Block the stop signals before the server's threads exist (they inherit the mask), then wait
  // for them here with sigwait: no work in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  mockapi::MockApi api(*config);
  mockapi::MockApiServer server(api);
  if (auto started = server.start(flags.host, flags.port); !started.ok()) {
    log::error(kLogComponent, "{}", started.error().message);
    return kExitUnavailable;
  }
  log::info(kLogComponent, "serving randomuser v1.4 on http://{}:{}/api/ (faults: {}; quota: {})", flags.host,
            server.port(), mockapi::to_json(config->faults).dump(),
            config->quota.users > 0
                ? std::to_string(config->quota.users) + " users per " +
                      std::to_string(config->quota.window.count()) + " s per client"
                : std::string("off"));
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log::info(kLogComponent, "stopping on signal {}", signal_number);
  server.stop();
  const auto stats = api.stats();
  log::info(kLogComponent, "served {} requests, {} users, {} quota rejections", stats.requests, stats.users_served,
            stats.quota_rejections);
  return kExitOk;
}

}  // namespace

void register_mock_api(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<MockApiFlags>();
  CLI::App* cmd = app.add_subcommand(
      "mock-api", "Serve randomuser-v1.4-shaped users locally, with a quota and fault injection");
  cmd->add_option("--host", flags->host, "address to bind (loopback by default)")->capture_default_str();
  cmd->add_option("--port", flags->port, "port (0 picks a free one)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--fault-seed", flags->fault_seed, "seed of the fault decisions and server-picked seeds")
      ->capture_default_str();
  cmd->add_option("--rate-429", flags->rate_429, "share of requests answered 429 + Retry-After");
  cmd->add_option("--rate-5xx", flags->rate_5xx, "share answered 500, 502 or 503");
  cmd->add_option("--rate-empty", flags->rate_empty, "share answered 200 with an empty results array");
  cmd->add_option("--rate-truncated", flags->rate_truncated, "share answered with a truncated body");
  cmd->add_option("--rate-malformed", flags->rate_malformed, "share answered with malformed JSON");
  cmd->add_option("--slow-rate", flags->slow_rate, "share of responses delayed by --slow-ms");
  cmd->add_option("--slow-ms", flags->slow_ms, "delay of slow responses, in milliseconds");
  cmd->add_option("--retry-after-s", flags->retry_after_s, "Retry-After sent with injected 429s")->capture_default_str();
  cmd->add_option("--quota-users", flags->quota_users,
                  "users per window per client, then 429 (0 = off; randomuser.me allows 20000 per 300 s)")
      ->capture_default_str();
  cmd->add_option("--quota-window-s", flags->quota_window_s, "quota window in seconds")->capture_default_str();
  cmd->footer("Faults can also be changed at runtime: curl -X POST localhost:8088/_faults -d '{\"rate_5xx\":0.1}'");
  cmd->callback([flags, &globals] { globals.exit_code = run(*flags); });
}

}  // namespace rds::cli
