// Apache Kafka in KRaft mode, from the jars that scripts/bootstrap put in the engine cache: one
// combined broker + controller node, or a cluster of them (`--kafka-brokers 3`: node n on
// 127.0.0.n, a static quorum of every node, all formatted with one cluster id). Facts from
// shared/docs/infra-notes.md.

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
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
  std::string address() const override { return fmt::format("{}:{}", host(), config_.kafka_port); }
  std::vector<PortUse> ports() const override {
    return {{"--kafka-port", config_.kafka_port}, {"--kafka-controller-port", config_.kafka_controller_port}};
  }
  std::string identity_marker() const override {
    return fmt::format("-Drdstream.stack={}", std::filesystem::absolute(dir()).string());
  }
  std::string client_hint() const override {
    if (node() > 1) return {};  // one hint for the whole cluster
    return fmt::format("java -cp '{}/*' org.apache.kafka.tools.TopicCommand --bootstrap-server {} --list",
                       lib_dir().string(), config_.kafka_bootstrap());
  }

  Status prepare() override {
    const auto abs = std::filesystem::absolute(dir());
    RDS_TRY(check_broker_count(abs / "data"));
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
    auto cluster_id = shared_cluster_id();
    if (!cluster_id.ok()) return cluster_id.take_error();
    LaunchSpec format;
    format.argv = {java->java.string(), "-Xmx256m", "-cp", (*lib / "*").string(),
                   fmt::format("-Dlog4j2.configurationFile={}", (abs / "log4j2.properties").string()),
                   "kafka.tools.StorageTool", "format", "-t", *cluster_id, "-c",
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
  // The marker says how many brokers the storage was formatted for (a single broker's says
  // nothing, as before clusters): KRaft's static quorum is fixed at format time.
  std::string marker() const {
    return fmt::format("rdstream kafka {}{}\n", kafka_version(),
                       config_.kafka_brokers > 1 ? fmt::format(" brokers {}", config_.kafka_brokers) : "");
  }

  Status check_broker_count(const std::filesystem::path& data) const {
    auto existing = read_text_file(data / ".rdstream-kafka");
    if (!existing.ok() || *existing == marker()) return ok_status();
    const auto at = existing->find(" brokers ");
    const int formatted = at == std::string::npos ? 1 : std::atoi(existing->c_str() + at + 9);
    if (formatted == config_.kafka_brokers || formatted < 1) return ok_status();  // another version: the marker check says so
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: {} was formatted for {} broker{} and KRaft's quorum is fixed then; run `rdstream stack "
                             "up --kafka-brokers {}`, or `rdstream stack down`, delete the Kafka directories under {} "
                             "(losing their topics) and start again with --kafka-brokers {}",
                             name(), data.string(), formatted, formatted == 1 ? "" : "s", formatted,
                             config_.state_dir.string(), config_.kafka_brokers));
  }

  // Every broker of a cluster is formatted with the same cluster id: node 1's, kept in
  // <state>/kafka/cluster-id (or, for storage formatted before clusters, its meta.properties).
  Result<std::string> shared_cluster_id() const {
    const auto first = std::filesystem::absolute(config_.service_dir(ServiceKind::kKafka, 1));
    if (auto meta = read_text_file(first / "data" / "meta.properties"); meta.ok()) {
      const auto at = meta->find("cluster.id=");
      if (at != std::string::npos) {
        const auto end = meta->find('\n', at);
        return meta->substr(at + 11, end == std::string::npos ? std::string::npos : end - at - 11);
      }
    }
    const auto file = first / "cluster-id";
    if (auto id = read_text_file(file); id.ok() && !id->empty()) return *id;
    std::string id = random_cluster_id();
    RDS_TRY(write_text_file(file, id));
    return id;
  }

  // A cluster replicates everything 3 ways (or over every broker, when fewer) and acknowledges an
  // acks=all write once 2 replicas have it: one broker may fail without losing or refusing a write.
  std::string server_properties(const std::filesystem::path& abs) const {
    std::string voters;
    for (int n = 1; n <= config_.kafka_brokers; ++n) {
      voters += fmt::format("{}{}@{}:{}", n > 1 ? "," : "", n, config_.node_host(n), config_.kafka_controller_port);
    }
    const int rf = std::min(3, config_.kafka_brokers);
    const int min_isr = std::min(2, config_.kafka_brokers);
    return fmt::format(
        "# Generated by `rdstream stack up`; edits are overwritten.\n"
        "process.roles=broker,controller\n"
        "node.id={node}\n"
        "controller.quorum.voters={voters}\n"
        "listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}\n"
        "advertised.listeners=PLAINTEXT://{host}:{port}\n"
        "controller.listener.names=CONTROLLER\n"
        "inter.broker.listener.name=PLAINTEXT\n"
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
        "log.dirs={data}\n"
        "num.partitions=3\n"
        "default.replication.factor={rf}\n"
        "min.insync.replicas={min_isr}\n"
        "offsets.topic.replication.factor={rf}\n"
        "offsets.topic.num.partitions=10\n"
        "transaction.state.log.replication.factor={rf}\n"
        "transaction.state.log.min.isr={min_isr}\n"
        "share.coordinator.state.topic.replication.factor={rf}\n"
        "share.coordinator.state.topic.min.isr={min_isr}\n"
        "group.initial.rebalance.delay.ms=0\n"
        "log.retention.hours=168\n"
        "num.network.threads=2\n"
        "num.io.threads=4\n",
        fmt::arg("node", node()), fmt::arg("voters", voters), fmt::arg("host", host()),
        fmt::arg("port", config_.kafka_port), fmt::arg("cport", config_.kafka_controller_port),
        fmt::arg("data", (abs / "data").string()), fmt::arg("rf", rf), fmt::arg("min_isr", min_isr));
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

std::unique_ptr<Service> make_kafka_service(const StackConfig& config, int node) {
  return std::make_unique<KafkaService>(config, node);
}

}  // namespace rds::stack
