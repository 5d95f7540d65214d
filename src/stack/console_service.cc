// The web console as a service of the stack: `rdstream console` (this same binary) on
// 127.0.0.1:<console port>, watching the stack's own Kafka and Cassandra, started with the engines
// so that a new user who runs `scripts/run` can open http://127.0.0.1:9021 and see the run.
#include <fmt/format.h>

#include "source/http/http_client.h"
#include "stack/service.h"

namespace rds::stack {
namespace {

class ConsoleService final : public Service {
 public:
  using Service::Service;

  ServiceKind kind() const override { return ServiceKind::kConsole; }
  std::string address() const override { return fmt::format("{}:{}", config_.host, config_.console_port); }
  std::vector<PortUse> ports() const override { return {{"--console-port", config_.console_port}}; }
  // Its command line names the stack's state directory after `console`.
  std::string identity_marker() const override {
    return "console --state-dir " + std::filesystem::absolute(config_.state_dir).string();
  }
  std::chrono::seconds stop_grace() const override { return std::chrono::seconds(15); }
  std::string client_hint() const override { return fmt::format("open http://{}/", address()); }

  Status prepare() override { return ok_status(); }

  Result<LaunchSpec> launch_spec() const override {
    if (config_.rdstream_binary.empty()) {
      return Error(ErrorCode::kInvalidArgument, "console: the rdstream binary to run it with is unknown");
    }
    LaunchSpec spec;
    // Flags only for what the stack decides (its engines' addresses, the console's); the rest
    // (topic, group, table, a token) comes from the environment as for any command.
    spec.argv = {config_.rdstream_binary.string(),
                 "console",
                 "--state-dir",
                 std::filesystem::absolute(config_.state_dir).string(),
                 "--address",
                 address(),
                 "--bootstrap-servers",
                 config_.kafka_bootstrap(),
                 "--cassandra-host",
                 config_.host,
                 "--cassandra-port",
                 std::to_string(config_.cassandra_port)};
    if (config_.tls) {
      spec.argv.insert(spec.argv.end(), {"--cassandra-tls", "--cassandra-ca-file",
                                         config_.tls_ca_file().string()});
    }
    spec.working_dir = std::filesystem::absolute(dir());
    spec.log_file = std::filesystem::absolute(log_file());
    return spec;
  }

  Status check_health(std::chrono::milliseconds timeout) const override {
    http::HttpClientConfig c;
    c.connect_timeout = timeout;
    c.request_timeout = timeout;
    http::HttpClient client(c);
    auto response = client.get(fmt::format("http://{}/healthz", address()));
    if (!response.ok()) return response.take_error();
    if (response->status != 200) {
      return Error(ErrorCode::kUnavailable, fmt::format("console: /healthz answered HTTP {}", response->status), true);
    }
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Service> make_console_service(const StackConfig& config) {
  return std::make_unique<ConsoleService>(config);
}

}  // namespace rds::stack
