// Apache Cassandra 5.0, launched directly with java (CassandraDaemon) from the jars that
// scripts/bootstrap put in the engine cache: one node, or a ring of them (`--cassandra-nodes 3`:
// node n on 127.0.0.n with the usual ports, node 1 the seed, each joining only once the one before
// it answers). JVM flags mirror Cassandra's own conf/jvm17-server.options (branch cassandra-5.0);
// the rest is from shared/docs/infra-notes.md.

#include <fmt/format.h>

#include <thread>

#include "stack/health.h"
#include "stack/ports.h"
#include "stack/java.h"
#include "stack/service.h"
#include "stack/tls_material.h"

namespace rds::stack {
namespace {

// conf/jvm17-server.options of Cassandra 5.0 (GC settings and the JPMS exports/opens it needs).
const char* const kJvm17ServerOptions[] = {
    "-XX:+UseG1GC",
    "-XX:+ParallelRefProcEnabled",
    "-XX:MaxTenuringThreshold=1",
    "-XX:G1HeapRegionSize=16m",
    "-XX:G1RSetUpdatingPauseTimePercent=5",
    "-XX:MaxGCPauseMillis=300",
    "-XX:InitiatingHeapOccupancyPercent=70",
    "-Djdk.attach.allowAttachSelf=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
    "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Dio.netty.allocator.maxOrder=11",
};

class CassandraService final : public Service {
 public:
  using Service::Service;

  ServiceKind kind() const override { return ServiceKind::kCassandra; }
  std::string address() const override { return fmt::format("{}:{}", host(), config_.cassandra_port); }
  std::vector<PortUse> ports() const override {
    return {{"--cassandra-port", config_.cassandra_port},
            {"--cassandra-storage-port", config_.cassandra_storage_port},
            {"--cassandra-jmx-port", jmx_port(), config_.host}};
  }
  // Two nodes joining at once are refused ("Other bootstrapping/leaving/moving nodes detected"),
  // so a node that never joined waits for the one before it. Nodes that did start together: the
  // superuser's login needs a quorum of the system_auth replicas, so node 1 alone never answers.
  int starts_after() const override {
    std::error_code ec;
    const bool joined = std::filesystem::exists(dir() / "data" / "data" / "system", ec);
    return node() > 1 && !joined ? node() - 1 : 0;
  }
  std::string identity_marker() const override {
    return fmt::format("-Drdstream.stack={}", std::filesystem::absolute(dir()).string());
  }
  std::string client_hint() const override {
    // cqlsh takes the CA from SSL_CERTFILE and checks the hostname against it by default.
    return fmt::format("{}{}/cqlsh-{}/bin/cqlsh {}-u cassandra -p cassandra {} {}",
                       config_.tls ? fmt::format("SSL_CERTFILE={} ", config_.tls_ca_file().string()) : std::string(),
                       config_.engine_cache.string(), cqlsh_version(), config_.tls ? "--ssl " : "", host(),
                       config_.cassandra_port);
  }
  std::chrono::seconds stop_grace() const override { return std::chrono::seconds(90); }

  Status prepare() override {
    const auto abs = std::filesystem::absolute(dir());
    RDS_TRY(check_ownership_marker(abs / "data", marker(), name(), abs));
    // A node that joined before starts with the others, but not before the seed listens for
    // gossip: Cassandra gives up at once ("Unable to gossip with any peers") when no seed answers.
    if (node() > 1 && starts_after() == 0) {
      const auto deadline = std::chrono::steady_clock::now() + config_.start_timeout;
      while (!port_accepting(config_.node_host(1), config_.cassandra_storage_port, 500) &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
    std::string encryption;
    if (config_.tls) {
      auto made = client_encryption_options();
      if (!made.ok()) return made.take_error().with_context(name());
      encryption = std::move(*made);
    }
    RDS_TRY(write_text_file(abs / "cassandra.yaml", cassandra_yaml(abs) + encryption));
    RDS_TRY(write_text_file(abs / "logback.xml", kLogback));
    RDS_TRY(write_jmx_credentials(abs));
    std::error_code ec;
    std::filesystem::create_directories(abs / "data", ec);
    if (ec) return Error(ErrorCode::kIo, fmt::format("cassandra: cannot create {}: {}", (abs / "data").string(), ec.message()));
    // Cassandra initialises an empty data directory itself on first start.
    return write_ownership_marker(abs / "data", marker());
  }

  Result<LaunchSpec> launch_spec() const override {
    auto java = find_java(config_.java_home);
    if (!java.ok()) return java.take_error().with_context(name());
    const auto lib = lib_dir();
    std::error_code ec;
    const auto main_jar = lib / ("cassandra-all-" + cassandra_version() + ".jar");
    if (!std::filesystem::exists(main_jar, ec)) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("cassandra: the Cassandra {} jars are missing from {}; run scripts/bootstrap "
                               "(or set RDSTREAM_ENGINE_CACHE to where it put them)",
                               cassandra_version(), lib.string()));
    }
    const auto abs = std::filesystem::absolute(dir());
    LaunchSpec spec;
    spec.argv = {java->java.string(),
                 fmt::format("-Xms{}m", config_.cassandra_heap_mb),
                 fmt::format("-Xmx{}m", config_.cassandra_heap_mb),
                 "-Xss256k",
                 "-Djava.net.preferIPv4Stack=true",
                 fmt::format("-javaagent:{}", (lib / "jamm-0.4.0.jar").string()),
                 gc_log_option(abs / "gc.log")};
    for (const char* option : kJvm17ServerOptions) spec.argv.emplace_back(option);
    const std::string props[] = {
        identity_marker(),
        fmt::format("-Dcassandra.config=file://{}", (abs / "cassandra.yaml").string()),
        fmt::format("-Dcassandra.storagedir={}", (abs / "data").string()),
        fmt::format("-Dcassandra.logdir={}", (abs / "logs").string()),
        fmt::format("-Dlogback.configurationFile={}", (abs / "logback.xml").string()),
        "-Dcassandra-foreground=yes",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.superuser_setup_delay_ms=0",
        // How long a node waits to hear the ring before it bootstraps. A lone node has no one to
        // hear (1 s keeps `up` fast); a joining node that has not yet gossiped with the seed when
        // it runs out gives up ("Unable to contact any seeds"): 1 in 5 joins at 1 s here, under
        // load. Cassandra's default is 30 s.
        fmt::format("-Dcassandra.ring_delay_ms={}", node() == 1 ? 1000 : 5000),
        // JMX (nodetool) on 127.0.0.1 only, one port per node, with a password as everywhere else.
        fmt::format("-Dcassandra.jmx.local.port={}", jmx_port()),
        "-Dcom.sun.management.jmxremote.authenticate=true",
        // Cassandra wraps the JDK's JMX authenticator by reflection (JMXServerUtils).
        "--add-exports", "java.management/com.sun.jmx.remote.security=ALL-UNNAMED",
        "--add-opens", "java.management/com.sun.jmx.remote.security=ALL-UNNAMED",
        fmt::format("-Dcom.sun.management.jmxremote.password.file={}", (abs / "jmx.password").string()),
        fmt::format("-Dcom.sun.management.jmxremote.access.file={}", (abs / "jmx.access").string()),
    };
    for (const auto& p : props) spec.argv.push_back(p);
    spec.argv.insert(spec.argv.end(), {"-cp", (lib / "*").string(), "org.apache.cassandra.service.CassandraDaemon"});
    spec.log_file = log_file();
    spec.working_dir = abs;
    return spec;
  }

  // A node of a ring is healthy once it answers and the seed has it as a normal member: only then
  // may the next node join (see cassandra_seen_normal).
  Status check_health(std::chrono::milliseconds timeout) const override {
    RDS_TRY(cassandra_health(host(), config_.cassandra_port, "cassandra", "cassandra", timeout, cql_tls()));
    if (node() == 1) return ok_status();
    return cassandra_seen_normal(config_.node_host(1), config_.cassandra_port, "cassandra", "cassandra", host(),
                                 config_.cassandra_storage_port, timeout, cql_tls());
  }

  // Once the last node of a ring answers: the roles (system_auth) replicated to every node, up to
  // 3, instead of Cassandra's default of 1, so that a login does not fail whenever the one node
  // holding the role is down. The rows already written reach the new replicas through a read at
  // ALL, which repairs what it finds missing.
  Status after_healthy(std::chrono::milliseconds timeout) const override {
    if (config_.cassandra_nodes < 2 || node() != config_.cassandra_nodes) return ok_status();
    return cassandra_replicate_auth(config_.host, config_.cassandra_port, "cassandra", "cassandra",
                                    std::min(3, config_.cassandra_nodes), timeout, cql_tls());
  }

 private:
  // The stack's own CQL clients (health, system_auth) verify the node against the stack's CA.
  cassandra::TlsConfig cql_tls() const {
    cassandra::TlsConfig tls;
    tls.enabled = config_.tls;
    if (config_.tls) tls.ca_file = config_.tls_ca_file().string();
    return tls;
  }

  // With --tls: CQL only over TLS (not optional), with the node's certificate for its address from
  // the stack's CA. Cassandra 5.0 reads PEM directly (PEMBasedSslContextFactory): the keystore is
  // the unencrypted PKCS#8 key followed by the chain, so no keystore password is needed. Gossip
  // between the nodes stays on loopback in plaintext.
  Result<std::string> client_encryption_options() const {
    const auto dir = std::filesystem::absolute(config_.tls_dir());
    auto ca = ensure_ca(dir);
    if (!ca.ok()) return ca.take_error();
    auto cert = ensure_server_cert(dir, host(), {host()}, {"localhost"});
    if (!cert.ok()) return cert.take_error();
    return fmt::format(
        "# TLS (`stack up --tls`): clients must use it and trust {ca}.\n"
        "client_encryption_options:\n"
        "  enabled: true\n"
        "  optional: false\n"
        "  require_client_auth: false\n"
        "  ssl_context_factory:\n"
        "    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n"
        "  keystore: {keystore}\n"
        "  truststore: {ca}\n",
        fmt::arg("keystore", cert->keystore.string()), fmt::arg("ca", ca->cert.string()));
  }

  std::filesystem::path lib_dir() const { return config_.engine_cache / ("cassandra-" + cassandra_version()) / "lib"; }
  uint16_t jmx_port() const { return static_cast<uint16_t>(config_.cassandra_jmx_port + node() - 1); }

  // The JVM refuses a JMX password file others can read; the password is made once per node.
  Status write_jmx_credentials(const std::filesystem::path& abs) const {
    const auto password_file = abs / "jmx.password";
    auto existing = read_text_file(password_file);
    std::string password;
    if (existing.ok() && existing->starts_with("rdstream ")) {
      password = existing->substr(9);
      while (!password.empty() && (password.back() == '\n' || password.back() == ' ')) password.pop_back();
    }
    if (password.empty()) password = random_secret(24);
    RDS_TRY(write_secret_file(password_file, "rdstream " + password + "\n"));
    return write_text_file(abs / "jmx.access", "rdstream readwrite\n");
  }
  std::string marker() const { return "rdstream cassandra " + cassandra_version() + "\n"; }

  // Memtables: Cassandra 5.0's trie memtable with its cells off the heap, instead of the default
  // skip list on the heap. With 1 GiB of heap, on-heap memtables are what young GCs copy (the data
  // stays live until flushed): measured 250-370 ms G1 pauses every few seconds at 10k rows/s, each
  // one stalling every write in flight.
  std::string cassandra_yaml(const std::filesystem::path& abs) const {
    return fmt::format(
        "# Generated by `rdstream stack up`; edits are overwritten.\n"
        "cluster_name: rdstream\n"
        "num_tokens: 16\n"
        "allocate_tokens_for_local_replication_factor: {alloc_rf}\n"
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n"
        "endpoint_snitch: SimpleSnitch\n"
        "commitlog_sync: periodic\n"
        "commitlog_sync_period: 10000ms\n"
        "seed_provider:\n"
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n"
        "    parameters:\n"
        "      - seeds: \"{seed}:{sport}\"\n"
        "listen_address: {host}\n"
        "rpc_address: {host}\n"
        "storage_port: {sport}\n"
        "native_transport_port: {port}\n"
        "start_native_transport: true\n"
        "authenticator: PasswordAuthenticator\n"
        "role_manager: CassandraRoleManager\n"
        "data_file_directories:\n"
        "  - {data}/data\n"
        "commitlog_directory: {data}/commitlog\n"
        "saved_caches_directory: {data}/saved_caches\n"
        "hints_directory: {data}/hints\n"
        "cdc_raw_directory: {data}/cdc_raw\n"
        "concurrent_reads: 8\n"
        "concurrent_writes: 16\n"
        "concurrent_compactors: 1\n"
        "memtable_allocation_type: offheap_objects\n"
        "memtable:\n"
        "  configurations:\n"
        "    skiplist:\n"
        "      class_name: SkipListMemtable\n"
        "    trie:\n"
        "      class_name: TrieMemtable\n"
        "    default:\n"
        "      inherits: trie\n",
        fmt::arg("host", host()), fmt::arg("seed", config_.node_host(1)), fmt::arg("port", config_.cassandra_port),
        fmt::arg("alloc_rf", std::min(3, config_.cassandra_nodes)),
        fmt::arg("sport", config_.cassandra_storage_port), fmt::arg("data", (abs / "data").string()));
  }

  static constexpr const char* kLogback =
      "<!-- Generated by `rdstream stack up`: INFO to stdout, which the stack appends to cassandra.log. -->\n"
      "<configuration scan=\"false\">\n"
      "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
      "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>\n"
      "  </appender>\n"
      "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>\n"
      "  <logger name=\"org.apache.cassandra\" level=\"INFO\"/>\n"
      "</configuration>\n";
};

}  // namespace

std::unique_ptr<Service> make_cassandra_service(const StackConfig& config, int node) {
  return std::make_unique<CassandraService>(config, node);
}

}  // namespace rds::stack
