// `rdstream mock-api`: a local randomuser v1.4 stand-in with a quota and fault injection
// (see src/mockapi/README.md). Runs until SIGINT or SIGTERM.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <pthread.h>

#include "cli/commands.h"
#include "cli/setting_flags.h"
#include "core/log.h"
#include "mockapi/mock_api.h"
#include "mockapi/server.h"

namespace rds::cli {
namespace {

constexpr std::string_view kLogComponent = "mock-api";

Result<mockapi::MockApiConfig> build_config(const config::Settings& settings) {
  const auto& m = settings.mock_api;
  mockapi::MockApiConfig config;
  config.faults.seed = static_cast<std::uint64_t>(m.fault_seed());
  config.faults.rate_429 = m.rate_429();
  config.faults.rate_5xx = m.rate_5xx();
  config.faults.rate_empty = m.rate_empty();
  config.faults.rate_truncated = m.rate_truncated();
  config.faults.rate_malformed = m.rate_malformed();
  config.faults.slow_rate = m.slow_rate();
  config.faults.slow = std::chrono::milliseconds(m.slow_ms());
  config.faults.retry_after = std::chrono::seconds(m.retry_after_s());
  RDS_TRY(config.faults.validate("mock_api"));
  config.quota.users = m.quota_users();
  config.quota.window = std::chrono::seconds(m.quota_window_s());
  config.seed_salt = static_cast<std::uint64_t>(m.fault_seed());
  return config;
}

int run(const config::Settings& settings) {
  auto config = build_config(settings);
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
  if (auto started = server.start(settings.mock_api.host(), static_cast<int>(settings.mock_api.port())); !started.ok()) {
    log::error(kLogComponent, "{}", started.error().message);
    return kExitUnavailable;
  }
  log::info(kLogComponent, "serving randomuser v1.4 on http://{}:{}/api/ (faults: {}; quota: {})", settings.mock_api.host(),
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
  auto flags = std::make_shared<config::FlagValues>();
  CLI::App* cmd = app.add_subcommand(
      "mock-api", "Serve randomuser-v1.4-shaped users locally, with a quota and fault injection");
  add_setting_flags(cmd, config::kMockApi, *flags);
  cmd->footer("Faults can also be changed at runtime: curl -X POST localhost:8088/_faults -d '{\"rate_5xx\":0.1}'");
  cmd->callback([flags, &globals] {
    auto settings = resolve_settings(*flags, config::kMockApi);
    if (!settings.ok()) return settings_failed(settings.error(), "mock-api", globals);
    globals.exit_code = run(**settings);
  });
}

}  // namespace rds::cli
