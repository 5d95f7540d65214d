// Apache Kafka in KRaft mode: one combined broker + controller node, from the jars that
// scripts/bootstrap put in the engine cache. Facts from shared/docs/infra-notes.md.

#include <fmt/format.h>

#include <random>

#include "stack/health.h"
#include "stack/java.h"
#include "stack/service.h"

namespace rds::stack {
namespace {

// A KRaft cluster id as `kafka-storage random-uuid` prints it: 16 random bytes, base64url, no
// padding (22 characters). Generated here to save a JVM start.
std::string random_cluster_id() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  unsigned char bytes[16];
  for (auto& b : bytes) b = static_cast<unsigned char>(rd() & 0xff);
  std::string out;
  int bits = 0;
  unsigned value = 0;
  for (unsigned char b : bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(value >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(value << (6 - bits)) & 0x3f];
  // Kafka's Uuid.randomUuid() draws again for an id that starts with '-': StorageTool's argument
  // parser would read it as an option ("--cluster-id: expected one argument"), 1 start in 64.
  if (out.front() == '-') return random_cluster_id();
  return out;
}

class KafkaService final : public Service {
 public:
  using Service::Service;

  ServiceKind kind() const override { return ServiceKind::kKafka; }
  std::string address() const override { return fmt::format("{}:{}", config_.host, config_.kafka_port); }
  std::vector<PortUse> ports() const override {
    return {{"--kafka-port", config_.kafka_port}, {"--kafka-controller-port", config_.kafka_controller_port}};
  }
  std::string identity_marker() const override {
    return fmt::format("-Drdstream.stack={}", std::filesystem::absolute(dir()).string());
  }
  std::string client_hint() const override {
    return fmt::format("java -cp '{}/*' org.apache.kafka.tools.TopicCommand --bootstrap-server {} --list",
                       lib_dir().string(), address());
  }

  Status prepare() override {
    const auto abs = std::filesystem::absolute(dir());
    RDS_TRY(check_ownership_marker(abs / "data", marker(), name(), abs));
    RDS_TRY(write_text_file(abs / "server.properties", server_properties(abs)));
    RDS_TRY(write_text_file(abs / "log4j2.properties", kLog4j2));
    std::error_code ec;
    if (std::filesystem::exists(abs / "data" / "meta.properties", ec)) return ok_status();

    // First start: format the storage with a fresh cluster id (StorageTool, as kafka-storage does).
    auto java = find_java(config_.java_home);
    if (!java.ok()) return java.take_error().with_context(name());
    auto lib = checked_lib_dir();
    if (!lib.ok()) return lib.take_error();
    LaunchSpec format;
    format.argv = {java->java.string(), "-Xmx256m", "-cp", (*lib / "*").string(),
                   fmt::format("-Dlog4j2.configurationFile={}", (abs / "log4j2.properties").string()),
                   "kafka.tools.StorageTool", "format", "-t", random_cluster_id(), "-c",
                   (abs / "server.properties").string()};
    format.log_file = log_file();
    format.working_dir = abs;
    auto rc = run_to_completion(format, std::chrono::seconds(120));
    if (!rc.ok()) return rc.take_error().with_context("kafka: formatting storage");
    if (*rc != 0) {
      return Error(ErrorCode::kIo, fmt::format("kafka: formatting storage failed (exit {}); see {}", *rc,
                                               log_file().string()));
    }
    return write_ownership_marker(abs / "data", marker());
  }

  Result<LaunchSpec> launch_spec() const override {
    auto java = find_java(config_.java_home);
    if (!java.ok()) return java.take_error().with_context(name());
    auto lib = checked_lib_dir();
    if (!lib.ok()) return lib.take_error();
    const auto abs = std::filesystem::absolute(dir());
    LaunchSpec spec;
    spec.argv = {java->java.string(),
                 fmt::format("-Xms{}m", config_.kafka_heap_mb),
                 fmt::format("-Xmx{}m", config_.kafka_heap_mb),
                 "-XX:+UseG1GC",
                 "-XX:MaxGCPauseMillis=20",
                 gc_log_option(abs / "gc.log"),
                 "-Djava.awt.headless=true",
                 identity_marker(),
                 fmt::format("-Dlog4j2.configurationFile={}", (abs / "log4j2.properties").string()),
                 fmt::format("-Dkafka.logs.dir={}", (abs / "logs").string()),
                 "-cp",
                 (*lib / "*").string(),
                 "kafka.Kafka",
                 (abs / "server.properties").string()};
    spec.log_file = log_file();
    spec.working_dir = abs;
    return spec;
  }

  Status check_health(std::chrono::milliseconds timeout) const override {
    return kafka_health(address(), timeout);
  }

 private:
  std::filesystem::path lib_dir() const {
    return config_.engine_cache / ("kafka-" + kafka_version()) / "lib";
  }
  Result<std::filesystem::path> checked_lib_dir() const {
    std::error_code ec;
    if (!std::filesystem::exists(lib_dir() / ("kafka_2.13-" + kafka_version() + ".jar"), ec)) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("kafka: the Kafka {} jars are missing from {}; run scripts/bootstrap "
                               "(or set RDSTREAM_ENGINE_CACHE to where it put them)",
                               kafka_version(), lib_dir().string()));
    }
    return lib_dir();
  }
  std::string marker() const { return "rdstream kafka " + kafka_version() + "\n"; }

  std::string server_properties(const std::filesystem::path& abs) const {
    return fmt::format(
        "# Generated by `rdstream stack up`; edits are overwritten.\n"
        "process.roles=broker,controller\n"
        "node.id=1\n"
        "controller.quorum.voters=1@{host}:{cport}\n"
        "listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}\n"
        "advertised.listeners=PLAINTEXT://{host}:{port}\n"
        "controller.listener.names=CONTROLLER\n"
        "inter.broker.listener.name=PLAINTEXT\n"
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
        "log.dirs={data}\n"
        "num.partitions=3\n"
        "offsets.topic.replication.factor=1\n"
        "offsets.topic.num.partitions=10\n"
        "transaction.state.log.replication.factor=1\n"
        "transaction.state.log.min.isr=1\n"
        "share.coordinator.state.topic.replication.factor=1\n"
        "share.coordinator.state.topic.min.isr=1\n"
        "group.initial.rebalance.delay.ms=0\n"
        "log.retention.hours=168\n"
        "num.network.threads=2\n"
        "num.io.threads=4\n",
        fmt::arg("host", config_.host), fmt::arg("port", config_.kafka_port),
        fmt::arg("cport", config_.kafka_controller_port), fmt::arg("data", (abs / "data").string()));
  }

  static constexpr const char* kLog4j2 =
      "# Generated by `rdstream stack up`: everything to stdout, which the stack appends to kafka.log.\n"
      "status = warn\n"
      "appender.console.type = Console\n"
      "appender.console.name = STDOUT\n"
      "appender.console.layout.type = PatternLayout\n"
      "appender.console.layout.pattern = [%d] %p %m (%c)%n\n"
      "rootLogger.level = INFO\n"
      "rootLogger.appenderRef.stdout.ref = STDOUT\n"
      "logger.kafka.name = kafka\n"
      "logger.kafka.level = INFO\n"
      "logger.statechange.name = state.change.logger\n"
      "logger.statechange.level = WARN\n"
      "logger.request.name = kafka.request.logger\n"
      "logger.request.level = WARN\n";
};

}  // namespace

std::unique_ptr<Service> make_kafka_service(const StackConfig& config) {
  return std::make_unique<KafkaService>(config);
}

}  // namespace rds::stack
