#include "app/console_stage.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/component_configs.h"
#include "console/collector.h"
#include "console/dead_letters.h"
#include "console/server.h"
#include "core/log.h"
#include "core/signals.h"
#include "kafka/inspector.h"

namespace rds::app {

Outcome run_console(const config::Settings& s) {
  auto table = table_config(s);
  if (!table.ok()) return Outcome::failed(table.error());
  auto session = session_config(s);
  if (!session.ok()) return Outcome::failed(session.error());
  auto token = secret(s.console.token, s.console.token_file);
  if (!token.ok()) return Outcome::failed(token.error());
  auto dead_letter = dead_letter_config(s);
  if (!dead_letter.ok()) return Outcome::failed(dead_letter.error());

  console::CollectorConfig c;
  c.bootstrap_servers = s.kafka.bootstrap_servers();
  c.topic = s.kafka.topic();
  c.group = s.process.group();
  c.dlq_topic = dead_letter->topic_for(c.topic);
  c.keyspace = table->keyspace;
  c.table = table->table;
  c.instances = s.console.instances();
  c.refresh = std::chrono::milliseconds(s.console.refresh_ms());
  c.history_points = static_cast<std::size_t>(s.console.history_minutes() * 60'000 / s.console.refresh_ms());
  c.rules.lag_records = s.console.lag_alert_records();
  c.rules.lag_for = std::chrono::seconds(s.console.lag_alert_for_s());
  c.rules.dlq_window = std::chrono::seconds(s.console.dlq_alert_window_s());
  c.count_ranges = static_cast<int>(s.console.count_ranges());
  c.count_parallelism = static_cast<int>(s.console.count_parallelism());
  for (const auto& dir : s.console.kafka_log_dirs()) c.kafka_log_dirs.emplace_back(dir);
  if (c.kafka_log_dirs.empty()) {
    // The stack's Kafka, when it runs on this machine: topic sizes from its log directory.
    const std::filesystem::path stack_logs = std::filesystem::path(s.stack.state_dir()) / "kafka" / "data";
    std::error_code ec;
    if (std::filesystem::is_directory(stack_logs, ec)) c.kafka_log_dirs.push_back(stack_logs);
  }

  kafka::InspectorConfig inspect;
  inspect.bootstrap_servers = c.bootstrap_servers;
  inspect.client_id = "rdstream-console";
  inspect.timeout = std::chrono::milliseconds(3'000);
  inspect.extra = dead_letter->extra;  // kafka_client_properties
  auto inspector = kafka::Inspector::create(inspect);
  if (!inspector.ok()) return Outcome::failed(inspector.error());

  kafka::AnyTopicProducerConfig replay;
  replay.name = "console replay producer";
  replay.log_component = "console";
  replay.bootstrap_servers = c.bootstrap_servers;
  replay.client_id = "rdstream-console-replay";
  replay.message_timeout_ms = 30'000;
  replay.extra = dead_letter->extra;

  metrics::Metrics metrics;
  auto connect = [config = *session]() -> Result<std::shared_ptr<cassandra::Session>> {
    auto made = cassandra::Session::connect(config);
    if (!made.ok()) return made.take_error();
    return std::shared_ptr<cassandra::Session>(std::move(*made));
  };
  console::Collector collector(c, **inspector, connect, metrics);
  console::DeadLetters dead_letters(**inspector, replay, c.dlq_topic);
  collector.start();
  auto server = console::ConsoleServer::start({s.console.address(), *token}, collector, dead_letters, metrics);
  if (!server.ok()) return Outcome::failed(server.error());
  const std::string host = s.console.address().substr(0, s.console.address().rfind(':'));
  log::info("console", "serving http://{}:{}/ (topic {}, group {}, table {}.{}; every {} ms){}", host,
            (*server)->port(), c.topic, c.group, c.keyspace, c.table, c.refresh.count(),
            token->empty() ? "" : "; a token is required");
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  log::info("console", "stopping");
  return Outcome{};
}

}  // namespace rds::app
