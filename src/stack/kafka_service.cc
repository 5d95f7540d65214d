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
#include "stack/tls_material.h"

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

// A password kept in a 0600 file, made once (letters and digits: safe in a JAAS string and in
// StorageTool's --add-scram argument).
Result<std::string> kept_password(const std::filesystem::path& file) {
  if (auto existing = read_text_file(file); existing.ok()) {
    std::string password = *existing;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    if (!password.empty()) return password;
  }
  std::string password = random_secret(32);
  RDS_TRY(write_secret_file(file, password + "\n"));
  return password;
}

// The inter-broker login (PLAIN, on the same SASL_SSL listener): a user of the brokers' own.
constexpr const char* kBrokerUser = "rdstream-broker";

}  // namespace

Result<std::string> kafka_client_password(const StackConfig& config) {
  return kept_password(std::filesystem::absolute(config.kafka_client_password_file()));
}

Result<std::map<std::string, std::string>> kafka_client_properties(const StackConfig& config) {
  if (!config.tls) return std::map<std::string, std::string>{};
  auto password = kafka_client_password(config);
  if (!password.ok()) return password.take_error();
  return std::map<std::string, std::string>{
      {"security.protocol", "SASL_SSL"},
      // PLAIN, not SCRAM: Debian's librdkafka (2.0.2) cannot log in with SCRAM to Kafka 4 brokers
      // (fixed in 2.6.1); over TLS the password is as safe in transit either way.
      {"sasl.mechanism", "PLAIN"},
      {"sasl.username", kKafkaClientUser},
      {"sasl.password", *password},
      {"ssl.ca.location", config.tls_ca_file().string()},
  };
}

namespace {

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
    return fmt::format("java -cp '{}/*' org.apache.kafka.tools.TopicCommand --bootstrap-server {} --list{}",
                       lib_dir().string(), config_.kafka_bootstrap(),
                       config_.tls ? " --command-config " + java_client_properties_file().string() : "");
  }

  Status prepare() override {
    const auto abs = std::filesystem::absolute(dir());
    RDS_TRY(check_broker_count(abs / "data"));
    RDS_TRY(check_ownership_marker(abs / "data", marker(), name(), abs));
    std::string tls_properties;
    std::string client_password;
    if (config_.tls) {
      auto made = prepare_tls();
      if (!made.ok()) return made.take_error();
      tls_properties = std::move(made->first);
      client_password = std::move(made->second);
    }
    // With TLS it holds the passwords (JAAS): readable by its owner only.
    RDS_TRY(write_secret_file(abs / "server.properties", server_properties(abs) + tls_properties));
    RDS_TRY(write_text_file(abs / "log4j2.properties", kLog4j2));
    std::error_code ec;
    if (std::filesystem::exists(abs / "data" / "meta.properties", ec)) {
      // SCRAM users are written into the metadata log when it is formatted, and only then.
      if (config_.tls && !std::filesystem::exists(abs / "data" / kScramMarker, ec)) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("{}: its storage in {} was formatted without --tls, so it has no SCRAM user; run "
                                 "`rdstream stack up` without --tls, or `rdstream stack down`, delete the Kafka "
                                 "directories under {} (losing their topics) and start again with --tls",
                                 name(), (abs / "data").string(), config_.state_dir.string()));
      }
      return ok_status();
    }

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
    if (config_.tls) {
      // The client user, as SCRAM-SHA-512 credentials in the cluster's first metadata.
      format.argv.insert(format.argv.end(),
                         {"--add-scram", fmt::format("SCRAM-SHA-512=[name={},password={}]", kKafkaClientUser,
                                                     client_password)});
    }
    format.log_file = log_file();
    format.working_dir = abs;
    auto rc = run_to_completion(format, std::chrono::seconds(120));
    if (!rc.ok()) return rc.take_error().with_context("kafka: formatting storage");
    if (*rc != 0) {
      return Error(ErrorCode::kIo, fmt::format("kafka: formatting storage failed (exit {}); see {}", *rc,
                                               log_file().string()));
    }
    if (config_.tls) RDS_TRY(write_text_file(abs / "data" / kScramMarker, "SCRAM-SHA-512 rdstream\n"));
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
    auto properties = kafka_client_properties(config_);
    if (!properties.ok()) return properties.take_error();
    return kafka_health(address(), timeout, *properties);
  }

 private:
  static constexpr const char* kScramMarker = ".rdstream-scram";

  // For Kafka's own tools (TopicCommand --command-config): the client settings, password included.
  std::filesystem::path java_client_properties_file() const {
    return std::filesystem::absolute(config_.service_dir(ServiceKind::kKafka)) / "client.properties";
  }

  // The CA, this node's certificate, the passwords, and the listener's TLS and SASL settings
  // (appended to server.properties); also the client password, for StorageTool.
  //
  // One SASL_SSL listener serves clients and the other brokers (PLAIN, as kBrokerUser), so that a
  // cluster needs no port more than without TLS; the KRaft controller listener stays PLAINTEXT on
  // its own port: it binds the node's loopback address only and carries no client's data, and
  // securing it would need SASL on the controllers too, which a static quorum formatted before
  // any user exists cannot authenticate with SCRAM.
  Result<std::pair<std::string, std::string>> prepare_tls() const {
    auto ca = ensure_ca(std::filesystem::absolute(config_.tls_dir()));
    if (!ca.ok()) return ca.take_error().with_context(name());
    auto cert = ensure_server_cert(std::filesystem::absolute(config_.tls_dir()), host(), {host()}, {"localhost"});
    if (!cert.ok()) return cert.take_error().with_context(name());
    auto client_password = kafka_client_password(config_);
    if (!client_password.ok()) return client_password.take_error();
    auto broker_password =
        kept_password(std::filesystem::absolute(config_.service_dir(ServiceKind::kKafka)) / "broker-password");
    if (!broker_password.ok()) return broker_password.take_error();
    RDS_TRY(write_secret_file(
        java_client_properties_file(),
        fmt::format("# Generated by `rdstream stack up --tls`: Kafka's own tools, as --command-config.\n"
                    "security.protocol=SASL_SSL\n"
                    "sasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                    "username=\"{}\" password=\"{}\";\n"
                    "ssl.truststore.type=PEM\n"
                    "ssl.truststore.location={}\n",
                    kKafkaClientUser, *client_password, ca->cert.string())));
    std::string properties = fmt::format(
        "# TLS and SASL (`stack up --tls`).\n"
        "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN\n"
        "sasl.mechanism.inter.broker.protocol=PLAIN\n"
        "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
        "required username=\"{broker}\" password=\"{broker_pw}\" user_{broker}=\"{broker_pw}\" "
        "user_{client}=\"{client_pw}\";\n"
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram."
        "ScramLoginModule required;\n"
        "ssl.keystore.type=PEM\n"
        "ssl.keystore.location={keystore}\n"
        "ssl.truststore.type=PEM\n"
        "ssl.truststore.location={ca}\n"
        "ssl.client.auth=none\n",
        fmt::arg("broker", kBrokerUser), fmt::arg("broker_pw", *broker_password), fmt::arg("client", kKafkaClientUser),
        fmt::arg("client_pw", *client_password), fmt::arg("keystore", cert->keystore.string()),
        fmt::arg("ca", ca->cert.string()));
    return std::pair{std::move(properties), std::move(*client_password)};
  }

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
        "listeners={listener}://{host}:{port},CONTROLLER://{host}:{cport}\n"
        "advertised.listeners={listener}://{advertised}:{port}\n"
        "controller.listener.names=CONTROLLER\n"
        "inter.broker.listener.name={listener}\n"
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,{listener}:{listener}\n"
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
        fmt::arg("advertised", config_.kafka_advertised_host.empty() ? host() : config_.kafka_advertised_host),
        fmt::arg("listener", config_.tls ? "SASL_SSL" : "PLAINTEXT"),
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
